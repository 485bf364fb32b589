import { bytesToHex, type Hex } from 'viem'
import type { Logger } from 'pino'
import { decodeChunk, type BatchRecord } from '../../sdk/src/batch/index.ts'
import { bigIntToUnpaddedBytes as bigIntToBytes, concatBytes, utf8ToBytes } from '@ethereumjs/util'
import { keccak256 } from '../chain/crypto.ts'
import { TraceMismatchError, TraceNotFoundError } from './errors.ts'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createSharedTxCommon } from '../chain/txCommon.ts'
import { rebuildTx } from '../../sdk/src/batch/index.ts'
import type { DishonestLie, ToldLie } from './options.ts'
import { buildTree, equalBytes, merkleProof, treeRoot } from './merkle.ts'
import { encodeStepState, stepLeaf, type StepState } from './stepState.ts'
import { batchStepStates, genesisStepState, stepStateAfterBlock, type BatchSteps, type RecordAt } from './steps.ts'
import type { BatchTrace, TraceStore, TracedBlock } from './traceStore.ts'

/** Which L2 blocks a batch carries (the batcher's PostedBatch has these and more). */
export interface BatchRange {
  batchIndex: bigint
  fromBlock: bigint
  toBlock: bigint
}

/** Leaf `step` of a batch's trace: its preimage and the siblings up to the trace root. */
export interface StepProof {
  batchIndex: bigint
  /** leaf index: 0 is the state before the batch's first step */
  step: number
  state: StepState
  /** abi.encode of the state (the leaf's preimage, 160 bytes) */
  encoded: Uint8Array
  leaf: Uint8Array
  /** bottom first (merkle.ts) */
  siblings: Uint8Array[]
  traceRoot: Uint8Array
  /** leaves in the batch's trace (steps + 1), before padding */
  leafCount: number
}

/** One step of a batch and its record. */
export interface StepRecord {
  pre: StepState
  post: StepState
  at: RecordAt
  record: BatchRecord | undefined
}

/** A batch's trace as the proposer posts it (docs/decisions/0006): every leaf, and the last leaf's preimage. */
export interface BatchTraceResult {
  traceRoot: Hex
  leaves: Hex[]
  /** abi.encode of the last step state (288 bytes) */
  lastLeaf: Hex
  /** tests only: the lie this trace tells (TraceOptions.dishonest) */
  told?: ToldLie
}

export interface BatchTracerOptions {
  /** the L2 chain id: chunks decode for it */
  chainId: number
  maxTxsPerBlock: number
  /** how long a batch's step states are kept after its trace root was last handed out */
  retainMs: number
  /** tests only (TraceOptions.dishonest): lies to tell, in order, each once */
  dishonest?: DishonestLie[]
}

/**
 * The steps of a batch: one per record its chunks decode to (a record the decoder skips included),
 * as derivation applies them (node/derive/deriver.ts). Block starts come from the chunks alone
 * (with the L1 time of each chunk, when given, for the drift rule). A tx record is the next tx the
 * blocks ran when its hash is that tx's, and a queue-message record the next message when its
 * queue index is that message's; then the step takes the root after it. Any other record is one
 * derivation skipped (a wrong nonce, a bad signature, a replay, no block open, a full block, a
 * message not due): a no-op step. So a batch posted by an honest sequencer and one holding junk
 * are traced the same way, and every tx the blocks ran must be matched (else the chunks are not
 * these blocks': TraceMismatchError). A sequencer never forces queue messages in: `forced` is empty.
 */
export function stepsOfChunks(blocks: readonly TracedBlock[], chunks: readonly Uint8Array[], chainId: number, l1Timestamps?: readonly bigint[]): BatchSteps {
  const ran = blocks.flatMap((block) => block.records)
  const records: BatchSteps['records'] = []
  let next = 0
  chunks.forEach((chunk, chunkIndex) => {
    const decoded = decodeChunk(chunk, { chainId })
    const items: { at: RecordAt; record?: BatchRecord }[] = [
      ...decoded.records.map((r) => ({ at: { chunkIndex, offset: r.offset, end: r.offset + r.length }, record: r.record })),
      // a skip without a length ended the chunk: no step
      ...decoded.skipped.flatMap((r) => (r.length === undefined ? [] : [{ at: { chunkIndex, offset: r.offset, end: r.offset + r.length } }])),
    ].sort((a, b) => a.at.offset - b.at.offset)
    const l1Timestamp = l1Timestamps?.[chunkIndex]
    for (const { at, record } of items) {
      if (record === undefined) {
        records.push({ kind: 'skip', at })
      } else if (record.type === 'blockStart') {
        records.push({ kind: 'blockStart', timestamp: record.timestamp, ...(l1Timestamp === undefined ? {} : { l1Timestamp }), at })
      } else {
        const want = ran[next]
        const id = record.type === 'deposit' ? bigIntToBytes(record.queueIndex) : keccak256(rebuildTx(record, { chainId }))
        const kind = record.type === 'deposit' ? 'message' : 'tx'
        if (want !== undefined && want.kind === kind && equalBytes(want.id, id)) {
          next++
          records.push(kind === 'tx' ? { kind: 'tx', stateRoot: want.stateRoot, at } : { kind: 'message', txs: want.txs, stateRoot: want.stateRoot, at })
        } else {
          records.push({ kind: 'skip', at })
        }
      }
    }
  })
  if (next !== ran.length) throw new TraceMismatchError(`the chunks hold ${next} of the blocks' ${ran.length} records`)
  return { forced: [], records }
}

/** The last step state of a batch's trace and every leaf, as proposeOutput takes them. */
export function traceResult(states: readonly StepState[], levels: Uint8Array[][]): BatchTraceResult {
  return {
    traceRoot: bytesToHex(treeRoot(levels)),
    leaves: levels[0].slice(0, states.length).map((leaf) => bytesToHex(leaf)),
    lastLeaf: bytesToHex(encodeStepState(states[states.length - 1])),
  }
}

/** Builds, keeps and proves the trace of each batch from the per-record roots the executor stored. */
export class BatchTracer {
  /** trees of recent batches, for proofs without rebuilding */
  private readonly trees = new Map<bigint, { trace: BatchTrace; levels: Uint8Array[][] }>()
  private readonly log: Logger
  private readonly lies: DishonestLie[]

  constructor(
    private readonly opts: BatchTracerOptions,
    private readonly modules: { store: TraceStore; logger: Logger },
  ) {
    this.log = modules.logger.child({ module: 'trace' })
    this.lies = [...(opts.dishonest ?? [])]
  }

  /**
   * The batch's trace from its blocks and the chunks that carry them; computed once per block range
   * (a batch re-planned after a reorg is traced again) and kept.
   */
  async trace(batch: BatchRange, chunks: readonly Uint8Array[], opts: { nowMs?: number; l1Timestamps?: readonly bigint[] } = {}): Promise<BatchTraceResult> {
    const nowMs = opts.nowMs ?? Date.now()
    const stored = await this.modules.store.batch(batch.batchIndex)
    let trace: BatchTrace
    if (stored !== undefined && stored.fromBlock === batch.fromBlock && stored.toBlock === batch.toBlock) {
      trace = { ...stored, handedAtMs: nowMs }
    } else {
      trace = await this.traceBatch(batch, chunks, nowMs, opts.l1Timestamps)
    }
    await this.modules.store.putBatch(trace)
    const dropped = await this.modules.store.pruneBatches(nowMs - this.opts.retainMs)
    for (const index of dropped) this.trees.delete(index)
    if (dropped.length > 0) this.log.info({ batches: dropped.map(Number) }, 'pruned batch traces past retention')
    const lie = await this.lie(batch, chunks, trace.states)
    if (lie !== undefined) return lie
    return traceResult(trace.states, (await this.tree(batch.batchIndex)).levels)
  }

  async proveStep(batchIndex: bigint, step: number): Promise<StepProof> {
    const { trace, levels } = await this.tree(batchIndex)
    if (!Number.isInteger(step) || step < 0 || step >= trace.states.length) throw new TraceNotFoundError(`batch ${batchIndex} has leaves 0..${trace.states.length - 1}, not ${step}`)
    const state = trace.states[step]
    return {
      batchIndex,
      step,
      state,
      encoded: encodeStepState(state),
      leaf: levels[0][step],
      siblings: merkleProof(levels, step),
      traceRoot: trace.traceRoot,
      leafCount: trace.states.length,
    }
  }

  /** Tests only: the next dishonest trace (TraceOptions.dishonest), when this batch has a step the next lie matches. */
  private async lie(batch: BatchRange, chunks: readonly Uint8Array[], states: StepState[]): Promise<(BatchTraceResult & { told: ToldLie }) | undefined> {
    const lie = this.lies[0]
    if (lie === undefined || batch.batchIndex < (lie.fromBatch ?? 0n)) return undefined
    const steps = (await this.steps(batch, chunks)).records
    const matches: number[] = []
    steps.forEach((step, i) => {
      if (lie.kind !== 'any' && step.kind !== lie.kind) return
      if (lie.minChunkBytes !== undefined && (step.at === undefined || chunks[step.at.chunkIndex].length < lie.minChunkBytes)) return
      if (lie.selector !== undefined) {
        const record = decodeChunk(chunks[step.at!.chunkIndex], { chainId: this.opts.chainId }).records.find((r) => r.offset === step.at!.offset)?.record
        if (record === undefined || (record.type !== 'compactBet' && record.type !== 'signedTx')) return
        const data = createTxFromRLP(rebuildTx(record, { chainId: this.opts.chainId }), { common: createSharedTxCommon(this.opts.chainId) }).data
        if (bytesToHex(data.subarray(0, 4)) !== lie.selector.toLowerCase()) return
      }
      matches.push(i)
    })
    if (matches.length === 0) return undefined
    this.lies.shift()
    const step = matches.at((lie.nth ?? 0) % matches.length)!
    const lied = states.map((s, i) => (i > step ? { ...s, stateRoot: keccak256(concatBytes(utf8ToBytes('rollbook/dishonest'), s.stateRoot)) } : s))
    const told: ToldLie = { batchIndex: batch.batchIndex, step, kind: steps[step].kind as ToldLie['kind'] }
    this.log.warn({ batchIndex: Number(batch.batchIndex), step, kind: told.kind }, 'TESTING: handing out a dishonest trace')
    return { ...traceResult(lied, buildTree(lied.map(stepLeaf))), told }
  }

  /**
   * Step `step` of a traced batch (from leaf `step` to leaf `step + 1`): both states, where its
   * record sits in `chunks` and the record (undefined for one the decoder skipped).
   */
  async stepRecord(batch: BatchRange, chunks: readonly Uint8Array[], step: number): Promise<StepRecord> {
    const trace = await this.modules.store.batch(batch.batchIndex)
    if (trace === undefined || trace.fromBlock !== batch.fromBlock || trace.toBlock !== batch.toBlock) throw new TraceNotFoundError(`no trace of batch ${batch.batchIndex} (blocks ${batch.fromBlock}..${batch.toBlock})`)
    if (!Number.isInteger(step) || step < 0 || step + 1 >= trace.states.length) throw new TraceNotFoundError(`batch ${batch.batchIndex} has steps 0..${trace.states.length - 2}, not ${step}`)
    const recordStep = (await this.steps(batch, chunks)).records[step]
    const at = recordStep.at!
    const decoded = decodeChunk(chunks[at.chunkIndex], { chainId: this.opts.chainId }).records.find((r) => r.offset === at.offset)
    return { pre: trace.states[step], post: trace.states[step + 1], at, record: decoded?.record }
  }

  /** The stored states of a batch (leaf preimages), for a challenger or a test. */
  async batchTrace(batchIndex: bigint): Promise<BatchTrace | undefined> {
    return this.modules.store.batch(batchIndex)
  }

  /** The batch's steps from its traced blocks and the chunks that carry them. */
  private async steps(batch: BatchRange, chunks: readonly Uint8Array[], l1Timestamps?: readonly bigint[]): Promise<BatchSteps> {
    const blocks: TracedBlock[] = []
    for (let n = batch.fromBlock; n <= batch.toBlock; n++) blocks.push(await this.tracedBlock(n))
    return stepsOfChunks(blocks, chunks, this.opts.chainId, l1Timestamps)
  }

  private async traceBatch(batch: BatchRange, chunks: readonly Uint8Array[], nowMs: number, l1Timestamps?: readonly bigint[]): Promise<BatchTrace> {
    const genesis = batch.fromBlock === 1n ? await this.tracedBlock(0n) : undefined
    const pre = genesis !== undefined ? genesisStepState(genesis.stateRoot, genesis.timestamp) : stepStateAfterBlock(await this.tracedBlock(batch.fromBlock - 1n))
    const states = batchStepStates(pre, await this.steps(batch, chunks, l1Timestamps), this.opts.maxTxsPerBlock)
    const levels = buildTree(states.map(stepLeaf))
    const trace: BatchTrace = { ...batch, handedAtMs: nowMs, traceRoot: treeRoot(levels), states }
    this.remember(trace, levels)
    this.log.info({ batchIndex: Number(batch.batchIndex), blocks: `${batch.fromBlock}..${batch.toBlock}`, steps: states.length - 1, traceRoot: bytesToHex(trace.traceRoot) }, 'traced batch')
    return trace
  }

  private async tracedBlock(number: bigint): Promise<TracedBlock> {
    const block = await this.modules.store.block(number)
    if (block === undefined) throw new TraceNotFoundError(`the trace holds no block ${number} (not executed yet, or pruned)`)
    return block
  }

  private async tree(batchIndex: bigint): Promise<{ trace: BatchTrace; levels: Uint8Array[][] }> {
    const cached = this.trees.get(batchIndex)
    const trace = await this.modules.store.batch(batchIndex)
    if (trace === undefined) throw new TraceNotFoundError(`no trace of batch ${batchIndex} (never traced, or pruned)`)
    if (cached !== undefined && cached.trace.fromBlock === trace.fromBlock && cached.trace.toBlock === trace.toBlock) return cached
    const levels = buildTree(trace.states.map(stepLeaf))
    this.remember(trace, levels)
    return { trace, levels }
  }

  private remember(trace: BatchTrace, levels: Uint8Array[][]): void {
    this.trees.set(trace.batchIndex, { trace, levels })
    while (this.trees.size > 4) this.trees.delete(this.trees.keys().next().value as bigint)
  }
}

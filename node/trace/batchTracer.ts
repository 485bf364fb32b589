import { bytesToHex, type Hex } from 'viem'
import type { Logger } from 'pino'
import { TraceNotFoundError } from './errors.ts'
import { buildTree, merkleProof, treeRoot } from './merkle.ts'
import { encodeStepState, stepLeaf, type StepState } from './stepState.ts'
import { batchStepStates, genesisStepState, stepStateAfterBlock, type BatchSteps } from './steps.ts'
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

export interface BatchTracerOptions {
  maxTxsPerBlock: number
  /** how long a batch's step states are kept after its trace root was last handed out */
  retainMs: number
}

/**
 * The steps of a batch of sealed blocks, as the batcher posts them (sequencer/batcher/batchPlanner.ts):
 * per block a block start and its records, then the closing block start (the last block's
 * timestamp again). A sequencer never forces queue messages in, so `forced` is empty. Block starts
 * carry no L1 time: the sequencer's chunks are posted after their blocks are sealed, so an honest
 * sequencer's block start is never MAX_TIMESTAMP_DRIFT_SECONDS ahead of the L1 block carrying it.
 */
export function stepsOfBlocks(blocks: readonly TracedBlock[]): BatchSteps {
  const records: BatchSteps['records'] = []
  for (const block of blocks) {
    records.push({ kind: 'blockStart', timestamp: block.timestamp })
    for (const r of block.records) records.push(r.kind === 'tx' ? { kind: 'tx', stateRoot: r.stateRoot } : { kind: 'message', txs: r.txs, stateRoot: r.stateRoot })
  }
  if (blocks.length > 0) records.push({ kind: 'blockStart', timestamp: blocks[blocks.length - 1].timestamp })
  return { forced: [], records }
}

/** Builds, keeps and proves the trace of each batch from the per-record roots the executor stored. */
export class BatchTracer {
  /** trees of recent batches, for proofs without rebuilding */
  private readonly trees = new Map<bigint, { trace: BatchTrace; levels: Uint8Array[][] }>()
  private readonly log: Logger

  constructor(
    private readonly opts: BatchTracerOptions,
    private readonly modules: { store: TraceStore; logger: Logger },
  ) {
    this.log = modules.logger.child({ module: 'trace' })
  }

  /** The batch's trace root; computed once per block range (a batch re-planned after a reorg is traced again) and kept. */
  async traceRoot(batch: BatchRange, nowMs = Date.now()): Promise<Hex> {
    const stored = await this.modules.store.batch(batch.batchIndex)
    let trace: BatchTrace
    if (stored !== undefined && stored.fromBlock === batch.fromBlock && stored.toBlock === batch.toBlock) {
      trace = { ...stored, handedAtMs: nowMs }
    } else {
      trace = await this.traceBatch(batch, nowMs)
    }
    await this.modules.store.putBatch(trace)
    const dropped = await this.modules.store.pruneBatches(nowMs - this.opts.retainMs)
    for (const index of dropped) this.trees.delete(index)
    if (dropped.length > 0) this.log.info({ batches: dropped.map(Number) }, 'pruned batch traces past retention')
    return bytesToHex(trace.traceRoot)
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

  /** The stored states of a batch (leaf preimages), for a challenger or a test. */
  async batchTrace(batchIndex: bigint): Promise<BatchTrace | undefined> {
    return this.modules.store.batch(batchIndex)
  }

  private async traceBatch(batch: BatchRange, nowMs: number): Promise<BatchTrace> {
    const blocks: TracedBlock[] = []
    for (let n = batch.fromBlock; n <= batch.toBlock; n++) blocks.push(await this.tracedBlock(n))
    const pre = batch.fromBlock === 1n ? genesisStepState((await this.tracedBlock(0n)).stateRoot, (await this.tracedBlock(0n)).timestamp) : stepStateAfterBlock(await this.tracedBlock(batch.fromBlock - 1n))
    const states = batchStepStates(pre, stepsOfBlocks(blocks), this.opts.maxTxsPerBlock)
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

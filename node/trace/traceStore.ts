import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import { metaKey, prefixed, readU64, u64 } from '../storage/keys.ts'
import type { RollbookLevel } from '../storage/level.ts'
import type { TrieWriteBatch } from '../storage/trieDb.ts'
import { decodeStepState, encodeStepState, ENCODED_STEP_STATE_BYTES, type StepState } from './stepState.ts'

/**
 * Key prefixes of the trace's own LevelDB (DATADIR/trace, apart from the node's one LevelDB: a
 * LevelDB is opened by one thread only). Trie nodes and code sit under node/storage/keys.ts
 * Prefix.trie, written by LevelTrieDb as in the main database.
 */
const TracePrefix = {
  /** block number (u64 BE) -> RLP [hash, timestamp, stateRoot, [[kind, txs, root after the record, tx hash or queue index]...]] */
  block: 0x42, // 'B'
  /** batch index (u64 BE) -> RLP [fromBlock, toBlock, handedAtMs, traceRoot, step states (abi-encoded, 160 bytes each)] */
  batch: 0x54, // 'T'
} as const

const HEAD_KEY = metaKey('traceHead')
const FORMAT_KEY = metaKey('traceFormat')
/** 2: step state v2 (docs/decisions/0006) and records that name their tx. An older trace database is rebuilt. */
const FORMAT = 2

/** One record of a block (a bet or generic tx, or a queue message with its forced tx) and the root after it. */
export interface TracedRecord {
  kind: 'tx' | 'message'
  txs: 1 | 2
  stateRoot: Uint8Array
  /** what the record ran: a tx's hash, or a queue message's index (big-endian, unpadded) */
  id: Uint8Array
}

export interface TracedBlock {
  number: bigint
  /** zero for the genesis entry */
  hash: Uint8Array
  timestamp: bigint
  stateRoot: Uint8Array
  records: TracedRecord[]
}

export interface BatchTrace {
  batchIndex: bigint
  fromBlock: bigint
  toBlock: bigint
  /** when the trace root was last handed out (ms since the epoch): retention counts from here */
  handedAtMs: number
  traceRoot: Uint8Array
  /** leaves' preimages: [state before the batch, after step 1, ..., after step n] */
  states: StepState[]
}

const KIND_TX = 0
const KIND_MESSAGE = 1

export class TraceStore {
  constructor(private readonly db: RollbookLevel) {}

  /**
   * The trace database as this version writes it: one of an older format (or none) is cleared, and
   * the worker traces again from genesis (everything in it is re-derivable from the chain). Returns
   * whether it was cleared.
   */
  async ensureFormat(): Promise<boolean> {
    const stored = await this.db.get(FORMAT_KEY)
    if (stored !== undefined && readU64(stored) === BigInt(FORMAT)) return false
    const cleared = (await this.db.get(HEAD_KEY)) !== undefined
    if (cleared) await this.db.clear()
    await this.db.put(FORMAT_KEY, u64(BigInt(FORMAT)))
    return cleared
  }

  async head(): Promise<TracedBlock | undefined> {
    const bytes = await this.db.get(HEAD_KEY)
    return bytes === undefined ? undefined : this.block(readU64(bytes))
  }

  async block(number: bigint): Promise<TracedBlock | undefined> {
    const bytes = await this.db.get(prefixed(TracePrefix.block, u64(number)))
    if (bytes === undefined) return undefined
    const [hash, timestamp, stateRoot, records] = RLP.decode(bytes) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array[][]]
    return {
      number,
      hash,
      timestamp: bytesToBigInt(timestamp),
      stateRoot,
      records: records.map(([kind, txs, root, id]) => ({ kind: bytesToBigInt(kind) === BigInt(KIND_MESSAGE) ? 'message' : 'tx', txs: Number(bytesToBigInt(txs)) as 1 | 2, stateRoot: root, id })),
    }
  }

  /** The block's trace, the trie nodes its execution made, and the new head: one atomic write. */
  async writeBlock(block: TracedBlock, trieOps: TrieWriteBatch['ops']): Promise<void> {
    const value = RLP.encode([
      block.hash,
      bigIntToUnpaddedBytes(block.timestamp),
      block.stateRoot,
      block.records.map((r) => [bigIntToUnpaddedBytes(BigInt(r.kind === 'message' ? KIND_MESSAGE : KIND_TX)), bigIntToUnpaddedBytes(BigInt(r.txs)), r.stateRoot, r.id]),
    ])
    const batch = this.db.batch()
    for (const op of trieOps) {
      if (op.type === 'put') batch.put(op.key, op.value)
      else batch.del(op.key)
    }
    batch.put(prefixed(TracePrefix.block, u64(block.number)), value)
    batch.put(HEAD_KEY, u64(block.number))
    await batch.write()
  }

  async batch(batchIndex: bigint): Promise<BatchTrace | undefined> {
    const bytes = await this.db.get(prefixed(TracePrefix.batch, u64(batchIndex)))
    return bytes === undefined ? undefined : decodeBatch(batchIndex, bytes)
  }

  async putBatch(trace: BatchTrace): Promise<void> {
    const states = new Uint8Array(trace.states.length * ENCODED_STEP_STATE_BYTES)
    trace.states.forEach((s, i) => states.set(encodeStepState(s), i * ENCODED_STEP_STATE_BYTES))
    const value = RLP.encode([
      bigIntToUnpaddedBytes(trace.fromBlock),
      bigIntToUnpaddedBytes(trace.toBlock),
      bigIntToUnpaddedBytes(BigInt(trace.handedAtMs)),
      trace.traceRoot,
      states,
    ])
    await this.db.put(prefixed(TracePrefix.batch, u64(trace.batchIndex)), value)
  }

  /**
   * Drops the traces of batches last handed out before `cutoffMs`, oldest first, stopping at the
   * first one still kept, and the block entries only they needed (the last block of the newest
   * dropped batch stays: the next batch's leaf 0 comes from it). Returns the batch indexes dropped.
   */
  async pruneBatches(cutoffMs: number): Promise<bigint[]> {
    const dropped: bigint[] = []
    let lastToBlock: bigint | undefined
    const ops = this.db.batch()
    for await (const [key, value] of this.db.iterator({ gte: prefixed(TracePrefix.batch, u64(0n)), lt: prefixed(TracePrefix.batch + 1, new Uint8Array()) })) {
      const index = readU64(key, 1)
      const trace = decodeBatch(index, value)
      if (trace.handedAtMs >= cutoffMs) break
      ops.del(key)
      dropped.push(index)
      lastToBlock = trace.toBlock
    }
    if (dropped.length === 0) {
      await ops.close()
      return dropped
    }
    await ops.write()
    await this.db.clear({ gte: prefixed(TracePrefix.block, u64(0n)), lt: prefixed(TracePrefix.block, u64(lastToBlock!)) })
    return dropped
  }
}

function decodeBatch(batchIndex: bigint, bytes: Uint8Array): BatchTrace {
  const [fromBlock, toBlock, handedAt, traceRoot, states] = RLP.decode(bytes) as Uint8Array[]
  const decoded: StepState[] = []
  for (let i = 0; i < states.length; i += ENCODED_STEP_STATE_BYTES) decoded.push(decodeStepState(states.subarray(i, i + ENCODED_STEP_STATE_BYTES)))
  return { batchIndex, fromBlock: bytesToBigInt(fromBlock), toBlock: bytesToBigInt(toBlock), handedAtMs: Number(bytesToBigInt(handedAt)), traceRoot, states: decoded }
}

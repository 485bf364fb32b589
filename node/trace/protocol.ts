import type { Genesis } from '../chain/genesis.ts'
import type { QueueMessage } from '../l1/messages.ts'
import type { BatchRange } from './batchTracer.ts'
import type { DishonestLie } from './options.ts'

/** What the main thread hands the commitment worker at start (structured-cloned). */
export interface TraceWorkerData {
  /** the trace's own LevelDB directory (DATADIR/trace) */
  dbPath: string
  genesis: Genesis
  retainMs: number
  logLevel: string
  /** the worker thread's nice value (Linux): it yields the CPU to the sequencer's thread */
  niceness: number
  /** tests only: see TraceOptions.dishonest */
  dishonest?: DishonestLie[]
}

/** A sealed block: header fields, the root to reach, and its raw txs packed in one transferred buffer. */
export interface BlockMessage {
  type: 'block'
  number: bigint
  hash: Uint8Array
  parentHash: Uint8Array
  timestamp: bigint
  stateRoot: Uint8Array
  /** the raw txs end to end */
  txs: Uint8Array
  /** the byte length of each raw tx, in order */
  lengths: Uint32Array
  /** each tx's sender public key (64 bytes each, in order), as the sequencer recovered it: the worker does not recover them again */
  senders: Uint8Array
}

export type CallMessage =
  | { type: 'call'; id: number; method: 'trace'; batch: BatchRange; chunks: Uint8Array[]; l1Timestamps?: bigint[] }
  | { type: 'call'; id: number; method: 'proveStep'; batchIndex: bigint; step: number }
  | { type: 'call'; id: number; method: 'stepWitness'; batch: BatchRange; chunks: Uint8Array[]; step: number; messages: QueueMessage[] }
  | { type: 'call'; id: number; method: 'close' }

export type ToWorker = BlockMessage | CallMessage

export interface SerializedError {
  name: string
  message: string
}

export type FromWorker =
  | { type: 'ready'; head: { number: bigint; hash: Uint8Array } }
  | { type: 'executed'; number: bigint }
  | { type: 'result'; id: number; value?: unknown; error?: SerializedError }
  | { type: 'failed'; error: SerializedError }

export function serializeError(e: unknown): SerializedError {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) }
}

/** Raw txs packed for transfer: one buffer, one length each. */
export function packTxs(raws: readonly Uint8Array[]): { txs: Uint8Array; lengths: Uint32Array } {
  let total = 0
  for (const raw of raws) total += raw.length
  const txs = new Uint8Array(total)
  const lengths = new Uint32Array(raws.length)
  let offset = 0
  raws.forEach((raw, i) => {
    txs.set(raw, offset)
    offset += raw.length
    lengths[i] = raw.length
  })
  return { txs, lengths }
}

export function unpackTxs(txs: Uint8Array, lengths: Uint32Array): Uint8Array[] {
  const out: Uint8Array[] = []
  let offset = 0
  for (const length of lengths) {
    out.push(txs.subarray(offset, offset + length))
    offset += length
  }
  return out
}

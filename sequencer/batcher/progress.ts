import type { Hex } from 'viem'
import type { ChainStore } from '../../node/storage/chainStore.ts'
import { MetaKey } from '../../node/storage/keys.ts'
import { BatcherCriticalError } from './errors.ts'

/** Which L2 blocks one batch carries, and how it was cut into chunks (so a restart or a rewind rebuilds the same bytes). */
export interface BatchPlan {
  batchIndex: bigint
  fromBlock: bigint
  toBlock: bigint
  maxChunkBytes: number
  chunkCount: number
  /** the inbox's running chunk number of this batch's chunk 0 */
  firstChunk: bigint
}

/** A chunk the inbox holds, and where: kept while a reorg could still drop it. */
export interface PostedChunk {
  /** running chunk number in the inbox (ChunkPosted's n) */
  n: bigint
  plan: BatchPlan
  chunkIndex: number
  /** keccak256 of the chunk bytes (ChunkPosted's dataHash) */
  hash: Hex
  /** what the inbox stores for it (chunkCommitment(n)): depends on the L1 block that carries it */
  commitment: Hex
  txHash: Hex
  l1BlockNumber: bigint
  l1BlockHash: Hex
}

/** The chunk tx sent and not yet confirmed: every signed version of it (same nonce, bumped fees). */
export interface InflightTx {
  n: bigint
  nonce: number
  txHashes: Hex[]
}

export interface BatcherProgress {
  /** chunks the inbox holds, confirmed */
  chunksPosted: bigint
  /** the last L2 block whose every record is posted */
  lastPostedBlock: bigint
  /** index of the next new batch */
  nextBatchIndex: bigint
  /** the batch being posted: set from before its chunk 0 is sent until its last chunk is confirmed */
  batch?: BatchPlan
  inflight?: InflightTx
  /** posted chunks, oldest first, whose L1 block is less than reorgDepth deep; the last posted one always */
  recent: PostedChunk[]
}

/**
 * A batch every chunk of which the inbox holds, confirmed: recorded by the batcher (before the
 * progress that completes it) for the proposer. A later L1 reorg can drop the chunks and the batch
 * be re-planned (the record then rewritten), so a reader takes the record only while the progress
 * counts the batch (batchesCompleted), and checks its last chunk against the inbox.
 */
export interface PostedBatch {
  batchIndex: bigint
  fromBlock: bigint
  toBlock: bigint
  /** the inbox's running number of the batch's last chunk, and the keccak256 of its bytes */
  lastChunk: bigint
  lastChunkHash: Hex
  /** where the last chunk was mined when the batcher recorded it */
  l1BlockNumber: bigint
  txHash: Hex
}

export const INITIAL_PROGRESS: BatcherProgress = { chunksPosted: 0n, lastPostedBlock: 0n, nextBatchIndex: 0n, recent: [] }

/** The running chunk number and batch position of the next chunk to post. */
export function nextChunkPosition(progress: BatcherProgress): { n: bigint; batchIndex: bigint; chunkIndex: number } | undefined {
  if (progress.batch === undefined) return undefined
  return { n: progress.chunksPosted, batchIndex: progress.batch.batchIndex, chunkIndex: Number(progress.chunksPosted - progress.batch.firstChunk) }
}

/** Progress once `chunk` is confirmed, records older than `keepFromL1Block` dropped (the new one kept). */
export function progressAfter(progress: BatcherProgress, chunk: PostedChunk, keepFromL1Block: bigint): BatcherProgress {
  const recent = [...progress.recent.filter((r) => r.n < chunk.n && r.l1BlockNumber >= keepFromL1Block), chunk]
  return { ...positionAfter(chunk), recent }
}

/**
 * Progress with only the first `count` chunks posted (an L1 reorg dropped the rest). Throws a
 * critical error when the record of chunk count-1 was already pruned (a reorg deeper than reorgDepth).
 */
export function rewindProgress(progress: BatcherProgress, count: bigint): BatcherProgress {
  if (count >= progress.chunksPosted) return { ...progress, inflight: undefined }
  if (count === 0n) return { ...INITIAL_PROGRESS }
  const recent = progress.recent.filter((r) => r.n < count)
  const last = recent.at(-1)
  if (last === undefined || last.n !== count - 1n) {
    throw new BatcherCriticalError(`the inbox rolled back to ${count} chunks, deeper than the kept records (reorgDepth); the batcher cannot rebuild where to resume`)
  }
  return { ...positionAfter(last), recent }
}

/** How many batches are wholly posted (0..n-1): those before the batch in flight, or before the next one. */
export function batchesCompleted(progress: BatcherProgress): bigint {
  return progress.batch?.batchIndex ?? progress.nextBatchIndex
}

/** The batch `chunk` completes, when it is its batch's last chunk. */
export function batchCompletedBy(chunk: PostedChunk): PostedBatch | undefined {
  if (chunk.chunkIndex + 1 < chunk.plan.chunkCount) return undefined
  const { batchIndex, fromBlock, toBlock } = chunk.plan
  return { batchIndex, fromBlock, toBlock, lastChunk: chunk.n, lastChunkHash: chunk.hash, l1BlockNumber: chunk.l1BlockNumber, txHash: chunk.txHash }
}

function positionAfter(chunk: PostedChunk): Omit<BatcherProgress, 'recent'> {
  const chunksPosted = chunk.n + 1n
  if (chunk.chunkIndex + 1 < chunk.plan.chunkCount) {
    return { chunksPosted, lastPostedBlock: chunk.plan.fromBlock - 1n, nextBatchIndex: chunk.plan.batchIndex + 1n, batch: chunk.plan }
  }
  return { chunksPosted, lastPostedBlock: chunk.plan.toBlock, nextBatchIndex: chunk.plan.batchIndex + 1n }
}

const BIGINT_TAG = 'n:'

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${BIGINT_TAG}${v}` : v)))
}

function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes), (_key, v) => (typeof v === 'string' && v.startsWith(BIGINT_TAG) ? BigInt(v.slice(BIGINT_TAG.length)) : v)) as T
}

/** The batcher's progress in the chain store's meta keys: one JSON value, written with fsync after each change. */
export class ProgressStore {
  constructor(private readonly store: Pick<ChainStore, 'getMeta' | 'putMeta'>) {}

  async load(): Promise<BatcherProgress> {
    const bytes = await this.store.getMeta(MetaKey.batcher)
    return bytes === undefined ? { ...INITIAL_PROGRESS } : decodeJson<BatcherProgress>(bytes)
  }

  async save(progress: BatcherProgress): Promise<void> {
    await this.store.putMeta(MetaKey.batcher, encodeJson(progress))
  }
}

/** Posted batches by index, one meta key each (`postedBatch/<index>`), kept: the proposer may lag, and re-propose after a reorg. */
export class PostedBatchStore {
  constructor(private readonly store: Pick<ChainStore, 'getMeta' | 'putMeta'>) {}

  async get(batchIndex: bigint): Promise<PostedBatch | undefined> {
    const bytes = await this.store.getMeta(`${MetaKey.postedBatch}/${batchIndex}`)
    return bytes === undefined ? undefined : decodeJson<PostedBatch>(bytes)
  }

  async put(batch: PostedBatch): Promise<void> {
    await this.store.putMeta(`${MetaKey.postedBatch}/${batch.batchIndex}`, encodeJson(batch))
  }
}

import { encodeChunk, recordsFromTxs, splitIntoChunks, UnbatchableTransactionError, type BatchRecord } from '../../sdk/src/batch/index.ts'
import type { TypedTransaction } from '@ethereumjs/tx'
import { relayInfo, relaysForcedTx } from '../../node/l1/messages.ts'
import type { ChainStore } from '../../node/storage/chainStore.ts'
import { MAX_BATCH_RECORDS } from '../../sdk/src/constants.ts'
import { BatcherCriticalError } from './errors.ts'
import type { BatchPlan } from './progress.ts'

/** the block start that closes every batch (cut) */
const CLOSING_RECORDS = 1

export interface BatchPlannerOptions {
  /** the L2 chain id: every batched tx is signed for it */
  chainId: number
  maxBatchBytes: number
  maxChunkBytes: number
  /** records a batch decodes to at most, the closing block start included; MAX_BATCH_RECORDS when omitted */
  maxBatchRecords?: number
}

/**
 * Turns sealed L2 blocks into batch records and chunks: per block a block start (its timestamp),
 * then its txs in order. Each block's records are made once and kept until the block is posted.
 */
export class BatchPlanner {
  private readonly recordsByBlock = new Map<bigint, { records: BatchRecord[]; bytes: number }>()
  private readonly chunksByPlan = new Map<string, Uint8Array[]>()

  constructor(
    private readonly opts: BatchPlannerOptions,
    private readonly store: Pick<ChainStore, 'getBlockByNumber'>,
  ) {}

  /**
   * The chain's head as far as the store serves it: the chain announces a sealed block before its
   * queued write reaches the store, and blocks are written in order.
   */
  async storedHead(head: bigint): Promise<bigint> {
    let number = head
    while (number > 0n && !this.recordsByBlock.has(number) && (await this.store.getBlockByNumber(number)) === undefined) number--
    return number
  }

  /** Bytes the records of blocks from..to take (block starts counted as absolute: an upper bound). */
  async pendingBytes(fromBlock: bigint, toBlock: bigint): Promise<number> {
    let bytes = 0
    for (let number = fromBlock; number <= toBlock; number++) bytes += (await this.blockRecords(number)).bytes
    return bytes
  }

  /**
   * The next batch: blocks from `fromBlock` on, up to `head`, as many as fit maxBatchBytes and, with
   * the closing block start, maxBatchRecords records (one block at least, which must fit alone:
   * the sequencer keeps its blocks under MAX_TXS_PER_POSTABLE_BLOCK).
   */
  async plan(batchIndex: bigint, firstChunk: bigint, fromBlock: bigint, head: bigint): Promise<BatchPlan> {
    let toBlock = fromBlock
    let { bytes, records } = await this.blockRecords(fromBlock)
    let count = records.length + CLOSING_RECORDS
    if (count > MAX_BATCH_RECORDS) {
      throw new BatcherCriticalError(`L2 block ${fromBlock} makes ${count - CLOSING_RECORDS} records, more than one batch's trace holds (${MAX_BATCH_RECORDS} with the closing block start)`)
    }
    // a block alone may pass a lowered cap, not MAX_BATCH_RECORDS
    const maxRecords = Math.max(this.opts.maxBatchRecords ?? MAX_BATCH_RECORDS, count)
    while (toBlock < head) {
      const next = await this.blockRecords(toBlock + 1n)
      if (bytes + next.bytes > this.opts.maxBatchBytes || count + next.records.length > maxRecords) break
      bytes += next.bytes
      count += next.records.length
      toBlock++
    }
    const plan: Omit<BatchPlan, 'chunkCount'> = { batchIndex, fromBlock, toBlock, maxChunkBytes: this.opts.maxChunkBytes, firstChunk }
    const chunks = await this.cut(plan)
    return { ...plan, chunkCount: chunks.length }
  }

  /** The chunks of a plan, rebuilt from the stored blocks exactly as when it was made. */
  async chunks(plan: BatchPlan): Promise<Uint8Array[]> {
    const chunks = await this.cut(plan)
    if (chunks.length !== plan.chunkCount) {
      throw new BatcherCriticalError(`batch ${plan.batchIndex} (blocks ${plan.fromBlock}..${plan.toBlock}) rebuilds into ${chunks.length} chunks, not ${plan.chunkCount}`)
    }
    return chunks
  }

  /** Forgets what blocks up to `number` made: they are posted. */
  forget(number: bigint): void {
    for (const key of this.recordsByBlock.keys()) if (key <= number) this.recordsByBlock.delete(key)
  }

  private async cut(plan: Omit<BatchPlan, 'chunkCount'>): Promise<Uint8Array[]> {
    const key = `${plan.batchIndex}:${plan.fromBlock}:${plan.toBlock}:${plan.maxChunkBytes}`
    const cached = this.chunksByPlan.get(key)
    if (cached !== undefined) return cached
    const records: BatchRecord[] = []
    for (let number = plan.fromBlock; number <= plan.toBlock; number++) records.push(...(await this.blockRecords(number)).records)
    // a closing block start lets a replica seal the batch's last block now, not when the next batch comes
    // (derivation never seals an empty block, so it adds none); its timestamp is the last block's
    const last = records.findLast((r) => r.type === 'blockStart')
    if (last !== undefined) records.push(last)
    const chunks = splitIntoChunks(records, { maxChunkBytes: plan.maxChunkBytes })
    // Only the batch being posted is worth keeping.
    this.chunksByPlan.clear()
    this.chunksByPlan.set(key, chunks)
    return chunks
  }

  private async blockRecords(number: bigint): Promise<{ records: BatchRecord[]; bytes: number }> {
    const cached = this.recordsByBlock.get(number)
    if (cached !== undefined) return cached
    const block = await this.store.getBlockByNumber(number)
    if (block === undefined) throw new BatcherCriticalError(`sealed L2 block ${number} is missing from the chain store`)
    let txRecords: BatchRecord[]
    try {
      txRecords = recordsOfBlockTxs(block.transactions, this.opts.chainId)
    } catch (error) {
      if (error instanceof UnbatchableTransactionError) throw new BatcherCriticalError(`L2 block ${number} holds a tx no batch record can carry: ${error.message}`, { cause: error })
      throw error
    }
    const records: BatchRecord[] = [{ type: 'blockStart', timestamp: block.header.timestamp }, ...txRecords]
    const entry = { records, bytes: encodeChunk(records).length - 1 }
    this.recordsByBlock.set(number, entry)
    return entry
  }
}

/**
 * A block's txs as records: a relay tx of the L1 messenger becomes a queue-message record (0x02,
 * its nonce is the queue index) and takes the forced tx right after it, when that tx is the one it
 * relays (docs/decisions/0004); every other run of txs is encoded by the batch format's rules.
 */
export function recordsOfBlockTxs(txs: readonly TypedTransaction[], chainId: number): BatchRecord[] {
  const records: BatchRecord[] = []
  let run: Uint8Array[] = []
  const flush = () => {
    if (run.length > 0) records.push(...recordsFromTxs(run, { chainId }))
    run = []
  }
  for (let i = 0; i < txs.length; i++) {
    const relay = relayInfo(txs[i])
    if (relay === undefined) {
      run.push(txs[i].serialize())
      continue
    }
    flush()
    records.push({ type: 'deposit', queueIndex: relay.queueIndex })
    if (relaysForcedTx(relay, txs[i + 1])) i++
  }
  flush()
  return records
}

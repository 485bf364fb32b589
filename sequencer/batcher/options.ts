import { isAddress, isHex, type Address, type Hex } from 'viem'
import { DEFAULT_MAX_CHUNK_BYTES } from '../../sdk/src/batch/index.ts'
import { MAX_BATCH_RECORDS } from '../../sdk/src/constants.ts'
import { BatcherConfigError } from './errors.ts'

export interface BatcherOptions {
  /** L1 JSON-RPC endpoint (--l1-rpc) */
  l1RpcUrl: string
  /** the RollbookInbox address, from the rollup config's l1.contracts.inbox */
  inbox: Address
  /** the sequencer's L1 private key (--batcher-key): the inbox accepts chunks from it only */
  privateKey: Hex
  /** the L1 chain id from the rollup config; checked against the RPC at start when given */
  l1ChainId?: number
  /** sealed blocks are taken as a batch this often (ms) */
  batchIntervalMs: number
  /** a batch is taken at once when the waiting blocks' records exceed this many bytes; a batch never holds more (but at least one block) */
  maxBatchBytes: number
  /** largest chunk (one postChunk call), version byte included */
  maxChunkBytes: number
  /**
   * records a batch decodes to at most, the closing block start included (but at least one block):
   * MAX_BATCH_RECORDS, so its trace fits one proposal; less only to test the cut
   */
  maxBatchRecords: number
  /** a chunk counts as posted when its receipt is this many L1 blocks deep (0: as soon as it is mined) */
  l1Confirmations: number
  /** how often a pending tx, the chain head and L1 are looked at (ms) */
  pollIntervalMs: number
  /** a tx still pending after this long is re-sent with bumped fees (ms) */
  resubmitAfterMs: number
  /** records of posted chunks are kept (for rewinding after an L1 reorg) while their L1 block is less than this deep */
  reorgDepth: number
  /** first and largest wait between retries after a temporary error (ms) */
  retryMinMs: number
  retryMaxMs: number
}

export type BatcherOptionsInput = Pick<BatcherOptions, 'l1RpcUrl' | 'inbox' | 'privateKey'> & Partial<BatcherOptions>

export const defaultBatcherOptions = {
  batchIntervalMs: 2_000,
  // 96 KB as with 24 KB chunks (decision 0006, "Chunk size"): a smaller chunk leaves a batch, and
  // with it the proposals per bet, as they were
  maxBatchBytes: 8 * DEFAULT_MAX_CHUNK_BYTES,
  maxChunkBytes: DEFAULT_MAX_CHUNK_BYTES,
  maxBatchRecords: MAX_BATCH_RECORDS,
  l1Confirmations: 0,
  pollIntervalMs: 250,
  resubmitAfterMs: 30_000,
  reorgDepth: 128,
  retryMinMs: 250,
  retryMaxMs: 30_000,
} satisfies Partial<BatcherOptions>

/** Defaults filled in and every field checked once, at start-up. */
export function parseBatcherOptions(input: BatcherOptionsInput): BatcherOptions {
  const opts: BatcherOptions = { ...defaultBatcherOptions, ...input }
  if (!/^https?:\/\//.test(opts.l1RpcUrl)) throw new BatcherConfigError(`l1RpcUrl must be an http(s) URL, not ${JSON.stringify(opts.l1RpcUrl)}`)
  if (!isAddress(opts.inbox, { strict: false })) throw new BatcherConfigError(`inbox ${opts.inbox} is not an address`)
  if (!isHex(opts.privateKey) || opts.privateKey.length !== 66) throw new BatcherConfigError('the batcher key must be 32 bytes of hex')
  const positive = ['batchIntervalMs', 'maxBatchBytes', 'maxChunkBytes', 'maxBatchRecords', 'pollIntervalMs', 'resubmitAfterMs', 'reorgDepth', 'retryMinMs', 'retryMaxMs'] as const
  for (const name of positive) {
    if (!Number.isInteger(opts[name]) || opts[name] <= 0) throw new BatcherConfigError(`${name} must be a positive integer, not ${opts[name]}`)
  }
  if (!Number.isInteger(opts.l1Confirmations) || opts.l1Confirmations < 0) throw new BatcherConfigError(`l1Confirmations must be 0 or more, not ${opts.l1Confirmations}`)
  if (opts.maxChunkBytes < 2) throw new BatcherConfigError('maxChunkBytes must leave room for a record after the version byte')
  if (opts.maxBatchRecords > MAX_BATCH_RECORDS) throw new BatcherConfigError(`maxBatchRecords ${opts.maxBatchRecords} is over ${MAX_BATCH_RECORDS}: OutputRoots would refuse the batch's trace`)
  return opts
}

import { createBlockFromRLP, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import type { EvmLog, TxOutcome } from '../chain/types.ts'
import { MetaKey, Prefix, metaKey, prefixed, readU32, readU64, u32, u64 } from './keys.ts'
import type { RollbookLevel } from './level.ts'

export type LevelBatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

export interface TxLocation {
  blockNumber: bigint
  index: number
}

function encodeOutcomes(outcomes: TxOutcome[]): Uint8Array {
  return RLP.encode(
    outcomes.map((o) => [
      bigIntToUnpaddedBytes(BigInt(o.status)),
      bigIntToUnpaddedBytes(o.cumulativeGasUsed),
      bigIntToUnpaddedBytes(o.gasUsed),
      o.logs,
      o.revertData,
    ]),
  )
}

function decodeOutcomes(bytes: Uint8Array): TxOutcome[] {
  const rows = RLP.decode(bytes) as unknown as [Uint8Array, Uint8Array, Uint8Array, EvmLog[], Uint8Array][]
  return rows.map(([status, cumulative, gasUsed, logs, revertData]) => ({
    status: bytesToBigInt(status) === 1n ? 1 : 0,
    cumulativeGasUsed: bytesToBigInt(cumulative),
    gasUsed: bytesToBigInt(gasUsed),
    logs,
    revertData,
  }))
}

/**
 * Blocks, receipts, the tx index and the head pointer, in the node's LevelDB.
 * Sealing a block writes all of it in one atomic batch.
 */
export class ChainStore {
  /** recent blocks, decoded: a block holds thousands of tx objects, so keep few */
  private readonly blockCache = new Map<string, Block>()

  constructor(
    private readonly db: RollbookLevel,
    private readonly common: Common,
  ) {}

  async getHeadHash(): Promise<Uint8Array | undefined> {
    return this.db.get(metaKey(MetaKey.head))
  }

  async getCanonicalHash(number: bigint): Promise<Uint8Array | undefined> {
    return this.unwrittenByNumber.get(number)?.block.hash() ?? this.db.get(prefixed(Prefix.canonical, u64(number)))
  }

  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const cacheKey = Buffer.from(hash).toString('hex')
    const cached = this.blockCache.get(cacheKey)
    if (cached !== undefined) return cached
    const rlp = await this.db.get(prefixed(Prefix.block, hash))
    if (rlp === undefined) return undefined
    const block = createBlockFromRLP(rlp, { common: this.common, setHardfork: false })
    this.remember(cacheKey, block)
    return block
  }

  async getBlockByNumber(number: bigint): Promise<Block | undefined> {
    const hash = await this.getCanonicalHash(number)
    return hash === undefined ? undefined : this.getBlockByHash(hash)
  }

  async getOutcomes(blockHash: Uint8Array): Promise<TxOutcome[] | undefined> {
    const unwritten = this.unwrittenByHash.get(Buffer.from(blockHash).toString('hex'))
    if (unwritten !== undefined) return unwritten.outcomes
    const bytes = await this.db.get(prefixed(Prefix.receipts, blockHash))
    return bytes === undefined ? undefined : decodeOutcomes(bytes)
  }

  async getTxLocation(txHash: Uint8Array): Promise<TxLocation | undefined> {
    const unwritten = this.unwrittenTxs.get(Buffer.from(txHash).toString('hex'))
    if (unwritten !== undefined) return unwritten
    const bytes = await this.db.get(prefixed(Prefix.txLocation, txHash))
    if (bytes === undefined) return undefined
    return { blockNumber: readU64(bytes, 0), index: readU32(bytes, 8) }
  }

  /**
   * One atomic write: trie nodes, block, receipts, tx index, canonical number, head, made once
   * `after` (the previous block's write) has landed. From this call until it lands, the block, its
   * receipts and its tx locations are served from memory, so no read falls between the seal and
   * the write and the caller may go on while the disk works.
   */
  async writeSealedBlock(block: Block, outcomes: TxOutcome[], trieOps: LevelBatchOp[], after: Promise<void> = Promise.resolve()): Promise<void> {
    const hash = block.hash()
    const number = block.header.number
    const hashHex = Buffer.from(hash).toString('hex')
    const unwritten = { block, outcomes, txs: block.transactions.map((tx) => Buffer.from(tx.hash()).toString('hex')) }
    this.remember(hashHex, block)
    this.unwrittenByNumber.set(number, unwritten)
    this.unwrittenByHash.set(hashHex, unwritten)
    unwritten.txs.forEach((txHex, index) => this.unwrittenTxs.set(txHex, { blockNumber: number, index }))
    try {
      await after
      await this.writeBlockBatch(block, outcomes, trieOps)
    } finally {
      this.unwrittenByNumber.delete(number)
      this.unwrittenByHash.delete(hashHex)
      for (const txHex of unwritten.txs) this.unwrittenTxs.delete(txHex)
    }
  }

  private readonly unwrittenByNumber = new Map<bigint, { block: Block; outcomes: TxOutcome[] }>()
  private readonly unwrittenByHash = new Map<string, { block: Block; outcomes: TxOutcome[] }>()
  private readonly unwrittenTxs = new Map<string, TxLocation>()

  private async writeBlockBatch(block: Block, outcomes: TxOutcome[], trieOps: LevelBatchOp[]): Promise<void> {
    const hash = block.hash()
    const number = block.header.number
    const batch = this.db.batch()
    for (const op of trieOps) {
      if (op.type === 'put') batch.put(op.key, op.value)
      else batch.del(op.key)
    }
    batch.put(prefixed(Prefix.block, hash), block.serialize())
    batch.put(prefixed(Prefix.receipts, hash), encodeOutcomes(outcomes))
    block.transactions.forEach((tx, index) => {
      const location = new Uint8Array(12)
      location.set(u64(number), 0)
      location.set(u32(index), 8)
      batch.put(prefixed(Prefix.txLocation, tx.hash()), location)
    })
    batch.put(prefixed(Prefix.canonical, u64(number)), hash)
    batch.put(metaKey(MetaKey.head), hash)
    await batch.write({ sync: true })
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.db.get(metaKey(name))
  }

  async putMeta(name: string, value: Uint8Array): Promise<void> {
    await this.db.put(metaKey(name), value, { sync: true })
  }

  private remember(key: string, block: Block): void {
    this.blockCache.set(key, block)
    if (this.blockCache.size > 64) {
      const oldest = this.blockCache.keys().next().value as string
      this.blockCache.delete(oldest)
    }
  }
}


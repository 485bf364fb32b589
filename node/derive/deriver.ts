import { Address, bytesToHex } from '@ethereumjs/util'
import type { Logger } from 'pino'
import { decodeChunk, rebuildTx, type BatchRecord, type TxRecord } from '../../sdk/src/batch/index.ts'
import { checkRawTx } from '../chain/txValidation.ts'
import type { ChainEvents } from '../chain/events.ts'
import type { L2Chain, PendingBlock } from '../chain/chain.ts'
import { defaultDerivationOptions, type DerivationOptions } from './options.ts'
import { MAX_TIMESTAMP_DRIFT_SECONDS } from '../../sdk/src/constants.ts'
import type { QueueMessage } from '../l1/messages.ts'
import { applyQueueMessage, MAX_TXS_PER_MESSAGE, nextQueueIndex } from '../l1/relay.ts'

/** Where a chunk sits in the inbox: batches hold whole L2 blocks, so a new batch seals the open block. */
export interface ChunkPosition {
  batchIndex: bigint
  chunkIndex: number
  /** the timestamp of the L1 block that carries the chunk: block starts may not run ahead of it by more than MAX_TIMESTAMP_DRIFT_SECONDS */
  l1Timestamp?: bigint
}

/** What the Deriver carries from one chunk to the next when no block is being filled (persisted with progress). */
export interface DeriverCursor {
  /** the last block start read, while its block has no tx yet */
  blockTimestamp?: bigint
  /** the batch of the last chunk read */
  batchIndex?: bigint
}

export interface DeriverStats {
  chunks: number
  records: number
  /** txs applied */
  txs: number
  /** records skipped: undecodable, invalid or not yet supported */
  skipped: number
  blocks: number
}

export interface DeriverModules {
  chain: L2Chain
  logger: Logger
  /** derived blocks are announced here as the sequencer announces its own (newHeads, logs) */
  events?: ChainEvents
  /** the L1 queue messages read so far; without it, queue-message records are skipped */
  messages?: { get(index: bigint): QueueMessage | undefined }
}

/**
 * Decode and apply, the last two stages: turns chunk bytes into L2 blocks on `chain`, with the
 * sequencer's validity rules, so a replica seals the blocks the sequencer sealed. Every byte string
 * has one outcome: a record that does not decode, or whose tx the sequencer would have refused, is
 * skipped and logged; nothing here throws on batch input.
 *
 * Blocks: a block start opens a block (sealing the one before); so does the first chunk of a new
 * batch, without opening one. A block is sealed only if it holds a tx, as the sequencer never seals
 * an empty one, so a trailing block start ends a batch's last block without adding a block.
 */
export class Deriver {
  private readonly chain: L2Chain
  private readonly log: Logger
  private readonly opts: DerivationOptions
  private readonly chainId: number
  private blockTimestamp: bigint | undefined
  private batchIndex: bigint | undefined
  private pending: PendingBlock | undefined
  private lastWrite: Promise<void> = Promise.resolve()
  readonly stats: DeriverStats = { chunks: 0, records: 0, txs: 0, skipped: 0, blocks: 0 }

  constructor(opts: Partial<DerivationOptions>, modules: DeriverModules) {
    this.opts = { ...defaultDerivationOptions, ...opts }
    this.chain = modules.chain
    this.chainId = Number(modules.chain.chainId)
    this.log = modules.logger.child({ module: 'derive' })
    this.events = modules.events
    this.messages = modules.messages
  }

  private readonly messages: DeriverModules['messages']
  private l1Timestamp: bigint | undefined

  private readonly events: ChainEvents | undefined

  /** Decodes one chunk and applies its records. */
  async deriveChunk(data: Uint8Array, position?: ChunkPosition): Promise<void> {
    this.stats.chunks++
    this.l1Timestamp = position?.l1Timestamp
    if (position !== undefined && position.batchIndex !== this.batchIndex) {
      await this.endBlock()
      this.batchIndex = position.batchIndex
    }
    const decoded = decodeChunk(data, { chainId: this.chainId })
    for (const skipped of decoded.skipped) this.skip(skipped.reason, { offset: skipped.offset, detail: skipped.detail })
    if (decoded.end === 'unknownVersion') this.skip('unknown chunk version', { version: decoded.version })
    for (const { record } of decoded.records) await this.applyRecord(record)
  }

  async applyRecord(record: BatchRecord): Promise<void> {
    this.stats.records++
    switch (record.type) {
      case 'blockStart':
        await this.endBlock()
        if (this.l1Timestamp !== undefined && record.timestamp > this.l1Timestamp + MAX_TIMESTAMP_DRIFT_SECONDS) {
          // its txs, up to the next block start, are skipped as "before any block start"
          return this.skip('block start too far ahead of L1 time', { timestamp: record.timestamp.toString(), l1Timestamp: this.l1Timestamp.toString() })
        }
        this.blockTimestamp = record.timestamp
        return
      case 'deposit':
        return this.applyMessageRecord(record.queueIndex)
      default:
        await this.applyTxRecord(record)
    }
  }

  /** Seals the open block if it holds a tx, and closes it: records up to the next block start have no block. */
  async endBlock(): Promise<void> {
    const pending = this.pending
    this.pending = undefined
    this.blockTimestamp = undefined
    if (pending === undefined || pending.txs.length === 0) return
    // one block write in flight at most: each one in flight slows every trie read
    await this.lastWrite
    const sealed = await this.chain.sealBlock(pending)
    // the write overlaps the next block's execution; a failed write surfaces in chain.flushWrites()
    this.lastWrite = sealed.written.catch(() => undefined)
    this.stats.blocks++
    this.log.debug({ number: Number(pending.number), txs: pending.txs.length }, 'derived block')
    this.events?.emit('sealed', sealed)
  }

  /** True when no block is being filled: the cursor then says all that a restart needs. */
  get atBlockBoundary(): boolean {
    return this.pending === undefined
  }

  get cursor(): DeriverCursor {
    return { blockTimestamp: this.blockTimestamp, batchIndex: this.batchIndex }
  }

  /** Back to a persisted cursor, for a chain already rewound to the block it was taken at. */
  reset(cursor: DeriverCursor = {}): void {
    this.pending = undefined
    this.blockTimestamp = cursor.blockTimestamp
    this.batchIndex = cursor.batchIndex
  }

  private async applyTxRecord(record: TxRecord): Promise<void> {
    if (this.blockTimestamp === undefined) return this.skip('transaction before any block start')
    if (this.pending !== undefined && this.pending.txs.length >= this.chain.genesis.maxTxsPerBlock) return this.skip('block is full')
    let raw: Uint8Array
    let checked: ReturnType<typeof checkRawTx>
    try {
      raw = rebuildTx(record, { chainId: this.chainId })
      checked = checkRawTx(raw, (r) => this.chain.decodeTx(r), this.chain.chainId, this.opts.maxTxBytes)
    } catch (e) {
      return this.skip('invalid transaction', { detail: e instanceof Error ? e.message : String(e) })
    }
    const account = await this.chain.liveState.getAccount(new Address(checked.sender))
    const nonce = account?.nonce ?? 0n
    if (checked.tx.nonce !== nonce) return this.skip('wrong nonce', { tx: bytesToHex(checked.hash), nonce: checked.tx.nonce.toString(), expected: nonce.toString() })
    this.pending ??= await this.openBlockAt(this.blockTimestamp)
    await this.chain.applyTx(this.pending, checked.tx, checked.sender)
    this.stats.txs++
  }

  /** A queue-message record: the message due next (the L1 messenger's nonce), already queued on L1. */
  private async applyMessageRecord(index: bigint): Promise<void> {
    const fields = { queueIndex: index.toString() }
    if (this.blockTimestamp === undefined) return this.skip('queue message before any block start', fields)
    const due = await nextQueueIndex(this.chain)
    if (index !== due) return this.skip('queue message is not the one due', { ...fields, due: due.toString() })
    const message = this.messages?.get(index)
    if (message === undefined) return this.skip('queue message is not on L1', fields)
    if (this.pending !== undefined && this.pending.txs.length + MAX_TXS_PER_MESSAGE > this.chain.genesis.maxTxsPerBlock) return this.skip('block is full', fields)
    this.pending ??= await this.openBlockAt(this.blockTimestamp)
    const relayed = await applyQueueMessage(this.chain, this.pending, message, this.opts.maxTxBytes)
    if (relayed.forcedTxDropped !== undefined) this.log.info({ ...fields, reason: relayed.forcedTxDropped }, 'forced tx dropped')
    this.stats.txs += relayed.executed.length
  }

  /**
   * The sequencer window (docs/decisions/0004): before the chunks of L1 block `l1`, every queue
   * message still not included whose deadline (its L1 block + `window`) is at or before `l1` is
   * forced in, in order, in blocks of their own stamped max(parent, L1 block time). Returns how many.
   */
  async forceOverdue(l1: { number: bigint; timestamp: bigint }, window: number): Promise<number> {
    let due = await nextQueueIndex(this.chain)
    const overdue = (index: bigint) => {
      const m = this.messages?.get(index)
      return m !== undefined && m.l1BlockNumber + BigInt(window) <= l1.number ? m : undefined
    }
    let message = overdue(due)
    if (message === undefined) return 0
    await this.endBlock()
    let forced = 0
    while (message !== undefined) {
      if (this.pending !== undefined && this.pending.txs.length + MAX_TXS_PER_MESSAGE > this.chain.genesis.maxTxsPerBlock) await this.endBlock()
      this.pending ??= await this.openBlockAt(l1.timestamp)
      const relayed = await applyQueueMessage(this.chain, this.pending, message, this.opts.maxTxBytes)
      this.stats.txs += relayed.executed.length
      forced++
      due++
      message = overdue(due)
    }
    await this.endBlock()
    this.log.warn({ forced, l1Block: Number(l1.number), through: Number(due - 1n) }, 'the sequencer window passed: forced queue messages in')
    return forced
  }

  /** As the sequencer does, a block is never older than its parent. */
  private openBlockAt(timestamp: bigint): Promise<PendingBlock> {
    const parent = this.chain.head.header.timestamp
    return this.chain.openBlock(timestamp > parent ? timestamp : parent)
  }

  private skip(reason: string, fields: Record<string, unknown> = {}): void {
    this.stats.skipped++
    this.log.info({ ...fields, reason }, 'skipped batch record')
  }
}

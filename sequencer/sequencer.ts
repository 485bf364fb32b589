import { Address } from '@ethereumjs/util'
import type { Logger } from 'pino'
import type { L2Chain, PendingBlock } from '../node/chain/chain.ts'
import type { ChainEvents } from '../node/chain/events.ts'
import type { ExecutedTx } from '../node/chain/types.ts'
import { SequencerStoppedError, TxRejectedError } from './errors.ts'
import { NonceGapPool } from './mempool.ts'
import type { PreconfLog, PreconfRecord } from './preconfLog.ts'
import { defaultSequencerOptions, type SequencerOptions } from './options.ts'
import { checkRawTx, type CheckedTx } from '../node/chain/txValidation.ts'
import type { RecoveredSender, SenderRecovery } from '../node/chain/senderRecovery.ts'
import type { QueueMessage } from '../node/l1/messages.ts'
import { applyQueueMessage, MAX_TXS_PER_MESSAGE, nextQueueIndex } from '../node/l1/relay.ts'
import { MAX_BATCH_RECORDS } from '../sdk/src/constants.ts'

/**
 * A block's records are its block start and at most one per tx; with the batch's closing block
 * start it must fit one batch's trace (MAX_BATCH_RECORDS), or no output could be proposed for it.
 * Derivation allows the genesis's maxTxsPerBlock; this sequencer fills its blocks less when that is more.
 */
export const MAX_TXS_PER_POSTABLE_BLOCK = MAX_BATCH_RECORDS - 2

export interface SequencerModules {
  chain: L2Chain
  /** where preconfirmed txs are made durable before they are acknowledged */
  preconfLog: PreconfLog
  events: ChainEvents
  logger: Logger
  /** sender recovery on its own thread; without it, senders are recovered on the loop's thread */
  senderRecovery?: SenderRecovery
}

/** What eth_sendRawTransaction answers: executed and durable (preconfirmed), or held for a nonce gap. */
export type SubmitResult = { hash: Uint8Array; status: 'preconfirmed'; executed: ExecutedTx } | { hash: Uint8Array; status: 'queued' }

type Job =
  | { kind: 'tx'; checked: CheckedTx; resolve: (r: SubmitResult) => void; reject: (e: unknown) => void }
  | { kind: 'read'; run: (pending: PendingBlock) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }
  | { kind: 'seal' }
  | { kind: 'l1' }

interface Acknowledgement {
  executed: ExecutedTx
  raw: Uint8Array
  resolve?: (r: SubmitResult) => void
  reject?: (e: unknown) => void
}

/**
 * Orders txs by arrival, executes each at once in the open block, makes a group durable with one
 * fsync'd write and only then answers (a preconfirmation), and seals blocks on a timer or when full.
 * One loop runs every job, so execution, reads of the live state and sealing never interleave.
 */
export class Sequencer {
  private readonly opts: SequencerOptions
  private readonly chain: L2Chain
  private readonly preconfLog: PreconfLog
  private readonly events: ChainEvents
  private readonly log: Logger
  private readonly pool: NonceGapPool
  private readonly recovery: SenderRecovery | undefined
  private readonly jobs: Job[] = []
  private pending: PendingBlock | undefined
  /** blocks sealing (their roots computed while the next block runs): their txs are in neither the pending block nor the store yet */
  private readonly sealing: PendingBlock[] = []
  /** the last seal in flight: the sequencer stops only after it */
  private sealTail: Promise<void> = Promise.resolve()
  private running = false
  private stopped = false
  private loopIdle: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private sealTimer: NodeJS.Timeout | undefined
  private fatal: unknown
  /** the last durable write in flight: the next group executes while it syncs, answers go out in order */
  private durableTail: Promise<void> = Promise.resolve()

  constructor(opts: Partial<SequencerOptions>, modules: SequencerModules) {
    this.opts = { ...defaultSequencerOptions, ...opts }
    this.chain = modules.chain
    this.preconfLog = modules.preconfLog
    this.events = modules.events
    this.log = modules.logger.child({ module: 'sequencer' })
    this.recovery = modules.senderRecovery
    this.pool = new NonceGapPool(this.opts.maxQueuedTxs)
    this.blockLimit = Math.min(this.chain.genesis.maxTxsPerBlock, MAX_TXS_PER_POSTABLE_BLOCK)
    this.sealAt = this.opts.sealAtTxs > 0 && this.opts.sealAtTxs < this.blockLimit ? this.opts.sealAtTxs : this.blockLimit
  }

  /** txs after which the open block seals without waiting for the timer */
  private readonly sealAt: number
  /** txs a block of this sequencer holds at most: the genesis limit, or less so one block fits a batch's trace */
  private readonly blockLimit: number

  /** Replays preconfirmed txs of an unsealed block left by a crash, then starts the loop and the block timer. */
  async start(): Promise<void> {
    await this.recover()
    this.running = true
    this.loopIdle = this.loop()
    this.sealTimer = setInterval(() => this.enqueue({ kind: 'seal' }), this.opts.blockTimeMs)
    this.log.info({ blockTimeMs: this.opts.blockTimeMs, head: Number(this.chain.head.header.number) }, 'sequencer started')
  }

  /** Seals what is open, then stops. Txs still queued are refused. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearInterval(this.sealTimer)
    this.enqueue({ kind: 'seal' })
    this.running = false
    this.wake?.()
    await this.loopIdle
    await this.durableTail.catch(() => undefined)
    await this.sealTail
    await this.chain.flushWrites().catch(() => undefined)
    await this.preconfLog.close()
  }

  /** Checks a raw tx and runs it; resolves once it is executed and durable. Rejects with TxRejectedError. */
  submitRawTx(raw: Uint8Array): Promise<SubmitResult> {
    if (this.stopped || this.fatal !== undefined) return Promise.reject(new SequencerStoppedError())
    // an oversized tx is refused before it is copied to the recovery thread
    if (this.recovery === undefined || raw.length > this.opts.maxTxBytes) return this.checkAndEnqueue(raw, undefined)
    // the recovery thread answers in arrival order and each answer enqueues at once: arrival order holds
    return this.recovery.recover(raw).then((recovered) => this.checkAndEnqueue(raw, recovered))
  }

  private checkAndEnqueue(raw: Uint8Array, recovered: RecoveredSender | undefined): Promise<SubmitResult> {
    if (this.stopped || this.fatal !== undefined) return Promise.reject(new SequencerStoppedError())
    let checked: CheckedTx
    try {
      checked = checkRawTx(raw, (r) => this.chain.decodeTx(r), this.chain.chainId, this.opts.maxTxBytes, recovered)
    } catch (e) {
      return Promise.reject(e)
    }
    return new Promise((resolve, reject) => this.enqueue({ kind: 'tx', checked, resolve, reject }))
  }

  /**
   * L1 queue messages (deposits, forced txs) seen on L1: each is relayed into the open block in
   * queue order, from the one due (the L1 messenger's nonce) on, as soon as the loop gets to it.
   * Messages already included are ignored, so the watcher may pass a message again.
   */
  relayL1Messages(messages: readonly QueueMessage[]): void {
    if (this.stopped || this.fatal !== undefined) return
    for (const message of messages) this.l1Queue.set(message.index, message)
    this.enqueue({ kind: 'l1' })
  }

  private readonly l1Queue = new Map<bigint, QueueMessage>()

  /** Runs `read` against the live, preconfirmed state, in order with execution. */
  readPending<T>(read: (pending: PendingBlock) => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new SequencerStoppedError())
    return new Promise<T>((resolve, reject) =>
      this.enqueue({ kind: 'read', run: read, resolve: resolve as (v: unknown) => void, reject }),
    )
  }

  /** A preconfirmed tx not yet readable from the store (in the open block or the one sealing). */
  findPreconfirmed(hashHex: string): { executed: ExecutedTx; block: PendingBlock } | undefined {
    for (const block of [this.pending, ...this.sealing]) {
      const executed = block?.byHash.get(hashHex)
      if (block !== undefined && executed !== undefined) return { executed, block }
    }
    return undefined
  }

  private enqueue(job: Job): void {
    this.jobs.push(job)
    this.wake?.()
  }

  private async loop(): Promise<void> {
    while (true) {
      if (this.jobs.length === 0) {
        if (!this.running) return
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
        continue
      }
      const batch = this.jobs.splice(0, this.jobs.length)
      try {
        await this.runJobs(batch)
      } catch (e) {
        this.halt(e, batch)
        return
      }
      if (this.fatal !== undefined) return
    }
  }

  private async runJobs(batch: Job[]): Promise<void> {
    let acks: Acknowledgement[] = []
    // an index loop: runTx appends held txs whose nonce gap it filled, and they run in this pass
    for (let i = 0; i < batch.length; i++) {
      const job = batch[i]
      if (job.kind === 'tx') {
        await this.runTx(job, acks, batch)
        if (this.pending !== undefined && this.pending.txs.length >= this.sealAt) {
          acks = await this.makeDurable(acks)
          await this.durableTail
          await this.seal()
        }
        continue
      }
      if (job.kind === 'l1') {
        acks = await this.relayDue(acks)
        if (this.pending !== undefined && this.pending.txs.length >= this.sealAt) {
          acks = await this.makeDurable(acks)
          await this.durableTail
          await this.seal()
        }
        continue
      }
      acks = await this.makeDurable(acks)
      // a read sees only durable state; a seal writes only what is durable
      await this.durableTail
      if (job.kind === 'seal') await this.seal()
      else await job.run(await this.openPending()).then(job.resolve, job.reject)
    }
    await this.makeDurable(acks)
  }

  private async runTx(job: Extract<Job, { kind: 'tx' }>, acks: Acknowledgement[], batch: Job[]): Promise<void> {
    const { checked } = job
    const pending = await this.openPending()
    const nonce = await this.accountNonce(checked.sender)
    if (checked.tx.nonce < nonce) {
      job.reject(new TxRejectedError('nonceTooLow', `nonce too low: next nonce ${nonce}, tx nonce ${checked.tx.nonce}`))
      return
    }
    if (checked.tx.nonce > nonce) {
      if (this.pool.has(checked.hash)) return job.reject(new TxRejectedError('alreadyKnown', 'already known'))
      if (checked.tx.nonce - nonce > BigInt(this.opts.maxNonceGap)) {
        return job.reject(new TxRejectedError('nonceTooHigh', `nonce too high: next nonce ${nonce}, tx nonce ${checked.tx.nonce}, at most ${this.opts.maxNonceGap} ahead`))
      }
      if (!this.pool.add(checked)) return job.reject(new TxRejectedError('poolFull', 'txpool is full'))
      job.resolve({ hash: checked.hash, status: 'queued' })
      return
    }
    acks.push({ executed: await this.chain.applyTx(pending, checked.tx, checked.sender), raw: checked.raw, resolve: job.resolve, reject: job.reject })
    // a held tx whose gap this one filled runs next, as a job of its own, so the block limit holds for it too
    const held = this.pool.take(checked.sender, nonce + 1n)
    if (held !== undefined) batch.splice(batch.indexOf(job) + 1, 0, { kind: 'tx', checked: held, resolve: () => {}, reject: (e) => this.log.warn({ err: e }, 'held tx refused') })
  }

  /** Relays every queued L1 message that is due, in order; they are preconfirmed like any tx. */
  private async relayDue(acks: Acknowledgement[]): Promise<Acknowledgement[]> {
    let next = await nextQueueIndex(this.chain)
    for (const index of this.l1Queue.keys()) if (index < next) this.l1Queue.delete(index)
    let message = this.l1Queue.get(next)
    while (message !== undefined) {
      let pending = await this.openPending()
      if (pending.txs.length + MAX_TXS_PER_MESSAGE > this.blockLimit) {
        acks = await this.makeDurable(acks)
        await this.durableTail
        await this.seal()
        pending = await this.openPending()
      }
      const relayed = await applyQueueMessage(this.chain, pending, message, this.opts.maxTxBytes)
      relayed.executed.forEach((executed, i) => acks.push({ executed, raw: relayed.raw[i] }))
      this.log.info(
        { queueIndex: Number(message.index), kind: message.kind === 0 ? 'deposit' : 'forcedTx', block: Number(pending.number), ...(relayed.forcedTxDropped ? { dropped: relayed.forcedTxDropped } : {}) },
        'relayed L1 message',
      )
      this.l1Queue.delete(next)
      next++
      message = this.l1Queue.get(next)
    }
    return acks
  }

  /**
   * Queues the group for the durable log and returns at once, so the next group executes while
   * the disk syncs. One write runs at a time and takes everything queued meanwhile: a slow fsync
   * makes the groups larger, never the queue of writes longer. After each write come the answers
   * and the preconfirmation events, in order.
   */
  private async makeDurable(acks: Acknowledgement[]): Promise<Acknowledgement[]> {
    if (acks.length === 0) return acks
    const timestamp = (this.pending as PendingBlock).timestamp
    for (const ack of acks) {
      this.unwritten.push({ ack, record: { blockNumber: ack.executed.blockNumber, index: ack.executed.index, timestamp, rawTx: ack.raw } })
    }
    if (this.writing === undefined) {
      this.writing = this.writeQueued().finally(() => (this.writing = undefined))
      this.durableTail = this.writing
    }
    return []
  }

  private unwritten: Array<{ ack: Acknowledgement; record: PreconfRecord }> = []
  private writing: Promise<void> | undefined

  private async writeQueued(): Promise<void> {
    while (this.unwritten.length > 0) {
      const group = this.unwritten.splice(0)
      try {
        await this.preconfLog.append(group.map((g) => g.record))
      } catch (e) {
        this.halt(e, [...group, ...this.unwritten.splice(0)].map((g) => g.ack))
        throw e
      }
      for (const { ack } of group) ack.resolve?.({ hash: ack.executed.hash, status: 'preconfirmed', executed: ack.executed })
      this.events.emit('preconfirmed', group.map((g) => g.ack.executed))
    }
  }

  private async openPending(): Promise<PendingBlock> {
    const now = BigInt(Math.floor(Date.now() / 1000))
    // A read opens a block too, and an empty block is never sealed: kept, it would hold its time
    // while the chain is idle, and a tx coming later would run at that older time (a market that
    // has closed since still open to bets and not to results, a dispute window that never passes).
    if (this.pending !== undefined && this.pending.txs.length === 0 && this.pending.timestamp < now) {
      await this.chain.discardEmptyBlock(this.pending)
      this.pending = undefined
    }
    if (this.pending === undefined) {
      // the newest block may still be sealing: the next one is never earlier than it
      const parent = this.chain.tipBlock.timestamp
      this.pending = await this.chain.openBlock(now > parent ? now : parent)
    }
    return this.pending
  }

  /**
   * Hands the open block to the chain to seal and returns once its writes are taken: the next
   * block opens and runs while the chain computes this one's roots between txs. The 'sealed'
   * event and the preconfirmation log's cleanup follow when the seal completes.
   */
  private async seal(): Promise<void> {
    const pending = this.pending
    if (pending === undefined || pending.txs.length === 0) return
    this.pending = undefined
    this.sealing.push(pending)
    const started = performance.now()
    const { sealed } = await this.chain.startSeal(pending)
    this.sealTail = sealed
      .then((block) => {
        this.sealing.splice(this.sealing.indexOf(pending), 1)
        // once the block is on disk its preconfirmation records are no longer needed
        block.written.then(() => this.preconfLog.drop(pending.number)).catch((e) => this.halt(e, []))
        this.log.debug({ number: Number(pending.number), txs: pending.txs.length, ms: Math.round(performance.now() - started) }, 'sealed block')
        this.events.emit('sealed', block)
      })
      // a failed seal, or a listener that threw: nothing may build on this block
      .catch((e) => this.halt(e, []))
  }

  private async accountNonce(sender: Uint8Array): Promise<bigint> {
    const account = await this.chain.liveState.getAccount(new Address(sender))
    return account?.nonce ?? 0n
  }

  /** Re-executes the preconfirmed txs of unsealed blocks exactly as first run: same block, timestamp and order. */
  private async recover(): Promise<void> {
    const records = await this.preconfLog.readAfter(this.chain.head.header.number)
    if (records.length === 0) return
    for (const record of records) {
      if (this.pending !== undefined && this.pending.number !== record.blockNumber) await this.seal()
      if (this.pending === undefined) this.pending = await this.chain.openBlock(record.timestamp)
      if (record.blockNumber !== this.pending.number || record.index !== this.pending.txs.length) {
        throw new Error(`preconfirmation log out of order at block ${record.blockNumber} index ${record.index}`)
      }
      await this.chain.applyTx(this.pending, this.chain.decodeTx(record.rawTx))
    }
    this.log.info({ txs: records.length, block: Number(this.pending?.number) }, 'replayed preconfirmed txs after restart')
  }

  /** A failed durable write or seal leaves state that must not be built on: refuse everything and alert. */
  private halt(error: unknown, unanswered: Array<Job | Acknowledgement>): void {
    if (this.fatal !== undefined) return
    this.fatal = error
    this.running = false
    clearInterval(this.sealTimer)
    this.wake?.()
    this.log.fatal({ err: error }, 'sequencer halted: storage or execution failure; restart the node to recover from the durable log')
    const stopped = new SequencerStoppedError('sequencer halted after an internal failure')
    for (const item of [...unanswered, ...this.jobs.splice(0)]) {
      if (!('kind' in item)) item.reject?.(stopped)
      else if (item.kind === 'tx' || item.kind === 'read') item.reject(stopped)
    }
  }
}

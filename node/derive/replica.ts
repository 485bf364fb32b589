import type { ChainEvents } from '../chain/events.ts'
import { bytesToHex } from '@ethereumjs/util'
import type { Logger } from 'pino'
import type { Hex, PublicClient } from 'viem'
import { L2Chain } from '../chain/chain.ts'
import type { RollupConfig } from '../rollup/config.ts'
import type { RollbookLevel } from '../storage/level.ts'
import { ChunkRetrieval } from './chunkRetrieval.ts'
import { Deriver, type DeriverStats } from './deriver.ts'
import { DerivationHaltedError, errorAction } from './errors.ts'
import { L1Traversal, type L1Origin } from './l1Traversal.ts'
import { defaultDerivationOptions, type DerivationOptions } from './options.ts'
import { DerivationProgress, rewindL2Store, type Checkpoint } from './progress.ts'
import { MessageStore } from '../l1/messageStore.ts'
import { QueueReader } from '../l1/queueReader.ts'

export interface ReplicaModules {
  config: RollupConfig
  db: RollbookLevel
  /** the L1 RPC */
  client: PublicClient
  logger: Logger
  /** called with the new chain when a rewind replaces it (the RPC backend must serve that one) */
  onChainReplaced?: (chain: L2Chain) => void
  /** derived blocks are announced here (the API's newHeads and logs subscriptions listen) */
  events?: ChainEvents
}

/**
 * Rebuilds the L2 chain from L1 alone: L1 traversal -> chunk retrieval -> decode and apply
 * (Deriver), one L1 block per step, polling L1 every `pollMs`. Progress is checkpointed in the
 * chain store's meta keys after each L1 block that ends at an L2 block boundary; a restart, and an
 * L1 reorg, go back to the newest checkpoint still on L1's canonical chain, rewind the L2 chain to
 * the head derived there, and derive again.
 *
 * Loop errors: an RPC failure is retried; a reorg rewinds; unreadable chunk data or a failed
 * execution or write stops derivation (`halted`), logged as fatal.
 */
export class Replica {
  private readonly opts: DerivationOptions
  private readonly log: Logger
  private readonly progress: DerivationProgress
  private readonly traversal: L1Traversal
  private readonly retrieval: ChunkRetrieval
  private readonly queueReader: QueueReader
  private readonly messages: MessageStore
  private l2: L2Chain
  private deriver: Deriver
  private running = false
  private loopDone: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private rewindDue = false
  private haltedBy: unknown
  private readonly totals: DeriverStats = { chunks: 0, records: 0, txs: 0, skipped: 0, blocks: 0 }

  private constructor(
    opts: DerivationOptions,
    private readonly modules: ReplicaModules,
    parts: { chain: L2Chain; progress: DerivationProgress; checkpoint: Checkpoint; messages: MessageStore },
  ) {
    this.opts = opts
    this.log = modules.logger.child({ module: 'replica' })
    this.progress = parts.progress
    this.messages = parts.messages
    this.queueReader = new QueueReader(modules.config.l1.contracts.messageQueue, modules.client)
    this.l2 = parts.chain
    this.deriver = this.newDeriver(parts.checkpoint)
    this.traversal = new L1Traversal({ confirmations: opts.l1Confirmations }, { client: modules.client }, parts.checkpoint.l1)
    this.retrieval = new ChunkRetrieval({ inbox: modules.config.l1.contracts.inbox }, { client: modules.client })
  }

  /** Opens the chain on `db` and resumes from the newest checkpoint (or the rollup's L1 start block). */
  static async init(opts: Partial<DerivationOptions>, modules: ReplicaModules): Promise<Replica> {
    const { config, db, client } = modules
    const options = { ...defaultDerivationOptions, ...opts }
    let chain = await L2Chain.init(config.genesis, { db, logger: modules.logger })
    const progress = new DerivationProgress(db, options.checkpointRetention)
    let checkpoint = await progress.latest()
    if (checkpoint === undefined) {
      if (chain.head.header.number !== 0n) throw new DerivationHaltedError('the datadir holds L2 blocks that were not derived from L1 (a sequencer datadir?)')
      const start = BigInt(config.l1.startBlock)
      const before: L1Origin = start === 0n ? { number: -1n, hash: undefined } : { number: start - 1n, hash: (await client.getBlock({ blockNumber: start - 1n })).hash as Hex }
      checkpoint = { l1: before, l2Head: bytesToHex(chain.head.hash()) as Hex, l2Number: 0n, cursor: {} }
      await progress.write(checkpoint)
    }
    if (bytesToHex(chain.head.hash()) !== checkpoint.l2Head) {
      // blocks derived after the checkpoint, from an L1 block not finished before the restart
      await rewindL2Store(db, chain, checkpoint.l2Head)
      chain = await L2Chain.init(config.genesis, { db, logger: modules.logger })
    }
    const messages = await MessageStore.open(db, checkpoint.l1.number)
    const replica = new Replica(options, modules, { chain, progress, checkpoint, messages })
    replica.log.info({ l1: checkpoint.l1.number.toString(), l2: Number(checkpoint.l2Number) }, 'derivation resumes')
    return replica
  }

  /** The derived chain. A rewind replaces it: read it again after `rewound` is logged, never keep it. */
  get chain(): L2Chain {
    return this.l2
  }

  /** The error that stopped derivation, if one did. */
  get halted(): unknown {
    return this.haltedBy
  }

  /** The last L1 block derived. */
  get l1Origin(): L1Origin {
    return this.traversal.current
  }

  get stats(): DeriverStats {
    const s = this.deriver.stats
    return { chunks: this.totals.chunks + s.chunks, records: this.totals.records + s.records, txs: this.totals.txs + s.txs, skipped: this.totals.skipped + s.skipped, blocks: this.totals.blocks + s.blocks }
  }

  start(): void {
    if (this.running || this.haltedBy !== undefined) return
    this.running = true
    this.loopDone = this.loop()
  }

  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loopDone
    await this.l2.flushWrites().catch(() => undefined)
  }

  /**
   * Derives the next L1 block if it is there: true if one was derived. Throws L1ReorgError (rewind),
   * DerivationHaltedError (stop) or an RPC error (retry).
   */
  async step(): Promise<boolean> {
    if (this.rewindDue) await this.rewind()
    const block = await this.traversal.nextBlock()
    if (block === undefined) return false
    const queued = await this.queueReader.inBlock(block.hash)
    const chunks = await this.retrieval.chunksIn(block)
    try {
      // messages first: a chunk may relay a message queued in the same L1 block
      await this.messages.append(queued)
      await this.deriver.forceOverdue(block, this.modules.config.sequencerWindow)
      for (const chunk of chunks) await this.deriver.deriveChunk(chunk.data, { ...chunk, l1Timestamp: block.timestamp })
      if (this.deriver.atBlockBoundary) {
        await this.l2.flushWrites()
        await this.progress.write({ l1: { number: block.number, hash: block.hash }, l2Head: bytesToHex(this.l2.head.hash()) as Hex, l2Number: this.l2.head.header.number, cursor: this.deriver.cursor })
      }
    } catch (e) {
      throw new DerivationHaltedError(`execution or storage failed deriving L1 block ${block.number}: restart to resume from the last checkpoint`, { cause: e })
    }
    this.traversal.advance(block)
    if (chunks.length > 0) this.log.debug({ l1: Number(block.number), chunks: chunks.length, l2: Number(this.l2.head.header.number) }, 'derived L1 block')
    return true
  }

  /** Steps until the L1 head (less confirmations) is derived, handling errors as the loop does; for tests and tools. */
  async syncToL1Head(): Promise<void> {
    while (this.haltedBy === undefined) {
      try {
        if (!(await this.step())) return
      } catch (e) {
        if (!this.handle(e)) await sleep(50)
      }
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let derived = false
      try {
        derived = await this.step()
      } catch (e) {
        this.handle(e)
      }
      if (!derived && this.running) await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, this.opts.pollMs)
      })
    }
  }

  /** Records what an error calls for; true if derivation can go on at once. */
  private handle(e: unknown): boolean {
    const action = errorAction(e)
    if (action === 'rewind') {
      this.log.warn({ err: e }, 'L1 reorg detected: rewinding')
      this.rewindDue = true
      return true
    }
    if (action === 'stop') {
      this.haltedBy = e
      this.running = false
      this.log.fatal({ err: e }, 'derivation stopped')
      return false
    }
    this.log.warn({ err: e }, 'L1 request failed: retrying')
    return false
  }

  /** Back to the newest checkpoint whose L1 block is still canonical: L2 chain, Deriver and traversal. */
  private async rewind(): Promise<void> {
    let target: Checkpoint | undefined
    for await (const checkpoint of this.progress.newestFirst()) {
      if (checkpoint.l1.hash === undefined) {
        target = checkpoint
        break
      }
      const block = await this.modules.client.getBlock({ blockNumber: checkpoint.l1.number }).catch(() => undefined)
      if (block?.hash === checkpoint.l1.hash) {
        target = checkpoint
        break
      }
    }
    if (target === undefined) throw new DerivationHaltedError('L1 reorganized below the rollup start block')
    const from = this.l2.head.header.number
    await this.progress.dropAfter(target.l1.number)
    await this.messages.forgetAfter(target.l1.number)
    if (bytesToHex(this.l2.head.hash()) !== target.l2Head) {
      await rewindL2Store(this.modules.db, this.l2, target.l2Head)
      this.l2 = await L2Chain.init(this.modules.config.genesis, { db: this.modules.db, logger: this.modules.logger })
      this.modules.onChainReplaced?.(this.l2)
    }
    this.deriver = this.newDeriver(target)
    this.retrieval.reset()
    this.traversal.reset(target.l1)
    this.rewindDue = false
    this.log.warn({ l1: target.l1.number.toString(), l2From: Number(from), l2To: Number(target.l2Number) }, 'rewound')
  }

  private newDeriver(checkpoint: Checkpoint): Deriver {
    const previous = this.deriver as Deriver | undefined
    if (previous !== undefined) for (const key of Object.keys(this.totals) as (keyof DeriverStats)[]) this.totals[key] += previous.stats[key]
    const deriver = new Deriver(this.opts, { chain: this.l2, logger: this.modules.logger, events: this.modules.events, messages: this.messages })
    deriver.reset(checkpoint.cursor)
    return deriver
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

import type { Logger } from 'pino'
import type { Address, PublicClient } from 'viem'
import type { QueueMessage } from './messages.ts'
import { checkChain, QueueReader } from './queueReader.ts'

export interface QueueWatcherOptions {
  queue: Address
  /** the rollup's L1 start block: the queue's first message is at or after it */
  startBlock: bigint
  /** L1 blocks on top before a message is passed on (0 on devnet) */
  confirmations: number
  pollMs: number
  /** L1 blocks per eth_getLogs call */
  maxRange?: bigint
}

export interface QueueWatcherModules {
  client: PublicClient
  logger: Logger
  /** new messages, in queue order, each once (again after an L1 reorg replaced them) */
  onMessages: (messages: QueueMessage[]) => void
}

/**
 * The sequencer's view of the L1 message queue: polls MessageQueued logs up to the L1 head less
 * `confirmations`, checks the hash chain, and hands new messages to the sequencer. A chain break
 * (an L1 reorg under the confirmation depth) rescans from the last message still on L1.
 */
export class QueueWatcher {
  private readonly reader: QueueReader
  private readonly log: Logger
  private readonly known: QueueMessage[] = []
  private scannedThrough: bigint
  private timer: NodeJS.Timeout | undefined
  private polling: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly opts: QueueWatcherOptions,
    private readonly modules: QueueWatcherModules,
  ) {
    this.reader = new QueueReader(opts.queue, modules.client)
    this.log = modules.logger.child({ module: 'l1-queue' })
    this.scannedThrough = opts.startBlock - 1n
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return
      this.polling = this.poll()
        .catch((e) => this.log.warn({ err: (e as Error).message }, 'reading the L1 queue failed: retrying'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.pollMs)
        })
    }
    tick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.polling
  }

  /** One pass: reads new blocks, passes new messages on. */
  async poll(): Promise<void> {
    const latest = await this.modules.client.getBlockNumber({ cacheTime: 0 })
    const safe = latest - BigInt(this.opts.confirmations)
    if (safe <= this.scannedThrough) return
    const maxRange = this.opts.maxRange ?? 5_000n
    const fresh: QueueMessage[] = []
    for (let from = this.scannedThrough + 1n; from <= safe; from += maxRange) {
      const to = from + maxRange - 1n < safe ? from + maxRange - 1n : safe
      const messages = await this.reader.range(from, to)
      for (const message of messages) {
        if (message.index < BigInt(this.known.length)) {
          // seen before: the same message (a rescan) or a reorg replaced it
          if (this.known[Number(message.index)].queueHash === message.queueHash) continue
          this.log.warn({ index: Number(message.index) }, 'an L1 reorg replaced queue messages: taking the new ones')
          this.known.length = Number(message.index)
        }
        try {
          checkChain(this.known.at(-1), message)
        } catch (e) {
          // a gap: something before this block changed; rescan from the last message's block
          this.log.warn({ err: (e as Error).message }, 'the L1 queue does not chain: rescanning')
          const last = this.known.pop()
          this.scannedThrough = (last?.l1BlockNumber ?? this.opts.startBlock) - 1n
          if (fresh.length > 0) this.modules.onMessages(fresh.splice(0))
          return
        }
        this.known.push(message)
        fresh.push(message)
      }
      this.scannedThrough = to
    }
    if (fresh.length > 0) {
      this.log.info({ from: Number(fresh[0].index), to: Number(fresh.at(-1)!.index) }, 'new L1 queue messages')
      this.modules.onMessages(fresh)
    }
  }
}

import type { Hex } from 'viem'
import { Prefix, prefixed, u64 } from '../storage/keys.ts'
import type { RollbookLevel } from '../storage/level.ts'
import type { QueueMessage } from './messages.ts'
import { checkChain } from './queueReader.ts'

interface MessageJson {
  index: string
  kind: number
  sender: Hex
  payload: Hex
  l1BlockNumber: string
  timestamp: string
  queueHash: Hex
}

const key = (index: bigint) => prefixed(Prefix.queue, u64(index))

/**
 * The L1 queue messages derivation has read, in LevelDB (so a restart needs no rescan of L1) and
 * in memory. Messages arrive with the L1 block that queued them; a rewind to L1 block n forgets
 * every message queued after n, which derivation then reads again from L1's canonical chain.
 */
export class MessageStore {
  private readonly messages: QueueMessage[] = []

  private constructor(private readonly db: RollbookLevel) {}

  /** Loads the stored messages, keeping those queued at or before L1 block `throughL1Block`. */
  static async open(db: RollbookLevel, throughL1Block: bigint): Promise<MessageStore> {
    const store = new MessageStore(db)
    for await (const value of db.values({ gte: key(0n), lte: key((1n << 64n) - 1n) })) {
      const j = JSON.parse(new TextDecoder().decode(value)) as MessageJson
      store.messages.push({ index: BigInt(j.index), kind: j.kind, sender: j.sender, payload: j.payload, l1BlockNumber: BigInt(j.l1BlockNumber), timestamp: BigInt(j.timestamp), queueHash: j.queueHash })
    }
    await store.forgetAfter(throughL1Block)
    return store
  }

  get(index: bigint): QueueMessage | undefined {
    return index < BigInt(this.messages.length) ? this.messages[Number(index)] : undefined
  }

  get count(): number {
    return this.messages.length
  }

  /** Appends the messages of the next L1 block; throws QueueChainError if they do not follow the stored ones. */
  async append(messages: readonly QueueMessage[]): Promise<void> {
    if (messages.length === 0) return
    let previous = this.messages.at(-1)
    for (const message of messages) {
      checkChain(previous, message)
      previous = message
    }
    const batch = this.db.batch()
    for (const m of messages) {
      const json: MessageJson = { index: m.index.toString(), kind: m.kind, sender: m.sender, payload: m.payload, l1BlockNumber: m.l1BlockNumber.toString(), timestamp: m.timestamp.toString(), queueHash: m.queueHash }
      batch.put(key(m.index), new TextEncoder().encode(JSON.stringify(json)))
    }
    await batch.write()
    this.messages.push(...messages)
  }

  /** Forgets the messages queued after L1 block `l1Block` (a rewind). */
  async forgetAfter(l1Block: bigint): Promise<void> {
    let keep = this.messages.length
    while (keep > 0 && this.messages[keep - 1].l1BlockNumber > l1Block) keep--
    if (keep === this.messages.length) return
    await this.db.clear({ gte: key(BigInt(keep)), lte: key((1n << 64n) - 1n) })
    this.messages.length = keep
  }
}

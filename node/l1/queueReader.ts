import { zeroHash, type Address, type Hex, type PublicClient } from 'viem'
import { messageQueueAbi } from '../../sdk/src/generated/contracts.ts'
import { nextQueueHash, type QueueMessage } from './messages.ts'

const messageQueuedEvent = messageQueueAbi.find((item) => item.type === 'event' && item.name === 'MessageQueued')!

/** The queue's events do not chain: a message is missing or altered. Derivation stops rather than guess. */
export class QueueChainError extends Error {
  override readonly name = 'QueueChainError'
}

interface MessageQueuedArgs {
  index: bigint
  kind: number
  sender: Hex
  payload: Hex
  l1BlockNumber: bigint
  timestamp: bigint
  queueHash: Hex
}

/**
 * MessageQueued logs of the L1 queue, by block range or block hash, each checked against the hash
 * chain: a message's queueHash must be keccak(previous queueHash, its fields).
 */
export class QueueReader {
  constructor(
    private readonly queue: Address,
    private readonly client: PublicClient,
  ) {}

  /** Messages queued in blocks from..to, in queue order. */
  async range(fromBlock: bigint, toBlock: bigint): Promise<QueueMessage[]> {
    if (toBlock < fromBlock) return []
    const logs = await this.client.getLogs({ address: this.queue, event: messageQueuedEvent as never, fromBlock, toBlock, strict: true })
    return toMessages(logs)
  }

  /** Messages queued in the block with this hash (reorg-proof: a replaced block has another hash). */
  async inBlock(blockHash: Hex): Promise<QueueMessage[]> {
    const logs = await this.client.getLogs({ address: this.queue, event: messageQueuedEvent as never, blockHash, strict: true })
    return toMessages(logs)
  }
}

function toMessages(logs: unknown[]): QueueMessage[] {
  const sorted = [...(logs as Array<{ args: MessageQueuedArgs; blockNumber: bigint; logIndex: number }>)].sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  )
  return sorted.map(({ args }) => ({
    index: args.index,
    kind: Number(args.kind),
    sender: args.sender,
    payload: args.payload,
    l1BlockNumber: args.l1BlockNumber,
    timestamp: args.timestamp,
    queueHash: args.queueHash,
  }))
}

/** Checks that `next` follows `previous` (undefined before message 0) in the queue's hash chain. */
export function checkChain(previous: QueueMessage | undefined, next: QueueMessage): void {
  const expectedIndex = previous === undefined ? 0n : previous.index + 1n
  if (next.index !== expectedIndex) throw new QueueChainError(`queue message ${next.index} arrived where ${expectedIndex} was due`)
  const hash = nextQueueHash(previous?.queueHash ?? zeroHash, next)
  if (hash !== next.queueHash) throw new QueueChainError(`queue message ${next.index} does not chain: computed ${hash}, the event says ${next.queueHash}`)
}

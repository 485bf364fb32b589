import { decodeFunctionData, hexToBytes, keccak256, type Address, type Hex, type PublicClient } from 'viem'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { DerivationHaltedError } from './errors.ts'
import type { L1BlockRef } from './l1Traversal.ts'

/** One chunk as the inbox recorded it. */
export interface PostedChunk {
  /** the chunk's place among all chunks ever posted */
  n: bigint
  batchIndex: bigint
  chunkIndex: number
  data: Uint8Array
  l1Block: bigint
  txHash: Hex
}

const chunkPostedEvent = rollbookInboxAbi.find((item) => item.type === 'event' && item.name === 'ChunkPosted')!

export interface ChunkRetrievalModules {
  client: PublicClient
}

/**
 * Stage 2: the chunks the inbox recorded in one L1 block, in log order. The bytes come from the
 * posting tx's calldata (postChunk's `data`) and must hash to what the event says; data that cannot
 * be found is not a bad chunk but an unreadable one, so derivation stops rather than guess.
 */
export class ChunkRetrieval {
  private readonly client: PublicClient

  constructor(
    private readonly opts: { inbox: Address },
    modules: ChunkRetrievalModules,
  ) {
    this.client = modules.client
  }

  async chunksIn(block: L1BlockRef): Promise<PostedChunk[]> {
    const logs = await this.client.getLogs({ address: this.opts.inbox, event: chunkPostedEvent as any, blockHash: block.hash, strict: true })
    const sorted = [...logs].sort((a, b) => Number(a.logIndex) - Number(b.logIndex))
    const chunks: PostedChunk[] = []
    for (const log of sorted) {
      const { n, batchIndex, chunkIndex, hash } = (log as unknown as { args: { n: bigint; batchIndex: bigint; chunkIndex: number; hash: Hex } }).args
      const tx = await this.client.getTransaction({ hash: log.transactionHash! })
      const data = postedData(tx.input, tx.to ?? undefined, this.opts.inbox)
      if (data === undefined || data.batchIndex !== batchIndex || data.chunkIndex !== chunkIndex || keccak256(data.data) !== hash) {
        throw new DerivationHaltedError(`chunk ${n} (batch ${batchIndex}, chunk ${chunkIndex}) is not in the calldata of its tx ${log.transactionHash}: a sequencer posting through a contract is not supported`)
      }
      chunks.push({ n, batchIndex, chunkIndex, data: hexToBytes(data.data), l1Block: block.number, txHash: log.transactionHash! })
    }
    return chunks
  }

  /** Stateless: nothing to rewind. */
  reset(): void {}
}

function postedData(input: Hex, to: Address | undefined, inbox: Address): { batchIndex: bigint; chunkIndex: number; data: Hex } | undefined {
  if (to === undefined || to.toLowerCase() !== inbox.toLowerCase()) return undefined
  try {
    const call = decodeFunctionData({ abi: rollbookInboxAbi, data: input })
    if (call.functionName !== 'postChunk') return undefined
    const [batchIndex, chunkIndex, data] = call.args as readonly [bigint, number, Hex]
    return { batchIndex, chunkIndex, data }
  } catch {
    return undefined
  }
}

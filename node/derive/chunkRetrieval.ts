import { decodeFunctionData, hexToBytes, keccak256, type Address, type Hex, type PublicClient } from 'viem'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { ChunkNotFoundError, DerivationHaltedError } from './errors.ts'
import type { L1BlockRef } from './l1Traversal.ts'

/** One chunk as the inbox recorded it. */
export interface PostedChunk {
  /** the chunk's place among all chunks ever posted */
  n: bigint
  batchIndex: bigint
  chunkIndex: number
  /** the batch's last chunk (it closed the batch in the inbox) */
  isLast: boolean
  data: Uint8Array
  l1Block: bigint
  txHash: Hex
}

/** A chunk with every field the inbox commits to (chunkCommitment(n), docs/decisions/0006): what a fraud proof shows. */
export interface CommittedChunk extends PostedChunk {
  dataHash: Hex
  l1Timestamp: bigint
  commitment: Hex
}

interface ChunkPostedArgs {
  n: bigint
  batchIndex: bigint
  chunkIndex: number
  isLast: boolean
  dataHash: Hex
  l1BlockNumber: bigint
  l1Timestamp: bigint
  commitment: Hex
}

const chunkPostedEvent = rollbookInboxAbi.find((item) => item.type === 'event' && item.name === 'ChunkPosted')!

export interface ChunkRetrievalModules {
  client: PublicClient
}

/**
 * Stage 2: the chunks the inbox recorded in one L1 block, in log order. The bytes come from the
 * posting tx's calldata (postChunk's `data`) and must hash to what the event says, with the same
 * batch, chunk and isLast; data that cannot be found is not a bad chunk but an unreadable one, so
 * derivation stops rather than guess.
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
      const args = (log as unknown as { args: ChunkPostedArgs }).args
      if (args.l1BlockNumber !== block.number || args.l1Timestamp !== block.timestamp) {
        throw new DerivationHaltedError(`chunk ${args.n} in L1 block ${block.number} says it was posted in block ${args.l1BlockNumber} at ${args.l1Timestamp}`)
      }
      const { n, batchIndex, chunkIndex, isLast, data, l1Block, txHash } = await chunkFromCalldata(this.client, this.opts.inbox, args, log.transactionHash!)
      chunks.push({ n, batchIndex, chunkIndex, isLast, data, l1Block, txHash })
    }
    return chunks
  }

  /** Stateless: nothing to rewind. */
  reset(): void {}
}

/**
 * The bytes of a chunk from its posting tx's calldata, checked against its ChunkPosted event:
 * data that cannot be found is not a bad chunk but an unreadable one, so the reader stops rather than guess.
 */
async function chunkFromCalldata(client: PublicClient, inbox: Address, args: ChunkPostedArgs, txHash: Hex): Promise<CommittedChunk> {
  const tx = await client.getTransaction({ hash: txHash })
  const posted = postedData(tx.input, tx.to ?? undefined, inbox)
  if (
    posted === undefined ||
    posted.batchIndex !== args.batchIndex ||
    posted.chunkIndex !== args.chunkIndex ||
    posted.isLast !== args.isLast ||
    keccak256(posted.data) !== args.dataHash
  ) {
    throw new DerivationHaltedError(
      `chunk ${args.n} (batch ${args.batchIndex}, chunk ${args.chunkIndex}) is not in the calldata of its tx ${txHash}: a sequencer posting through a contract is not supported`,
    )
  }
  return {
    n: args.n,
    batchIndex: args.batchIndex,
    chunkIndex: args.chunkIndex,
    isLast: args.isLast,
    data: hexToBytes(posted.data),
    l1Block: args.l1BlockNumber,
    txHash,
    dataHash: args.dataHash,
    l1Timestamp: args.l1Timestamp,
    commitment: args.commitment,
  }
}

/**
 * Every chunk of batch `batchIndex`, which the inbox has closed, in order, with their bytes from
 * L1 calldata and every committed field: what the proposer traces and a challenger proves against.
 * The chunk numbers come from batchChunks (as of `blockNumber` when given), their ChunkPosted
 * events from the L1 blocks since `fromBlock` (the rollup's start block).
 */
export async function readBatchChunks(
  client: PublicClient,
  inbox: Address,
  batchIndex: bigint,
  opts: { fromBlock: bigint; blockNumber?: bigint },
): Promise<CommittedChunk[]> {
  const at = opts.blockNumber === undefined ? {} : { blockNumber: opts.blockNumber }
  const [firstChunk, count] = await client.readContract({ address: inbox, abi: rollbookInboxAbi, functionName: 'batchChunks', args: [batchIndex], ...at })
  const logs = await client.getLogs({
    address: inbox,
    event: chunkPostedEvent as any,
    args: { batchIndex },
    fromBlock: opts.fromBlock,
    toBlock: opts.blockNumber ?? 'latest',
    strict: true,
  })
  const byNumber = new Map<bigint, { args: ChunkPostedArgs; txHash: Hex }>()
  for (const log of logs) {
    const args = (log as unknown as { args: ChunkPostedArgs }).args
    byNumber.set(args.n, { args, txHash: log.transactionHash! })
  }
  const chunks: CommittedChunk[] = []
  for (let n = firstChunk; n < firstChunk + BigInt(count); n++) {
    const posted = byNumber.get(n)
    // read while L1 reorganizes, the view and the logs can disagree: the caller reads again
    if (posted === undefined) throw new ChunkNotFoundError(`no ChunkPosted event for chunk ${n} of batch ${batchIndex} since L1 block ${opts.fromBlock}`)
    chunks.push(await chunkFromCalldata(client, inbox, posted.args, posted.txHash))
  }
  return chunks
}

function postedData(input: Hex, to: Address | undefined, inbox: Address): { batchIndex: bigint; chunkIndex: number; isLast: boolean; data: Hex } | undefined {
  if (to === undefined || to.toLowerCase() !== inbox.toLowerCase()) return undefined
  try {
    const call = decodeFunctionData({ abi: rollbookInboxAbi, data: input })
    if (call.functionName !== 'postChunk') return undefined
    const [batchIndex, chunkIndex, isLast, data] = call.args
    return { batchIndex, chunkIndex, isLast, data }
  } catch {
    return undefined
  }
}

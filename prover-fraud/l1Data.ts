/**
 * What a fraud proof needs from L1, read the way anyone can: the proposer's leaves (posted as
 * proposeOutput calldata, docs/decisions/0006) and queue messages with their place in the hash
 * chain. A batch's chunks come from node/derive/chunkRetrieval.ts readBatchChunks.
 */
import { decodeFunctionData, type Address, type Hex, type PublicClient } from 'viem'
import { messageQueueAbi, outputRootsAbi } from '../sdk/src/generated/contracts.ts'

/** An output's proposal as its proposeOutput call carried it. */
export interface Proposal {
  batchIndex: bigint
  stateRoot: Hex
  blockHash: Hex
  l2BlockNumber: bigint
  lastLeaf: Hex
  leaves: Hex[]
  /** the L1 block of the proposal */
  l1BlockNumber: bigint
  txHash: Hex
}

/** A queue message as FraudVerifier.QueueMessage takes it. */
export interface ProvenMessage {
  kind: number
  sender: Address
  payload: Hex
  l1BlockNumber: bigint
  timestamp: bigint
  previousHash: Hex
}

export class L1DataError extends Error {
  override readonly name = 'L1DataError'
}

/**
 * The latest proposal of output `index` whose leaves give `traceRoot` (an output deleted and posted
 * again has several proposals; only the live one has the live root).
 */
export async function readProposal(client: PublicClient, outputRoots: Address, index: bigint, traceRoot: Hex, rootOf: (leaves: Hex[]) => Hex, fromBlock: bigint): Promise<Proposal> {
  const events = await client.getContractEvents({ address: outputRoots, abi: outputRootsAbi, eventName: 'OutputProposed', args: { batchIndex: index }, fromBlock })
  for (const event of [...events].reverse()) {
    const tx = await client.getTransaction({ hash: event.transactionHash })
    // a proposer that calls through a contract leaves no proposeOutput input to read: skip it
    let call: ReturnType<typeof decodeFunctionData<typeof outputRootsAbi>>
    try {
      call = decodeFunctionData({ abi: outputRootsAbi, data: tx.input })
    } catch {
      continue
    }
    if (call.functionName !== 'proposeOutput') continue
    const [batchIndex, stateRoot, blockHash, l2BlockNumber, lastLeaf, leaves] = call.args
    if (batchIndex !== index || rootOf([...leaves]) !== traceRoot) continue
    return { batchIndex, stateRoot, blockHash, l2BlockNumber, lastLeaf, leaves: [...leaves], l1BlockNumber: event.blockNumber, txHash: event.transactionHash }
  }
  throw new L1DataError(`no proposeOutput call of output ${index} gives its trace root ${traceRoot} (a proposal sent through a contract carries no readable leaves)`)
}

/** Queue message `index` with queueHash(index - 1), as MessageQueue.enqueue hashed it. */
export async function readQueueMessage(client: PublicClient, queue: Address, index: bigint, fromBlock: bigint): Promise<ProvenMessage & { index: bigint; queueHash: Hex }> {
  const [event] = await client.getContractEvents({ address: queue, abi: messageQueueAbi, eventName: 'MessageQueued', args: { index }, fromBlock })
  if (event === undefined) throw new L1DataError(`queue message ${index} is not on L1`)
  const previousHash = index === 0n ? (`0x${'00'.repeat(32)}` as Hex) : await client.readContract({ address: queue, abi: messageQueueAbi, functionName: 'queueHash', args: [index - 1n] })
  const a = event.args
  return { index, kind: a.kind!, sender: a.sender!, payload: a.payload!, l1BlockNumber: a.l1BlockNumber!, timestamp: a.timestamp!, previousHash, queueHash: a.queueHash! }
}

import type { Address, Chain, Client, Hex, Transport } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import { outputRootsAbi } from '../generated/contracts.ts'

/** One output root as OutputRoots.getOutput returns it. */
export interface L2Output {
  outputRoot: Hex
  /** the root of the batch's trace leaves, computed by OutputRoots (docs/decisions/0006) */
  traceRoot: Hex
  /** the leaf the next batch's trace starts with */
  nextFirstLeaf: Hex
  l2BlockNumber: bigint
  proposedAt: bigint
  leafCount: number
  cumulativeBond: bigint
}

export interface FoundOutput {
  outputIndex: bigint
  output: L2Output
}

type L1Client = Client<Transport, Chain | undefined>

/** Reads output `outputIndex` as of L1 block `blockNumber` (latest when omitted). */
export async function readOutput(l1Client: L1Client, outputRoots: Address, outputIndex: bigint, blockNumber?: bigint): Promise<L2Output> {
  const output = await readContract(l1Client, { address: outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [outputIndex], blockNumber })
  return { ...output, l2BlockNumber: BigInt(output.l2BlockNumber), proposedAt: BigInt(output.proposedAt) }
}

/**
 * The first output whose L2 block is at or after `l2BlockNumber` (the first that holds a
 * withdrawal made in that block), by binary search: outputs' L2 blocks strictly increase.
 */
export async function findOutput(
  l1Client: L1Client,
  { outputRoots, l2BlockNumber, blockNumber }: { outputRoots: Address; l2BlockNumber: bigint; blockNumber?: bigint },
): Promise<{ found: FoundOutput | undefined; outputCount: bigint }> {
  const outputCount = await readContract(l1Client, { address: outputRoots, abi: outputRootsAbi, functionName: 'outputCount', blockNumber })
  let low = 0n
  let high = outputCount
  let found: FoundOutput | undefined
  while (low < high) {
    const middle = (low + high) / 2n
    const output = await readOutput(l1Client, outputRoots, middle, blockNumber)
    if (output.l2BlockNumber >= l2BlockNumber) {
      found = { outputIndex: middle, output }
      high = middle
    } else {
      low = middle + 1n
    }
  }
  return { found, outputCount }
}

export interface OutputFinality {
  final: boolean
  /** L1 timestamp at which the output becomes final: proposedAt + challengeWindow. */
  finalizesAt: bigint
  /** Seconds of L1 time left until then, as of the latest L1 block; 0 once final. */
  secondsLeft: bigint
}

/** Whether an output is past its challenge window, as OutputRoots.isFinalized decides it at the latest L1 block. */
export async function outputFinality(
  l1Client: L1Client,
  { outputRoots, output, l1Block }: { outputRoots: Address; output: L2Output; l1Block?: { number: bigint; timestamp: bigint } },
): Promise<OutputFinality> {
  const block = l1Block ?? (await getBlock(l1Client, { blockTag: 'latest' }))
  const challengeWindow = await readContract(l1Client, { address: outputRoots, abi: outputRootsAbi, functionName: 'challengeWindow', blockNumber: block.number })
  const finalizesAt = output.proposedAt + challengeWindow
  const final = block.timestamp >= finalizesAt
  return { final, finalizesAt, secondsLeft: final ? 0n : finalizesAt - block.timestamp }
}

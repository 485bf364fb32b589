/**
 * Test support for the proposer, on the batcher's rig (real anvil, real L1 contracts, real
 * in-process sequencer, a real commitment worker for the traces): the outputs OutputRoots holds,
 * and the outputs it should hold, worked out apart from the proposer: each batch's last L2 block
 * from the chunks on L1, its root from the node's RPC.
 */
import { bytesToHex, createPublicClient, decodeFunctionData, http, type Address, type Hex } from 'viem'
import { outputRootsAbi } from '../../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../../sdk/src/l1/encoding.ts'
import { proposer, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'
import { tempDatadir } from '../../node/testing/testNode.ts'
import { CommitmentWorker } from '../../node/trace/commitmentWorker.ts'
import { blocksFromChunks, logger, readPostedChunks, type Rig } from '../batcher/testing.ts'
import { Proposer, type BatchTraceFn, type ProposerModules } from './proposer.ts'
import type { ProposerOptionsInput } from './options.ts'

export const proposerKey: Hex = bytesToHex(proposer.getHdKey().privateKey!)

/** The commitment worker on the rig's chain, in a datadir of its own: the traces a proposer posts. */
export async function startTraceWorker(r: Rig): Promise<CommitmentWorker> {
  const node = r.node.node
  return CommitmentWorker.start({ datadir: tempDatadir('rollbook-proposer-trace-') }, { chain: node.chain, events: node.events, logger })
}

export function workerTrace(worker: CommitmentWorker): BatchTraceFn {
  return async (batch, chunks, l1Timestamps) => {
    const { leaves, lastLeaf } = await worker.traceBatch(batch, chunks, l1Timestamps)
    return { leaves, lastLeaf }
  }
}

export function newProposer(r: Rig, opts: Partial<ProposerOptionsInput> = {}, modules: Partial<ProposerModules> & Pick<ProposerModules, 'batchTrace'>): Proposer {
  return new Proposer(
    {
      l1RpcUrl: r.l1.anvil.rpcUrl,
      outputRoots: r.deployment.outputRoots,
      inbox: r.deployment.inbox,
      l1StartBlock: Number(r.deployment.deployedAtBlock),
      privateKey: proposerKey,
      l1ChainId: 31337,
      pollIntervalMs: 20,
      retryMinMs: 20,
      ...opts,
    },
    { store: r.node.node.chain.store, logger, ...modules },
  )
}

export interface Output {
  batchIndex: bigint
  outputRoot: Hex
  stateRoot: Hex
  blockHash: Hex
  traceRoot: Hex
  leafCount: number
  l2BlockNumber: bigint
  bond: bigint
  txHash: Hex
  /** the proposeOutput calldata's trace */
  leaves: readonly Hex[]
  lastLeaf: Hex
}

/** Every OutputProposed event on the canonical chain, oldest first, with the trace its tx posted. */
export async function readOutputs(l1: L1, outputRoots: Address): Promise<Output[]> {
  const events = await l1.publicClient.getContractEvents({ address: outputRoots, abi: outputRootsAbi, eventName: 'OutputProposed', fromBlock: 0n })
  const outputs: Output[] = []
  for (const e of events) {
    const tx = await l1.publicClient.getTransaction({ hash: e.transactionHash })
    const call = decodeFunctionData({ abi: outputRootsAbi, data: tx.input })
    if (call.functionName !== 'proposeOutput') throw new Error(`OutputProposed from a ${call.functionName} call`)
    const [, , , , lastLeaf, leaves] = call.args
    outputs.push({
      batchIndex: e.args.batchIndex!,
      outputRoot: e.args.outputRoot!,
      stateRoot: e.args.stateRoot!,
      blockHash: e.args.blockHash!,
      traceRoot: e.args.traceRoot!,
      leafCount: e.args.leafCount!,
      l2BlockNumber: e.args.l2BlockNumber!,
      bond: e.args.bond!,
      txHash: e.transactionHash,
      leaves,
      lastLeaf,
    })
  }
  return outputs
}

export async function outputCount(l1: L1, outputRoots: Address): Promise<bigint> {
  return l1.publicClient.readContract({ address: outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
}

/**
 * Per batch the inbox holds: its last L2 block (the blocks its chunks and every earlier batch's
 * decode to) and that block's output root, from the header the node serves over RPC.
 */
export async function expectedOutputs(r: Rig): Promise<{ batchIndex: bigint; l2BlockNumber: bigint; outputRoot: Hex }[]> {
  const chunks = await readPostedChunks(r.l1, r.deployment.inbox)
  const l2 = createPublicClient({ transport: http(r.node.httpUrl) })
  const out: { batchIndex: bigint; l2BlockNumber: bigint; outputRoot: Hex }[] = []
  const batches = chunks.length === 0 ? 0n : chunks.at(-1)!.batchIndex + 1n
  for (let batchIndex = 0n; batchIndex < batches; batchIndex++) {
    const upTo = chunks.filter((c) => c.batchIndex <= batchIndex).map((c) => c.data)
    const l2BlockNumber = BigInt(blocksFromChunks(upTo, r.node.chainId).blocks.length)
    const block = await l2.getBlock({ blockNumber: l2BlockNumber })
    out.push({ batchIndex, l2BlockNumber, outputRoot: computeOutputRoot(block.stateRoot, block.hash) })
  }
  return out
}

export async function proposerNonce(l1: L1, blockTag: 'latest' | 'pending' = 'latest'): Promise<number> {
  return l1.publicClient.getTransactionCount({ address: proposer.address, blockTag })
}

import type { Address, Chain, Client, GetBlockErrorType, GetProofErrorType, Hex, ReadContractErrorType, Transport } from 'viem'
import { getBlock, getProof } from 'viem/actions'
import { BET_ENGINE_ADDRESS } from '../constants.ts'
import { computeOutputRoot, withdrawalHash, withdrawalSlot, type Withdrawal } from '../l1/encoding.ts'
import {
  InvalidBridgeParameterError,
  OutputNotProposedError,
  OutputRootMismatchError,
  type InvalidBridgeParameterErrorType,
  type InvalidWithdrawalProofErrorType,
  type OutputNotProposedErrorType,
  type OutputRootMismatchErrorType,
  type WithdrawalNotInStateErrorType,
} from './errors.ts'
import { findOutput, readOutput, type FoundOutput } from './outputs.ts'
import { verifyWithdrawalProof } from './verifyWithdrawalProof.ts'

/** RollbookBridge.WithdrawalProof: the output root's preimage and the two MPT proofs of the record. */
export interface WithdrawalProof {
  outputIndex: bigint
  stateRoot: Hex
  blockHash: Hex
  accountProof: readonly Hex[]
  storageProof: readonly Hex[]
}

export interface ProveWithdrawalParameters {
  /** Reads OutputRoots on L1. */
  l1Client: Client<Transport, Chain | undefined>
  /** Reads blocks and eth_getProof from a Rollbook L2 node. */
  l2Client: Client<Transport, Chain | undefined>
  outputRoots: Address
  withdrawal: Withdrawal
  /** The L2 block holding the withdraw transaction (initiateWithdrawal returns it). */
  l2BlockNumber: bigint
  /** Prove against this output instead of the first one at or after `l2BlockNumber`. */
  outputIndex?: bigint
}

export type ProveWithdrawalReturnType = WithdrawalProof

export type ProveWithdrawalErrorType =
  | OutputNotProposedErrorType
  | OutputRootMismatchErrorType
  | InvalidWithdrawalProofErrorType
  | WithdrawalNotInStateErrorType
  | InvalidBridgeParameterErrorType
  | ReadContractErrorType
  | GetBlockErrorType
  | GetProofErrorType

/**
 * Builds the proof RollbookBridge.finalizeWithdrawal takes: finds the first output whose L2 block
 * is at or after the withdrawal's, checks that the L2 node's block hashes to that output root,
 * fetches eth_getProof of the withdrawal's slot at that block and verifies it locally.
 *
 * @example
 * const proof = await proveWithdrawal({ l1Client, l2Client, outputRoots, withdrawal, l2BlockNumber })
 */
export async function proveWithdrawal({
  l1Client,
  l2Client,
  outputRoots,
  withdrawal,
  l2BlockNumber,
  outputIndex,
}: ProveWithdrawalParameters): Promise<ProveWithdrawalReturnType> {
  const { outputIndex: index, output } = await chooseOutput(l1Client, { outputRoots, l2BlockNumber, outputIndex })
  const block = await getBlock(l2Client, { blockNumber: output.l2BlockNumber })
  const computed = computeOutputRoot(block.stateRoot, block.hash)
  if (computed !== output.outputRoot) {
    throw new OutputRootMismatchError({ outputIndex: index, l2BlockNumber: output.l2BlockNumber, proposed: output.outputRoot, computed })
  }

  const hash = withdrawalHash(withdrawal)
  const proof = await getProof(l2Client, { address: BET_ENGINE_ADDRESS, storageKeys: [withdrawalSlot(hash)], blockNumber: output.l2BlockNumber })
  const withdrawalProof: WithdrawalProof = {
    outputIndex: index,
    stateRoot: block.stateRoot,
    blockHash: block.hash,
    accountProof: proof.accountProof,
    storageProof: proof.storageProof[0].proof,
  }
  await verifyWithdrawalProof({ withdrawalHash: hash, ...withdrawalProof })
  return withdrawalProof
}

async function chooseOutput(
  l1Client: Client<Transport, Chain | undefined>,
  { outputRoots, l2BlockNumber, outputIndex }: { outputRoots: Address; l2BlockNumber: bigint; outputIndex?: bigint },
): Promise<FoundOutput> {
  if (outputIndex === undefined) {
    const { found, outputCount } = await findOutput(l1Client, { outputRoots, l2BlockNumber })
    if (found === undefined) throw new OutputNotProposedError({ l2BlockNumber, outputCount })
    return found
  }
  const output = await readOutput(l1Client, outputRoots, outputIndex)
  if (output.l2BlockNumber < l2BlockNumber) {
    throw new InvalidBridgeParameterError({
      parameter: 'outputIndex',
      reason: `output ${outputIndex} is of L2 block ${output.l2BlockNumber}, before the withdrawal's block ${l2BlockNumber}`,
    })
  }
  return { outputIndex, output }
}

import type { Address, Chain, Client, GetBlockErrorType, ReadContractErrorType, Transport } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../constants.ts'
import { rollbookBridgeAbi } from '../generated/contracts.ts'
import { withdrawalHash, type Withdrawal } from '../l1/encoding.ts'
import { WithdrawalNotInStateError, type WithdrawalNotInStateErrorType } from './errors.ts'
import { findOutput, outputFinality } from './outputs.ts'

export interface GetWithdrawalStatusParameters {
  /** Reads OutputRoots and RollbookBridge on L1. */
  l1Client: Client<Transport, Chain | undefined>
  /** Reads the bet engine on L2, to check that the withdrawal exists. */
  l2Client: Client<Transport, Chain | undefined>
  outputRoots: Address
  bridge: Address
  withdrawal: Withdrawal
  /** The L2 block holding the withdraw transaction (initiateWithdrawal returns it). */
  l2BlockNumber: bigint
}

export type WithdrawalStatus =
  /** No output root covers the withdrawal's L2 block yet. */
  | { status: 'waiting-for-output' }
  /** Output `outputIndex` holds it and is in its challenge window until L1 time `finalizesAt`. */
  | { status: 'waiting-for-finality'; outputIndex: bigint; finalizesAt: bigint; secondsLeft: bigint }
  /** Output `outputIndex` is final: finalizeWithdrawal can pay it now. */
  | { status: 'ready-to-finalize'; outputIndex: bigint }
  /** The bridge has paid it. */
  | { status: 'finalized' }

export type GetWithdrawalStatusReturnType = WithdrawalStatus
export type GetWithdrawalStatusErrorType = WithdrawalNotInStateErrorType | ReadContractErrorType | GetBlockErrorType

/**
 * Where a withdrawal stands on its way to L1. Everything is read at one L1 block, so the answer is
 * consistent; `secondsLeft` is measured in L1 time from that block.
 *
 * @example
 * const s = await getWithdrawalStatus({ l1Client, l2Client, outputRoots, bridge, withdrawal, l2BlockNumber })
 * if (s.status === 'waiting-for-finality') console.log(`final in ${s.secondsLeft} s`)
 */
export async function getWithdrawalStatus({
  l1Client,
  l2Client,
  outputRoots,
  bridge,
  withdrawal,
  l2BlockNumber,
}: GetWithdrawalStatusParameters): Promise<GetWithdrawalStatusReturnType> {
  const hash = withdrawalHash(withdrawal)
  const l1Block = await getBlock(l1Client, { blockTag: 'latest' })
  const finalized = await readContract(l1Client, {
    address: bridge,
    abi: rollbookBridgeAbi,
    functionName: 'finalizedWithdrawals',
    args: [hash],
    blockNumber: l1Block.number,
  })
  if (finalized) return { status: 'finalized' }

  // A record never leaves the L2 state, so the latest state holds it if the withdrawal happened.
  const initiated = await readContract(l2Client, { address: BET_ENGINE_ADDRESS, abi: betEngineAbi, functionName: 'withdrawalInitiated', args: [hash] })
  if (!initiated) throw new WithdrawalNotInStateError({ withdrawalHash: hash, where: 'of the L2 node (latest block)' })

  const { found } = await findOutput(l1Client, { outputRoots, l2BlockNumber, blockNumber: l1Block.number })
  if (found === undefined) return { status: 'waiting-for-output' }
  const finality = await outputFinality(l1Client, { outputRoots, output: found.output, l1Block })
  if (finality.final) return { status: 'ready-to-finalize', outputIndex: found.outputIndex }
  return { status: 'waiting-for-finality', outputIndex: found.outputIndex, finalizesAt: finality.finalizesAt, secondsLeft: finality.secondsLeft }
}

import type {
  Account,
  Address,
  Chain,
  Client,
  GetBlockErrorType,
  ReadContractErrorType,
  TransactionReceipt,
  Transport,
  WaitForTransactionReceiptErrorType,
  WriteContractErrorType,
} from 'viem'
import { readContract } from 'viem/actions'
import type { AccountNotFoundErrorType } from '../errors.ts'
import { rollbookBridgeAbi } from '../generated/contracts.ts'
import { withdrawalHash, type Withdrawal } from '../l1/encoding.ts'
import {
  BridgeCallRevertedError,
  OutputNotFinalizedError,
  WithdrawalAlreadyFinalizedError,
  type BridgeCallRevertedErrorType,
  type OutputNotFinalizedErrorType,
  type WithdrawalAlreadyFinalizedErrorType,
} from './errors.ts'
import { sendL1Call } from './l1Call.ts'
import { outputFinality, readOutput } from './outputs.ts'
import { proveWithdrawal, type ProveWithdrawalErrorType, type WithdrawalProof } from './proveWithdrawal.ts'

export interface FinalizeWithdrawalParameters {
  /** Reads blocks and eth_getProof from a Rollbook L2 node, when `proof` is not given. */
  l2Client: Client<Transport, Chain | undefined>
  outputRoots: Address
  bridge: Address
  withdrawal: Withdrawal
  /** The L2 block holding the withdraw transaction (initiateWithdrawal returns it). */
  l2BlockNumber: bigint
  /** A proof from proveWithdrawal; built here when omitted. */
  proof?: WithdrawalProof
  /** The L1 sender (anyone may finalize; the bridge pays `withdrawal.l1Recipient`); defaults to the client's account. */
  account?: Account | Address | undefined
}

export type FinalizeWithdrawalReturnType = TransactionReceipt

export type FinalizeWithdrawalErrorType =
  | WithdrawalAlreadyFinalizedErrorType
  | OutputNotFinalizedErrorType
  | BridgeCallRevertedErrorType
  | ProveWithdrawalErrorType
  | AccountNotFoundErrorType
  | ReadContractErrorType
  | GetBlockErrorType
  | WriteContractErrorType
  | WaitForTransactionReceiptErrorType

/**
 * Proves a withdrawal on L1 and has the bridge pay it, in one RollbookBridge.finalizeWithdrawal
 * transaction. Checks first (no gas spent) that it is not paid yet and that its output is final.
 *
 * @example
 * const receipt = await finalizeWithdrawal(l1Wallet, { l2Client, outputRoots, bridge, withdrawal, l2BlockNumber })
 */
export async function finalizeWithdrawal<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { l2Client, outputRoots, bridge, withdrawal, l2BlockNumber, proof: givenProof, account }: FinalizeWithdrawalParameters,
): Promise<FinalizeWithdrawalReturnType> {
  const hash = withdrawalHash(withdrawal)
  const paid = await readContract(client, { address: bridge, abi: rollbookBridgeAbi, functionName: 'finalizedWithdrawals', args: [hash] })
  if (paid) throw new WithdrawalAlreadyFinalizedError({ withdrawalHash: hash })

  const proof = givenProof ?? (await proveWithdrawal({ l1Client: client, l2Client, outputRoots, withdrawal, l2BlockNumber }))
  const finality = await outputFinality(client, { outputRoots, output: await readOutput(client, outputRoots, proof.outputIndex) })
  if (!finality.final) throw new OutputNotFinalizedError({ outputIndex: proof.outputIndex, secondsLeft: finality.secondsLeft })

  try {
    return await sendL1Call(client, {
      address: bridge,
      abi: rollbookBridgeAbi,
      functionName: 'finalizeWithdrawal',
      args: [withdrawal, { ...proof, accountProof: [...proof.accountProof], storageProof: [...proof.storageProof] }],
      account,
    })
  } catch (error) {
    // Someone else finalized it between the check above and this call.
    if (error instanceof BridgeCallRevertedError && error.errorName === 'WithdrawalAlreadyFinalized') {
      throw new WithdrawalAlreadyFinalizedError({ withdrawalHash: hash })
    }
    throw error
  }
}

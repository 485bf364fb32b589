import { encodeFunctionData, isAddressEqual, parseEventLogs, type Account, type Address, type Chain, type Client, type Hash, type Hex, type Transport } from 'viem'
import { getReceipt, type GetReceiptErrorType } from '../actions/getReceipt.ts'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../constants.ts'
import type { Withdrawal } from '../l1/encoding.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'
import { WithdrawalRevertedError, type InvalidBridgeParameterErrorType, type WithdrawalRevertedErrorType } from './errors.ts'
import { assertAmount, assertRecipient } from './validate.ts'

export type InitiateWithdrawalParameters = WriteParameters & {
  /** The L1 account the bridge pays. */
  to: Address
  /** Token base units (6 decimals), debited from the sender's L2 balance. */
  amount: bigint
}

export interface InitiateWithdrawalReturnType {
  /** What the L1 bridge pays; keep it (with `l2BlockNumber`) to prove and finalize later. */
  withdrawal: Withdrawal
  /** keccak256(abi.encode(l2Sender, l1Recipient, amount, nonce)): the record's key on L2 and its id on L1. */
  withdrawalHash: Hex
  /** The L2 block holding the withdraw transaction: the first output at or after it can prove it. */
  l2BlockNumber: bigint
  transactionHash: Hash
}

export type InitiateWithdrawalErrorType =
  | InvalidBridgeParameterErrorType
  | WithdrawalRevertedErrorType
  | SendBetEngineTransactionErrorType
  | GetReceiptErrorType

/**
 * Starts a withdrawal on L2: the bet engine debits `amount` and records the withdrawal, which the
 * L1 bridge pays to `to` once an output root holding it is final.
 *
 * @example
 * const { withdrawal, l2BlockNumber } = await initiateWithdrawal(bettor, { to: bettor.account.address, amount: 50_000_000n })
 */
export async function initiateWithdrawal<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { to, amount, ...write }: InitiateWithdrawalParameters,
): Promise<InitiateWithdrawalReturnType> {
  assertAmount(amount)
  assertRecipient('to', to)
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'withdraw', args: [to, amount] })
  const transactionHash = await sendBetEngineTransaction(client, { ...write, data })
  const receipt = await getReceipt(client, { hash: transactionHash })
  if (receipt.status === 'reverted') throw new WithdrawalRevertedError({ transactionHash, revert: receipt.error })

  const logs = receipt.receipt.logs.filter((log) => isAddressEqual(log.address, BET_ENGINE_ADDRESS))
  const [event] = parseEventLogs({ abi: betEngineAbi, logs, eventName: 'WithdrawalInitiated' })
  const { withdrawalHash, l2Sender, l1Recipient, nonce } = event.args
  return {
    withdrawal: { l2Sender, l1Recipient, amount: event.args.amount, nonce },
    withdrawalHash,
    l2BlockNumber: receipt.blockNumber,
    transactionHash,
  }
}

import {
  isAddressEqual,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type ReadContractErrorType,
  type TransactionReceipt,
  type Transport,
  type WaitForTransactionReceiptErrorType,
  type WriteContractErrorType,
} from 'viem'
import { readContract } from 'viem/actions'
import type { AccountNotFoundErrorType } from '../errors.ts'
import { rollbookBridgeAbi, testStablecoinAbi } from '../generated/contracts.ts'
import {
  InsufficientTokenBalanceError,
  type BridgeCallRevertedErrorType,
  type InsufficientTokenBalanceErrorType,
  type InvalidBridgeParameterErrorType,
} from './errors.ts'
import { senderOf, sendL1Call } from './l1Call.ts'
import { assertAmount, assertRecipient } from './validate.ts'

export interface DepositParameters {
  /** The RollbookBridge on L1. */
  bridge: Address
  /** The ERC-20 the bridge holds (RollbookBridge.token()). */
  token: Address
  /** The L2 account credited. */
  to: Address
  /** Token base units (6 decimals): 10 tokens is 10_000_000n. */
  amount: bigint
  /** The L1 sender; defaults to the client's account. */
  account?: Account | Address | undefined
}

export interface DepositReturnType {
  /** The deposit's index in the L1 message queue: the L1 messenger relays it on L2 with this nonce. */
  queueIndex: bigint
  /** The L1 deposit transaction. */
  transactionHash: Hash
  /** The approve transaction sent first when the allowance was short; undefined when none was needed. */
  approvalHash: Hash | undefined
  receipt: TransactionReceipt
}

export type DepositErrorType =
  | InvalidBridgeParameterErrorType
  | InsufficientTokenBalanceErrorType
  | BridgeCallRevertedErrorType
  | AccountNotFoundErrorType
  | ReadContractErrorType
  | WriteContractErrorType
  | WaitForTransactionReceiptErrorType

/**
 * Deposits L1 tokens to an L2 account: approves the bridge first when the allowance is short,
 * then calls RollbookBridge.deposit. The L2 balance is credited once the sequencer relays the
 * queue message (docs/decisions/0004).
 *
 * @example
 * const { queueIndex } = await deposit(l1Wallet, { bridge, token, to: bettor.address, amount: 100_000_000n })
 */
export async function deposit<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { bridge, token, to, amount, account }: DepositParameters,
): Promise<DepositReturnType> {
  assertAmount(amount)
  assertRecipient('to', to)
  const sender = senderOf(client, account)
  const balance = await readContract(client, { address: token, abi: testStablecoinAbi, functionName: 'balanceOf', args: [sender.address] })
  if (balance < amount) throw new InsufficientTokenBalanceError({ owner: sender.address, balance, amount })

  const allowance = await readContract(client, { address: token, abi: testStablecoinAbi, functionName: 'allowance', args: [sender.address, bridge] })
  let approvalHash: Hash | undefined
  if (allowance < amount) {
    const approval = await sendL1Call(client, { address: token, abi: testStablecoinAbi, functionName: 'approve', args: [bridge, amount], account: sender })
    approvalHash = approval.transactionHash
  }

  const receipt = await sendL1Call(client, { address: bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [to, amount], account: sender })
  const bridgeLogs = receipt.logs.filter((log) => isAddressEqual(log.address, bridge))
  const [event] = parseEventLogs({ abi: rollbookBridgeAbi, logs: bridgeLogs, eventName: 'DepositInitiated' })
  return { queueIndex: event.args.queueIndex, transactionHash: receipt.transactionHash, approvalHash, receipt }
}

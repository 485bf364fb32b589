import {
  BaseError,
  ContractFunctionRevertedError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Client,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import { parseAccount } from 'viem/accounts'
import { simulateContract, waitForTransactionReceipt, writeContract } from 'viem/actions'
import { AccountNotFoundError } from '../errors.ts'
import { BridgeCallRevertedError } from './errors.ts'

export interface L1CallParameters<abi extends Abi, functionName extends ContractFunctionName<abi, 'nonpayable'>> {
  address: Address
  abi: abi
  functionName: functionName
  args: ContractFunctionArgs<abi, 'nonpayable', functionName>
  account?: Account | Address | undefined
}

/** The sender of an L1 write: the given account, else the client's; AccountNotFoundError without one. */
export function senderOf(client: Client<Transport, Chain | undefined, Account | undefined>, account: Account | Address | undefined): Account {
  const chosen = account ?? client.account
  if (chosen === undefined) throw new AccountNotFoundError()
  return parseAccount(chosen)
}

/**
 * Simulates an L1 contract call (so a revert costs no gas and comes back as a
 * BridgeCallRevertedError naming the contract's error), sends it and waits for its receipt.
 */
export async function sendL1Call<abi extends Abi, functionName extends ContractFunctionName<abi, 'nonpayable'>>(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  { account, ...call }: L1CallParameters<abi, functionName>,
): Promise<TransactionReceipt> {
  const sender = senderOf(client, account)
  let request: unknown
  try {
    ;({ request } = await simulateContract(client, { ...call, account: sender } as never))
  } catch (error) {
    throw toBridgeCallRevertedError(error, call.functionName) ?? error
  }
  const hash = await writeContract(client, request as never)
  const receipt = await waitForTransactionReceipt(client, { hash })
  if (receipt.status !== 'success') {
    throw new BridgeCallRevertedError({ functionName: call.functionName, errorName: 'reverted on chain', args: [hash] })
  }
  return receipt
}

/** viem's error for a reverted contract call, as a BridgeCallRevertedError; undefined for any other failure. */
export function toBridgeCallRevertedError(error: unknown, functionName: string): BridgeCallRevertedError | undefined {
  if (!(error instanceof BaseError)) return undefined
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined
  return new BridgeCallRevertedError({
    functionName,
    errorName: reverted.data?.errorName ?? reverted.reason ?? 'unknown revert',
    args: reverted.data?.args ?? [],
    cause: error,
  })
}

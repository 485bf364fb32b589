import {
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  type Hex,
  type SendRawTransactionErrorType,
  type SendTransactionErrorType,
  type PrepareTransactionRequestErrorType,
  type Transport,
} from 'viem'
import { parseAccount } from 'viem/accounts'
import { prepareTransactionRequest, sendRawTransaction, sendTransaction } from 'viem/actions'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from './constants.ts'
import { AccountNotFoundError, toBetRejectedError, type AccountNotFoundErrorType, type BetRejectedErrorType } from './errors.ts'

/** The fields every Rollbook transaction carries; the node refuses any other (decision 2). */
export const betEngineTransactionFields = {
  type: 'eip1559',
  to: BET_ENGINE_ADDRESS,
  value: 0n,
  gas: TX_GAS_LIMIT,
  maxFeePerGas: 0n,
  maxPriorityFeePerGas: 0n,
} as const

/** Parameters every write action takes besides its own arguments. */
export interface WriteParameters {
  /** The sender; defaults to the client's account. */
  account?: Account | Address | undefined
  /** Skips the eth_getTransactionCount round trip; without it the node is asked (or the account's nonceManager). */
  nonce?: number | undefined
}

export type SendBetEngineTransactionParameters = WriteParameters & { data: Hex }
export type SendBetEngineTransactionReturnType = Hash
export type SendBetEngineTransactionErrorType =
  | BetRejectedErrorType
  | AccountNotFoundErrorType
  | PrepareTransactionRequestErrorType
  | SendRawTransactionErrorType
  | SendTransactionErrorType

/**
 * Signs and sends one call to the bet engine with the fixed fields. A local account signs here
 * (only the nonce is fetched, and not even that when `nonce` is given); a JSON-RPC
 * account's wallet signs via eth_sendTransaction. Resolves once the node has executed the
 * transaction and made it durable, so its receipt is available at once.
 */
export async function sendBetEngineTransaction<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { account: account_ = client.account, nonce, data }: SendBetEngineTransactionParameters,
): Promise<SendBetEngineTransactionReturnType> {
  if (account_ === undefined) throw new AccountNotFoundError()
  const account = parseAccount(account_)
  const request = { ...betEngineTransactionFields, data, nonce, account, chain: client.chain ?? null }
  if (account.type !== 'local') return submit(() => sendTransaction(client, request as never))

  // Only chainId and nonce are filled: fees, gas and type are fixed, so nothing is estimated.
  const prepared = await prepareTransactionRequest(client, {
    ...request,
    nonceManager: account.nonceManager,
    parameters: ['chainId', 'nonce'],
  } as never)
  const serializedTransaction = await account.signTransaction(prepared as never)
  try {
    return await submit(() => sendRawTransaction(client, { serializedTransaction }))
  } catch (error) {
    // The manager counted a nonce the node never took; make it ask the node again.
    if (nonce === undefined) account.nonceManager?.reset({ address: account.address, chainId: prepared.chainId as number })
    throw error
  }
}

/** A JSON-RPC error from the node becomes a BetRejectedError; transport failures pass through. */
async function submit(send: () => Promise<Hash>): Promise<Hash> {
  try {
    return await send()
  } catch (error) {
    throw toBetRejectedError(error) ?? error
  }
}

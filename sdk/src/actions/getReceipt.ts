import type { Chain, Client, GetTransactionReceiptErrorType, Hash, TransactionReceiptNotFoundErrorType, Transport } from 'viem'
import { ReceiptNotFoundError, type ReceiptNotFoundErrorType } from '../errors.ts'
import { parseBetEngineReceipt, type BetEngineReceipt, type RollbookRpcReceipt } from '../receipt.ts'

export type GetReceiptParameters = { hash: Hash }
export type GetReceiptReturnType = BetEngineReceipt
export type GetReceiptErrorType =
  | ReceiptNotFoundErrorType
  | Exclude<GetTransactionReceiptErrorType, TransactionReceiptNotFoundErrorType>

/**
 * Fetches a transaction's receipt once (no polling: the node answers a send only after executing
 * it) with the bet engine's events decoded and, for a revert, its reason.
 *
 * @example
 * const receipt = await getReceipt(client, { hash })
 * if (receipt.status === 'reverted') console.log(receipt.error?.name) // e.g. 'MarketClosed'
 * else console.log(findEvent(receipt.events, 'BetPlaced')?.args.betId)
 */
export async function getReceipt<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { hash }: GetReceiptParameters,
): Promise<GetReceiptReturnType> {
  const raw = (await client.request({ method: 'eth_getTransactionReceipt', params: [hash] })) as RollbookRpcReceipt | null
  if (raw === null) throw new ReceiptNotFoundError({ hash })
  return parseBetEngineReceipt(raw)
}

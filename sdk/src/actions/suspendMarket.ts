import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SuspendMarketParameters = WriteParameters & {
  marketId: bigint
}
export type SuspendMarketReturnType = Hash
export type SuspendMarketErrorType = SendBetEngineTransactionErrorType

/**
 * Suspends an open market (operator only, before its close): bets are refused (MarketNotOpen) until
 * reopenMarket; odds, pricing and limits may still be set, and past its close time the committee
 * resolves it as an open one.
 *
 * @example
 * const hash = await suspendMarket(operator, { marketId: 1n })
 */
export async function suspendMarket<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, ...write }: SuspendMarketParameters,
): Promise<SuspendMarketReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'suspendMarket', args: [marketId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

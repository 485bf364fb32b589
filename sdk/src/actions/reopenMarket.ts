import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type ReopenMarketParameters = WriteParameters & {
  marketId: bigint
}
export type ReopenMarketReturnType = Hash
export type ReopenMarketErrorType = SendBetEngineTransactionErrorType

/**
 * Opens a suspended market to bets again (operator only, before its close time).
 *
 * @example
 * const hash = await reopenMarket(operator, { marketId: 1n })
 */
export async function reopenMarket<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, ...write }: ReopenMarketParameters,
): Promise<ReopenMarketReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'reopenMarket', args: [marketId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type CloseMarketParameters = WriteParameters & {
  marketId: bigint
}
export type CloseMarketReturnType = Hash
export type CloseMarketErrorType = SendBetEngineTransactionErrorType

/**
 * Closes an open or suspended market now (operator only): its close time becomes the block's time,
 * no more bets are taken and the committee may vote on its result at once.
 *
 * @example
 * const hash = await closeMarket(operator, { marketId: 1n })
 */
export async function closeMarket<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, ...write }: CloseMarketParameters,
): Promise<CloseMarketReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'closeMarket', args: [marketId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

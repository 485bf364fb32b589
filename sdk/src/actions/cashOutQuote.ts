import type { Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export type CashOutQuoteParameters = ReadParameters & { betId: bigint }
/** Base units: the bet's payout at its outcome's current odds, less the house's 5% margin, never above the payout. */
export type CashOutQuoteReturnType = bigint
export type CashOutQuoteErrorType = ReadContractErrorType

/**
 * What cashOut would pay for an open single bet in the state read (the latest preconfirmed one by
 * default). Reverts as cashOut would (BetNotOpen, NotASingleBet, MarketNotOpen, MarketClosed).
 *
 * @example
 * const value = await cashOutQuote(client, { betId: 7n })
 */
export async function cashOutQuote<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { betId, ...block }: CashOutQuoteParameters,
): Promise<CashOutQuoteReturnType> {
  return readContract(client, { ...betEngineContract, ...block, functionName: 'cashOutQuote', args: [betId] })
}

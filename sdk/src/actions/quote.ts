import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export interface Quote {
  /** The odds placeBet would fix now, 4 decimals. */
  odds: number
  /** What the bet would pay if it wins, base units. */
  payout: bigint
}

export type QuoteParameters = ReadParameters & {
  marketId: bigint
  outcome: number
  /** Base units. */
  stake: bigint
  /** The bettor the quote is for: their per-market limit applies. */
  account: Address
}
export type QuoteReturnType = Quote
export type QuoteErrorType = ReadContractErrorType

/**
 * Exactly the odds and payout placeBet would fix for `account`'s bet in the state read (the latest
 * preconfirmed one by default). Reverts with the error placeBet would (MarketNotOpen, MarketClosed,
 * BadOutcome, StakeTooHigh, LiabilityCapExceeded, BettorLimitExceeded, ...); balances are not checked.
 * Pass `quote.odds` as placeBet's minOdds to get these odds or none.
 *
 * @example
 * const { odds, payout } = await quote(client, { marketId: 1n, outcome: 0, stake: 10_000_000n, account })
 */
export async function quote<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { marketId, outcome, stake, account, ...block }: QuoteParameters,
): Promise<QuoteReturnType> {
  const [odds, payout] = await readContract(client, { ...betEngineContract, ...block, account, functionName: 'quote', args: [marketId, outcome, stake] })
  return { odds, payout }
}

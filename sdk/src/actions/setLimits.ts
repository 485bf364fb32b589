import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SetLimitsParameters = WriteParameters & {
  marketId: bigint
  /** The most one bettor may stake on the market in all, base units; 0: no limit. */
  maxStakePerBettor: bigint
  /** The most the market's bets may escrow in all (their payouts over every outcome), base units; 0: no limit. */
  maxMarketLiability: bigint
}
export type SetLimitsReturnType = Hash
export type SetLimitsErrorType = SendBetEngineTransactionErrorType

/**
 * Sets a market's limits (operator only; open or suspended, before its close). Stakes placed before
 * the market's first limit do not count towards a bettor's sum: set limits right after createMarket.
 * placeBet then refuses with BettorLimitExceeded or MarketLiabilityCapExceeded.
 *
 * @example
 * const hash = await setLimits(operator, { marketId: 1n, maxStakePerBettor: 500_000_000n, maxMarketLiability: 50_000_000_000n })
 */
export async function setLimits<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, maxStakePerBettor, maxMarketLiability, ...write }: SetLimitsParameters,
): Promise<SetLimitsReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setLimits', args: [marketId, maxStakePerBettor, maxMarketLiability] })
  return sendBetEngineTransaction(client, { ...write, data })
}

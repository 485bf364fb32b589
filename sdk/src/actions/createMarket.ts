import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type CreateMarketParameters = WriteParameters & {
  /** Decimal odds per outcome, fixed point with 4 decimals (2.5 is 25_000); one per outcome, 2 to 16. */
  odds: readonly number[]
  /** Unix seconds; bets are taken strictly before it, the result reported at or after it. */
  closeTime: bigint
  /** The largest single stake, in stake token base units. */
  maxStake: bigint
  /** The most the house may owe on any one outcome, in base units. */
  maxLiability: bigint
}
export type CreateMarketReturnType = Hash
export type CreateMarketErrorType = SendBetEngineTransactionErrorType

/**
 * Opens a market (operator only). The new market's id is in the receipt's MarketCreated event.
 *
 * @example
 * const hash = await createMarket(operator, {
 *   odds: [18_000, 21_000], closeTime: BigInt(kickoff), maxStake: 100_000_000n, maxLiability: 10_000_000_000n,
 * })
 * const { events } = await getReceipt(operator, { hash })
 * const marketId = findEvent(events, 'MarketCreated')!.args.marketId
 */
export async function createMarket<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { odds, closeTime, maxStake, maxLiability, ...write }: CreateMarketParameters,
): Promise<CreateMarketReturnType> {
  const data = encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'createMarket',
    args: [odds.length, odds, closeTime, maxStake, maxLiability],
  })
  return sendBetEngineTransaction(client, { ...write, data })
}

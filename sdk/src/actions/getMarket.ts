import type { Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { MarketStatus } from '../betEngine/index.ts'
import { RESULT_VOID } from '../constants.ts'
import { MarketNotFoundError, type MarketNotFoundErrorType } from '../errors.ts'
import { betEngineContract, type ReadParameters } from './read.ts'

export interface Market {
  id: bigint
  /** suspended: no bets until the operator reopens it (the committee still resolves it after its close time) */
  status: 'open' | 'suspended' | 'resolved'
  /** The winning outcome, 'void' if every bet is refunded, null until resolved. */
  result: number | 'void' | null
  outcomeCount: number
  /** Unix seconds. */
  closeTime: bigint
  maxStake: bigint
  maxLiability: bigint
  /** Current odds per outcome, 4 decimals; on a market the odds engine prices, its base odds (getMarketConfig and quote give the offered ones). */
  odds: number[]
  /** What the house owes on each outcome if it wins, in base units. */
  liability: bigint[]
}

export type GetMarketParameters = ReadParameters & { marketId: bigint }
export type GetMarketReturnType = Market
export type GetMarketErrorType = MarketNotFoundErrorType | ReadContractErrorType

/**
 * Reads a market.
 *
 * @example
 * const market = await getMarket(client, { marketId: 1n })
 * market.odds // [18000, 21000]
 */
export async function getMarket<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { marketId, ...block }: GetMarketParameters,
): Promise<GetMarketReturnType> {
  const view = await readContract(client, { ...betEngineContract, ...block, functionName: 'getMarket', args: [marketId] })
  if (view.status === MarketStatus.none) throw new MarketNotFoundError({ marketId })
  const resolved = view.status === MarketStatus.resolved
  return {
    id: marketId,
    status: resolved ? 'resolved' : view.status === MarketStatus.suspended ? 'suspended' : 'open',
    result: !resolved ? null : view.result === RESULT_VOID ? 'void' : view.result,
    outcomeCount: view.outcomeCount,
    closeTime: view.closeTime,
    maxStake: view.maxStake,
    maxLiability: view.maxLiability,
    odds: [...view.odds],
    liability: [...view.liability],
  }
}

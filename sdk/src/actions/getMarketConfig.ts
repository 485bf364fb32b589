import type { Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { MarketStatus } from '../betEngine/index.ts'
import { MarketNotFoundError, type MarketNotFoundErrorType } from '../errors.ts'
import { betEngineContract, type ReadParameters } from './read.ts'

export const MarketType = { unspecified: 0, '1x2': 1, moneyline: 2, overUnder: 3, handicap: 4 } as const

/** The odds engine's settings of a priced market. */
export interface MarketPricing {
  /** Fair probability per outcome, basis points. */
  probabilitiesBps: number[]
  marginBps: number
  /** Odds units an outcome's odds shorten per whole token of its liability. */
  slope: number
  floorOdds: number
}

/** A market as its operator manages it: type, lifecycle, limits, pricing and exposure. */
export interface MarketConfig {
  id: bigint
  status: 'open' | 'suspended' | 'resolved'
  outcomeCount: number
  /** Unix seconds. */
  closeTime: bigint
  /** 0 unspecified, 1 1X2, 2 moneyline, 3 over/under, 4 handicap. */
  marketType: number
  /** Tenths of a point. */
  line: number
  maxStake: bigint
  /** Per outcome. */
  maxLiability: bigint
  /** 0: no limit. */
  maxStakePerBettor: bigint
  /** 0: no limit. */
  maxMarketLiability: bigint
  /** The market counts stakes per bettor and its total payout (it has had limits). */
  limited: boolean
  /** null when the odds are the operator's (setOdds). */
  pricing: MarketPricing | null
  /** Every outcome's offered odds now, 4 decimals. */
  odds: number[]
  /** What the house owes on each outcome if it wins, base units. */
  liability: bigint[]
  /** Every payout the market's bets escrowed, base units. */
  totalLiability: bigint
}

export type GetMarketConfigParameters = ReadParameters & { marketId: bigint }
export type GetMarketConfigReturnType = MarketConfig
export type GetMarketConfigErrorType = MarketNotFoundErrorType | ReadContractErrorType

/**
 * Reads a market's configuration for its operator: type and line, status (suspended included),
 * limits, the odds engine's pricing, the offered odds now and the liabilities.
 *
 * @example
 * const config = await getMarketConfig(client, { marketId: 1n })
 * config.pricing?.marginBps // 500
 */
export async function getMarketConfig<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { marketId, ...block }: GetMarketConfigParameters,
): Promise<GetMarketConfigReturnType> {
  const view = await readContract(client, { ...betEngineContract, ...block, functionName: 'getMarketConfig', args: [marketId] })
  if (view.status === MarketStatus.none) throw new MarketNotFoundError({ marketId })
  return {
    id: marketId,
    status: view.status === MarketStatus.suspended ? 'suspended' : view.status === MarketStatus.resolved ? 'resolved' : 'open',
    outcomeCount: view.outcomeCount,
    closeTime: view.closeTime,
    marketType: view.marketType,
    line: view.line,
    maxStake: view.maxStake,
    maxLiability: view.maxLiability,
    maxStakePerBettor: view.maxStakePerBettor,
    maxMarketLiability: view.maxMarketLiability,
    limited: view.limited,
    pricing: view.priced ? { probabilitiesBps: [...view.probabilitiesBps], marginBps: view.marginBps, slope: view.slope, floorOdds: view.floorOdds } : null,
    odds: [...view.odds],
    liability: [...view.liability],
    totalLiability: view.totalLiability,
  }
}

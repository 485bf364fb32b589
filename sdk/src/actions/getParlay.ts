import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { BetStatus, type ParlayLeg } from '../betEngine/index.ts'
import { BetNotFoundError, type BetNotFoundErrorType } from '../errors.ts'
import { betEngineContract, type ReadParameters } from './read.ts'

export type { ParlayLeg }

export interface Parlay {
  id: bigint
  bettor: Address
  status: 'open' | 'settled'
  stake: bigint
  /** The combined odds, 4 decimals: the legs' odds multiplied, rounded down once, at most 10,000.0. */
  odds: number
  /** What the parlay pays if every leg wins: stake * odds / 10_000, in base units. */
  payout: bigint
  legs: ParlayLeg[]
}

export type GetParlayParameters = ReadParameters & { betId: bigint }
export type GetParlayReturnType = Parlay
export type GetParlayErrorType = BetNotFoundErrorType | ReadContractErrorType

/**
 * Reads a parlay and its legs; a bet id that is not a parlay is BetNotFoundError (getBet reads singles).
 *
 * @example
 * const parlay = await getParlay(client, { betId: 12n })
 * parlay.legs // [{ marketId: 1n, outcome: 0, odds: 20_000 }, ...]
 */
export async function getParlay<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { betId, ...block }: GetParlayParameters,
): Promise<GetParlayReturnType> {
  const view = await readContract(client, { ...betEngineContract, ...block, functionName: 'getParlay', args: [betId] })
  if (view.status === BetStatus.none) throw new BetNotFoundError({ betId })
  return {
    id: betId,
    bettor: view.bettor,
    status: view.status === BetStatus.open ? 'open' : 'settled',
    stake: view.stake,
    odds: view.odds,
    payout: view.payout,
    legs: view.marketIds.map((marketId, i) => ({ marketId, outcome: view.outcomes[i], odds: view.legOdds[i] })),
  }
}

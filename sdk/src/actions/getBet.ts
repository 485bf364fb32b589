import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { BetKind, BetStatus } from '../betEngine/index.ts'
import { BetNotFoundError, type BetNotFoundErrorType } from '../errors.ts'
import { betEngineContract, type ReadParameters } from './read.ts'

export interface Bet {
  id: bigint
  /** A parlay has marketId 0 and its leg count as outcome; getParlay reads its legs. */
  kind: 'single' | 'parlay'
  bettor: Address
  marketId: bigint
  outcome: number
  /** cashedOut: sold back to the house with cashOut. */
  status: 'open' | 'settled' | 'cashedOut'
  stake: bigint
  /** The odds the bet was placed at, 4 decimals. */
  odds: number
  /** What the bet pays if its outcome wins: stake * odds / 10_000, in base units. */
  payout: bigint
}

export type GetBetParameters = ReadParameters & { betId: bigint }
export type GetBetReturnType = Bet
export type GetBetErrorType = BetNotFoundErrorType | ReadContractErrorType

/**
 * Reads a bet.
 *
 * @example
 * const bet = await getBet(client, { betId: 7n })
 * if (bet.status === 'open') console.log(`may pay ${bet.payout}`)
 */
export async function getBet<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { betId, ...block }: GetBetParameters,
): Promise<GetBetReturnType> {
  const view = await readContract(client, { ...betEngineContract, ...block, functionName: 'getBet', args: [betId] })
  if (view.status === BetStatus.none) throw new BetNotFoundError({ betId })
  return {
    id: betId,
    kind: view.kind === BetKind.parlay ? 'parlay' : 'single',
    bettor: view.bettor,
    marketId: view.marketId,
    outcome: view.outcome,
    status: view.status === BetStatus.open ? 'open' : view.status === BetStatus.cashedOut ? 'cashedOut' : 'settled',
    stake: view.stake,
    odds: view.odds,
    payout: view.payout,
  }
}

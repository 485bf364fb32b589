import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { BetStatus } from '../betEngine/index.ts'
import { BetNotFoundError, type BetNotFoundErrorType } from '../errors.ts'
import { betEngineContract, type ReadParameters } from './read.ts'

export interface Bet {
  id: bigint
  bettor: Address
  marketId: bigint
  outcome: number
  status: 'open' | 'settled'
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
    bettor: view.bettor,
    marketId: view.marketId,
    outcome: view.outcome,
    status: view.status === BetStatus.settled ? 'settled' : 'open',
    stake: view.stake,
    odds: view.odds,
    payout: view.payout,
  }
}

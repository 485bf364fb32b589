import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export type GetBettorStakeParameters = ReadParameters & { marketId: bigint; bettor: Address }
/** Base units. */
export type GetBettorStakeReturnType = bigint
export type GetBettorStakeErrorType = ReadContractErrorType

/**
 * What `bettor` has staked on a market since it first had limits (what setLimits' per-bettor limit
 * counts); 0 on a market that never had one.
 *
 * @example
 * const staked = await getBettorStake(client, { marketId: 1n, bettor })
 */
export async function getBettorStake<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { marketId, bettor, ...block }: GetBettorStakeParameters,
): Promise<GetBettorStakeReturnType> {
  return readContract(client, { ...betEngineContract, ...block, functionName: 'getBettorStake', args: [marketId, bettor] })
}

import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export interface ParlayLegParameters {
  marketId: bigint
  /** Index of the outcome backed, from 0. */
  outcome: number
}

export type PlaceParlayParameters = WriteParameters & {
  /** 2 to 10 legs, each on a different market. */
  legs: readonly ParlayLegParameters[]
  /** In stake token base units; at most the smallest maxStake of the legs' markets. */
  stake: bigint
  /** The lowest combined odds accepted (4 decimals); below it the parlay reverts with OddsBelowMinimum. */
  minOdds: number
}
export type PlaceParlayReturnType = Hash
export type PlaceParlayErrorType = SendBetEngineTransactionErrorType

/**
 * Places a parlay: the legs' offered odds multiply (rounded down once, capped at 10,000.0); it wins
 * only if every leg wins (a void leg counts as 1.0) and is lost as soon as one leg loses. Resolves
 * once the node has executed it; the receipt's ParlayPlaced event carries the betId.
 *
 * @example
 * const hash = await placeParlay(bettor, { legs: [{ marketId: 1n, outcome: 0 }, { marketId: 2n, outcome: 1 }], stake: 5_000_000n, minOdds: 30_000 })
 */
export async function placeParlay<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { legs, stake, minOdds, ...write }: PlaceParlayParameters,
): Promise<PlaceParlayReturnType> {
  const data = encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'placeParlay',
    args: [legs.map((leg) => leg.marketId), legs.map((leg) => leg.outcome), stake, minOdds],
  })
  return sendBetEngineTransaction(client, { ...write, data })
}

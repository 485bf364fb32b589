import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SetPricingParameters = WriteParameters & {
  marketId: bigint
  /** Fair probability of each outcome in basis points: each > 0, summing to 10,000. */
  probabilitiesBps: readonly number[]
  /** The house margin in basis points, at most 5,000. */
  marginBps: number
  /** How far an outcome's odds shorten per whole token (10^6 base units) of its liability, in odds units (1 = 0.0001). */
  slope: number
  /** The shortest odds the engine offers, > 10,000 (4 decimals). */
  floorOdds: number
}
export type SetPricingReturnType = Hash
export type SetPricingErrorType = SendBetEngineTransactionErrorType

/**
 * Prices a market with the odds engine (operator only; open or suspended, before its close): the
 * odds of outcome i are floor(10^4 * (10,000 - margin) / p_i) (at most 1,000.0), shortened by
 * ceil(slope * liability_i / 10^6) and never below floorOdds. Emits OddsChanged; each bet then emits
 * OddsMoved. setOdds turns the engine off again.
 *
 * @example
 * const hash = await setPricing(operator, { marketId: 1n, probabilitiesBps: [4_500, 2_800, 2_700], marginBps: 500, slope: 200, floorOdds: 10_500 })
 */
export async function setPricing<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, probabilitiesBps, marginBps, slope, floorOdds, ...write }: SetPricingParameters,
): Promise<SetPricingReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setPricing', args: [marketId, probabilitiesBps, marginBps, slope, floorOdds] })
  return sendBetEngineTransaction(client, { ...write, data })
}

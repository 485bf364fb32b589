import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SetOddsParameters = WriteParameters & {
  marketId: bigint
  /** New odds for every outcome of the market, fixed point with 4 decimals. */
  odds: readonly number[]
}
export type SetOddsReturnType = Hash
export type SetOddsErrorType = SendBetEngineTransactionErrorType

/**
 * Replaces an open market's odds (operator only); bets already placed keep theirs.
 *
 * @example
 * const hash = await setOdds(operator, { marketId: 1n, odds: [17_500, 22_000] })
 */
export async function setOdds<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, odds, ...write }: SetOddsParameters,
): Promise<SetOddsReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setOdds', args: [marketId, odds] })
  return sendBetEngineTransaction(client, { ...write, data })
}

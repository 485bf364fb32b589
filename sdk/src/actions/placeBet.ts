import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type PlaceBetParameters = WriteParameters & {
  marketId: bigint
  /** Index of the outcome backed, from 0. */
  outcome: number
  /** In stake token base units (6 decimals): 10 tokens is 10_000_000n. */
  stake: bigint
  /** The lowest odds accepted (4 decimals); if the operator moved the odds below it, the bet reverts. */
  minOdds: number
}
export type PlaceBetReturnType = Hash
export type PlaceBetErrorType = SendBetEngineTransactionErrorType

/**
 * Places a bet. Resolves once the node has executed it; the receipt (with the BetPlaced event and
 * its betId, or the revert reason) is then available at once through `getReceipt`.
 *
 * @example
 * const hash = await placeBet(bettor, { marketId: 1n, outcome: 0, stake: 10_000_000n, minOdds: 18_000 })
 * const receipt = await getReceipt(bettor, { hash })
 */
export async function placeBet<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, outcome, stake, minOdds, ...write }: PlaceBetParameters,
): Promise<PlaceBetReturnType> {
  const data = encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'placeBet',
    args: [marketId, outcome, stake, minOdds],
  })
  return sendBetEngineTransaction(client, { ...write, data })
}

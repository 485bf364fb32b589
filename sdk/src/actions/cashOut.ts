import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type CashOutParameters = WriteParameters & {
  betId: bigint
  /** The least the bettor accepts, base units; below it the cash-out reverts with CashOutBelowMinimum(value). */
  minValue: bigint
}
export type CashOutReturnType = Hash
export type CashOutErrorType = SendBetEngineTransactionErrorType

/**
 * Sells an open single bet back to the house (its bettor only) while its market is open: the
 * bettor is credited cashOutQuote's value, and the bet closes (status cashedOut). Pass the quote
 * as `minValue` to get it or nothing.
 *
 * @example
 * const value = await cashOutQuote(bettor, { betId: 7n })
 * const hash = await cashOut(bettor, { betId: 7n, minValue: value })
 */
export async function cashOut<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { betId, minValue, ...write }: CashOutParameters,
): Promise<CashOutReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'cashOut', args: [betId, minValue] })
  return sendBetEngineTransaction(client, { ...write, data })
}

import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { RESULT_VOID } from '../constants.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type ReportResultParameters = WriteParameters & {
  marketId: bigint
  /** The winning outcome's index, or 'void' to refund every bet. */
  result: number | 'void'
}
export type ReportResultReturnType = Hash
export type ReportResultErrorType = SendBetEngineTransactionErrorType

/**
 * Votes on a market's result at or after its close time: the same call as voteResult (a member of
 * the oracle committee). With the genesis committee (the oracle alone, no dispute window) it resolves
 * the market at once.
 *
 * @example
 * const hash = await reportResult(oracle, { marketId: 1n, result: 0 })
 * const hash2 = await reportResult(oracle, { marketId: 2n, result: 'void' })
 */
export async function reportResult<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, result, ...write }: ReportResultParameters,
): Promise<ReportResultReturnType> {
  const data = encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'reportResult',
    args: [marketId, result === 'void' ? RESULT_VOID : result],
  })
  return sendBetEngineTransaction(client, { ...write, data })
}

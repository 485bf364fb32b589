import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { RESULT_VOID } from '../constants.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type VoteResultParameters = WriteParameters & {
  marketId: bigint
  /** The winning outcome's index, or 'void' (postponed, cancelled, abandoned: every bet refunded). */
  result: number | 'void'
}
export type VoteResultReturnType = Hash
export type VoteResultErrorType = SendBetEngineTransactionErrorType

/**
 * Votes on a closed market's result as a member of the oracle committee. A vote may be changed
 * within the round; when the committee's threshold agrees the result is proposed (ResultProposed)
 * and becomes final after the dispute window unless flagged.
 *
 * @example
 * const hash = await voteResult(member, { marketId: 1n, result: 0 })
 * const hash2 = await voteResult(member, { marketId: 2n, result: 'void' })
 */
export async function voteResult<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, result, ...write }: VoteResultParameters,
): Promise<VoteResultReturnType> {
  const data = encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'voteResult',
    args: [marketId, result === 'void' ? RESULT_VOID : result],
  })
  return sendBetEngineTransaction(client, { ...write, data })
}

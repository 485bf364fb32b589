import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type FlagResultParameters = WriteParameters & { marketId: bigint }
export type FlagResultReturnType = Hash
export type FlagResultErrorType = SendBetEngineTransactionErrorType

/**
 * Disputes a proposed result inside its dispute window (a committee member or the operator): the
 * proposal is dropped and the committee votes again in a new round.
 *
 * @example
 * const hash = await flagResult(member, { marketId: 1n })
 */
export async function flagResult<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, ...write }: FlagResultParameters,
): Promise<FlagResultReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'flagResult', args: [marketId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

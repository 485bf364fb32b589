import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type FinalizeResultParameters = WriteParameters & { marketId: bigint }
export type FinalizeResultReturnType = Hash
export type FinalizeResultErrorType = SendBetEngineTransactionErrorType

/**
 * Resolves a market whose proposed result has passed its dispute window (anyone may send it).
 * Not needed to be paid: settleBet finalizes on its own.
 *
 * @example
 * const hash = await finalizeResult(anyone, { marketId: 1n })
 */
export async function finalizeResult<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, ...write }: FinalizeResultParameters,
): Promise<FinalizeResultReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'finalizeResult', args: [marketId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SettleBetParameters = WriteParameters & { betId: bigint }
export type SettleBetReturnType = Hash
export type SettleBetErrorType = SendBetEngineTransactionErrorType

/**
 * Pays out a bet of a resolved market (anyone may send it): the winner's payout, a void bet's
 * stake, or a loser's escrow to the house.
 *
 * @example
 * const hash = await settleBet(bettor, { betId: 7n })
 */
export async function settleBet<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { betId, ...write }: SettleBetParameters,
): Promise<SettleBetReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBet', args: [betId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

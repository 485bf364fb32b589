import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SettleParlayParameters = WriteParameters & { betId: bigint }
export type SettleParlayReturnType = Hash
export type SettleParlayErrorType = SendBetEngineTransactionErrorType

/**
 * Settles a parlay (anyone may send it): as soon as one leg has lost (the house keeps the escrow),
 * or once every leg's result is final (the bettor gets the stake times the won legs' odds, void
 * legs at 1.0). settleBet refuses a parlay (NotASingleBet).
 *
 * @example
 * const hash = await settleParlay(bettor, { betId: 12n })
 */
export async function settleParlay<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { betId, ...write }: SettleParlayParameters,
): Promise<SettleParlayReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'settleParlay', args: [betId] })
  return sendBetEngineTransaction(client, { ...write, data })
}

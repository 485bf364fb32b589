import { encodeFunctionData, type Account, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SetMarketInfoParameters = WriteParameters & {
  marketId: bigint
  /** 0 unspecified, 1 1X2 (3 outcomes), 2 moneyline (2), 3 over/under (2; line > 0), 4 handicap (2 or 3). */
  marketType: 0 | 1 | 2 | 3 | 4
  /** Tenths of a point: 25 = 2.5 goals, -15 = home -1.5; 0 for types 0, 1 and 2. */
  line: number
}
export type SetMarketInfoReturnType = Hash
export type SetMarketInfoErrorType = SendBetEngineTransactionErrorType

/**
 * Records a market's type and line (operator only; open or suspended, before its close). Metadata:
 * no rule reads it. Reverts with BadMarketType or BadLine when they do not fit the market.
 *
 * @example
 * const hash = await setMarketInfo(operator, { marketId: 1n, marketType: 3, line: 25 })
 */
export async function setMarketInfo<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { marketId, marketType, line, ...write }: SetMarketInfoParameters,
): Promise<SetMarketInfoReturnType> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setMarketInfo', args: [marketId, marketType, line] })
  return sendBetEngineTransaction(client, { ...write, data })
}

import type { Account, Chain, Client, Hash, Transport } from 'viem'
import type { WriteParameters } from '../transaction.ts'
import { getBet, type GetBetErrorType } from './getBet.ts'
import { settleBet, type SettleBetErrorType } from './settleBet.ts'
import { settleParlay, type SettleParlayErrorType } from './settleParlay.ts'

export type SettleParameters = WriteParameters & { betId: bigint }
export type SettleReturnType = Hash
export type SettleErrorType = GetBetErrorType | SettleBetErrorType | SettleParlayErrorType

/**
 * Settles a bet of either kind (anyone may): reads whether it is a single or a parlay, then sends
 * settleBet or settleParlay. The settlement service settles every bet on its own as soon as a
 * result is final; this is for a bettor who does not want to wait on anyone.
 *
 * @example
 * const hash = await settle(bettor, { betId: 12n })
 */
export async function settle<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { betId, ...write }: SettleParameters,
): Promise<SettleReturnType> {
  const bet = await getBet(client, { betId })
  return bet.kind === 'parlay' ? settleParlay(client, { betId, ...write }) : settleBet(client, { betId, ...write })
}

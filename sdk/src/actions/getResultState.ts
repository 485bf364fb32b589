import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { RESULT_VOID } from '../constants.ts'
import { betEngineContract, type ReadParameters } from './read.ts'

export interface ResultState {
  marketId: bigint
  /** 0 at first, + 1 for each flagged proposal. */
  round: number
  /**
   * 'voting' until the committee agrees; 'proposed' inside the dispute window; 'final' after it
   * (the market is resolved by finalizeResult or by the first settleBet).
   */
  status: 'voting' | 'proposed' | 'final'
  /** The proposed result ('void' refunds every bet), null while voting. */
  proposedResult: number | 'void' | null
  /** Unix seconds when the proposal is final, null while voting. */
  finalAt: bigint | null
  /** This round began with a flag and nothing is proposed yet. */
  flagged: boolean
  /** The current round's votes by members of the current committee, in seat order. */
  votes: Array<{ member: Address; result: number | 'void' }>
}

export type GetResultStateParameters = ReadParameters & { marketId: bigint }
export type GetResultStateReturnType = ResultState
export type GetResultStateErrorType = ReadContractErrorType

function asResult(result: number): number | 'void' {
  return result === RESULT_VOID ? 'void' : result
}

/**
 * Reads where a market's result stands with the oracle committee (docs/decisions/0007).
 *
 * @example
 * const state = await getResultState(client, { marketId: 1n })
 * if (state.status === 'proposed') console.log(`final at ${state.finalAt} unless flagged`)
 */
export async function getResultState<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { marketId, ...block }: GetResultStateParameters,
): Promise<GetResultStateReturnType> {
  const view = await readContract(client, { ...betEngineContract, ...block, functionName: 'getResultState', args: [marketId] })
  return {
    marketId,
    round: view.round,
    status: !view.proposed ? 'voting' : view.isFinal ? 'final' : 'proposed',
    proposedResult: view.proposed ? asResult(view.proposedResult) : null,
    finalAt: view.proposed ? view.finalAt : null,
    flagged: view.flagged,
    votes: view.voters.map((member, i) => ({ member, result: asResult(view.votes[i]) })),
  }
}

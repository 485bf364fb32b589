import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export interface Committee {
  /** In seat order. */
  members: Address[]
  /** How many members must agree to propose a result. */
  threshold: number
  /** How long a proposed result may be flagged before it is final. */
  disputeWindowSeconds: number
}

export type GetCommitteeParameters = ReadParameters
export type GetCommitteeReturnType = Committee
export type GetCommitteeErrorType = ReadContractErrorType

/**
 * Reads the oracle committee: who votes on results, how many must agree, and the dispute window.
 *
 * @example
 * const { members, threshold } = await getCommittee(client)
 */
export async function getCommittee<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  parameters: GetCommitteeParameters = {},
): Promise<GetCommitteeReturnType> {
  const [members, threshold, disputeWindowSeconds] = await readContract(client, {
    ...betEngineContract,
    ...parameters,
    functionName: 'getCommittee',
  })
  return { members: [...members], threshold, disputeWindowSeconds }
}

import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export type GetOperatorParameters = ReadParameters
export type GetOperatorReturnType = Address
export type GetOperatorErrorType = ReadContractErrorType

/**
 * Reads the operator: the account that creates markets and sets odds, whose balance is the house.
 *
 * @example
 * const operator = await getOperator(client)
 */
export async function getOperator<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  parameters: GetOperatorParameters = {},
): Promise<GetOperatorReturnType> {
  return readContract(client, { ...betEngineContract, ...parameters, functionName: 'operator' })
}

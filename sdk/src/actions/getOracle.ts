import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export type GetOracleParameters = ReadParameters
export type GetOracleReturnType = Address
export type GetOracleErrorType = ReadContractErrorType

/**
 * Reads the oracle: the account that reports market results.
 *
 * @example
 * const oracle = await getOracle(client)
 */
export async function getOracle<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  parameters: GetOracleParameters = {},
): Promise<GetOracleReturnType> {
  return readContract(client, { ...betEngineContract, ...parameters, functionName: 'oracle' })
}

import type { Address, Chain, Client, ReadContractErrorType, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { betEngineContract, type ReadParameters } from './read.ts'

export type GetBalanceParameters = ReadParameters & { address: Address }
/** Free stake balance in base units (6 decimals); stakes in open bets are not included. */
export type GetBalanceReturnType = bigint
export type GetBalanceErrorType = ReadContractErrorType

/**
 * Reads an account's stake token balance inside the bet engine (not its ETH balance).
 *
 * @example
 * const balance = await getBalance(client, { address: bettor.account.address })
 * formatUnits(balance, STAKE_DECIMALS) // '1000000'
 */
export async function getBalance<chain extends Chain | undefined>(
  client: Client<Transport, chain>,
  { address, ...block }: GetBalanceParameters,
): Promise<GetBalanceReturnType> {
  return readContract(client, { ...betEngineContract, ...block, functionName: 'balanceOf', args: [address] })
}

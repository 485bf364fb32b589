import type { BlockTag } from 'viem'
import { BET_ENGINE_ADDRESS } from '../constants.ts'
import { betEngineAbi } from '../betEngine/index.ts'

/** Which state a read sees; the latest (preconfirmed) state by default. */
export type ReadParameters = { blockNumber?: bigint; blockTag?: never } | { blockNumber?: never; blockTag?: BlockTag }

export const betEngineContract = { address: BET_ENGINE_ADDRESS, abi: betEngineAbi } as const

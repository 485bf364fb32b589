import { decodeErrorResult, type Hex } from 'viem'
import { betEngineAbi } from '../generated/contracts.ts'

export interface BetEngineRevert {
  /** The custom error's name, e.g. `MarketClosed`, or `Error` / `Panic` for Solidity's built-ins. */
  name: string
  args: readonly unknown[]
}

/** Decodes a bet engine revert (e.g. a receipt's revert data); undefined when it matches no known error. */
export function decodeBetEngineError(data: Hex): BetEngineRevert | undefined {
  try {
    const { errorName, args } = decodeErrorResult({ abi: betEngineAbi, data })
    return { name: errorName, args: args ?? [] }
  } catch {
    return undefined
  }
}

import { defineChain, type Chain } from 'viem'
import { BET_ENGINE_ADDRESS } from './constants.ts'

export interface DefineRollbookChainParameters {
  id: number
  name?: string
  /** The node's HTTP JSON-RPC URL, e.g. http://127.0.0.1:8547 */
  rpcUrl: string
  /** The node's WebSocket URL; defaults to the RPC URL with ws(s):// (the node serves both on one port). */
  wsUrl?: string
}

/** Fees are zero on Rollbook (decision 2): no estimation, no base fee multiplier. */
const zeroFees = {
  baseFeeMultiplier: 1,
  maxPriorityFeePerGas: 0n,
  estimateFeesPerGas: async ({ type }: { type: 'legacy' | 'eip1559' | 'eip2930' | 'eip4844' | 'eip7702' }) =>
    type === 'legacy' || type === 'eip2930' ? { gasPrice: 0n } : { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
} as const

/**
 * A viem Chain for a Rollbook node: zero fees, the bet engine as a known contract.
 *
 * @example
 * const chain = defineRollbookChain({ id: 42069, rpcUrl: 'http://127.0.0.1:8547' })
 * const client = createWalletClient({ chain, transport: http(), account })
 */
export function defineRollbookChain({ id, name = 'Rollbook', rpcUrl, wsUrl }: DefineRollbookChainParameters) {
  return defineChain({
    id,
    name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl], webSocket: [wsUrl ?? rpcUrl.replace(/^http/, 'ws')] } },
    contracts: { betEngine: { address: BET_ENGINE_ADDRESS } },
    fees: zeroFees as Chain['fees'],
  })
}

export const DEVNET_CHAIN_ID = 42069
export const DEVNET_RPC_URL = 'http://127.0.0.1:8547'

/** The local devnet (`npm start`, `rollbook devnet`). */
export const devnetChain = defineRollbookChain({ id: DEVNET_CHAIN_ID, name: 'Rollbook Devnet', rpcUrl: DEVNET_RPC_URL })

import { createPublicClient, createWalletClient, defineChain, http, type Account } from 'viem'
import { devAccounts } from '../chain/genesis.ts'

export const [operator, oracle, ...bettors] = devAccounts()

/** A viem chain for a test node, fees zero as the protocol wants. */
export function testChain(chainId: number, httpUrl: string) {
  return defineChain({
    id: chainId,
    name: 'rollbook-test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [httpUrl] } },
    fees: { estimateFeesPerGas: async () => ({ maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }) },
  })
}

export function clients(chainId: number, httpUrl: string, account: Account) {
  const chain = testChain(chainId, httpUrl)
  return {
    publicClient: createPublicClient({ chain, transport: http(httpUrl) }),
    walletClient: createWalletClient({ chain, transport: http(httpUrl), account }),
  }
}

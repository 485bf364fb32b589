import { Hardfork, Mainnet, createCustomCommon, type Common } from '@ethereumjs/common'
import { customCrypto } from './crypto.ts'

/** The execution rules of the L2: Ethereum's Prague hardfork with the chain's id, and native crypto. */
export const L2_HARDFORK = Hardfork.Prague

export function createL2Common(chainId: number): Common {
  return createCustomCommon(
    { chainId, name: 'rollbook' },
    Mainnet,
    { hardfork: L2_HARDFORK, customCrypto },
  )
}

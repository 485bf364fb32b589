import { createMPT } from '@ethereumjs/mpt'
import { bytesToHex, type Hex } from 'viem'
import { genesisRoot } from '../chain/chain.ts'
import { createL2Common } from '../chain/common.ts'
import type { Genesis } from '../chain/genesis.ts'
import { stepLeaf } from '../trace/stepState.ts'
import { genesisStepState } from '../trace/steps.ts'

/**
 * Leaf 0 of batch 0's trace (docs/decisions/0006): the genesis block's state root and timestamp,
 * nothing open, position zero. OutputRoots takes it at deployment and holds batch 0's first leaf
 * to it, so whoever deploys the L1 contracts computes it from the rollup's L2 genesis.
 */
export async function genesisLeaf(genesis: Genesis): Promise<Hex> {
  const common = createL2Common(genesis.chainId)
  const root = await genesisRoot(genesis, common, await createMPT({ useKeyHashing: true, common }))
  return bytesToHex(stepLeaf(genesisStepState(root, BigInt(genesis.timestamp))))
}

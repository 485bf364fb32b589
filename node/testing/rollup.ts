/**
 * A rollup on a test L1 in one call: the L1 contracts deployed for an L2 genesis (its genesis leaf,
 * the fraud verifier named) and the rollup config file the nodes read (node/rollup/config.ts).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEther, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem'
import { deployL1, type L1Addresses } from '../../scripts/l1/deploy.ts'
import { genesisToJson, type Genesis } from '../chain/genesis.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'

export interface TestRollupParameters {
  l1Client: { wallet: WalletClient<Transport, Chain, Account>; public: PublicClient<Transport, Chain> }
  sequencer: Address
  proposer: Address
  genesis: Genesis
  /** where the rollup config is written (`rollup.json` in it) */
  dir: string
  challengeWindowSeconds?: bigint
  minBond?: bigint
}

export interface TestRollup {
  addresses: L1Addresses & { fraudVerifier: Address }
  deployedAtBlock: bigint
  rollupFile: string
}

export async function deployTestRollup(p: TestRollupParameters): Promise<TestRollup> {
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: p.l1Client,
    sequencer: p.sequencer,
    proposer: p.proposer,
    challengeWindowSeconds: p.challengeWindowSeconds ?? 3_600n,
    minBond: p.minBond ?? parseEther('0.1'),
    genesisLeaf: await genesisLeaf(p.genesis),
    fraudVerifier: { chainId: p.genesis.chainId, maxTxsPerBlock: p.genesis.maxTxsPerBlock },
  })
  if (addresses.fraudVerifier === undefined) throw new Error('deployTestRollup: no fraud verifier deployed')
  const rollupFile = join(p.dir, 'rollup.json')
  const { inbox, outputRoots, bridge, messageQueue, token, fraudVerifier } = addresses
  writeFileSync(
    rollupFile,
    JSON.stringify({
      genesis: genesisToJson(p.genesis),
      l1: { chainId: p.l1Client.public.chain.id, startBlock: Number(deployedAtBlock), contracts: { inbox, outputRoots, bridge, messageQueue, stablecoin: token, fraudVerifier } },
    }),
  )
  return { addresses: { ...addresses, fraudVerifier }, deployedAtBlock, rollupFile }
}

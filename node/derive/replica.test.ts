/** The replica on a real anvil: chunks posted to the inbox are derived into the sequencer's own blocks; restarts resume; L1 reorgs rewind. */
import { bytesToHex } from '@ethereumjs/util'
import t from 'tap'
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, parseEther, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { DEV_MNEMONIC } from '../../sdk/src/constants.ts'
import { deployL1 } from '../../scripts/l1/deploy.ts'
import type { L2Chain } from '../chain/chain.ts'
import { genesisToJson } from '../chain/genesis.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'
import { parseRollupConfig, type RollupConfig } from '../rollup/config.ts'
import { openLevel } from '../storage/level.ts'
import { startAnvil } from '../testing/anvil.ts'
import { tempDatadir } from '../testing/testNode.ts'
import { readBatchChunks } from './chunkRetrieval.ts'
import { Replica } from './replica.ts'
import { batchChunks, sequenceBets, silentLogger } from './testing.ts'

const sequenced = await sequenceBets({ bettorCount: 6, betsPerBettor: 25 })
const chainId = sequenced.genesis.chainId
const half = Math.ceil(sequenced.blocks.length / 2)
const batches = [batchChunks(sequenced.blocks.slice(0, half), chainId), batchChunks(sequenced.blocks.slice(half), chainId)]
const firstBatchBlock = BigInt(half)

const anvil = await startAnvil()
t.teardown(() => anvil.stop())
const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
const transport = http(anvil.rpcUrl)
const publicClient = createPublicClient({ chain: l1Chain, transport, pollingInterval: 50 })
const testClient = createTestClient({ chain: l1Chain, transport, mode: 'anvil' })
// the sequencer's L1 account: anvil's first dev key
const sequencerAccount = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 })
const wallet = createWalletClient({ chain: l1Chain, transport, account: sequencerAccount })

async function deploy(): Promise<RollupConfig> {
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet, public: publicClient },
    sequencer: sequencerAccount.address,
    proposer: sequencerAccount.address,
    challengeWindowSeconds: 60n,
    minBond: parseEther('0.1'),
    genesisLeaf: await genesisLeaf(sequenced.genesis),
  })
  return parseRollupConfig({
    genesis: genesisToJson(sequenced.genesis),
    l1: {
      chainId: 31337,
      startBlock: Number(deployedAtBlock),
      contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token },
    },
  })
}

/** Posts `chunks` of a batch from chunk `firstChunkIndex` on; the last one closes the batch unless `open`. */
async function postBatch(config: RollupConfig, batchIndex: bigint, chunks: Uint8Array[], { firstChunkIndex = 0, open = false } = {}): Promise<void> {
  for (const [i, chunk] of chunks.entries()) {
    const chunkIndex = firstChunkIndex + i
    const isLast = !open && i === chunks.length - 1
    const hash = await wallet.writeContract({ address: config.l1.contracts.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, chunkIndex, isLast, bytesToHex(chunk) as Hex] })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`postChunk ${batchIndex}/${chunkIndex} reverted`)
  }
}

async function openReplica(config: RollupConfig, datadir: string, onChainReplaced?: (chain: L2Chain) => void) {
  const db = await openLevel(datadir)
  const replica = await Replica.init({ pollMs: 20 }, { config, db, client: publicClient, logger: silentLogger(), onChainReplaced })
  return { replica, db, close: async () => (await replica.stop(), await db.close()) }
}

const head = (replica: Replica) => ({ hash: bytesToHex(replica.chain.head.hash()), stateRoot: bytesToHex(replica.chain.head.header.stateRoot), number: replica.chain.head.header.number })

t.test('replica_postedChunks_reachesSequencerHeadAndStateRoot', async (t) => {
  const config = await deploy()
  await postBatch(config, 0n, batches[0])
  await postBatch(config, 1n, batches[1])
  const datadir = tempDatadir('rollbook-replica-')
  const { replica, close } = await openReplica(config, datadir)
  const started = performance.now()
  await replica.syncToL1Head()
  const seconds = (performance.now() - started) / 1000
  t.comment(`derived ${sequenced.bets} bets in ${seconds.toFixed(2)} s from ${batches[0].length + batches[1].length} chunks on L1: ${Math.round(sequenced.bets / seconds)} bets/s (L1 RPC included)`)
  t.same(head(replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber })
  t.equal(replica.halted, undefined)
  t.equal(replica.stats.skipped, 0)
  await close()

  // a restart resumes from the checkpoint: nothing derived twice, nothing lost
  const again = await openReplica(config, datadir)
  t.same(head(again.replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber }, 'head after restart')
  t.equal(again.replica.l1Origin.number, await publicClient.getBlockNumber({ cacheTime: 0 }), 'resumes after the last L1 block read')
  await again.replica.syncToL1Head()
  t.equal(again.replica.stats.chunks, 0, 'no chunk read again')
  await again.close()
})

t.test('replica_loop_followsL1AsChunksArrive', async (t) => {
  const config = await deploy()
  const { replica, close } = await openReplica(config, tempDatadir('rollbook-replica-'))
  t.teardown(close)
  replica.start()
  await postBatch(config, 0n, batches[0])
  await until(() => replica.chain.head.header.number === firstBatchBlock)
  await postBatch(config, 1n, batches[1])
  await until(() => replica.chain.head.header.number === sequenced.headNumber)
  t.same(head(replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber })
})

t.test('replica_l1ReorgDropsABatch_rewindsL2AndFollowsTheRepost', async (t) => {
  const config = await deploy()
  const replaced: L2Chain[] = []
  const { replica, close } = await openReplica(config, tempDatadir('rollbook-replica-'), (chain) => replaced.push(chain))
  t.teardown(close)
  await postBatch(config, 0n, batches[0])
  const snapshot = await testClient.snapshot()
  await postBatch(config, 1n, batches[1])
  await replica.syncToL1Head()
  t.equal(replica.chain.head.header.number, sequenced.headNumber)

  // L1 drops the second batch and goes on without it
  await testClient.revert({ id: snapshot })
  await testClient.mine({ blocks: 1 })
  await replica.syncToL1Head()
  t.equal(replica.chain.head.header.number, firstBatchBlock, 'rewound to the last L2 block whose chunks are still on L1')
  t.equal(await replica.chain.store.getBlockByNumber(firstBatchBlock + 1n), undefined, 'the dropped blocks are no longer canonical')
  t.equal(replica.halted, undefined)
  t.equal(replaced.length, 1, 'the new chain is handed on once')
  t.equal(replaced[0], replica.chain)

  // the batcher posts it again; the replica derives the same blocks
  await postBatch(config, 1n, batches[1])
  await replica.syncToL1Head()
  t.same(head(replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber })
})

t.test('replica_garbageChunksOnL1_skippedAndDerivationGoesOn', async (t) => {
  const config = await deploy()
  const { replica, close } = await openReplica(config, tempDatadir('rollbook-replica-'))
  t.teardown(close)
  await postBatch(config, 0n, [Uint8Array.from([1, 4, 0xff, 0xff]), Uint8Array.from([9, 9, 9]), Uint8Array.from([1, 3, 0])])
  await postBatch(config, 1n, batches[0])
  await postBatch(config, 2n, batches[1])
  await replica.syncToL1Head()
  t.same(head(replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber })
  t.equal(replica.halted, undefined)
})

t.test('readBatchChunks_closedBatch_bytesAndCommittedFields', async (t) => {
  const config = await deploy()
  const inbox = config.l1.contracts.inbox
  const fromBlock = BigInt(config.l1.startBlock)
  await postBatch(config, 0n, batches[0])
  await postBatch(config, 1n, batches[1].slice(0, 1), { open: true })
  for (const [batchIndex, expected] of [[0n, batches[0]]] as const) {
    const chunks = await readBatchChunks(publicClient, inbox, batchIndex, { fromBlock })
    t.same(
      chunks.map((c) => bytesToHex(c.data)),
      expected.map((c) => bytesToHex(c)),
      `batch ${batchIndex}: every chunk's bytes, in order`,
    )
    t.same(
      chunks.map((c) => [c.n, c.batchIndex, c.chunkIndex, c.isLast]),
      expected.map((_, i) => [BigInt(i), batchIndex, i, i === expected.length - 1]),
      'numbers, places, and isLast on the last',
    )
    for (const c of chunks) {
      const block = await publicClient.getBlock({ blockNumber: c.l1Block })
      t.equal(c.l1Timestamp, block.timestamp)
      t.equal(c.commitment, await publicClient.readContract({ address: inbox, abi: rollbookInboxAbi, functionName: 'chunkCommitment', args: [c.n] }), `chunk ${c.n} commitment as stored`)
    }
  }
  await t.rejects(readBatchChunks(publicClient, inbox, 1n, { fromBlock }), /BatchNotClosed/, 'an open batch has no chunk list yet')
})

t.test('replica_restartInsideAnL2Block_rewindsToTheCheckpointAndDerivesAgain', async (t) => {
  const config = await deploy()
  const datadir = tempDatadir('rollbook-replica-')
  const first = await openReplica(config, datadir)
  // every chunk but the last: the L1 blocks read so far end inside an L2 block
  await postBatch(config, 0n, batches[0].slice(0, -1), { open: true })
  await first.replica.syncToL1Head()
  const partial = first.replica.chain.head.header.number
  t.ok(partial > 0n, `${partial} blocks sealed before the cut`)
  await first.close()

  const second = await openReplica(config, datadir)
  t.teardown(second.close)
  // the last checkpoint sits where an L1 block ended on an L2 block boundary: before the cut, or at
  // it when the cut happened to fall between two blocks (block sizes follow the sequencer's timing)
  t.ok(second.replica.chain.head.header.number <= partial, 'back to the last checkpoint at an L2 block boundary')
  await testClient.mine({ blocks: 1 })
  await postBatch(config, 0n, batches[0].slice(-1), { firstChunkIndex: batches[0].length - 1 })
  await postBatch(config, 1n, batches[1])
  await second.replica.syncToL1Head()
  t.same(head(second.replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber })
})

t.test('replica_l1Confirmations_derivesOnlyBuriedBlocks', async (t) => {
  const config = await deploy()
  const db = await openLevel(tempDatadir('rollbook-replica-'))
  const replica = await Replica.init({ l1Confirmations: 3 }, { config, db, client: publicClient, logger: silentLogger() })
  t.teardown(async () => (await replica.stop(), await db.close()))
  await postBatch(config, 0n, batches[0])
  await postBatch(config, 1n, batches[1])
  await replica.syncToL1Head()
  const latest = await publicClient.getBlockNumber({ cacheTime: 0 })
  t.equal(replica.l1Origin.number, latest - 3n)
  await testClient.mine({ blocks: 3 })
  await replica.syncToL1Head()
  t.same(head(replica), { hash: sequenced.headHash, stateRoot: sequenced.stateRoot, number: sequenced.headNumber })
})

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

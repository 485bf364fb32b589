/**
 * The trace wired into the node (rollbookNode.ts): a sequencer with --batcher-key and --proposer-key
 * on a real anvil with the real L1 contracts starts the commitment worker by default; every output
 * the proposer posts carries a non-zero trace root, the worker's root for that batch, whose last
 * leaf holds the output's L2 state root; the leaves the proposal carries as calldata (decision 0006)
 * are the worker's. A proposer without the trace is refused at start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { pino } from 'pino'
import { bytesToHex, createPublicClient, createWalletClient, defineChain, hexToBytes, http, parseEther, zeroHash, type PublicClient } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_MNEMONIC } from '../../sdk/src/constants.ts'
import { outputRootsAbi } from '../../sdk/src/generated/contracts.ts'
import { deployL1 } from '../../scripts/l1/deploy.ts'
import { PostedBatchStore } from '../../sequencer/batcher/progress.ts'
import { calldata, TestSigner } from '../chain/fastpath/testing.ts'
import { DEV_CHAIN_ID, devGenesis, genesisToJson, parseGenesis } from '../chain/genesis.ts'
import { RollbookNode } from '../rollbookNode.ts'
import { startAnvil } from '../testing/anvil.ts'
import { merkleRoot, verifyMerkleProof } from './merkle.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'
import { OptionsError } from '../options.ts'
import { readBatchChunks } from '../derive/chunkRetrieval.ts'
import { readProposal } from '../../prover-fraud/l1Data.ts'
import { accounts } from './testing.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-trace-proposer-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const key = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i })
const [deployer, batcher, proposer] = [key(0), key(8), key(9)]
const hexKey = (a: ReturnType<typeof key>) => bytesToHex(a.getHdKey().privateKey!)

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const anvil = await startAnvil()
t.teardown(() => anvil.stop())
const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
const l1 = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })

async function sequencerWithProposer(name: string, trace: boolean) {
  const genesis = parseGenesis(devGenesis(Math.floor(Date.now() / 1000)))
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account: deployer }), public: l1 },
    sequencer: batcher.address,
    proposer: proposer.address,
    challengeWindowSeconds: 60n,
    minBond: parseEther('0.1'),
    genesisLeaf: await genesisLeaf(genesis),
  })
  const rollupFile = join(dir, `${name}.json`)
  writeFileSync(
    rollupFile,
    JSON.stringify({
      genesis: genesisToJson(genesis),
      l1: { chainId: 31337, startBlock: Number(deployedAtBlock), contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token } },
    }),
  )
  const options = { datadir: join(dir, name), port: 0, blockTimeMs: 50, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: hexKey(batcher), proposerKey: hexKey(proposer), l1PollMs: 100, batchIntervalMs: 300, maxChunkBytes: 1_500 }
  if (!trace) return { refused: await RollbookNode.init({ ...options, trace: false }, logger).then(async (node) => node.close(), (e: unknown) => e) }
  const node = await RollbookNode.init(options, logger)
  const signer = new TestSigner(DEV_CHAIN_ID)
  const [operator, , ...bettors] = accounts
  await node.sequencer!.submitRawTx(signer.sign(operator, 0n, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 10n ** 9n, 10n ** 12n)))
  const nonces = new Map<string, bigint>()
  for (let i = 0; i < 150; i++) {
    const bettor = bettors[i % bettors.length]
    const nonce = nonces.get(bettor.address) ?? 0n
    nonces.set(bettor.address, nonce + 1n)
    await node.sequencer!.submitRawTx(signer.sign(bettor, nonce, calldata.placeBet(1n, i % 2, 1_000_000n + BigInt(i), 1)))
    if (i % 25 === 24) await new Promise((resolve) => setTimeout(resolve, 150))
  }
  const outputCount = () => l1.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
  const head = node.chain.head.header.number
  await new Promise((resolve) => setTimeout(resolve, 200))
  await until('every block posted and proposed', async () => {
    const count = await outputCount()
    if (count === 0n) return false
    const last = await l1.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [count - 1n] })
    return last.l2BlockNumber >= head
  })
  const events = await l1.getContractEvents({ address: addresses.outputRoots, abi: outputRootsAbi, eventName: 'OutputProposed', fromBlock: 0n })
  return { node, addresses, deployedAtBlock, outputs: events.map((e) => ({ batchIndex: e.args.batchIndex!, traceRoot: e.args.traceRoot!, l2BlockNumber: e.args.l2BlockNumber! })) }
}

t.test('proposer_postsTheWorkersTraceRoot_forEveryBatch', async (t) => {
  const { node, outputs, addresses, deployedAtBlock } = (await sequencerWithProposer('traced', true)) as Exclude<Awaited<ReturnType<typeof sequencerWithProposer>>, { refused: unknown }>
  t.teardown(() => node.close())
  t.ok(node.trace, 'the commitment worker runs with the proposer by default')
  t.ok(outputs.length >= 3, `${outputs.length} outputs`)
  const batches = new PostedBatchStore(node.chain.store)
  for (const output of outputs) {
    t.not(output.traceRoot, zeroHash, `batch ${output.batchIndex}: a trace root`)
    const batch = (await batches.get(output.batchIndex))!
    const chunks = await readBatchChunks(l1 as PublicClient, addresses.inbox, output.batchIndex, { fromBlock: deployedAtBlock })
    const traced = await node.trace!.traceBatch(batch, chunks.map((c) => c.data))
    t.equal(traced.traceRoot, output.traceRoot, `batch ${output.batchIndex}: the worker's root`)
    const posted = await readProposal(l1 as PublicClient, addresses.outputRoots, output.batchIndex, output.traceRoot, (leaves) => bytesToHex(merkleRoot(leaves.map((l) => hexToBytes(l)))), deployedAtBlock)
    t.same(posted.leaves, traced.leaves, `batch ${output.batchIndex}: the proposal's calldata carries the worker's leaves`)
    t.equal(posted.lastLeaf, traced.lastLeaf)
    // the last leaf holds the state root of the output's L2 block, and proves against the posted root
    const last = (await node.trace!.proveStep(output.batchIndex, 0)).leafCount - 1
    const proof = await node.trace!.proveStep(output.batchIndex, last)
    const block = (await node.chain.store.getBlockByNumber(output.l2BlockNumber))!
    t.equal(bytesToHex(proof.state.stateRoot), bytesToHex(block.header.stateRoot), `batch ${output.batchIndex}: the last leaf's state root is the output block's`)
    t.ok(verifyMerkleProof(proof.leaf, last, proof.siblings, Uint8Array.from(Buffer.from(output.traceRoot.slice(2), 'hex'))), `batch ${output.batchIndex}: the last leaf proves against the posted trace root`)
  }
  t.equal(node.proposer!.state, 'running')
})

t.test('noTrace_withAProposer_isRefusedAtStart', async (t) => {
  const { refused } = (await sequencerWithProposer('untraced', false)) as { refused: unknown }
  t.ok(refused instanceof OptionsError, `refused: ${(refused as Error)?.message}`)
})

/**
 * Challenger mode on a real anvil: a sequencer posts batches; outputs are proposed by the test as
 * the proposer, one honest and one with a wrong root; a node in --mode challenger derives the chain
 * from L1 and judges each output against it: the honest one agrees, the wrong one is flagged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import t from 'tap'
import { createPublicClient, createWalletClient, defineChain, http, keccak256, parseEther, toHex, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { pino } from 'pino'
import { DEV_MNEMONIC } from '../sdk/src/constants.ts'
import { outputRootsAbi } from '../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../sdk/src/l1/encoding.ts'
import { deployL1 } from '../scripts/l1/deploy.ts'
import { calldata, TestSigner, type TestAccount } from '../node/chain/fastpath/testing.ts'
import { devAccounts, devGenesis, genesisToJson, parseGenesis, DEV_CHAIN_ID } from '../node/chain/genesis.ts'
import { RollbookNode } from '../node/rollbookNode.ts'
import { OptionsError } from '../node/options.ts'
import { startAnvil } from '../node/testing/anvil.ts'

const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-challenger-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('challenger_checksEveryOutput_flagsTheWrongOne', async (t) => {
  const anvil = await startAnvil()
  t.teardown(() => anvil.stop())
  const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const [deployer, proposer] = [mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 }), mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 9 })]
  const l1Client = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })
  const proposerWallet = createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account: proposer })
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account: deployer }), public: l1Client },
    sequencer: deployer.address,
    proposer: proposer.address,
    challengeWindowSeconds: 3600n,
    minBond: parseEther('0.1'),
  })
  const rollupFile = join(dir, 'rollup.json')
  writeFileSync(
    rollupFile,
    JSON.stringify({
      genesis: genesisToJson(parseGenesis(devGenesis(Math.floor(Date.now() / 1000)))),
      l1: { chainId: 31337, startBlock: Number(deployedAtBlock), contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token } },
    }),
  )
  const sequencer = await RollbookNode.init(
    { datadir: join(dir, 'sequencer'), port: 0, blockTimeMs: 50, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: bytesToHex(deployer.getHdKey().privateKey!) as Hex, l1PollMs: 100, batchIntervalMs: 100 },
    logger(),
  )
  t.teardown(() => sequencer.close())

  const signer = new TestSigner(DEV_CHAIN_ID)
  const [operator, , ...bettors]: TestAccount[] = devAccounts().map((a) => ({ address: a.address, privateKey: a.getHdKey().privateKey! }))
  await sequencer.sequencer!.submitRawTx(signer.sign(operator, 0n, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 1_000_000_000_000n)))
  await until('a first batch on L1', () => (sequencer.batcher?.posted?.lastPostedBlock ?? 0n) >= 1n)
  let last: Uint8Array = new Uint8Array()
  for (let i = 0; i < 20; i++) last = (await sequencer.sequencer!.submitRawTx(signer.sign(bettors[i % 4], BigInt(Math.floor(i / 4)), calldata.placeBet(1n, i % 2, 1_000_000n, 1)))).hash
  const sealedIn = async () => {
    const response = await fetch(sequencer.urls.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [bytesToHex(last)] }) })
    const receipt = ((await response.json()) as { result: { blockNumber: string; preconfirmed?: boolean } | null }).result
    return receipt === null || receipt.preconfirmed === true ? undefined : BigInt(receipt.blockNumber)
  }
  await until('the last bet sealed', async () => (await sealedIn()) !== undefined)
  const lastBlock = (await sealedIn())!
  await until('every block posted', () => (sequencer.batcher?.posted?.lastPostedBlock ?? 0n) >= lastBlock)

  // the proposer's outputs: block 1 honestly, the last block with a wrong state root
  const rootOf = async (n: bigint) => {
    const block = (await sequencer.chain.store.getBlockByNumber(n))!
    return computeOutputRoot(bytesToHex(block.header.stateRoot) as Hex, bytesToHex(block.hash()) as Hex)
  }
  const propose = async (index: bigint, root: Hex, l2Block: bigint) =>
    l1Client.waitForTransactionReceipt({
      hash: await proposerWallet.writeContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'proposeOutput', args: [index, root, keccak256(toHex('trace')), l2Block], value: parseEther('0.1') }),
    })
  await propose(0n, await rootOf(1n), 1n)
  const wrong = computeOutputRoot(keccak256(toHex('not the state root')), bytesToHex((await sequencer.chain.store.getBlockByNumber(lastBlock))!.hash()) as Hex)
  await propose(1n, wrong, lastBlock)

  const challenger = await RollbookNode.init(
    { mode: 'challenger', datadir: join(dir, 'challenger'), port: 0, rollup: rollupFile, l1Rpc: anvil.rpcUrl, l1PollMs: 100, challengerKey: bytesToHex(mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 7 }).getHdKey().privateKey!) as Hex },
    logger(),
  )
  t.teardown(() => challenger.close())
  await until('both outputs judged', () => (challenger.challenger?.verdicts.length ?? 0) === 2)
  const [first, second] = challenger.challenger!.verdicts
  t.match(first, { index: 0n, l2BlockNumber: 1n, ok: true }, 'the honest output agrees')
  t.match(second, { index: 1n, l2BlockNumber: lastBlock, ok: false, posted: wrong }, 'the wrong output is flagged')
  t.equal(second.derived, await rootOf(lastBlock), 'with the root the chain derived from L1 has')
  t.equal(challenger.sequencer, undefined, 'a challenger does not sequence')
})

t.test('challenger_options_needL1AndRollup_keyOnlyInChallengerMode', async (t) => {
  await t.rejects(RollbookNode.init({ mode: 'challenger', datadir: join(dir, 'c2') }, logger()), OptionsError)
  await t.rejects(
    RollbookNode.init({ datadir: join(dir, 'c3'), dev: true, challengerKey: `0x${'11'.repeat(32)}` }, logger()),
    { name: 'OptionsError', message: /--challenger-key/ },
  )
})

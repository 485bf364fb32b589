/**
 * Issue 4 end to end on anvil (one-second blocks): a sequencer whose proposer lies (the test-only
 * hook of the commitment worker: a wrong state root from one step of a batch on, so the output root
 * is wrong too), and a challenger process (`rollbook node --mode challenger --challenger-key`)
 * watching it. One lie for each kind of record (a bet, a rejected tx, a deposit, a block start, a
 * settlement) and one at a random step:
 * - the challenger proves exactly the lied step, within two L1 blocks of the bad proposal;
 * - the bad output and every later one are deleted, half the slashed bond pays the challenger;
 * - the proposer posts the batch again, honestly, and in the end every output on L1 is the
 *   sequencer's chain's;
 * - a withdrawal cannot finalize against a bad output; after the honest re-post and the window it does.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, toFunctionSelector, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { pino } from 'pino'
import { bytesToHex } from '@ethereumjs/util'
import { DEV_MNEMONIC } from '../../sdk/src/constants.ts'
import { fraudVerifierAbi, outputRootsAbi, rollbookBridgeAbi, testStablecoinAbi } from '../../sdk/src/generated/contracts.ts'
import {
  createMarket,
  defineRollbookChain,
  deposit,
  findEvent,
  finalizeWithdrawal,
  getBalance,
  getReceipt,
  getWithdrawalStatus,
  initiateWithdrawal,
  placeBet,
  reportResult,
  setOdds,
  settleBet,
} from '../../sdk/src/index.ts'
import { computeOutputRoot } from '../../sdk/src/l1/encoding.ts'
import { DEV_CHAIN_ID, parseGenesis } from '../chain/genesis.ts'
import { deployTestRollup } from '../testing/rollup.ts'
import { RollbookNode } from '../rollbookNode.ts'
import { startAnvil } from '../testing/anvil.ts'
import { startNodeProcess } from '../testing/testNode.ts'
import type { DishonestLie } from '../trace/options.ts'

const USDC = 1_000_000n
const CHALLENGE_WINDOW = 600n
const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-fraud-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const key = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i })
const [operator, oracle, challenger, batcher, proposer] = [key(0), key(1), key(7), key(8), key(9)]
const bettors = [key(3), key(4), key(5), key(6)]
const hexKey = (a: ReturnType<typeof key>) => `0x${Buffer.from(a.getHdKey().privateKey!).toString('hex')}` as Hex
const seed = Number(process.env.FRAUD_TEST_SEED ?? Date.now() % 1000)

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('dishonestProposer_eachKindOfWrongStep_isProvenWithinTwoL1Blocks_andHonestRootsReturn', async (t) => {
  t.comment(`seed ${seed} (FRAUD_TEST_SEED to replay)`)
  const anvil = await startAnvil({ blockTime: 1 })
  t.teardown(() => anvil.stop())
  const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const l1Client = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 100 })
  const l1Wallet = (account: ReturnType<typeof key>) => createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account })
  const testClient = createTestClient({ chain: l1Chain, transport: http(anvil.rpcUrl), mode: 'anvil' })

  const balances = Object.fromEntries(bettors.map((b) => [b.address, (1_000n * USDC).toString()]))
  const genesis = parseGenesis({ chainId: DEV_CHAIN_ID, timestamp: Math.floor(Date.now() / 1000), betEngine: { operator: operator.address, oracle: oracle.address, balances: { ...balances, [operator.address]: (100_000n * USDC).toString() } } })
  const { addresses, rollupFile } = await deployTestRollup({
    l1Client: { wallet: l1Wallet(operator), public: l1Client },
    sequencer: batcher.address,
    proposer: proposer.address,
    genesis,
    dir,
    challengeWindowSeconds: CHALLENGE_WINDOW,
  })
  t.ok(addresses.fraudVerifier, 'the fraud verifier is deployed and named in OutputRoots')

  const selector = (signature: string) => toFunctionSelector(signature)
  const lies: DishonestLie[] = [
    { kind: 'tx', selector: selector('placeBet(uint256,uint8,uint96,uint32)') },
    { kind: 'tx', selector: selector('setOdds(uint256,uint32[])') }, // only ever sent by a bettor here: it reverts
    { kind: 'message' },
    { kind: 'blockStart', nth: 1 },
    { kind: 'tx', selector: selector('settleBet(uint256)') },
    { kind: 'any', nth: seed },
  ]
  const labels = ['a bet', 'a rejected tx', 'a deposit', 'a block start', 'a settlement', 'a random step']
  const node = await RollbookNode.init(
    { datadir: join(dir, 'sequencer'), port: 0, blockTimeMs: 100, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: hexKey(batcher), proposerKey: hexKey(proposer), l1PollMs: 200, batchIntervalMs: 1_500 },
    logger(),
    { dishonestTrace: lies },
  )
  t.teardown(() => node.close())
  const challengerBalanceBefore = await l1Client.getBalance({ address: challenger.address })
  const challengerNode = await startNodeProcess(join(dir, 'challenger'), ['--mode', 'challenger', '--rollup', rollupFile, '--l1-rpc', anvil.rpcUrl, '--challenger-key', hexKey(challenger), '--l1-poll', '200'])
  t.teardown(() => challengerNode.stop())
  if (process.env.ROLLBOOK_TEST_LOG !== undefined) challengerNode.child.stdout!.on('data', (d: Buffer) => process.stderr.write(d.toString().replace(/^/gm, 'challenger: ')))

  const l2Chain = defineRollbookChain({ id: DEV_CHAIN_ID, rpcUrl: node.urls.httpUrl })
  const l2Client = createPublicClient({ chain: l2Chain, transport: http(node.urls.httpUrl), pollingInterval: 50 })
  const l2Wallet = (account: ReturnType<typeof key>) => createWalletClient({ chain: l2Chain, transport: http(node.urls.httpUrl), account })
  const sent = async (hash: Promise<Hex>) => getReceipt(l2Client, { hash: await hash })

  // the workload: in the order the lies wait for their kinds
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 20)
  const market = findEvent((await sent(createMarket(l2Wallet(operator), { odds: [19_000, 21_000], closeTime, maxStake: 100n * USDC, maxLiability: 100_000n * USDC }))).events, 'MarketCreated')!.args.marketId
  const later = findEvent((await sent(createMarket(l2Wallet(operator), { odds: [15_000, 30_000], closeTime: closeTime + 3_600n, maxStake: 100n * USDC, maxLiability: 100_000n * USDC }))).events, 'MarketCreated')!.args.marketId
  const betIds: bigint[] = []
  const bet = async (i: number, marketId: bigint) => {
    const receipt = await sent(placeBet(l2Wallet(bettors[i % bettors.length]), { marketId, outcome: i % 2, stake: BigInt(1 + i) * USDC, minOdds: 0 }))
    const placed = findEvent(receipt.events, 'BetPlaced')
    if (placed !== undefined && marketId === market) betIds.push(placed.args.betId)
  }
  for (let i = 0; i < 12; i++) await bet(i, market)
  const rejected = await sent(setOdds(l2Wallet(bettors[0]), { marketId: market, odds: [10_000, 10_000] }))
  t.equal(rejected.status, 'reverted', 'a bettor setting odds is a rejected tx')
  // a withdrawal, to finalize at the end against an honest output only
  const withdrawn = 5n * USDC
  const initiated = await initiateWithdrawal(l2Wallet(bettors[1]), { to: bettors[1].address, amount: withdrawn })
  // a deposit through the bridge: a queue-message record
  await l1Client.waitForTransactionReceipt({ hash: await l1Wallet(operator).writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'mint', args: [bettors[2].address, 50n * USDC] }) })
  await deposit(l1Wallet(bettors[2]), { bridge: addresses.bridge, token: addresses.token, to: bettors[2].address, amount: 50n * USDC })
  await until('the deposit on L2', async () => (await getBalance(l2Client, { address: bettors[2].address })) > 1_000n * USDC - 100n * USDC)
  for (let i = 12; i < 20; i++) await bet(i, later)
  await until('the market to close', async () => BigInt(Math.floor(Date.now() / 1000)) > closeTime + 1n)
  await sent(reportResult(l2Wallet(oracle), { marketId: market, result: 0 }))
  for (const betId of betIds) await sent(settleBet(l2Wallet(operator), { betId }))
  for (let i = 20; i < 30; i++) await bet(i, later)

  // every lie told and proven
  const worker = node.trace!
  await until('every lie told', async () => worker.toldLies.length === lies.length, 180_000).catch((e: Error) => {
    throw new Error(`${e.message}: told ${JSON.stringify(worker.toldLies, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`)
  })
  const verifier = addresses.fraudVerifier!
  const proven = await until(
    'every lie proven',
    async () => {
      const events = await l1Client.getContractEvents({ address: verifier, abi: fraudVerifierAbi, eventName: 'FraudProven', fromBlock: 0n })
      return events.length >= lies.length ? events : undefined
    },
    120_000,
  )
  t.equal(proven.length, lies.length, 'one proof per lie, no more')
  const proposals = await l1Client.getContractEvents({ address: addresses.outputRoots, abi: outputRootsAbi, eventName: 'OutputProposed', fromBlock: 0n })
  const blocksToProof: bigint[] = []
  let rewards = 0n
  let gasPaid = 0n
  for (const [i, lie] of worker.toldLies.entries()) {
    const proof = proven[i]
    t.equal(proof.args.outputIndex, lie.batchIndex, `lie ${i} (${lie.kind} at batch ${lie.batchIndex} step ${lie.step}): the proof names its output`)
    t.equal(Number(proof.args.step), lie.step, `lie ${i}: the challenger proved exactly the lied step`)
    t.equal(proof.args.challenger, challenger.address, `lie ${i}: sent by the challenger`)
    t.ok(proof.args.reward! > 0n && proof.args.reward! * 2n <= proof.args.slashed!, `lie ${i}: half the slashed bonds pay the challenger (${proof.args.reward} of ${proof.args.slashed})`)
    const bad = proposals.filter((p) => p.args.batchIndex === lie.batchIndex && p.blockNumber <= proof.blockNumber).at(-1)!
    blocksToProof.push(proof.blockNumber - bad.blockNumber)
    t.ok(proof.blockNumber - bad.blockNumber <= 2n, `lie ${i}: proven ${proof.blockNumber - bad.blockNumber} L1 block(s) after the bad output`)
    // a withdrawal cannot finalize against the bad output: it was never final, and is gone now
    const refused = await l1Wallet(bettors[1])
      .writeContract({
        address: addresses.bridge,
        abi: rollbookBridgeAbi,
        functionName: 'finalizeWithdrawal',
        args: [initiated.withdrawal, { outputIndex: lie.batchIndex, stateRoot: bad.args.stateRoot!, blockHash: bad.args.blockHash!, accountProof: [], storageProof: [] }],
        gas: 1_000_000n,
      })
      .then(async (hash) => (await l1Client.waitForTransactionReceipt({ hash })).status)
      .catch(() => 'refused')
    t.not(refused, 'success', `lie ${i}: no withdrawal finalizes against the bad output`)
    const receipt = await l1Client.getTransactionReceipt({ hash: proof.transactionHash })
    rewards += proof.args.reward!
    gasPaid += receipt.gasUsed * receipt.effectiveGasPrice
    t.comment(`lie ${i}: ${labels[i]} (${lie.kind} step), proof gas ${receipt.gasUsed}`)
  }
  t.comment(`L1 blocks from bad output to proof: ${blocksToProof.join(', ')}`)
  const deleted = await l1Client.getContractEvents({ address: addresses.outputRoots, abi: outputRootsAbi, eventName: 'OutputsDeleted', fromBlock: 0n })
  t.equal(deleted.length, lies.length, 'each proof deleted the bad output and every later one')
  t.equal(await l1Client.getBalance({ address: challenger.address }), challengerBalanceBefore + rewards - gasPaid, "the challenger's L1 balance: its rewards less its gas")

  // honest outputs return: the sequencer's chain, up to its head
  const head = node.chain.head.header.number
  await until('honest outputs up to the head', async () => {
    const count = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
    if (count === 0n) return false
    const last = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [count - 1n] })
    return last.l2BlockNumber >= head
  })
  const count = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
  for (let i = 0n; i < count; i++) {
    const output = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [i] })
    const block = (await node.chain.store.getBlockByNumber(output.l2BlockNumber))!
    if (output.outputRoot !== computeOutputRoot(bytesToHex(block.header.stateRoot) as Hex, bytesToHex(block.hash()) as Hex)) t.fail(`output ${i} is not the sequencer chain's`)
  }
  t.pass(`all ${count} outputs now on L1 are the sequencer chain's`)

  // the honest withdrawal finalizes after the window
  const params = { l1Client, l2Client, outputRoots: addresses.outputRoots, bridge: addresses.bridge, withdrawal: initiated.withdrawal, l2BlockNumber: initiated.l2BlockNumber }
  await until('an output covering the withdrawal', async () => (await getWithdrawalStatus(params)).status === 'waiting-for-finality')
  await testClient.increaseTime({ seconds: Number(CHALLENGE_WINDOW) })
  await testClient.mine({ blocks: 1 })
  const before = await l1Client.readContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'balanceOf', args: [bettors[1].address] })
  t.equal((await finalizeWithdrawal(l1Wallet(bettors[1]), params)).status, 'success', 'the withdrawal finalizes against the honest output')
  t.equal(await l1Client.readContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'balanceOf', args: [bettors[1].address] }), before + withdrawn)
})

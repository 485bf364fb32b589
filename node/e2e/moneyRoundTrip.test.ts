/**
 * Issue 3's money round trip, end to end on a real anvil with the real node: a bettor deposits on
 * L1 through the SDK, the sequencer credits it on L2, the bettor bets, the oracle reports, the bet
 * is settled, the bettor withdraws on L2; the node's batcher posts the blocks and its proposer the
 * output root; after the challenge window the SDK proves and finalizes on L1, and the bettor's L1
 * balance ends exactly where the bets put it. A replica derives the same chain from L1 alone.
 * The genesis credits nobody: every L2 balance is backed by a deposit in the bridge.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, parseEther, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { pino } from 'pino'
import { DEV_MNEMONIC } from '../../sdk/src/constants.ts'
import { testStablecoinAbi } from '../../sdk/src/generated/contracts.ts'
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
  settleBet,
  WithdrawalAlreadyFinalizedError,
} from '../../sdk/src/index.ts'
import { deployL1 } from '../../scripts/l1/deploy.ts'
import { DEV_CHAIN_ID, genesisToJson, parseGenesis } from '../chain/genesis.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'
import { RollbookNode } from '../rollbookNode.ts'
import { startAnvil } from '../testing/anvil.ts'

const USDC = 1_000_000n
const CHALLENGE_WINDOW = 30n
const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-money-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const key = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i })
const [operator, oracle, bettor, batcher, proposer] = [key(0), key(1), key(3), key(8), key(9)]
const hexKey = (a: ReturnType<typeof key>) => `0x${Buffer.from(a.getHdKey().privateKey!).toString('hex')}` as Hex

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('depositBetSettleWithdrawProveFinalize_l1BalanceEndsWhereTheBetsPutIt', async (t) => {
  const anvil = await startAnvil()
  t.teardown(() => anvil.stop())
  const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const l1Client = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })
  const l1Wallet = (account: ReturnType<typeof key>) => createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account })
  const testClient = createTestClient({ chain: l1Chain, transport: http(anvil.rpcUrl), mode: 'anvil' })

  const genesis = parseGenesis({ chainId: DEV_CHAIN_ID, timestamp: Math.floor(Date.now() / 1000), betEngine: { operator: operator.address, oracle: oracle.address, balances: {} } })
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: l1Wallet(operator), public: l1Client },
    sequencer: batcher.address,
    proposer: proposer.address,
    challengeWindowSeconds: CHALLENGE_WINDOW,
    minBond: parseEther('0.1'),
    genesisLeaf: await genesisLeaf(genesis),
  })
  const rollupFile = join(dir, 'rollup.json')
  writeFileSync(
    rollupFile,
    JSON.stringify({
      genesis: genesisToJson(genesis),
      l1: { chainId: 31337, startBlock: Number(deployedAtBlock), contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token } },
    }),
  )
  const node = await RollbookNode.init(
    { datadir: join(dir, 'sequencer'), port: 0, blockTimeMs: 50, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: hexKey(batcher), proposerKey: hexKey(proposer), l1PollMs: 100, batchIntervalMs: 200 },
    logger(),
  )
  t.teardown(() => node.close())
  const l2Chain = defineRollbookChain({ id: DEV_CHAIN_ID, rpcUrl: node.urls.httpUrl })
  const l2Client = createPublicClient({ chain: l2Chain, transport: http(node.urls.httpUrl), pollingInterval: 50 })
  const l2Wallet = (account: ReturnType<typeof key>) => createWalletClient({ chain: l2Chain, transport: http(node.urls.httpUrl), account })

  // money in: the house and the bettor deposit on L1
  const mint = async (to: typeof operator.address, amount: bigint) =>
    l1Client.waitForTransactionReceipt({ hash: await l1Wallet(operator).writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'mint', args: [to, amount] }) })
  const l1Balance = (owner: typeof operator.address) => l1Client.readContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'balanceOf', args: [owner] })
  await mint(operator.address, 10_000n * USDC)
  await mint(bettor.address, 250n * USDC)
  const bettorStart = await l1Balance(bettor.address)
  await deposit(l1Wallet(operator), { bridge: addresses.bridge, token: addresses.token, to: operator.address, amount: 10_000n * USDC })
  const deposited = 200n * USDC
  await deposit(l1Wallet(bettor), { bridge: addresses.bridge, token: addresses.token, to: bettor.address, amount: deposited })
  await until('both deposits on L2', async () => (await getBalance(l2Client, { address: bettor.address })) === deposited && (await getBalance(l2Client, { address: operator.address })) === 10_000n * USDC)
  t.equal(await l1Balance(addresses.bridge), 10_200n * USDC, 'the bridge holds every deposit')

  // a bet: 50 at 2.35 on outcome 0, which wins; a second bet of 20 on outcome 1, which loses
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3)
  const created = await getReceipt(l2Client, { hash: await createMarket(l2Wallet(operator), { odds: [23_500, 16_000], closeTime, maxStake: 100n * USDC, maxLiability: 1_000n * USDC }) })
  const marketId = findEvent(created.events, 'MarketCreated')!.args.marketId
  const win = await getReceipt(l2Client, { hash: await placeBet(l2Wallet(bettor), { marketId, outcome: 0, stake: 50n * USDC, minOdds: 23_500 }) })
  const lose = await getReceipt(l2Client, { hash: await placeBet(l2Wallet(bettor), { marketId, outcome: 1, stake: 20n * USDC, minOdds: 0 }) })
  const winId = findEvent(win.events, 'BetPlaced')!.args.betId
  const loseId = findEvent(lose.events, 'BetPlaced')!.args.betId
  await until('the market to close', async () => BigInt(Math.floor(Date.now() / 1000)) > closeTime + 1n)
  await getReceipt(l2Client, { hash: await reportResult(l2Wallet(oracle), { marketId, result: 0 }) })
  await getReceipt(l2Client, { hash: await settleBet(l2Wallet(bettor), { betId: winId }) })
  await getReceipt(l2Client, { hash: await settleBet(l2Wallet(bettor), { betId: loseId }) })
  const afterBets = deposited - 50n * USDC - 20n * USDC + (50n * USDC * 23_500n) / 10_000n
  t.equal(await getBalance(l2Client, { address: bettor.address }), afterBets, 'L2 balance: deposit - stakes + the winning payout')

  // money out: withdraw it all
  const initiated = await initiateWithdrawal(l2Wallet(bettor), { to: bettor.address, amount: afterBets })
  t.equal(await getBalance(l2Client, { address: bettor.address }), 0n, 'debited on L2')
  const params = { l1Client, l2Client, outputRoots: addresses.outputRoots, bridge: addresses.bridge, withdrawal: initiated.withdrawal, l2BlockNumber: initiated.l2BlockNumber }
  const waiting = await until('the proposer to post an output covering the withdrawal', async () => {
    const status = await getWithdrawalStatus(params)
    return status.status === 'waiting-for-finality' ? status : undefined
  })
  t.ok(waiting.secondsLeft > 0n, `the output is in its challenge window (${waiting.secondsLeft} s left)`)
  await testClient.increaseTime({ seconds: Number(CHALLENGE_WINDOW) })
  await testClient.mine({ blocks: 1 })
  t.match(await getWithdrawalStatus(params), { status: 'ready-to-finalize' })
  const receipt = await finalizeWithdrawal(l1Wallet(bettor), params)
  t.equal(receipt.status, 'success')
  t.equal(await l1Balance(bettor.address), bettorStart - deposited + afterBets, 'L1 balance ends exactly where the bets put it')
  t.equal(await l1Balance(addresses.bridge), 10_200n * USDC - afterBets, 'the bridge paid exactly that')
  t.same(await getWithdrawalStatus(params), { status: 'finalized' })
  const twice = await finalizeWithdrawal(l1Wallet(bettor), params).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.ok(twice instanceof WithdrawalAlreadyFinalizedError, 'a second finalize is refused')

  // conservation across the two layers: L2 balances + open payouts = what the bridge holds
  const l2Total = (await getBalance(l2Client, { address: operator.address })) + (await getBalance(l2Client, { address: bettor.address }))
  t.equal(l2Total, await l1Balance(addresses.bridge), 'sum of L2 balances (no open bets) = tokens in the bridge')

  // a replica derives the same chain from L1 alone
  await until('the batcher to post everything', async () => (node.batcher?.posted?.lastPostedBlock ?? -1n) >= node.chain.head.header.number)
  const replica = await RollbookNode.init({ mode: 'replica', datadir: join(dir, 'replica'), port: 0, rollup: rollupFile, l1Rpc: anvil.rpcUrl, l1PollMs: 100 }, logger())
  t.teardown(() => replica.close())
  const head = node.chain.head
  await until('the replica to reach the sequencer head', async () => replica.chain.head.header.number >= head.header.number)
  t.equal(Buffer.from(replica.chain.head.hash()).toString('hex'), Buffer.from(head.hash()).toString('hex'), 'same head hash on the replica')
  t.equal(replica.replica?.stats.skipped, 0, 'no record skipped')
})

import t from 'tap'
import { createPublicClient, createWalletClient, http, type Account, type Hash } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { startTestNode } from '../../node/testing/testNode.ts'
import {
  BetRejectedError,
  createMarket,
  createRollbookSocket,
  defineRollbookChain,
  DEV_MNEMONIC,
  findEvent,
  getBalance,
  getBet,
  getMarket,
  getOperator,
  getOracle,
  getReceipt,
  placeBet,
  reportResult,
  settleBet,
  watchAccount,
  watchMarket,
  watchPreconfirmations,
  type BetEngineEvent,
  type BetEngineReceipt,
} from './index.ts'

const GENESIS_BALANCE = 1_000_000_000_000n
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('operator opens a market, a bettor wins, the oracle reports, the bet settles: balances exact', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  const chain = defineRollbookChain({ id: node.chainId, rpcUrl: node.httpUrl, wsUrl: node.wsUrl })
  const [operatorAccount, oracleAccount, bettorAccount] = [0, 1, 2].map((i) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }))
  const wallet = (account: Account) => createWalletClient({ chain, account, transport: http(node.httpUrl) })
  const [operator, oracle, bettor] = [operatorAccount, oracleAccount, bettorAccount].map(wallet)
  const reader = createPublicClient({ chain, transport: http(node.httpUrl) })

  t.equal(await getOperator(reader), operatorAccount.address)
  t.equal(await getOracle(reader), oracleAccount.address)

  const socket = await createRollbookSocket(node.wsUrl)
  t.teardown(() => socket.close())
  const accountEvents: BetEngineEvent[] = []
  const marketEvents: BetEngineEvent[] = []
  const preconfirmed: BetEngineReceipt[] = []
  const watchErrors: Error[] = []
  const unwatchAccount = await watchAccount(socket, {
    address: bettorAccount.address,
    onEvent: (e) => accountEvents.push(e),
    onError: (e) => watchErrors.push(e),
  })
  const unwatchPreconfirmations = await watchPreconfirmations(socket, {
    onReceipt: (r) => preconfirmed.push(r),
    onError: (e) => watchErrors.push(e),
  })

  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 4)
  const created = await getReceipt(reader, {
    hash: await createMarket(operator, { odds: [25_000, 15_000], closeTime, maxStake: 100_000_000n, maxLiability: 1_000_000_000n }),
  })
  t.equal(created.status, 'success')
  const marketId = findEvent(created.events, 'MarketCreated')!.args.marketId
  const unwatchMarket = await watchMarket(socket, { marketId, onEvent: (e) => marketEvents.push(e), onError: (e) => watchErrors.push(e) })

  const betHash = await placeBet(bettor, { marketId, outcome: 0, stake: 10_000_000n, minOdds: 25_000 })
  const placed = await getReceipt(reader, { hash: betHash })
  t.equal(placed.status, 'success')
  t.not(placed.blockNumber, undefined)
  const betPlaced = findEvent(placed.events, 'BetPlaced')!
  t.match(betPlaced.args, { marketId, bettor: bettorAccount.address, outcome: 0, stake: 10_000_000n, odds: 25_000, payout: 25_000_000n })
  const betId = betPlaced.args.betId

  const tooGreedy = await getReceipt(reader, {
    hash: await placeBet(bettor, { marketId, outcome: 0, stake: 10_000_000n, minOdds: 30_000 }),
  })
  t.equal(tooGreedy.status, 'reverted')
  if (tooGreedy.status === 'reverted') t.same(tooGreedy.error, { name: 'OddsBelowMinimum', args: [25_000] })

  const rejected = await placeBet(bettor, { marketId, outcome: 0, stake: 1n, minOdds: 0, nonce: 0 }).catch((e: unknown) => e)
  t.type(rejected, BetRejectedError, 'a reused nonce is refused before execution')
  t.match((rejected as BetRejectedError).reason, /nonce/)

  t.match(await getMarket(reader, { marketId }), { status: 'open', result: null, odds: [25_000, 15_000], liability: [25_000_000n, 0n] })
  t.match(await getBet(reader, { betId }), { status: 'open', stake: 10_000_000n, payout: 25_000_000n, bettor: bettorAccount.address })

  const early = await getReceipt(reader, { hash: await reportResult(oracle, { marketId, result: 0 }) })
  t.equal(early.status === 'reverted' && early.error?.name, 'MarketNotClosed')

  await sleep(Number(closeTime) * 1000 - Date.now() + 1_000)
  let resolved = await getReceipt(reader, { hash: await reportResult(oracle, { marketId, result: 0 }) })
  for (let attempt = 0; resolved.status === 'reverted' && attempt < 10; attempt++) {
    await sleep(500)
    resolved = await getReceipt(reader, { hash: await reportResult(oracle, { marketId, result: 0 }) })
  }
  t.equal(resolved.status, 'success')
  t.match(findEvent(resolved.events, 'MarketResolved')?.args, { marketId, result: 0 })
  t.match(await getMarket(reader, { marketId }), { status: 'resolved', result: 0 })

  const settled = await getReceipt(reader, { hash: await settleBet(bettor, { betId }) })
  t.match(findEvent(settled.events, 'BetSettled')?.args, { betId, marketId, bettor: bettorAccount.address, paid: 25_000_000n })
  t.match(await getBet(reader, { betId }), { status: 'settled' })

  t.equal(await getBalance(reader, { address: bettorAccount.address }), GENESIS_BALANCE - 10_000_000n + 25_000_000n)
  t.equal(await getBalance(reader, { address: operatorAccount.address }), GENESIS_BALANCE - 15_000_000n)
  t.equal(await getBalance(reader, { address: oracleAccount.address }), GENESIS_BALANCE)

  // Notifications follow the preconfirmation; give the socket a moment to deliver the last ones.
  for (let i = 0; i < 40 && accountEvents.length < 2; i++) await sleep(50)
  t.same(
    accountEvents.map((e) => e.event),
    ['BetPlaced', 'BetSettled'],
  )
  t.match(accountEvents[0], { transactionHash: betHash, args: { betId, stake: 10_000_000n, payout: 25_000_000n } })
  t.same(
    marketEvents.map((e) => e.event),
    // the genesis committee's report: the oracle's vote, proposed and final at once
    ['BetPlaced', 'ResultVoted', 'ResultProposed', 'MarketResolved', 'BetSettled'],
  )
  const preconfirmedHashes = new Set<Hash>(preconfirmed.map((r) => r.transactionHash))
  for (const hash of [created.transactionHash, betHash, tooGreedy.transactionHash, settled.transactionHash]) {
    t.ok(preconfirmedHashes.has(hash), `preconfirmation for ${hash}`)
  }
  t.match(
    preconfirmed.find((r) => r.transactionHash === tooGreedy.transactionHash),
    { status: 'reverted', error: { name: 'OddsBelowMinimum' } },
  )
  t.same(watchErrors, [])

  await unwatchAccount()
  await unwatchMarket()
  await unwatchPreconfirmations()
})

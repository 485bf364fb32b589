/**
 * placeParlay, getParlay, getBet's kind, cashOutQuote, cashOut, settleParlay against a real node
 * (in-process, LevelDB in a temp dir): the calls land as the contract's rules say and the
 * balances move to the unit.
 */
import t from 'tap'
import { createPublicClient, createWalletClient, http, type Account } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { startTestNode } from '../../../node/testing/testNode.ts'
import { defineRollbookChain } from '../chain.ts'
import { DEV_MNEMONIC } from '../constants.ts'
import { findEvent } from '../events.ts'
import { createRollbookSocket, watchMarket, watchResults } from '../watch.ts'
import { settle } from './settle.ts'
import { cashOut } from './cashOut.ts'
import { closeMarket } from './closeMarket.ts'
import { cashOutQuote } from './cashOutQuote.ts'
import { createMarket } from './createMarket.ts'
import { getBalance } from './getBalance.ts'
import { getBet } from './getBet.ts'
import { getParlay } from './getParlay.ts'
import { getReceipt } from './getReceipt.ts'
import { placeBet } from './placeBet.ts'
import { placeParlay } from './placeParlay.ts'
import { reportResult } from './reportResult.ts'
import { setOdds } from './setOdds.ts'

const GENESIS_BALANCE = 1_000_000_000_000n
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a parlay and a cash-out through the sdk, on a real node: balances exact', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  const chain = defineRollbookChain({ id: node.chainId, rpcUrl: node.httpUrl, wsUrl: node.wsUrl })
  const [operatorAccount, oracleAccount, bettorAccount] = [0, 1, 2].map((i) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }))
  const wallet = (account: Account) => createWalletClient({ chain, account, transport: http(node.httpUrl) })
  const [operator, oracle, bettor] = [operatorAccount, oracleAccount, bettorAccount].map(wallet)
  const reader = createPublicClient({ chain, transport: http(node.httpUrl) })

  // closed by the operator once the bets are in, not by a clock a loaded machine may miss
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)
  const marketIds: bigint[] = []
  for (const odds of [[20_000, 18_000], [25_000, 15_000]]) {
    const created = await getReceipt(reader, { hash: await createMarket(operator, { odds, closeTime, maxStake: 100_000_000n, maxLiability: 10_000_000_000n }) })
    marketIds.push(findEvent(created.events, 'MarketCreated')!.args.marketId)
  }

  // each leg's market channel carries the parlay
  const socket = await createRollbookSocket(node.wsUrl)
  t.teardown(() => socket.close())
  const heardOn = new Map<bigint, string[]>()
  for (const marketId of marketIds) await watchMarket(socket, { marketId, onEvent: (e) => heardOn.set(marketId, [...(heardOn.get(marketId) ?? []), e.event]) })

  const placed = await getReceipt(reader, {
    hash: await placeParlay(bettor, { legs: [{ marketId: marketIds[0], outcome: 0 }, { marketId: marketIds[1], outcome: 1 }], stake: 10_000_000n, minOdds: 30_000 }),
  })
  t.equal(placed.status, 'success')
  const parlayId = findEvent(placed.events, 'ParlayPlaced')!.args.betId
  t.same(await getParlay(reader, { betId: parlayId }), {
    id: parlayId,
    bettor: bettorAccount.address,
    status: 'open',
    stake: 10_000_000n,
    odds: 30_000,
    payout: 30_000_000n,
    legs: [
      { marketId: marketIds[0], outcome: 0, odds: 20_000 },
      { marketId: marketIds[1], outcome: 1, odds: 15_000 },
    ],
  })
  t.match(await getBet(reader, { betId: parlayId }), { kind: 'parlay', marketId: 0n, outcome: 2, status: 'open' })
  for (let i = 0; i < 100 && marketIds.some((m) => !(heardOn.get(m) ?? []).includes('ParlayPlaced')); i++) await sleep(20)
  for (const m of marketIds) t.ok((heardOn.get(m) ?? []).includes('ParlayPlaced'), `market ${m}'s channel carried the parlay`)
  const greedy = await getReceipt(reader, {
    hash: await placeParlay(bettor, { legs: [{ marketId: marketIds[0], outcome: 0 }, { marketId: marketIds[1], outcome: 1 }], stake: 1n, minOdds: 30_001 }),
  })
  t.same(greedy.status === 'reverted' && greedy.error, { name: 'OddsBelowMinimum', args: [30_000] })

  const betPlaced = await getReceipt(reader, { hash: await placeBet(bettor, { marketId: marketIds[0], outcome: 1, stake: 4_000_000n, minOdds: 0 }) })
  const betId = findEvent(betPlaced.events, 'BetPlaced')!.args.betId
  t.match(await getBet(reader, { betId }), { kind: 'single', status: 'open', payout: 7_200_000n })
  await getReceipt(reader, { hash: await setOdds(operator, { marketId: marketIds[0], odds: [30_000, 12_000] }) })
  const value = await cashOutQuote(reader, { betId })
  t.equal(value, (7_200_000n * 9_500n) / 12_000n, 'payout * (1 - 5%) / the odds now')
  const tooMuch = await getReceipt(reader, { hash: await cashOut(bettor, { betId, minValue: value + 1n }) })
  t.same(tooMuch.status === 'reverted' && tooMuch.error, { name: 'CashOutBelowMinimum', args: [value] })
  const cashed = await getReceipt(reader, { hash: await cashOut(bettor, { betId, minValue: value }) })
  t.match(findEvent(cashed.events, 'BetCashedOut')?.args, { betId, bettor: bettorAccount.address, value })
  t.match(await getBet(reader, { betId }), { status: 'cashedOut' })
  await t.rejects(cashOutQuote(reader, { betId }), 'a closed bet has no quote')

  // a single that wins, settled below through `settle` (which picks settleBet for it)
  const winner = await getReceipt(reader, { hash: await placeBet(bettor, { marketId: marketIds[0], outcome: 0, stake: 1_000_000n, minOdds: 30_000 }) })
  const winnerId = findEvent(winner.events, 'BetPlaced')!.args.betId
  const results: string[] = []
  await watchResults(socket, { marketId: marketIds[0], onResult: (e) => results.push(e.event) })

  // both legs win once the markets close and the oracle reports
  for (const marketId of marketIds) t.equal((await getReceipt(reader, { hash: await closeMarket(operator, { marketId }) })).status, 'success', `market ${marketId} closed`)
  for (const [i, result] of [0, 1].entries()) {
    let resolved = await getReceipt(reader, { hash: await reportResult(oracle, { marketId: marketIds[i], result }) })
    for (let attempt = 0; resolved.status === 'reverted' && attempt < 10; attempt++) {
      await sleep(500)
      resolved = await getReceipt(reader, { hash: await reportResult(oracle, { marketId: marketIds[i], result }) })
    }
    t.equal(resolved.status, 'success', `market ${marketIds[i]} resolved`)
  }
  for (let i = 0; i < 100 && !results.includes('MarketResolved'); i++) await sleep(20)
  t.same(results, ['ResultVoted', 'ResultProposed', 'MarketResolved'], 'watchResults heard the vote, the proposal and the final result')
  const single = await getReceipt(reader, { hash: await settle(operator, { betId: winnerId }) })
  t.match(findEvent(single.events, 'BetSettled')?.args, { betId: winnerId, bettor: bettorAccount.address, paid: 3_000_000n }, 'settle took the single through settleBet')
  const settled = await getReceipt(reader, { hash: await settle(operator, { betId: parlayId }) })
  t.match(findEvent(settled.events, 'BetSettled')?.args, { betId: parlayId, marketId: 0n, bettor: bettorAccount.address, paid: 30_000_000n })
  t.match(await getParlay(reader, { betId: parlayId }), { status: 'settled' })
  await t.rejects(getParlay(reader, { betId }), { name: 'BetNotFoundError' }, 'a single is no parlay')

  t.equal(await getBalance(reader, { address: bettorAccount.address }), GENESIS_BALANCE - 10_000_000n + 30_000_000n - 4_000_000n + value - 1_000_000n + 3_000_000n)
  t.equal(await getBalance(reader, { address: operatorAccount.address }), GENESIS_BALANCE - 20_000_000n - 3_200_000n + (7_200_000n - value) - 2_000_000n)
})

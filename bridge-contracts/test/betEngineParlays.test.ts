/**
 * Parlays and cash-out (docs/decisions/0007): placeParlay's rules and errors, the combined odds
 * (multiplied exactly, rounded down once, capped), the escrow, the storage layout of a parlay,
 * settlement (lost as soon as one leg loses, void legs at 1.0, all won paid exactly the escrow,
 * lazy finalization), settleBet's refusal and settleBets' weights; cash-out's price, money and
 * liability, and its refusals. A refused call changes no balance or counter.
 */
import t, { type Test } from 'tap'
import { RESULT_VOID } from '../../sdk/src/constants.ts'
import { betAmountsSlot, betSlot, decodeParlayLeg, parlayLegSlot } from '../../sdk/src/betEngine/layout.ts'
import type { BetEngineHarness, CallOutcome } from './evmHarness.ts'
import {
  alice,
  balances,
  bob,
  carol,
  createEngine,
  expectRejected,
  genesisBalances,
  openMarket,
  operator,
  oracle,
  placeBet,
  resolve,
  USDC,
} from './fixtures.ts'

const SCALE = 10_000n
const MAX_PARLAY_ODDS = 100_000_000n
const CASHOUT_MARGIN_BPS = 500n

async function ok(t: Test, outcome: Promise<CallOutcome>): Promise<Extract<CallOutcome, { ok: true }>> {
  const result = await outcome
  t.ok(result.ok, result.ok ? 'accepted' : `accepted (refused with ${result.error?.name})`)
  if (!result.ok) throw new Error(`refused with ${result.error?.name}`)
  return result
}

/** The odds of legs multiplied exactly and rounded down once, capped: the rule of 0007. */
function combined(odds: bigint[]): bigint {
  const product = odds.reduce((a, b) => a * b, 1n)
  const result = product / SCALE ** BigInt(odds.length - 1)
  return result < MAX_PARLAY_ODDS ? result : MAX_PARLAY_ODDS
}

async function markets(engine: BetEngineHarness, odds: number[][], closeIn = 3_600n): Promise<bigint[]> {
  const ids: bigint[] = []
  for (const o of odds) ids.push(await openMarket(engine, { odds: o, closeIn }))
  return ids
}

async function parlay(engine: BetEngineHarness, from: typeof alice, ids: bigint[], outcomes: number[], stake: bigint, minOdds = 0): Promise<bigint> {
  const placed = await engine.write(from, 'placeParlay', [ids, outcomes, stake, minOdds])
  if (!placed.ok) throw new Error(`placeParlay failed: ${placed.error?.name}`)
  return placed.result as bigint
}

function balanceOf(list: bigint[], index: number): bigint {
  return list[index]
}
// accounts order in fixtures: operator, oracle, alice, bob, carol
const HOUSE = 0
const ALICE = 2

t.test('placeParlay', async (t) => {
  t.test('placeParlay_twoLegs_escrowsTheProductOfTheOffers', async (t) => {
    const engine = await createEngine()
    const [a, b] = await markets(engine, [[20_000, 35_000, 41_000], [25_000, 16_000]])
    const stake = 10n * USDC
    const placed = await ok(t, engine.write(alice, 'placeParlay', [[a, b], [0, 1], stake, 32_000]))
    const betId = placed.result as bigint
    const payout = (stake * 32_000n) / SCALE
    t.same(placed.logs, [
      { eventName: 'ParlayPlaced', args: { betId, bettor: alice, marketIds: [a, b], outcomes: [0, 1], stake, odds: 32_000, payout } },
    ])
    const after = await balances(engine)
    t.equal(balanceOf(after, ALICE), genesisBalances[alice] - stake, 'the bettor pays the stake')
    t.equal(balanceOf(after, HOUSE), genesisBalances[operator] - (payout - stake), 'the house pays the rest of the payout')
    t.match(await engine.read('getBet', [betId]), { bettor: alice, marketId: 0n, outcome: 2, status: 1, stake, odds: 32_000, payout, kind: 1 })
    t.same(await engine.read('getParlay', [betId]), {
      bettor: alice,
      status: 1,
      stake,
      odds: 32_000,
      payout,
      marketIds: [a, b],
      outcomes: [0, 1],
      legOdds: [20_000, 16_000],
    })
    const market = await engine.read('getMarket', [a])
    t.same(market.liability, [0n, 0n, 0n], 'a parlay counts in no outcome liability')
    t.equal(await engine.read('nextBetId'), betId + 1n, 'ids from the bets counter')
  })

  t.test('placeParlay_storage_asDocumentedInTheLayout', async (t) => {
    const engine = await createEngine()
    const ids = await markets(engine, [[20_000, 30_000], [25_000, 16_000], [11_000, 90_000]])
    const betId = await parlay(engine, bob, ids, [1, 0, 1], 2n * USDC)
    const odds = combined([30_000n, 25_000n, 90_000n])
    const head = await engine.storageAt(betSlot(betId))
    t.equal(head, BigInt(bob) | (3n << 224n) | (1n << 232n) | (1n << 240n), 'bettor | marketId 0 | legCount | open | kind 1')
    t.equal(await engine.storageAt(betAmountsSlot(betId)), 2n * USDC | (odds << 96n) | (((2n * USDC * odds) / SCALE) << 128n))
    const leg0 = ids[0] | (1n << 64n) | (30_000n << 72n)
    const leg1 = ids[1] | (0n << 64n) | (25_000n << 72n)
    const leg2 = ids[2] | (1n << 64n) | (90_000n << 72n)
    t.equal(await engine.storageAt(parlayLegSlot(betId, 0)), leg0 | (leg1 << 128n), 'legs 0 and 1 share a word')
    t.equal(await engine.storageAt(parlayLegSlot(betId, 2)), leg2, 'leg 2 alone in the low half')
    t.same(decodeParlayLeg(await engine.storageAt(parlayLegSlot(betId, 1)), 1), { marketId: ids[1], outcome: 0, odds: 25_000 })
  })

  t.test('placeParlay_combinedOdds_roundedDownOnceNotPerLeg', async (t) => {
    const engine = await createEngine()
    const legs = [15_003n, 17_777n, 19_999n]
    const ids = await markets(engine, legs.map((o) => [Number(o), 30_000]))
    // rounded per leg: 15_003 * 17_777 / 10^4 = 26_670 (of 26_670.83), * 19_999 / 10^4 = 53_337; at once: 53_338
    const stepwise = (((legs[0] * legs[1]) / SCALE) * legs[2]) / SCALE
    t.equal(combined(legs), 53_338n)
    t.equal(stepwise, 53_337n)
    const betId = await parlay(engine, alice, ids, [0, 0, 0], 3n * USDC)
    t.equal((await engine.read('getBet', [betId])).odds, 53_338)
  })

  t.test('placeParlay_tenLegs_cappedAt10000x', async (t) => {
    const engine = await createEngine()
    const ids = await markets(engine, Array.from({ length: 10 }, () => [100_000, 20_000]))
    const placed = await ok(t, engine.write(carol, 'placeParlay', [ids, ids.map(() => 0), 1_000n, 0]))
    const bet = await engine.read('getBet', [placed.result as bigint])
    t.equal(bet.odds, Number(MAX_PARLAY_ODDS), '10.0^10 is capped at 10,000.0')
    t.equal(bet.payout, 1_000n * MAX_PARLAY_ODDS / SCALE)
    t.comment(`placeParlay (10 legs) L2 gas ${placed.gasUsed}`)
    t.ok(placed.gasUsed < 1_000_000n, `within the tx gas limit: ${placed.gasUsed}`)
  })

  t.test('placeParlay_refusals_changeNothing', async (t) => {
    const engine = await createEngine()
    const [a, b, c] = await markets(engine, [[20_000, 35_000, 41_000], [25_000, 16_000], [30_000, 14_000]])
    const small = await openMarket(engine, { odds: [20_000, 20_000], maxStake: 3n * USDC })
    const closing = await openMarket(engine, { odds: [20_000, 20_000], closeIn: 10n })
    const resolved = await openMarket(engine, { odds: [20_000, 20_000], closeIn: 10n })
    await resolve(engine, resolved, 0)
    // resolving moved time to the close time both short markets share: closing is closed to bets
    t.equal(engine.time, (await engine.read('getMarket', [closing])).closeTime)
    const place = (ids: bigint[], outcomes: number[], stake = USDC, minOdds = 0) => (from: typeof alice) =>
      engine.write(from, 'placeParlay', [ids, outcomes, stake, minOdds])
    await expectRejected(t, engine, alice, place([a], [0]), 'BadLegCount')
    await expectRejected(t, engine, alice, place([], []), 'BadLegCount')
    const eleven = [...(await markets(engine, Array.from({ length: 8 }, () => [20_000, 20_000]))), a, b, c]
    await expectRejected(t, engine, alice, place(eleven, eleven.map(() => 0)), 'BadLegCount')
    await expectRejected(t, engine, alice, place([a, b], [0]), 'BadLegCount', [])
    await expectRejected(t, engine, alice, place([a, b, a], [0, 0, 1]), 'DuplicateLeg')
    await expectRejected(t, engine, alice, place([a, 999n], [0, 0]), 'MarketNotOpen')
    await expectRejected(t, engine, alice, place([a, resolved], [0, 0]), 'MarketNotOpen')
    await expectRejected(t, engine, alice, place([a, closing], [0, 0]), 'MarketClosed')
    await expectRejected(t, engine, alice, place([a, b], [0, 2]), 'BadOutcome')
    await expectRejected(t, engine, alice, place([a, b], [0, 1], 0n), 'StakeZero')
    await expectRejected(t, engine, alice, place([a, small], [0, 1], 3n * USDC + 1n), 'StakeTooHigh')
    await expectRejected(t, engine, alice, place([a, b], [0, 1], USDC, 32_001), 'OddsBelowMinimum', [32_000])
    await expectRejected(t, engine, carol, place([a, b], [0, 1], 5n * USDC + 1n), 'InsufficientBalance')
    const poorHouse = await createEngine({ [operator]: 10n * USDC, [alice]: 1_000n * USDC })
    const [x, y] = await markets(poorHouse, [[20_000, 20_000], [20_000, 20_000]])
    await expectRejected(t, poorHouse, alice, (from) => poorHouse.write(from, 'placeParlay', [[x, y], [0, 0], 10n * USDC, 0]), 'HouseInsufficient')
  })

  t.test('placeParlay_stakeAtTheSmallestMaxStake_accepted', async (t) => {
    const engine = await createEngine()
    const a = await openMarket(engine, { odds: [20_000, 20_000], maxStake: 7n * USDC })
    const b = await openMarket(engine, { odds: [20_000, 20_000], maxStake: 3n * USDC })
    await ok(t, engine.write(alice, 'placeParlay', [[a, b], [0, 0], 3n * USDC, 0]))
  })
})

t.test('settleParlay', async (t) => {
  async function threeLegs() {
    const engine = await createEngine()
    const ids = await markets(engine, [[20_000, 35_000, 41_000], [25_000, 16_000], [30_000, 14_000]], 100n)
    const stake = 7n * USDC + 3n
    const betId = await parlay(engine, alice, ids, [0, 1, 1], stake)
    const odds = combined([20_000n, 16_000n, 14_000n])
    return { engine, ids, stake, betId, odds, payout: (stake * odds) / SCALE }
  }

  t.test('settleParlay_everyLegWon_paysExactlyTheEscrow', async (t) => {
    const { engine, ids, betId, payout } = await threeLegs()
    for (const [i, id] of ids.entries()) await resolve(engine, id, [0, 1, 1][i])
    const before = await balances(engine)
    const settled = await ok(t, engine.write(bob, 'settleParlay', [betId]))
    t.same(settled.logs, [{ eventName: 'BetSettled', args: { betId, marketId: 0n, bettor: alice, paid: payout } }])
    const after = await balances(engine)
    t.equal(after[ALICE] - before[ALICE], payout)
    t.equal(after[HOUSE], before[HOUSE], 'the house keeps nothing of a won parlay')
    t.equal((await engine.read('getBet', [betId])).status, 2)
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleParlay', [betId]), 'BetNotOpen')
  })

  t.test('settleParlay_oneLegLost_lostAtOnceWhileOthersAreOpen', async (t) => {
    const { engine, ids, betId, payout } = await threeLegs()
    await resolve(engine, ids[1], 0)
    t.equal((await engine.read('getMarket', [ids[0]])).status, 1, 'leg 0 still open')
    t.equal((await engine.read('getMarket', [ids[2]])).status, 1, 'leg 2 still open')
    const before = await balances(engine)
    const settled = await ok(t, engine.write(carol, 'settleParlay', [betId]))
    t.same(settled.logs, [{ eventName: 'BetSettled', args: { betId, marketId: 0n, bettor: alice, paid: 0n } }])
    const after = await balances(engine)
    t.equal(after[HOUSE] - before[HOUSE], payout, 'the house gets the whole escrow back')
    t.equal(after[ALICE], before[ALICE])
  })

  t.test('settleParlay_voidLeg_countsAsOne', async (t) => {
    const { engine, ids, betId, stake } = await threeLegs()
    await resolve(engine, ids[0], 0)
    await resolve(engine, ids[1], RESULT_VOID)
    await resolve(engine, ids[2], 1)
    const before = await balances(engine)
    const { payout } = await engine.read('getBet', [betId])
    await ok(t, engine.write(bob, 'settleParlay', [betId]))
    const paid = (stake * combined([20_000n, 14_000n])) / SCALE
    const after = await balances(engine)
    t.equal(after[ALICE] - before[ALICE], paid, 'stake * 2.0 * 1.4')
    t.equal(after[HOUSE] - before[HOUSE], payout - paid, 'the house gets the rest of the escrow')
  })

  t.test('settleParlay_everyLegVoid_refundsTheStake', async (t) => {
    const { engine, ids, betId, stake, payout } = await threeLegs()
    for (const id of ids) await resolve(engine, id, RESULT_VOID)
    const before = await balances(engine)
    await ok(t, engine.write(bob, 'settleParlay', [betId]))
    const after = await balances(engine)
    t.equal(after[ALICE] - before[ALICE], stake)
    t.equal(after[HOUSE] - before[HOUSE], payout - stake)
  })

  t.test('settleParlay_aLegNotFinal_refusedUntilItIs', async (t) => {
    const { engine, ids, betId } = await threeLegs()
    await resolve(engine, ids[0], 0)
    await resolve(engine, ids[1], 1)
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleParlay', [betId]), 'MarketNotResolved')
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleParlay', [betId + 1n]), 'BetNotOpen')
    await resolve(engine, ids[2], 1)
    await ok(t, engine.write(bob, 'settleParlay', [betId]))
  })

  t.test('settleParlay_proposalPastItsWindow_finalizesTheLegLazily', async (t) => {
    const { engine, ids, betId, payout } = await threeLegs()
    await resolve(engine, ids[0], 0)
    await resolve(engine, ids[1], 1)
    await ok(t, engine.write(operator, 'setCommittee', [[oracle], 1, 600]))
    await ok(t, engine.write(oracle, 'voteResult', [ids[2], 1]))
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleParlay', [betId]), 'MarketNotResolved')
    engine.time += 600n
    const before = await balances(engine)
    const settled = await ok(t, engine.write(bob, 'settleParlay', [betId]))
    t.same(
      settled.logs.map((l) => l.eventName),
      ['MarketResolved', 'BetSettled'],
    )
    t.equal((await balances(engine))[ALICE] - before[ALICE], payout)
  })

  t.test('settleBet_parlay_refusedAsNotASingleBet; settleParlay_single_refused', async (t) => {
    const { engine, ids, betId } = await threeLegs()
    const single = await placeBet(engine, bob, ids[0], 0, USDC)
    for (const [i, id] of ids.entries()) await resolve(engine, id, [0, 1, 1][i])
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleBet', [betId]), 'NotASingleBet')
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleParlay', [single]), 'NotAParlay')
  })

  t.test('settleBets_parlays_weighedByLegs', async (t) => {
    // MAX_SETTLE_BATCH is 4: a parlay weighs 1 + legs / 2, a single 1
    const engine = await createEngine()
    const ids = await markets(engine, Array.from({ length: 10 }, () => [20_000, 20_000]), 100n)
    const big = await parlay(engine, alice, ids, ids.map(() => 0), 1_000n) // weight 6: never in settleBets
    const six = await parlay(engine, alice, ids.slice(0, 6), Array(6).fill(0), 1_000n) // weight 4
    const pair = [await parlay(engine, alice, ids.slice(0, 2), [1, 1], 1_000n), await parlay(engine, alice, ids.slice(2, 4), [0, 0], 1_000n)] // weight 2 each
    const singles = [await placeBet(engine, bob, ids[0], 0, USDC), await placeBet(engine, bob, ids[1], 0, USDC)]
    for (const id of ids) await resolve(engine, id, 0)
    const settledIds = (outcome: CallOutcome) => (outcome.ok ? outcome.logs.filter((l) => l.eventName === 'BetSettled').map((l) => l.args.betId) : [])

    const first = await ok(t, engine.write(carol, 'settleBets', [[big, singles[0], pair[0], singles[1]]]))
    t.equal(first.result, 3n, 'the 10-leg parlay (6) never fits; a single (1), a 2-leg parlay (2), a single (1) fill 4')
    t.same(settledIds(first), [singles[0], pair[0], singles[1]])
    const second = await ok(t, engine.write(carol, 'settleBets', [[six, pair[1]]]))
    t.same(settledIds(second), [six], 'the 6-leg parlay (4) fills the batch: the 2-leg one is skipped')
    t.equal((await engine.read('getBet', [pair[1]])).status, 1, 'skipped, still open')
    const third = await ok(t, engine.write(carol, 'settleBets', [[pair[1], big]]))
    t.same(settledIds(third), [pair[1]])
    await ok(t, engine.write(carol, 'settleParlay', [big]))
    t.equal((await engine.read('getBet', [big])).status, 2, 'settleParlay settles any parlay')
  })
})

t.test('cashOut', async (t) => {
  async function single() {
    const engine = await createEngine()
    const id = await openMarket(engine, { odds: [25_000, 16_000] })
    const stake = 10n * USDC + 7n
    const betId = await placeBet(engine, alice, id, 0, stake)
    return { engine, id, betId, payout: (stake * 25_000n) / SCALE }
  }

  t.test('cashOut_atNewOdds_paysPayoutOverOddsLessMargin', async (t) => {
    const { engine, id, betId, payout } = await single()
    await ok(t, engine.write(operator, 'setOdds', [id, [17_000, 26_000]]))
    const value = (payout * (SCALE - CASHOUT_MARGIN_BPS)) / 17_000n
    t.equal(await engine.read('cashOutQuote', [betId]), value)
    const before = await balances(engine)
    const cashed = await ok(t, engine.write(alice, 'cashOut', [betId, value]))
    t.same(cashed.logs, [{ eventName: 'BetCashedOut', args: { betId, bettor: alice, value } }])
    const after = await balances(engine)
    t.equal(after[ALICE] - before[ALICE], value)
    t.equal(after[HOUSE] - before[HOUSE], payout - value, 'the house gets the rest of the escrow')
    t.equal((await engine.read('getBet', [betId])).status, 3, 'cashed out')
    t.same((await engine.read('getMarket', [id])).liability, [0n, 0n], "the outcome's liability drops by the payout")
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'cashOut', [betId, 0n]), 'BetNotOpen')
    await resolve(engine, id, 0)
    await expectRejected(t, engine, bob, (from) => engine.write(from, 'settleBet', [betId]), 'BetNotOpen')
  })

  t.test('cashOut_valueNeverAbovePayout', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { odds: [10_001, 90_000] })
    const betId = await placeBet(engine, alice, id, 0, 1_000n)
    const payout = (1_000n * 10_001n) / SCALE
    t.equal(await engine.read('cashOutQuote', [betId]), (payout * 9_500n) / 10_001n)
    t.ok((await engine.read('cashOutQuote', [betId])) <= payout)
  })

  t.test('cashOut_refusals_changeNothing', async (t) => {
    const { engine, id, betId, payout } = await single()
    const value = (payout * (SCALE - CASHOUT_MARGIN_BPS)) / 25_000n
    const cash = (bet: bigint, min = 0n) => (from: typeof alice) => engine.write(from, 'cashOut', [bet, min])
    await expectRejected(t, engine, bob, cash(betId), 'NotBettor')
    await expectRejected(t, engine, alice, cash(betId + 5n), 'NotBettor')
    await expectRejected(t, engine, alice, cash(betId, value + 1n), 'CashOutBelowMinimum', [value])
    const other = await openMarket(engine, { odds: [20_000, 20_000] })
    const parlayId = await parlay(engine, alice, [id, other], [0, 0], USDC)
    await expectRejected(t, engine, alice, cash(parlayId), 'NotASingleBet')
    t.same((await engine.read('getMarket', [id])).liability, [payout, 0n], 'liability unchanged')
    engine.time = (await engine.read('getMarket', [id])).closeTime
    await expectRejected(t, engine, alice, cash(betId), 'MarketClosed')
    await resolve(engine, id, 1)
    await expectRejected(t, engine, alice, cash(betId), 'MarketNotOpen')
    await ok(t, engine.write(bob, 'settleBet', [betId]))
    await expectRejected(t, engine, alice, cash(betId), 'BetNotOpen')
  })

  t.test('cashOutQuote_refusesWhatCashOutRefuses', async (t) => {
    const { engine, id, betId } = await single()
    const other = await openMarket(engine, { odds: [20_000, 20_000] })
    const parlayId = await parlay(engine, alice, [id, other], [0, 0], USDC)
    await t.rejects(engine.read('cashOutQuote', [parlayId]))
    await t.rejects(engine.read('cashOutQuote', [betId + 10n]))
    engine.time = (await engine.read('getMarket', [id])).closeTime
    await t.rejects(engine.read('cashOutQuote', [betId]))
  })
})

t.test('gas_tenLegParlayAndCashOut_withinTxGasLimit', async (t) => {
  const engine = await createEngine()
  const ids = await markets(engine, Array.from({ length: 10 }, () => [20_000, 20_000]), 100n)
  const place = await ok(t, engine.write(alice, 'placeParlay', [ids, ids.map(() => 0), 1_000n, 0]))
  const lost = await ok(t, engine.write(alice, 'placeParlay', [ids, ids.map(() => 1), 1_000n, 0]))
  const won = await ok(t, engine.write(alice, 'placeParlay', [ids, ids.map(() => 0), 1_000n, 0]))
  const single = await placeBet(engine, bob, ids[0], 0, USDC)
  const cash = await ok(t, engine.write(bob, 'cashOut', [single, 0n]))
  // a committee with a window: the first settlement resolves all ten markets on its way
  await ok(t, engine.write(operator, 'setCommittee', [[oracle], 1, 10]))
  engine.time += 100n
  for (const id of ids) await ok(t, engine.write(oracle, 'voteResult', [id, 0]))
  engine.time += 10n
  const lazy = await ok(t, engine.write(carol, 'settleParlay', [place.result as bigint]))
  const resolved = await ok(t, engine.write(carol, 'settleParlay', [won.result as bigint]))
  const lostAtOnce = await ok(t, engine.write(carol, 'settleParlay', [lost.result as bigint]))
  const gas: Array<[string, bigint]> = [
    ['placeParlay (10 legs)', place.gasUsed],
    ['cashOut', cash.gasUsed],
    ['settleParlay (10 legs, resolving the 10 markets)', lazy.gasUsed],
    ['settleParlay (10 legs won, markets resolved)', resolved.gasUsed],
    ['settleParlay (lost at its first leg)', lostAtOnce.gasUsed],
  ]
  for (const [name, used] of gas) t.ok(used <= 1_000_000n, `${name}: ${used} L2 gas, within the tx gas limit`)
})

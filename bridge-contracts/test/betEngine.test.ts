/** Market creation, odds changes and bet placement: every rule, its event, and that a rejected call moves nothing. */
import t from 'tap'
import type { Address } from 'viem'
import { TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import {
  alice,
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


t.test('genesis_views_matchGenesisStorage', async (t) => {
  const engine = await createEngine()
  t.equal(await engine.read('operator'), operator)
  t.equal(await engine.read('oracle'), oracle)
  t.equal(await engine.read('nextMarketId'), 1n)
  t.equal(await engine.read('nextBetId'), 1n)
  t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice])
  t.equal(await engine.read('balanceOf', [oracle]), 0n)
})

t.test('createMarket', async (t) => {
  t.test('createMarket_byOperator_opensMarketAndEmits', async (t) => {
    const engine = await createEngine()
    const closeTime = engine.time + 600n
    const outcome = await engine.write(operator, 'createMarket', [3, [20_000, 35_000, 41_000], closeTime, 500n * USDC, 9_000n * USDC])
    t.ok(outcome.ok)
    if (!outcome.ok) return
    t.equal(outcome.result, 1n, 'first market id is 1')
    t.same(outcome.logs, [
      {
        eventName: 'MarketCreated',
        args: { marketId: 1n, outcomeCount: 3, closeTime, maxStake: 500n * USDC, maxLiability: 9_000n * USDC, odds: [20_000, 35_000, 41_000] },
      },
    ])
    t.same(await engine.read('getMarket', [1n]), {
      status: 1,
      outcomeCount: 3,
      result: 0,
      closeTime,
      maxStake: 500n * USDC,
      maxLiability: 9_000n * USDC,
      odds: [20_000, 35_000, 41_000],
      liability: [0n, 0n, 0n],
    })
    t.equal(await engine.read('nextMarketId'), 2n)
    t.equal(await openMarket(engine), 2n, 'ids increase by one')
  })

  t.test('createMarket_sixteenOutcomesAndMaxOdds_succeeds', async (t) => {
    const engine = await createEngine()
    const odds = Array.from({ length: 16 }, (_, i) => (i === 15 ? 10_000_000 : 10_001 + i * 1_000))
    const id = await openMarket(engine, { odds })
    t.same((await engine.read('getMarket', [id])).odds, odds)
  })

  t.test('createMarket_notOperator_reverts', async (t) => {
    const engine = await createEngine()
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'createMarket', [2, [20_000, 20_000], engine.time + 60n, 1n, 1n]), 'NotOperator')
  })

  t.test('createMarket_badOutcomeCount_reverts', async (t) => {
    const engine = await createEngine()
    const create = (count: number) => (from: Address) =>
      engine.write(from, 'createMarket', [count, Array(count).fill(20_000), engine.time + 60n, 1n, 1n])
    await expectRejected(t, engine, operator, create(1), 'BadOutcomeCount')
    await expectRejected(t, engine, operator, create(17), 'BadOutcomeCount')
    await expectRejected(t, engine, operator, create(0), 'BadOutcomeCount')
  })

  t.test('createMarket_badOdds_reverts', async (t) => {
    const engine = await createEngine()
    const create = (odds: number[]) => (from: Address) =>
      engine.write(from, 'createMarket', [3, odds, engine.time + 60n, 1n, 1n])
    await expectRejected(t, engine, operator, create([20_000, 20_000]), 'BadOdds')
    await expectRejected(t, engine, operator, create([20_000, 20_000, 20_000, 20_000]), 'BadOdds')
    await expectRejected(t, engine, operator, create([20_000, 10_000, 20_000]), 'BadOdds')
    await expectRejected(t, engine, operator, create([20_000, 20_000, 10_000_001]), 'BadOdds')
    await expectRejected(t, engine, operator, create([0, 20_000, 20_000]), 'BadOdds')
  })

  t.test('createMarket_closeTimeInPast_reverts', async (t) => {
    const engine = await createEngine()
    const create = (closeTime: bigint) => (from: Address) =>
      engine.write(from, 'createMarket', [2, [20_000, 20_000], closeTime, 1n, 1n])
    await expectRejected(t, engine, operator, create(engine.time), 'CloseTimeInPast')
    await expectRejected(t, engine, operator, create(engine.time - 1n), 'CloseTimeInPast')
  })

  t.test('createMarket_maxStakeZero_reverts', async (t) => {
    const engine = await createEngine()
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'createMarket', [2, [20_000, 20_000], engine.time + 60n, 0n, 1n]), 'MaxStakeZero')
  })
})

t.test('setOdds', async (t) => {
  t.test('setOdds_byOperator_changesOddsAndEmits', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    const outcome = await engine.write(operator, 'setOdds', [id, [15_000, 40_000, 90_000]])
    t.ok(outcome.ok)
    if (outcome.ok) t.same(outcome.logs, [{ eventName: 'OddsChanged', args: { marketId: id, odds: [15_000, 40_000, 90_000] } }])
    t.same((await engine.read('getMarket', [id])).odds, [15_000, 40_000, 90_000])
  })

  t.test('setOdds_notOperator_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'setOdds', [id, [15_000, 40_000, 90_000]]), 'NotOperator')
  })

  t.test('setOdds_marketNotOpen_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'setOdds', [id + 1n, [15_000, 40_000, 90_000]]), 'MarketNotOpen')
    await resolve(engine, id, 0)
    engine.time = 0n
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'setOdds', [id, [15_000, 40_000, 90_000]]), 'MarketNotOpen')
  })

  t.test('setOdds_marketClosed_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 60n
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'setOdds', [id, [15_000, 40_000, 90_000]]), 'MarketClosed')
  })

  t.test('setOdds_badOdds_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'setOdds', [id, [15_000, 40_000]]), 'BadOdds')
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'setOdds', [id, [15_000, 40_000, 10_000]]), 'BadOdds')
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'setOdds', [id, [10_000_001, 40_000, 20_000]]), 'BadOdds')
  })
})

t.test('placeBet', async (t) => {
  t.test('placeBet_valid_escrowsPayoutAndEmits', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    const stake = 100n * USDC
    const outcome = await engine.write(alice, 'placeBet', [id, 1, stake, 35_000])
    t.ok(outcome.ok)
    if (!outcome.ok) return
    const payout = 350n * USDC
    t.equal(outcome.result, 1n, 'first bet id is 1')
    t.same(outcome.logs, [
      { eventName: 'BetPlaced', args: { betId: 1n, marketId: id, bettor: alice, outcome: 1, stake, odds: 35_000, payout } },
    ])
    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice] - stake)
    t.equal(await engine.read('balanceOf', [operator]), genesisBalances[operator] - (payout - stake))
    t.same(await engine.read('getBet', [1n]), { bettor: alice, marketId: id, outcome: 1, status: 1, stake, odds: 35_000, payout, kind: 0 })
    t.same((await engine.read('getMarket', [id])).liability, [0n, payout, 0n])
    t.equal(await engine.read('nextBetId'), 2n)
    t.comment(`placeBet gas (first bet on an outcome, tx total): ${outcome.gasUsed}`)
    const second = await engine.write(bob, 'placeBet', [id, 1, stake, 0])
    t.ok(second.ok)
    t.comment(`placeBet gas (typical, tx total incl. 21000 intrinsic): ${second.gasUsed}`)
    t.ok(second.gasUsed < TX_GAS_LIMIT)
  })

  t.test('placeBet_payout_isFlooredExactly', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { odds: [15_001, 10_001], maxStake: 10n ** 12n, maxLiability: 10n ** 20n })
    const cases: Array<[number, bigint]> = [
      [0, 333_333n],
      [1, 1n],
      [1, 9_999n],
      [0, 7n],
    ]
    for (const [outcome, stake] of cases) {
      const betId = await placeBet(engine, alice, id, outcome, stake)
      const odds = BigInt(outcome === 0 ? 15_001 : 10_001)
      t.equal((await engine.read('getBet', [betId])).payout, (stake * odds) / 10_000n, `stake ${stake} at ${odds}`)
    }
    t.equal((await engine.read('getBet', [1n])).payout, 500_032n, "333_333 * 15_001 / 10_000 = 500_032.83, floored")
    t.equal((await engine.read('getBet', [2n])).payout, 1n, 'payout equals stake: the house pays nothing')
  })

  t.test('placeBet_marketNotOpen_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id + 1n, 0, USDC, 0]), 'MarketNotOpen')
    await resolve(engine, id, 0)
    engine.time = 0n
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 0, USDC, 0]), 'MarketNotOpen')
  })

  t.test('placeBet_marketClosed_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 59n
    await placeBet(engine, alice, id, 0, USDC)
    engine.time += 1n
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 0, USDC, 0]), 'MarketClosed')
  })

  t.test('placeBet_badOutcome_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 3, USDC, 0]), 'BadOutcome')
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 255, USDC, 0]), 'BadOutcome')
  })

  t.test('placeBet_stakeZero_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 0, 0n, 0]), 'StakeZero')
  })

  t.test('placeBet_stakeTooHigh_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { maxStake: 50n * USDC })
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 0, 50n * USDC + 1n, 0]), 'StakeTooHigh')
    await placeBet(engine, alice, id, 0, 50n * USDC)
  })

  t.test('placeBet_oddsBelowMinimum_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 2, USDC, 41_001]), 'OddsBelowMinimum', [41_000])
    await placeBet(engine, alice, id, 2, USDC, 41_000)
  })

  t.test('placeBet_oddsChangedLater_betKeepsAcceptedOdds', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    const betId = await placeBet(engine, alice, id, 0, 10n * USDC)
    await engine.write(operator, 'setOdds', [id, [12_000, 35_000, 41_000]])
    const bet = await engine.read('getBet', [betId])
    t.equal(bet.odds, 20_000)
    t.equal(bet.payout, 20n * USDC)
  })

  t.test('placeBet_liabilityCapExceeded_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { odds: [20_000, 20_000], maxLiability: 100n * USDC })
    await placeBet(engine, alice, id, 0, 30n * USDC)
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 0, 20n * USDC + 1n, 0]), 'LiabilityCapExceeded')
    await placeBet(engine, alice, id, 0, 20n * USDC)
    await placeBet(engine, alice, id, 1, 50n * USDC)
    t.same((await engine.read('getMarket', [id])).liability, [100n * USDC, 100n * USDC], 'the cap is per outcome and inclusive')
  })

  t.test('placeBet_insufficientBalance_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, carol, (from) => engine.write(from, 'placeBet', [id, 0, 5n * USDC + 1n, 0]), 'InsufficientBalance')
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'placeBet', [id, 0, 1n, 0]), 'InsufficientBalance')
    await placeBet(engine, carol, id, 0, 5n * USDC)
    t.equal(await engine.read('balanceOf', [carol]), 0n)
  })

  t.test('placeBet_houseInsufficient_reverts', async (t) => {
    const engine = await createEngine({ [operator]: 10n * USDC, [alice]: 1_000n * USDC })
    const id = await openMarket(engine, { odds: [30_000, 20_000] })
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'placeBet', [id, 0, 5n * USDC + 1n, 0]), 'HouseInsufficient')
    await placeBet(engine, alice, id, 0, 5n * USDC)
    t.equal(await engine.read('balanceOf', [operator]), 0n, 'the house paid exactly payout - stake')
  })

  t.test('placeBet_byOperator_paysWholePayoutItself', async (t) => {
    const engine = await createEngine({ [operator]: 100n * USDC })
    const id = await openMarket(engine, { odds: [30_000, 20_000] })
    // 40 covers the stake but not stake + house share (120).
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'placeBet', [id, 0, 40n * USDC, 0]), 'HouseInsufficient')
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'placeBet', [id, 0, 101n * USDC, 0]), 'InsufficientBalance')
    const betId = await placeBet(engine, operator, id, 0, 30n * USDC)
    t.equal(await engine.read('balanceOf', [operator]), 10n * USDC)
    t.equal((await engine.read('getBet', [betId])).payout, 90n * USDC)
  })
})

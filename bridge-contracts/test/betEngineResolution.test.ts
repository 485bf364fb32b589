/** Oracle results and settlement: who may report, when, and how escrow is paid out. */
import t from 'tap'
import { RESULT_VOID } from '../../sdk/src/constants.ts'
import { alice, bob, carol, createEngine, expectRejected, genesisBalances, openMarket, operator, oracle, placeBet, resolve, USDC } from './fixtures.ts'

t.test('reportResult', async (t) => {
  t.test('reportResult_byOracle_resolvesAndEmits', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 60n
    const outcome = await engine.write(oracle, 'reportResult', [id, 2])
    t.ok(outcome.ok)
    // the genesis committee ([oracle], threshold 1, no dispute window): the vote proposes, and the proposal is final at once
    if (outcome.ok) {
      t.same(outcome.logs, [
        { eventName: 'ResultVoted', args: { marketId: id, round: 0, member: oracle, result: 2 } },
        { eventName: 'ResultProposed', args: { marketId: id, round: 0, result: 2, finalAt: engine.time } },
        { eventName: 'MarketResolved', args: { marketId: id, result: 2 } },
      ])
    }
    const market = await engine.read('getMarket', [id])
    t.equal(market.status, 2)
    t.equal(market.result, 2)
    t.equal(market.closeTime, engine.time, 'resolving keeps the close time')
    t.equal(market.maxStake, 1_000n * USDC, 'resolving keeps maxStake')
  })

  t.test('reportResult_void_isAccepted', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await resolve(engine, id, RESULT_VOID)
    t.equal((await engine.read('getMarket', [id])).result, RESULT_VOID)
  })

  t.test('reportResult_notOracle_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 60n
    await expectRejected(t, engine, operator, (from) => engine.write(from, 'reportResult', [id, 0]), 'NotOracle')
  })

  t.test('reportResult_marketNotOpen_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine)
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'reportResult', [id + 1n, 0]), 'MarketNotOpen')
    await resolve(engine, id, 0)
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'reportResult', [id, 1]), 'MarketNotOpen')
  })

  t.test('reportResult_marketNotClosed_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 59n
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'reportResult', [id, 0]), 'MarketNotClosed')
  })

  t.test('reportResult_badOutcome_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 60n
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'reportResult', [id, 3]), 'BadOutcome')
    await expectRejected(t, engine, oracle, (from) => engine.write(from, 'reportResult', [id, 254]), 'BadOutcome')
  })
})

t.test('settleBet', async (t) => {
  async function betOn(result: number) {
    const engine = await createEngine()
    const id = await openMarket(engine, { odds: [25_000, 16_000] })
    const betId = await placeBet(engine, alice, id, 0, 40n * USDC)
    await resolve(engine, id, result)
    return { engine, id, betId }
  }

  t.test('settleBet_winner_isPaidPayout', async (t) => {
    const { engine, id, betId } = await betOn(0)
    const outcome = await engine.write(carol, 'settleBet', [betId])
    t.ok(outcome.ok, 'anyone may settle')
    if (outcome.ok) t.same(outcome.logs, [{ eventName: 'BetSettled', args: { betId, marketId: id, bettor: alice, paid: 100n * USDC } }])
    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice] + 60n * USDC)
    t.equal(await engine.read('balanceOf', [operator]), genesisBalances[operator] - 60n * USDC)
    t.equal((await engine.read('getBet', [betId])).status, 2)
  })

  t.test('settleBet_loser_escrowGoesToHouse', async (t) => {
    const { engine, id, betId } = await betOn(1)
    const outcome = await engine.write(bob, 'settleBet', [betId])
    t.ok(outcome.ok)
    if (outcome.ok) t.same(outcome.logs, [{ eventName: 'BetSettled', args: { betId, marketId: id, bettor: alice, paid: 0n } }])
    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice] - 40n * USDC)
    t.equal(await engine.read('balanceOf', [operator]), genesisBalances[operator] + 40n * USDC)
  })

  t.test('settleBet_void_refundsBothSides', async (t) => {
    const { engine, id, betId } = await betOn(RESULT_VOID)
    const outcome = await engine.write(alice, 'settleBet', [betId])
    t.ok(outcome.ok)
    if (outcome.ok) t.same(outcome.logs, [{ eventName: 'BetSettled', args: { betId, marketId: id, bettor: alice, paid: 40n * USDC } }])
    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice])
    t.equal(await engine.read('balanceOf', [operator]), genesisBalances[operator])
  })

  t.test('settleBet_betNotOpen_reverts', async (t) => {
    const { engine, betId } = await betOn(0)
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'settleBet', [betId + 1n]), 'BetNotOpen')
    await engine.write(alice, 'settleBet', [betId])
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'settleBet', [betId]), 'BetNotOpen')
  })

  t.test('settleBet_marketNotResolved_reverts', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    const betId = await placeBet(engine, alice, id, 0, USDC)
    engine.time += 600n
    await expectRejected(t, engine, alice, (from) => engine.write(from, 'settleBet', [betId]), 'MarketNotResolved')
  })
})

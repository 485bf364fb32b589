/** Layout equivalence: raw storage at the slots sdk/src/betEngine/layout.ts computes equals the contract's views. */
import t from 'tap'
import {
  balanceSlot,
  betAmountsSlot,
  committeeSlot,
  decodeCommittee,
  decodeResolution,
  memberSlot,
  membersLengthSlot,
  resolutionSlot,
  resolutionVotesSlot,
  seatSlot,
  betSlot,
  decodeBet,
  decodeMarketHead,
  genesisStorage,
  marketLiabilitySlot,
  marketMaxLiabilitySlot,
  marketOddsSlot,
  marketSlot,
  nextBetIdSlot,
  nextMarketIdSlot,
  operatorSlot,
  oracleSlot,
  packedField,
  bettorStakeSlot,
  decodeLimits,
  decodeMarketFlags,
  decodeMarketInfo,
  decodePricing,
  marketInfoSlot,
  marketLimitsSlot,
  marketPricingSlot,
  marketProbabilitiesSlot,
} from '../../sdk/src/betEngine/layout.ts'
import { decodeBetEngineError } from '../../sdk/src/betEngine/errors.ts'
import { accounts, alice, bob, carol, createEngine, openMarket, operator, oracle, placeBet, USDC } from './fixtures.ts'

t.test('layout_storageAtComputedSlots_matchesViews', async (t) => {
  const engine = await createEngine()
  const odds16 = Array.from({ length: 16 }, (_, i) => 10_500 + i * 7_321)
  const wide = await openMarket(engine, { odds: odds16, maxStake: 123n * USDC, maxLiability: 54_321n * USDC })
  const narrow = await openMarket(engine, { odds: [19_000, 21_000], closeIn: 60n })
  const placed = [
    await placeBet(engine, alice, wide, 0, 10n * USDC),
    await placeBet(engine, bob, wide, 9, 3n * USDC + 7n),
    await placeBet(engine, alice, wide, 15, 1n),
    await placeBet(engine, carol, narrow, 1, 2n * USDC),
    await placeBet(engine, operator, narrow, 0, 5n * USDC),
  ]
  engine.time += 60n
  await engine.write(oracle, 'reportResult', [narrow, 1])
  await engine.write(bob, 'settleBet', [placed[3]])

  t.equal(await engine.storageAt(operatorSlot), BigInt(operator))
  t.equal(await engine.storageAt(oracleSlot), BigInt(oracle))
  t.equal(await engine.storageAt(nextMarketIdSlot), await engine.read('nextMarketId'))
  t.equal(await engine.storageAt(nextBetIdSlot), await engine.read('nextBetId'))
  for (const account of accounts) {
    t.equal(await engine.storageAt(balanceSlot(account)), await engine.read('balanceOf', [account]), `balance of ${account}`)
  }

  for (const id of [wide, narrow]) {
    const market = await engine.read('getMarket', [id])
    const head = decodeMarketHead(await engine.storageAt(marketSlot(id)))
    t.same(head, {
      status: market.status,
      outcomeCount: market.outcomeCount,
      result: market.result,
      closeTime: market.closeTime,
      maxStake: market.maxStake,
    })
    t.equal(await engine.storageAt(marketMaxLiabilitySlot(id)), market.maxLiability)
    for (let outcome = 0; outcome < market.outcomeCount; outcome++) {
      const odds = marketOddsSlot(id, outcome)
      t.equal(Number(packedField(await engine.storageAt(odds.slot), odds.shift, 32n)), market.odds[outcome], `odds[${outcome}]`)
      const liability = marketLiabilitySlot(id, outcome)
      t.equal(packedField(await engine.storageAt(liability.slot), liability.shift, 128n), market.liability[outcome], `liability[${outcome}]`)
    }
  }

  for (const betId of placed) {
    const stored = decodeBet(await engine.storageAt(betSlot(betId)), await engine.storageAt(betAmountsSlot(betId)))
    t.same(stored, await engine.read('getBet', [betId]), `bet ${betId}`)
  }
})

t.test('layout_committeeAndResolutionSlots_matchViews', async (t) => {
  const engine = await createEngine()
  const members = [bob, carol, alice]
  const market = await openMarket(engine, { closeIn: 60n })
  await engine.write(operator, 'setCommittee', [members, 2, 300])
  engine.time += 60n
  await engine.write(carol, 'voteResult', [market, 1])
  await engine.write(alice, 'voteResult', [market, 1])
  await engine.write(bob, 'flagResult', [market])
  await engine.write(alice, 'voteResult', [market, 255])

  const [viewMembers, threshold, window] = await engine.read('getCommittee')
  const committee = decodeCommittee(await engine.storageAt(committeeSlot))
  t.same({ threshold: committee.threshold, window: committee.disputeWindowSeconds }, { threshold, window })
  t.equal(await engine.storageAt(membersLengthSlot), BigInt(viewMembers.length))
  for (let i = 0; i < viewMembers.length; i++) {
    t.equal(await engine.storageAt(memberSlot(i)), BigInt(viewMembers[i]), `members[${i}]`)
    t.equal(await engine.storageAt(seatSlot(viewMembers[i])), BigInt(i) | (committee.epoch << 8n), `seat of members[${i}]`)
  }

  const state = await engine.read('getResultState', [market])
  t.same(decodeResolution(await engine.storageAt(resolutionSlot(market))), {
    round: state.round,
    proposed: state.proposed,
    result: state.proposedResult,
    finalAt: state.finalAt,
  })
  const votes = await engine.storageAt(resolutionVotesSlot(market))
  t.equal(Number(packedField(votes, 0n, 32n)), state.round, 'votes round')
  t.equal(votes >> 32n & ((1n << 64n) - 1n), committee.epoch, 'votes epoch')
  t.same(state.voters, [alice])
  t.equal(Number((votes >> 96n) & 0xffffn), 1 << 2, 'voted: seat 2 (alice) only')
  t.equal(Number((votes >> (112n + 16n)) & 0xffn), state.votes[0], "seat 2's vote")
})

t.test('genesisStorage_onlyNonzero32ByteWords', async (t) => {
  const entries = genesisStorage({ operator, oracle, balances: { [alice]: 5n, [bob]: 0n } })
  t.equal(entries.length, 9, 'operator, oracle, two counters, the committee (word, length, member, seat), one balance')
  for (const [slot, value] of entries) {
    t.match(slot, /^0x[0-9a-f]{64}$/)
    t.match(value, /^0x[0-9a-f]{64}$/)
    t.not(BigInt(value), 0n)
  }
  t.same(entries.find(([slot]) => slot === balanceSlot(alice)), [balanceSlot(alice), `0x${'0'.repeat(63)}5`])
  t.throws(() => genesisStorage({ operator, oracle, balances: { [alice]: -1n } }), RangeError)
})

t.test('decodeBetEngineError_knownAndUnknown', async (t) => {
  const engine = await createEngine()
  const outcome = await engine.write(alice, 'placeBet', [1n, 0, 1n, 0])
  t.notOk(outcome.ok)
  if (!outcome.ok) t.same(decodeBetEngineError(outcome.revertData), { name: 'MarketNotOpen', args: [] })
  t.equal(decodeBetEngineError('0xdeadbeef'), undefined)
  t.equal(decodeBetEngineError('0x'), undefined)
})

t.test('layout_marketInfoLimitsAndPricingSlots_matchGetMarketConfig', async (t) => {
  const engine = await createEngine()
  const handicap = await openMarket(engine, { odds: [19_000, 21_000, 30_000] })
  const wide = await openMarket(engine, { odds: Array.from({ length: 16 }, () => 20_000) })
  await engine.write(operator, 'setMarketInfo', [handicap, 4, -15])
  await engine.write(operator, 'setLimits', [handicap, 40n * USDC, 900n * USDC])
  await engine.write(operator, 'setPricing', [handicap, [4_500, 2_500, 3_000], 600, 250, 10_200])
  await engine.write(operator, 'setPricing', [wide, Array.from({ length: 16 }, (_, i) => (i === 0 ? 2_500 : 500)), 0, 7, 10_001])
  await engine.write(operator, 'suspendMarket', [wide])
  await placeBet(engine, alice, handicap, 2, 10n * USDC)
  await placeBet(engine, bob, handicap, 0, 3n * USDC)

  for (const id of [handicap, wide]) {
    const config = await engine.read('getMarketConfig', [id])
    const head = await engine.storageAt(marketSlot(id))
    t.same(decodeMarketInfo(await engine.storageAt(marketInfoSlot(id))), { marketType: config.marketType, line: config.line })
    t.same(decodeMarketFlags(head), { priced: config.priced, limited: config.limited })
    t.equal(decodeMarketHead(head).status, config.status)
    t.same(decodePricing(await engine.storageAt(marketProbabilitiesSlot(id)), await engine.storageAt(marketPricingSlot(id)), config.outcomeCount), {
      probabilitiesBps: config.probabilitiesBps,
      marginBps: config.marginBps,
      slope: config.slope,
      floorOdds: config.floorOdds,
    })
    const limits = decodeLimits(await engine.storageAt(marketLimitsSlot(id)), await engine.storageAt(marketMaxLiabilitySlot(id)))
    t.same([limits.maxStakePerBettor, limits.maxMarketLiability], [config.maxStakePerBettor, config.maxMarketLiability])
    if (config.limited) t.equal(limits.totalLiability, config.totalLiability, 'the counted total is the sum of the liabilities')
    for (const bettor of [alice, bob, carol]) {
      t.equal(await engine.storageAt(bettorStakeSlot(id, bettor)), await engine.read('getBettorStake', [id, bettor]), `stake of ${bettor}`)
    }
  }
  t.same(decodeMarketInfo(await engine.storageAt(marketInfoSlot(handicap))), { marketType: 4, line: -15 })
  t.equal(decodeMarketHead(await engine.storageAt(marketSlot(wide))).status, 3, 'suspended')
  t.equal(await engine.storageAt(bettorStakeSlot(handicap, alice)), 10n * USDC)
})

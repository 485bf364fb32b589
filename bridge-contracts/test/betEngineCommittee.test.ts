/**
 * The oracle committee of docs/decisions/0007: who may seat it, vote, flag and finalize, when; m-of-n
 * proposals, vote changes within a round, new rounds after a flag, finality after the dispute
 * window (by finalizeResult or lazily by settleBet), void refunds; and that a refused call changes
 * no balance, counter, committee, market or result state.
 */
import t, { type Test } from 'tap'
import { getAddress, zeroAddress, type Address } from 'viem'
import { RESULT_VOID, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { committeeSlot, decodeCommittee, memberSlot, membersLengthSlot, seatSlot } from '../../sdk/src/betEngine/layout.ts'
import type { BetEngineHarness, CallOutcome } from './evmHarness.ts'
import { alice, bob, carol, createEngine, expectRejected, genesisBalances, openMarket, operator, oracle, placeBet, USDC } from './fixtures.ts'

const m1: Address = getAddress('0x0000000000000000000000000000000000000f01')
const m2: Address = getAddress('0x0000000000000000000000000000000000000f02')
const m3: Address = getAddress('0x0000000000000000000000000000000000000f03')
const WINDOW = 600

/** An engine with a committee of m1, m2, m3 (2 must agree, a 600 s window) and one market closed now. */
async function committeeEngine(members: Address[] = [m1, m2, m3], threshold = 2, window = WINDOW) {
  const engine = await createEngine()
  const seated = await engine.write(operator, 'setCommittee', [members, threshold, window])
  if (!seated.ok) throw new Error(`setCommittee failed: ${seated.error?.name}`)
  const id = await openMarket(engine, { closeIn: 60n, odds: [25_000, 16_000, 41_000] })
  return { engine, id, closeTime: engine.time + 60n }
}

async function ok(t: Test, outcome: Promise<CallOutcome>): Promise<Extract<CallOutcome, { ok: true }>> {
  const result = await outcome
  t.ok(result.ok, result.ok ? 'accepted' : `accepted (refused with ${result.error?.name})`)
  if (!result.ok) throw new Error(`refused with ${result.error?.name}`)
  return result
}

function eventNames(outcome: CallOutcome): string[] {
  return outcome.ok ? outcome.logs.map((log) => log.eventName) : []
}

/** Everything a committee call could change besides balances and counters. */
async function snapshot(engine: BetEngineHarness, marketId: bigint) {
  return {
    committee: await engine.read('getCommittee'),
    market: await engine.read('getMarket', [marketId]),
    result: await engine.read('getResultState', [marketId]),
  }
}

/** expectRejected, and the committee, the market and its result state are unchanged too. */
async function expectRefused(
  t: Test,
  engine: BetEngineHarness,
  marketId: bigint,
  from: Address,
  call: (from: Address) => Promise<CallOutcome>,
  errorName: string,
  errorArgs?: readonly unknown[],
): Promise<void> {
  const before = await snapshot(engine, marketId)
  await expectRejected(t, engine, from, call, errorName, errorArgs)
  t.same(await snapshot(engine, marketId), before, 'no committee, market or result state changed')
}

t.test('genesis_committee_isTheOracleAloneWithNoWindow', async (t) => {
  const engine = await createEngine()
  t.same(await engine.read('getCommittee'), [[oracle], 1, 0])
  t.same(decodeCommittee(await engine.storageAt(committeeSlot)), { threshold: 1, disputeWindowSeconds: 0, epoch: 1n })
  t.equal(await engine.storageAt(membersLengthSlot), 1n)
  t.equal(await engine.storageAt(memberSlot(0)), BigInt(oracle))
  t.equal(await engine.storageAt(seatSlot(oracle)), 1n << 8n, 'seat 0 in epoch 1')
})

t.test('setCommittee', async (t) => {
  t.test('setCommittee_byOperator_seatsMembersAndEmits', async (t) => {
    const engine = await createEngine()
    const outcome = await ok(t, engine.write(operator, 'setCommittee', [[m1, m2, m3], 2, WINDOW]))
    t.same(outcome.logs, [{ eventName: 'CommitteeSet', args: { members: [m1, m2, m3], threshold: 2, disputeWindowSeconds: WINDOW } }])
    t.same(await engine.read('getCommittee'), [[m1, m2, m3], 2, WINDOW])
    t.same(decodeCommittee(await engine.storageAt(committeeSlot)), { threshold: 2, disputeWindowSeconds: WINDOW, epoch: 2n })
    t.equal(await engine.storageAt(seatSlot(m3)), 2n | (2n << 8n), 'seat 2 in epoch 2')
  })

  t.test('setCommittee_shrinks_clearsOldMembersAndTheirSeats', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    await ok(t, engine.write(operator, 'setCommittee', [[m3], 1, 0]))
    t.same(await engine.read('getCommittee'), [[m3], 1, 0])
    t.equal(await engine.storageAt(memberSlot(1)), 0n, 'members[1] cleared')
    t.equal(await engine.storageAt(memberSlot(2)), 0n, 'members[2] cleared')
    engine.time = closeTime
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'voteResult', [id, 0]), 'NotOracle')
    await expectRefused(t, engine, id, oracle, (from) => engine.write(from, 'voteResult', [id, 0]), 'NotOracle', [])
    const voted = await ok(t, engine.write(m3, 'voteResult', [id, 1]))
    t.same(eventNames(voted), ['ResultVoted', 'ResultProposed', 'MarketResolved'], 'm3 alone, threshold 1, no window')
  })

  t.test('setCommittee_refusals', async (t) => {
    const { engine, id } = await committeeEngine()
    const set = (members: Address[], threshold: number, window = 0) => (from: Address) =>
      engine.write(from, 'setCommittee', [members, threshold, window])
    const seventeen = Array.from({ length: 17 }, (_, i) => getAddress(`0x${(0x1000 + i).toString(16).padStart(40, '0')}`))
    await expectRefused(t, engine, id, oracle, set([m1], 1), 'NotOperator')
    await expectRefused(t, engine, id, m1, set([m1], 1), 'NotOperator')
    await expectRefused(t, engine, id, operator, set([], 1), 'BadCommitteeSize')
    await expectRefused(t, engine, id, operator, set(seventeen, 1), 'BadCommitteeSize')
    await expectRefused(t, engine, id, operator, set([m1, m2], 0), 'BadThreshold')
    await expectRefused(t, engine, id, operator, set([m1, m2], 3), 'BadThreshold')
    await expectRefused(t, engine, id, operator, set([m1, zeroAddress], 1), 'BadCommitteeMember', [zeroAddress])
    await expectRefused(t, engine, id, operator, set([m1, m2, m1], 1), 'BadCommitteeMember', [m1])
  })

  t.test('setCommittee_sixteenMembers_boundedGas', async (t) => {
    const engine = await createEngine()
    const sixteen = Array.from({ length: 16 }, (_, i) => getAddress(`0x${(0x2000 + i).toString(16).padStart(40, '0')}`))
    const seated = await ok(t, engine.write(operator, 'setCommittee', [sixteen, 16, 0]))
    const reseated = await ok(t, engine.write(operator, 'setCommittee', [[...sixteen].reverse(), 16, 0]))
    const shrunk = await ok(t, engine.write(operator, 'setCommittee', [[m1], 1, 0]))
    for (const [name, outcome] of [['16 members', seated], ['16 members again', reseated], ['16 -> 1', shrunk]] as const) {
      t.ok(outcome.gasUsed <= TX_GAS_LIMIT, `setCommittee (${name}): ${outcome.gasUsed} gas`)
    }
    // every seat votes; the 16th vote proposes and resolves
    const id = await openMarket(engine, { closeIn: 60n })
    await ok(t, engine.write(operator, 'setCommittee', [sixteen, 16, 0]))
    engine.time += 60n
    let last: CallOutcome | undefined
    for (const member of sixteen) last = await ok(t, engine.write(member, 'voteResult', [id, 1]))
    t.same(eventNames(last!), ['ResultVoted', 'ResultProposed', 'MarketResolved'])
    t.ok(last!.gasUsed <= TX_GAS_LIMIT, `voteResult (16th of 16): ${last!.gasUsed} gas`)
  })
})

t.test('voteResult', async (t) => {
  t.test('voteResult_nonMember_refused', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    for (const from of [operator, oracle, alice]) {
      await expectRefused(t, engine, id, from, (f) => engine.write(f, 'voteResult', [id, 0]), 'NotOracle')
    }
  })

  t.test('voteResult_beforeClose_refused', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime - 1n
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'voteResult', [id, 0]), 'MarketNotClosed')
  })

  t.test('voteResult_badOutcomeOrMarket_refused', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'voteResult', [id, 3]), 'BadOutcome')
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'voteResult', [id, 254]), 'BadOutcome')
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'voteResult', [id + 1n, 0]), 'MarketNotOpen')
  })

  t.test('voteResult_thresholdOfAgreeingMembers_proposes', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime + 5n
    const first = await ok(t, engine.write(m1, 'voteResult', [id, 0]))
    t.same(first.logs, [{ eventName: 'ResultVoted', args: { marketId: id, round: 0, member: m1, result: 0 } }])
    const other = await ok(t, engine.write(m2, 'voteResult', [id, 1]))
    t.same(eventNames(other), ['ResultVoted'], 'two members, two results: nothing proposed')
    const state = await engine.read('getResultState', [id])
    t.match(state, { round: 0, proposed: false, flagged: false, voters: [m1, m2], votes: [0, 1] })
    const agreeing = await ok(t, engine.write(m3, 'voteResult', [id, 1]))
    const finalAt = engine.time + BigInt(WINDOW)
    t.same(agreeing.logs, [
      { eventName: 'ResultVoted', args: { marketId: id, round: 0, member: m3, result: 1 } },
      { eventName: 'ResultProposed', args: { marketId: id, round: 0, result: 1, finalAt } },
    ])
    t.match(await engine.read('getResultState', [id]), { round: 0, proposed: true, proposedResult: 1, finalAt, isFinal: false })
    t.equal((await engine.read('getMarket', [id])).status, 1, 'the market stays open through the dispute window')
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'voteResult', [id, 1]), 'ResultAlreadyProposed', [finalAt])
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'reportResult', [id, 0]), 'ResultAlreadyProposed', [finalAt])
  })

  t.test('voteResult_changedWithinRound_countsOnlyTheLastVote', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    await ok(t, engine.write(m1, 'voteResult', [id, 0]))
    await ok(t, engine.write(m1, 'voteResult', [id, 2]))
    t.match(await engine.read('getResultState', [id]), { voters: [m1], votes: [2] })
    const m2Votes = await ok(t, engine.write(m2, 'voteResult', [id, 0]))
    t.same(eventNames(m2Votes), ['ResultVoted'], "m1's first vote for 0 no longer counts")
    const changed = await ok(t, engine.write(m1, 'reportResult', [id, 0]))
    t.same(eventNames(changed), ['ResultVoted', 'ResultProposed'], 'reportResult is the same call: m1 changes to 0, two agree')
  })

  t.test('voteResult_newCommittee_earlierVotesCountForNothing', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    await ok(t, engine.write(m1, 'voteResult', [id, 0]))
    await ok(t, engine.write(operator, 'setCommittee', [[m1, m2, m3], 2, WINDOW]))
    t.match(await engine.read('getResultState', [id]), { voters: [], votes: [] })
    const m2Votes = await ok(t, engine.write(m2, 'voteResult', [id, 0]))
    t.same(eventNames(m2Votes), ['ResultVoted'], "the old committee's vote is gone")
  })
})

t.test('flagResult', async (t) => {
  async function proposed(threshold = 2) {
    const setup = await committeeEngine([m1, m2, m3], threshold)
    setup.engine.time = setup.closeTime
    for (const member of [m1, m2].slice(0, threshold)) await setup.engine.write(member, 'voteResult', [setup.id, 0])
    const finalAt = setup.engine.time + BigInt(WINDOW)
    return { ...setup, finalAt }
  }

  t.test('flagResult_byMemberInsideWindow_startsNewRound', async (t) => {
    const { engine, id, finalAt } = await proposed()
    engine.time = finalAt - 1n
    const flagged = await ok(t, engine.write(m3, 'flagResult', [id]))
    t.same(flagged.logs, [{ eventName: 'ResultFlagged', args: { marketId: id, round: 0, by: m3 } }])
    t.match(await engine.read('getResultState', [id]), { round: 1, proposed: false, flagged: true, finalAt: 0n, voters: [], votes: [] })
    await expectRefused(t, engine, id, m3, (from) => engine.write(from, 'flagResult', [id]), 'NoProposedResult')
    await expectRefused(t, engine, id, m3, (from) => engine.write(from, 'finalizeResult', [id]), 'NoProposedResult')

    // re-vote: the round's votes start empty, so one vote proposes nothing
    const first = await ok(t, engine.write(m1, 'voteResult', [id, 2]))
    t.same(first.logs, [{ eventName: 'ResultVoted', args: { marketId: id, round: 1, member: m1, result: 2 } }])
    const second = await ok(t, engine.write(m3, 'voteResult', [id, 2]))
    t.same(second.logs[1], { eventName: 'ResultProposed', args: { marketId: id, round: 1, result: 2, finalAt: engine.time + BigInt(WINDOW) } })
    t.match(await engine.read('getResultState', [id]), { round: 1, proposed: true, proposedResult: 2, flagged: false })
  })

  t.test('flagResult_byOperatorInsideWindow_accepted', async (t) => {
    const { engine, id } = await proposed()
    const flagged = await ok(t, engine.write(operator, 'flagResult', [id]))
    t.same(flagged.logs, [{ eventName: 'ResultFlagged', args: { marketId: id, round: 0, by: operator } }])
  })

  t.test('flagResult_outsiderOrNothingProposed_refused', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    await expectRefused(t, engine, id, m1, (from) => engine.write(from, 'flagResult', [id]), 'NoProposedResult')
    await ok(t, engine.write(m1, 'voteResult', [id, 0]))
    await ok(t, engine.write(m2, 'voteResult', [id, 0]))
    await expectRefused(t, engine, id, alice, (from) => engine.write(from, 'flagResult', [id]), 'NotOracleOrOperator')
    await expectRefused(t, engine, id, oracle, (from) => engine.write(from, 'flagResult', [id]), 'NotOracleOrOperator')
  })

  t.test('flagResult_atOrAfterFinalAt_refused', async (t) => {
    const { engine, id, finalAt } = await proposed()
    engine.time = finalAt
    await expectRefused(t, engine, id, m3, (from) => engine.write(from, 'flagResult', [id]), 'DisputeWindowOver', [finalAt])
    await ok(t, engine.write(bob, 'finalizeResult', [id]))
    engine.time = finalAt + 1_000n
    await expectRefused(t, engine, id, operator, (from) => engine.write(from, 'flagResult', [id]), 'DisputeWindowOver', [finalAt])
  })

  t.test('flagResult_genesisCommittee_reportIsFinalAtOnce', async (t) => {
    const engine = await createEngine()
    const id = await openMarket(engine, { closeIn: 60n })
    engine.time += 60n
    await ok(t, engine.write(oracle, 'reportResult', [id, 1]))
    await expectRefused(t, engine, id, operator, (from) => engine.write(from, 'flagResult', [id]), 'DisputeWindowOver', [engine.time])
  })
})

t.test('finality', async (t) => {
  t.test('finalizeResult_afterWindow_resolvesByAnyone', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    await ok(t, engine.write(m1, 'voteResult', [id, 1]))
    await ok(t, engine.write(m2, 'voteResult', [id, 1]))
    const finalAt = engine.time + BigInt(WINDOW)
    engine.time = finalAt - 1n
    t.match(await engine.read('getResultState', [id]), { isFinal: false })
    await expectRefused(t, engine, id, alice, (from) => engine.write(from, 'finalizeResult', [id]), 'ResultNotFinal', [finalAt])
    engine.time = finalAt
    t.match(await engine.read('getResultState', [id]), { isFinal: true })
    const finalized = await ok(t, engine.write(alice, 'finalizeResult', [id]))
    t.same(finalized.logs, [{ eventName: 'MarketResolved', args: { marketId: id, result: 1 } }])
    t.match(await engine.read('getMarket', [id]), { status: 2, result: 1 })
    await expectRefused(t, engine, id, alice, (from) => engine.write(from, 'finalizeResult', [id]), 'MarketNotOpen')
    await expectRefused(t, engine, id, m3, (from) => engine.write(from, 'voteResult', [id, 0]), 'MarketNotOpen')
  })

  t.test('settleBet_pastTheWindow_finalizesLazily', async (t) => {
    const engine = await createEngine()
    await engine.write(operator, 'setCommittee', [[m1, m2, m3], 2, WINDOW])
    const id = await openMarket(engine, { closeIn: 60n, odds: [25_000, 16_000] })
    const winner = await placeBet(engine, alice, id, 0, 40n * USDC)
    const loser = await placeBet(engine, bob, id, 1, 10n * USDC)
    engine.time += 60n
    await ok(t, engine.write(m1, 'voteResult', [id, 0]))
    await ok(t, engine.write(m3, 'voteResult', [id, 0]))
    const finalAt = engine.time + BigInt(WINDOW)
    engine.time = finalAt - 1n
    await expectRefused(t, engine, id, alice, (from) => engine.write(from, 'settleBet', [winner]), 'MarketNotResolved')
    engine.time = finalAt
    const settled = await ok(t, engine.write(alice, 'settleBet', [winner]))
    t.same(settled.logs, [
      { eventName: 'MarketResolved', args: { marketId: id, result: 0 } },
      { eventName: 'BetSettled', args: { betId: winner, marketId: id, bettor: alice, paid: 100n * USDC } },
    ])
    const second = await ok(t, engine.write(carol, 'settleBet', [loser]))
    t.same(eventNames(second), ['BetSettled'], 'resolved once')
    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice] + 60n * USDC)
    t.equal(await engine.read('balanceOf', [operator]), genesisBalances[operator] - 60n * USDC + 10n * USDC)
    t.comment(`settleBet with lazy finalization: ${settled.gasUsed} gas; without: ${second.gasUsed}`)
  })

  t.test('voidProposal_final_refundsEveryBet', async (t) => {
    const engine = await createEngine()
    await engine.write(operator, 'setCommittee', [[m1, m2], 2, WINDOW])
    const id = await openMarket(engine, { closeIn: 60n, odds: [25_000, 16_000] })
    const bets = [await placeBet(engine, alice, id, 0, 40n * USDC), await placeBet(engine, bob, id, 1, 10n * USDC)]
    engine.time += 60n
    await ok(t, engine.write(m1, 'voteResult', [id, RESULT_VOID]))
    const proposal = await ok(t, engine.write(m2, 'voteResult', [id, RESULT_VOID]))
    t.same(proposal.logs[1], { eventName: 'ResultProposed', args: { marketId: id, round: 0, result: RESULT_VOID, finalAt: engine.time + BigInt(WINDOW) } })
    engine.time += BigInt(WINDOW)
    const paid = []
    for (const betId of bets) {
      const settled = await ok(t, engine.write(alice, 'settleBet', [betId]))
      paid.push(settled.logs.find((log) => log.eventName === 'BetSettled')?.args.paid)
    }
    t.same(paid, [40n * USDC, 10n * USDC], 'each bet gets its stake back')
    for (const account of [alice, bob, operator]) t.equal(await engine.read('balanceOf', [account]), genesisBalances[account])
    t.match(await engine.read('getMarket', [id]), { status: 2, result: RESULT_VOID })
  })

  t.test('setCommittee_keepsAProposalAndItsFinalAt', async (t) => {
    const { engine, id, closeTime } = await committeeEngine()
    engine.time = closeTime
    await ok(t, engine.write(m1, 'voteResult', [id, 2]))
    await ok(t, engine.write(m2, 'voteResult', [id, 2]))
    const finalAt = engine.time + BigInt(WINDOW)
    await ok(t, engine.write(operator, 'setCommittee', [[m3], 1, 0]))
    await expectRefused(t, engine, id, m3, (from) => engine.write(from, 'voteResult', [id, 0]), 'ResultAlreadyProposed', [finalAt])
    engine.time = finalAt
    t.same(eventNames(await ok(t, engine.write(m1, 'finalizeResult', [id]))), ['MarketResolved'])
  })
})

t.test('gas_committeeCalls', async (t) => {
  const { engine, id, closeTime } = await committeeEngine()
  engine.time = closeTime
  const gas: Array<[string, CallOutcome]> = [
    ['voteResult (first of the round)', await engine.write(m1, 'voteResult', [id, 0])],
    ['voteResult (proposes)', await engine.write(m2, 'voteResult', [id, 0])],
    ['flagResult', await engine.write(m3, 'flagResult', [id])],
    ['voteResult (after a flag)', await engine.write(m1, 'voteResult', [id, 1])],
  ]
  gas.push(['voteResult (proposes again)', await engine.write(m3, 'voteResult', [id, 1])])
  engine.time += BigInt(WINDOW)
  gas.push(['finalizeResult', await engine.write(alice, 'finalizeResult', [id])])
  const solo = await createEngine()
  const soloId = await openMarket(solo, { closeIn: 60n })
  solo.time += 60n
  gas.push(['reportResult (genesis committee: resolves at once)', await solo.write(oracle, 'reportResult', [soloId, 0])])
  for (const [name, outcome] of gas) {
    t.ok(outcome.ok, `${name} accepted`)
    t.ok(outcome.gasUsed <= TX_GAS_LIMIT, `${name}: ${outcome.gasUsed} gas`)
  }
})

/**
 * Property test for money: random sequences of operator, bettor, oracle committee (seating, votes,
 * flags, finalization: docs/decisions/0007) and L1 messenger calls (deposits relayed, withdrawals
 * initiated), valid and invalid, interleaved with time advances,
 * keep sum(balances) + sum(payout of open bets) = genesis balances + deposits - withdrawals;
 * and every call stays within TX_GAS_LIMIT.
 */
import fc from 'fast-check'
import t from 'tap'
import { getAddress, zeroAddress, type Address } from 'viem'
import { L1_MESSENGER_ADDRESS, RESULT_VOID, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { withdrawalHash, withdrawalSlot } from '../../sdk/src/betEngine/layout.ts'
import type { BetEngineHarness, CallOutcome } from './evmHarness.ts'
import { accounts, balances, createEngine, genesisTotal, operator, oracle } from './fixtures.ts'

/** Picks among what exists (so most calls can succeed), or names a raw value (so some cannot). */
type Ref = { pick: number } | { raw: bigint }

type Command =
  | { kind: 'createMarket'; from: Address; outcomeCount: number; odds: number[]; closeIn: bigint; maxStake: bigint; maxLiability: bigint }
  | { kind: 'setOdds'; from: Address; market: Ref; odds: number[]; fitOdds: boolean }
  | { kind: 'placeBet'; from: Address; market: Ref; outcome: Ref; stake: bigint; minOdds: number }
  | { kind: 'reportResult'; from: Address; market: Ref; result: Ref }
  | { kind: 'setCommittee'; from: Address; members: Address[]; threshold: number; window: number }
  | { kind: 'voteResult'; from: Address; market: Ref; result: Ref }
  | { kind: 'flagResult'; from: Address; market: Ref }
  | { kind: 'finalizeResult'; from: Address; market: Ref }
  | { kind: 'settleBet'; from: Address; bet: Ref }
  | { kind: 'advanceTime'; seconds: bigint }
  | { kind: 'relayDeposit'; from: Address; recipient: Address; amount: bigint }
  | { kind: 'withdraw'; from: Address; l1Recipient: Address; amount: bigint }

/** What the test has seen created, to aim commands at it. */
interface World {
  markets: Array<{ id: bigint; outcomeCount: number }>
  bets: bigint[]
  /** The next L1 queue index a relayed deposit carries. */
  queueIndex: bigint
}

const anyone = fc.constantFrom(...accounts)
/** Mostly a value that passes the engine's checks, sometimes anything in `wild`. */
function mostly<T>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: wild, weight: 1 })
}
function ref(rawMax: bigint): fc.Arbitrary<Ref> {
  return mostly<Ref>(
    fc.nat().map((pick) => ({ pick })),
    fc.bigInt({ min: 0n, max: rawMax }).map((raw) => ({ raw })),
  )
}
const mostlyOperator = mostly(fc.constant(operator), anyone)
const mostlyOracle = mostly(fc.constant(oracle), anyone)
const validOdds = fc.array(fc.integer({ min: 10_001, max: 80_000 }), { minLength: 2, maxLength: 16 })
const oddsList = mostly(
  validOdds,
  fc.array(fc.oneof(fc.integer({ min: 10_001, max: 80_000 }), fc.constantFrom(0, 9_999, 10_000, 10_000_000, 10_000_001)), {
    minLength: 0,
    maxLength: 17,
  }),
)
const stake = mostly(
  fc.bigInt({ min: 1_000_000n, max: 50_000_000n }),
  fc.oneof(fc.bigInt({ min: 0n, max: 20_000_000_000n }), fc.constantFrom(0n, 1n, 2n ** 96n - 1n)),
)

const createMarket: fc.Arbitrary<Command> = fc
  .record({
    from: mostlyOperator,
    odds: oddsList,
    countDelta: mostly(fc.constant(0), fc.integer({ min: -1, max: 1 })),
    closeIn: mostly(fc.bigInt({ min: 1n, max: 600n }), fc.bigInt({ min: -10n, max: 0n })),
    maxStake: mostly(fc.bigInt({ min: 20_000_000n, max: 1_000_000_000n }), fc.bigInt({ min: 0n, max: 20_000_000n })),
    maxLiability: mostly(fc.bigInt({ min: 1_000_000_000n, max: 200_000_000_000n }), fc.bigInt({ min: 0n, max: 1_000_000_000n })),
  })
  .map(({ countDelta, odds, ...rest }) => ({ kind: 'createMarket' as const, outcomeCount: Math.max(0, odds.length + countDelta), odds, ...rest }))
const setOdds: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('setOdds' as const),
  from: mostlyOperator,
  market: ref(6n),
  odds: oddsList,
  fitOdds: mostly(fc.constant(true), fc.constant(false)),
})
const placeBet: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('placeBet' as const),
  from: mostly(fc.constantFrom(accounts[0], accounts[2], accounts[3]), anyone),
  market: ref(6n),
  outcome: ref(255n),
  stake,
  minOdds: mostly(fc.constant(0), fc.integer({ min: 0, max: 60_000 })),
})
const reportResult: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('reportResult' as const),
  from: mostlyOracle,
  market: ref(6n),
  result: mostly(fc.oneof(fc.nat().map((pick): Ref => ({ pick })), fc.constant<Ref>({ raw: BigInt(RESULT_VOID) })), ref(255n)),
})
const setCommittee: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('setCommittee' as const),
  from: mostlyOperator,
  // mostly the oracle and some others (so results keep coming); sometimes a repeat, the zero address, none or too many
  members: mostly(
    fc.shuffledSubarray([accounts[2], accounts[3], accounts[4], operator]).map((others) => [oracle, ...others]),
    fc.array(fc.constantFrom<Address>(...accounts, zeroAddress), { minLength: 0, maxLength: 17 }),
  ),
  threshold: mostly(fc.constantFrom(1, 1, 2), fc.integer({ min: 0, max: 255 })),
  window: mostly(fc.constantFrom(0, 0, 30, 120), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
})
const voteResult: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('voteResult' as const),
  from: mostly(fc.constantFrom(oracle, accounts[2], accounts[3]), anyone),
  market: ref(6n),
  result: mostly(fc.oneof(fc.nat().map((pick): Ref => ({ pick })), fc.constant<Ref>({ raw: BigInt(RESULT_VOID) })), ref(255n)),
})
const flagResult: fc.Arbitrary<Command> = fc.record({ kind: fc.constant('flagResult' as const), from: anyone, market: ref(6n) })
const finalizeResult: fc.Arbitrary<Command> = fc.record({ kind: fc.constant('finalizeResult' as const), from: anyone, market: ref(6n) })
const settleBet: fc.Arbitrary<Command> = fc.record({ kind: fc.constant('settleBet' as const), from: anyone, bet: ref(60n) })
const advanceTime: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('advanceTime' as const),
  seconds: mostly(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: 5_000n })),
})
const messenger = getAddress(L1_MESSENGER_ADDRESS)
const l1Recipient = getAddress('0x00000000000000000000000000000000000022f2')
const relayDeposit: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('relayDeposit' as const),
  from: mostly(fc.constant(messenger), anyone),
  recipient: anyone,
  amount: mostly(fc.bigInt({ min: 1n, max: 5_000_000_000n }), fc.constantFrom(0n, 1n, 2n ** 96n)),
})
const withdraw: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('withdraw' as const),
  from: anyone,
  l1Recipient: mostly(fc.constant(l1Recipient), fc.constantFrom(zeroAddress, ...accounts)),
  amount: mostly(fc.bigInt({ min: 1n, max: 20_000_000n }), fc.oneof(fc.bigInt({ min: 0n, max: 20_000_000_000n }), fc.constantFrom(0n, 2n ** 256n - 1n))),
})
/** Weighted towards markets and bets, so that most runs reach settlement. */
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: createMarket, weight: 2 },
  { arbitrary: setOdds, weight: 1 },
  { arbitrary: placeBet, weight: 5 },
  { arbitrary: reportResult, weight: 2 },
  { arbitrary: setCommittee, weight: 1 },
  { arbitrary: voteResult, weight: 3 },
  { arbitrary: flagResult, weight: 1 },
  { arbitrary: finalizeResult, weight: 1 },
  { arbitrary: settleBet, weight: 3 },
  { arbitrary: advanceTime, weight: 2 },
  { arbitrary: relayDeposit, weight: 1 },
  { arbitrary: withdraw, weight: 1 },
)

function resolveRef<T>(r: Ref, known: T[], fallback: bigint, toBig: (item: T) => bigint): bigint {
  if ('raw' in r) return r.raw
  return known.length === 0 ? fallback : toBig(known[r.pick % known.length])
}

function send(engine: BetEngineHarness, world: World, c: Exclude<Command, { kind: 'advanceTime' }>): Promise<CallOutcome> {
  const market = 'market' in c ? world.markets.find((m) => m.id === resolveRef(c.market, world.markets, 1n, (m) => m.id)) : undefined
  const marketId = 'market' in c ? resolveRef(c.market, world.markets, 1n, (m) => m.id) : 0n
  const outcomeOf = (r: Ref) => Number('raw' in r ? r.raw : BigInt(r.pick % (market?.outcomeCount ?? 2)))
  switch (c.kind) {
    case 'createMarket':
      return engine.write(c.from, 'createMarket', [c.outcomeCount, c.odds, engine.time + c.closeIn, c.maxStake, c.maxLiability])
    case 'setOdds': {
      const count = market?.outcomeCount ?? c.odds.length
      const odds = c.fitOdds && c.odds.length > 0 ? Array.from({ length: count }, (_, i) => c.odds[i % c.odds.length]) : c.odds
      return engine.write(c.from, 'setOdds', [marketId, odds])
    }
    case 'placeBet':
      return engine.write(c.from, 'placeBet', [marketId, outcomeOf(c.outcome), c.stake, c.minOdds])
    case 'reportResult':
      return engine.write(c.from, 'reportResult', [marketId, outcomeOf(c.result)])
    case 'setCommittee':
      return engine.write(c.from, 'setCommittee', [c.members, c.threshold % 256, c.window])
    case 'voteResult':
      return engine.write(c.from, 'voteResult', [marketId, outcomeOf(c.result)])
    case 'flagResult':
      return engine.write(c.from, 'flagResult', [marketId])
    case 'finalizeResult':
      return engine.write(c.from, 'finalizeResult', [marketId])
    case 'settleBet':
      return engine.write(c.from, 'settleBet', [resolveRef(c.bet, world.bets, 1n, (id) => id)])
    case 'relayDeposit':
      return engine.write(c.from, 'relayDeposit', [world.queueIndex, c.from, c.recipient, c.amount])
    case 'withdraw':
      return engine.write(c.from, 'withdraw', [c.l1Recipient, c.amount])
  }
}

/** sum(payout of open bets), read from the contract's own views. */
async function openPayouts(engine: BetEngineHarness): Promise<bigint> {
  const next = await engine.read('nextBetId')
  let sum = 0n
  for (let id = 1n; id < next; id++) {
    const bet = await engine.read('getBet', [id])
    if (bet.status === 1) sum += bet.payout
  }
  return sum
}

/** Checks a relayed deposit or an initiated withdrawal against its command; returns the money it moved in (+) or out (-). */
async function bridgeFlow(engine: BetEngineHarness, c: Command, logs: { eventName: string; args: Record<string, unknown> }[]): Promise<bigint> {
  if (c.kind === 'relayDeposit') {
    const event = logs.find((log) => log.eventName === 'DepositRelayed')
    if (c.from !== messenger) throw new Error(`relayDeposit accepted from ${c.from}`)
    if (event?.args.amount !== c.amount || event.args.recipient !== c.recipient) throw new Error('DepositRelayed does not match the call')
    return c.amount
  }
  if (c.kind === 'withdraw') {
    const event = logs.find((log) => log.eventName === 'WithdrawalInitiated')
    if (event?.args.amount !== c.amount || event.args.l2Sender !== c.from || event.args.l1Recipient !== c.l1Recipient) {
      throw new Error('WithdrawalInitiated does not match the call')
    }
    const hash = withdrawalHash({ l2Sender: c.from, l1Recipient: c.l1Recipient, amount: c.amount, nonce: event.args.nonce as bigint })
    if (event.args.withdrawalHash !== hash || (await engine.storageAt(withdrawalSlot(hash))) !== 1n) throw new Error('withdrawal record missing')
    return -c.amount
  }
  return 0n
}

/** A market's whole life with a deposit and a withdrawal: the example every run starts with. */
const lifecycle: Command[] = [
  { kind: 'createMarket', from: operator, outcomeCount: 2, odds: [20_000, 18_000], closeIn: 100n, maxStake: 100_000_000n, maxLiability: 100_000_000_000n },
  { kind: 'relayDeposit', from: messenger, recipient: accounts[2], amount: 30_000_000n },
  { kind: 'placeBet', from: accounts[2], market: { pick: 0 }, outcome: { pick: 0 }, stake: 5_000_000n, minOdds: 0 },
  { kind: 'placeBet', from: accounts[3], market: { pick: 0 }, outcome: { pick: 1 }, stake: 4_000_000n, minOdds: 0 },
  { kind: 'advanceTime', seconds: 200n },
  { kind: 'reportResult', from: oracle, market: { pick: 0 }, result: { pick: 0 } },
  { kind: 'settleBet', from: accounts[3], bet: { pick: 0 } },
  { kind: 'settleBet', from: accounts[2], bet: { pick: 1 } },
  { kind: 'withdraw', from: accounts[2], l1Recipient, amount: 10_000_000n },
]

/** A committee's whole life: 2 of 3 with a window, a flag, a new round, a finalization and a lazy one in settleBet. */
const committeeLifecycle: Command[] = [
  { kind: 'createMarket', from: operator, outcomeCount: 2, odds: [20_000, 18_000], closeIn: 100n, maxStake: 100_000_000n, maxLiability: 100_000_000_000n },
  { kind: 'createMarket', from: operator, outcomeCount: 3, odds: [30_000, 25_000, 40_000], closeIn: 100n, maxStake: 100_000_000n, maxLiability: 100_000_000_000n },
  { kind: 'setCommittee', from: operator, members: [oracle, accounts[2], accounts[3]], threshold: 2, window: 120 },
  { kind: 'placeBet', from: accounts[2], market: { pick: 0 }, outcome: { pick: 0 }, stake: 5_000_000n, minOdds: 0 },
  { kind: 'placeBet', from: accounts[3], market: { pick: 1 }, outcome: { pick: 2 }, stake: 4_000_000n, minOdds: 0 },
  { kind: 'advanceTime', seconds: 200n },
  { kind: 'voteResult', from: oracle, market: { pick: 0 }, result: { pick: 1 } },
  { kind: 'voteResult', from: accounts[2], market: { pick: 0 }, result: { pick: 1 } },
  { kind: 'flagResult', from: accounts[3], market: { pick: 0 } },
  { kind: 'voteResult', from: oracle, market: { pick: 0 }, result: { pick: 0 } },
  { kind: 'voteResult', from: accounts[3], market: { pick: 0 }, result: { pick: 0 } },
  { kind: 'voteResult', from: oracle, market: { pick: 1 }, result: { raw: BigInt(RESULT_VOID) } },
  { kind: 'voteResult', from: accounts[2], market: { pick: 1 }, result: { raw: BigInt(RESULT_VOID) } },
  { kind: 'advanceTime', seconds: 120n },
  { kind: 'finalizeResult', from: accounts[4], market: { pick: 0 } },
  { kind: 'settleBet', from: accounts[4], bet: { pick: 0 } },
  { kind: 'settleBet', from: accounts[4], bet: { pick: 1 } },
]

t.test('money_randomSequences_conserveBalancesPlusOpenPayouts', async (t) => {
  const maxGas = new Map<string, bigint>()
  const accepted = new Map<string, number>()

  await fc.assert(
    fc.asyncProperty(fc.tuple(createMarket, fc.array(command, { minLength: 10, maxLength: 70 })).map(([first, rest]) => [first, ...rest]), async (commands) => {
      const engine = await createEngine()
      // Payouts of open bets, tracked from BetPlaced / BetSettled events so each step is checked cheaply.
      const escrow = new Map<bigint, bigint>()
      const world: World = { markets: [], bets: [], queueIndex: 0n }
      // genesis balances + deposits relayed - withdrawals initiated
      let expected = genesisTotal
      for (const c of commands) {
        if (c.kind === 'advanceTime') {
          engine.time += c.seconds
          continue
        }
        const outcome = await send(engine, world, c)
        maxGas.set(c.kind, (maxGas.get(c.kind) ?? 0n) > outcome.gasUsed ? maxGas.get(c.kind)! : outcome.gasUsed)
        if (outcome.gasUsed > TX_GAS_LIMIT) throw new Error(`${c.kind} used ${outcome.gasUsed} gas`)
        if (!outcome.ok) {
          if (outcome.error === undefined) throw new Error(`${c.kind} reverted without a known error: ${outcome.revertData}`)
          continue
        }
        accepted.set(c.kind, (accepted.get(c.kind) ?? 0) + 1)
        expected += await bridgeFlow(engine, c, outcome.logs)
        if (c.kind === 'relayDeposit') world.queueIndex += 1n
        for (const log of outcome.logs) {
          if (log.eventName === 'MarketCreated') world.markets.push({ id: log.args.marketId as bigint, outcomeCount: log.args.outcomeCount as number })
          if (log.eventName === 'BetPlaced') world.bets.push(log.args.betId as bigint)
          if (log.eventName === 'BetPlaced') escrow.set(log.args.betId as bigint, log.args.payout as bigint)
          if (log.eventName === 'BetSettled') escrow.delete(log.args.betId as bigint)
        }
        const total = (await balances(engine)).reduce((a, b) => a + b, 0n) + [...escrow.values()].reduce((a, b) => a + b, 0n)
        if (total !== expected) throw new Error(`after ${c.kind}: total ${total} != genesis + deposits - withdrawals ${expected}`)
      }
      const tracked = [...escrow.values()].reduce((a, b) => a + b, 0n)
      if ((await openPayouts(engine)) !== tracked) throw new Error('open payouts in storage differ from events')
    }),
    // one fixed lifecycle runs every time, so settlement, deposits and withdrawals are always reached
    { numRuns: 100, examples: [[lifecycle], [committeeLifecycle]] },
  )

  for (const [kind, gas] of [...maxGas].sort()) {
    t.ok(gas <= TX_GAS_LIMIT, `${kind}: max gas ${gas} (accepted ${accepted.get(kind) ?? 0} times) within ${TX_GAS_LIMIT}`)
  }
  t.ok((accepted.get('placeBet') ?? 0) > 20, 'the generator reaches accepted bets')
  t.ok((accepted.get('settleBet') ?? 0) > 0, 'the generator reaches settlements')
  t.ok((accepted.get('relayDeposit') ?? 0) > 0, 'the generator reaches relayed deposits')
  for (const kind of ['setCommittee', 'voteResult', 'flagResult', 'finalizeResult']) {
    t.ok((accepted.get(kind) ?? 0) > 0, `the generator reaches ${kind}`)
  }
  t.ok((accepted.get('withdraw') ?? 0) > 0, 'the generator reaches withdrawals')
})

t.test('gas_worstCaseCalls_withinTxGasLimit', async (t) => {
  const engine = await createEngine()
  const odds = Array.from({ length: 16 }, () => 10_000_000)
  const created = await engine.write(operator, 'createMarket', [16, odds, engine.time + 100n, 2n ** 96n - 1n, 2n ** 128n - 1n])
  t.ok(created.ok)
  const changed = await engine.write(operator, 'setOdds', [1n, odds])
  t.ok(changed.ok)
  for (const [name, outcome] of [['createMarket (16 outcomes)', created], ['setOdds (16 outcomes)', changed]] as const) {
    t.ok(outcome.gasUsed <= TX_GAS_LIMIT, `${name}: ${outcome.gasUsed} gas`)
  }
})

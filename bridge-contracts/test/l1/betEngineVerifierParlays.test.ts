/**
 * Parlays and cash-out (BetEngineParlays, in the second half of the rules: docs/decisions/0008)
 * through the L1 verifier's delegatecall. Each tx runs on a real L2Chain (one sealed block per tx)
 * and BetEngineVerifier.execute re-runs it from the witness of its pre-state: the post-state roots
 * must be equal, reverts included. First the costly cases, with the verifier's execution gas (a
 * fraud proof must stay under 1.5M L1 gas in all, the verifier call most of it): a 10-leg
 * placeParlay on plain and on priced markets, a 10-leg settleParlay that resolves all ten markets
 * lazily, settleBets at its weight bound; then random sequences of placeParlay (2-10 legs, bad ones
 * too), placeBet, results (void ones too), settleParlay, settleBets, settleBet, cashOut and
 * cashOutQuote.
 *
 * ROLLBOOK_VERIFIER_CALLS sets how many random calls (default 60), ROLLBOOK_VERIFIER_SEED the seed.
 */
import t from 'tap'
import fc from 'fast-check'
import { bytesToHex, encodeFunctionData, type Address, type ContractFunctionArgs, type ContractFunctionName, type Hex } from 'viem'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { decodeBetEngineError } from '../../../sdk/src/betEngine/errors.ts'
import { betSlot, decodeMarketHead, marketSlot, nextBetIdSlot, nextMarketIdSlot } from '../../../sdk/src/betEngine/layout.ts'
import type { TestAccount } from '../../../node/chain/fastpath/testing.ts'
import { bettors, execute, operator, oracle, T0, VerifierChain } from './verifierFixture.ts'

type Write = ContractFunctionName<typeof betEngineAbi, 'nonpayable'>

const TOTAL_CALLS = Number(process.env.ROLLBOOK_VERIFIER_CALLS ?? 60)
const SEED = Number(process.env.ROLLBOOK_VERIFIER_SEED ?? 5)
const CALLS_PER_RUN = 50
const addr = (a: TestAccount) => a.address as Address

/** Runs one tx on the chain and in the verifier; returns the verifier's gas (-1 if the roots differ). */
async function check(l2: VerifierChain, from: TestAccount, data: Hex, time: bigint): Promise<{ gas: bigint; error: string | undefined; same: boolean; detail: string }> {
  const tx = await l2.apply(from, data, time)
  const outcome = await execute(tx.preStateRoot, tx.witness.nodes, addr(from), time, data)
  const error = tx.executed.status === 0 ? (decodeBetEngineError(bytesToHex(tx.executed.revertData))?.name ?? 'other') : undefined
  const same = outcome.ok && outcome.root === tx.postStateRoot
  const detail = outcome.ok ? `${outcome.gas} gas, ${tx.witness.nodes.length} witness nodes` : `verifier reverted: ${outcome.error}`
  return { gas: outcome.ok ? outcome.gas : -1n, error, same, detail }
}

t.test('worstCases_rootEqualsChain_andVerifierGas', async (t) => {
  const l2 = await VerifierChain.open()
  t.teardown(() => l2.shut())
  let time = T0
  async function step<N extends Write>(name: string, from: TestAccount, functionName: N, args: ContractFunctionArgs<typeof betEngineAbi, 'nonpayable', N>, expectError?: string) {
    time += 1n
    const data = encodeFunctionData({ abi: betEngineAbi, functionName, args } as never)
    const result = await check(l2, from, data, time)
    t.equal(result.error, expectError, `${name}: ${expectError ?? 'accepted'} on L2`)
    t.ok(result.same, `${name}: the verifier's root is the chain's (${result.detail})`)
    return result.gas
  }
  const close = T0 + 200n
  const plain = Array.from({ length: 10 }, (_, i) => BigInt(i + 1))
  for (const _ of plain) await step('plain market', operator, 'createMarket', [3, [20_000, 30_000, 40_000], close, 10n ** 9n, 10n ** 13n])
  const priced = Array.from({ length: 10 }, (_, i) => BigInt(i + 11))
  for (const id of priced) {
    await step('priced market', operator, 'createMarket', [3, [20_000, 30_000, 40_000], close, 10n ** 9n, 10n ** 13n])
    await step('its pricing', operator, 'setPricing', [id, [5_000, 3_000, 2_000], 500, 1_000, 11_000])
  }
  const [alice, bob] = bettors

  // bets 1 and 2: the 10-leg parlays; 3 and 4: bob's singles; 5 and 6: 2-leg parlays; 7: an open single
  const placePlain = await step('placeParlay, 10 plain legs', alice, 'placeParlay', [plain, plain.map(() => 0), 1_000_000n, 0])
  const placePriced = await step('placeParlay, 10 priced legs', alice, 'placeParlay', [priced, priced.map(() => 1), 1_000_000n, 0])
  const single = await step('placeBet on a priced market', bob, 'placeBet', [priced[0], 0, 5_000_000n, 0])
  await step('placeBet on a plain market', bob, 'placeBet', [plain[0], 0, 5_000_000n, 0])
  const cashOut = await step('cashOut on a priced market (the odds move back)', bob, 'cashOut', [3n, 0n])
  await step('cashOut twice', bob, 'cashOut', [3n, 0n], 'BetNotOpen')
  await step('cashOut of a parlay', alice, 'cashOut', [2n, 0n], 'NotASingleBet')
  await step('cashOut by another', alice, 'cashOut', [4n, 0n], 'NotBettor')
  await step('cashOut below the minimum', bob, 'cashOut', [4n, 10n ** 12n], 'CashOutBelowMinimum')
  await step('cashOutQuote as a tx', bob, 'cashOutQuote' as never, [4n] as never)
  await step('placeParlay, a duplicate leg', alice, 'placeParlay', [[plain[0], plain[0]], [0, 1], 1_000_000n, 0], 'DuplicateLeg')
  await step('placeParlay, 11 legs', alice, 'placeParlay', [[...plain, priced[0]], Array(11).fill(0), 1_000_000n, 0], 'BadLegCount')
  await step('placeParlay, odds below the minimum', alice, 'placeParlay', [[plain[0], plain[1]], [0, 0], 1_000_000n, 40_001], 'OddsBelowMinimum')
  for (let i = 0; i < 2; ++i) await step('2-leg parlay', alice, 'placeParlay', [[plain[2 * i], plain[2 * i + 1]], [0, 0], 1_000_000n, 0])
  await step('placeBet on a plain market', bob, 'placeBet', [plain[9], 1, 1_000_000n, 0])

  // a committee with a window: each proposal is final only later, so settleParlay resolves all ten markets itself
  await step('setCommittee with a 10 s window', operator, 'setCommittee', [[addr(oracle)], 1, 10])
  time = close
  for (const id of plain) await step('the oracle proposes outcome 0', oracle, 'voteResult', [id, 0])
  await step('settleParlay inside the window', bob, 'settleParlay', [1n], 'MarketNotResolved')
  await step('settleBet of a parlay', bob, 'settleBet', [1n], 'NotASingleBet')
  time += 10n
  const settleLazy = await step('settleParlay, 10 legs, each market resolved on the way', bob, 'settleParlay', [1n])
  for (const id of priced) await step('the oracle proposes outcome 2', oracle, 'voteResult', [id, 2])
  time += 10n
  const settleLost = await step('settleParlay lost on its first leg (priced legs)', bob, 'settleParlay', [2n])
  const batch = await step('settleBets: the 2-leg parlays (weight 2 each), a single that no longer fits, an unknown id', bob, 'settleBets', [[5n, 6n, 4n, 99n]])
  await step('settleParlay of a single', bob, 'settleParlay', [7n], 'NotAParlay')
  await step('settleParlay of a settled parlay', bob, 'settleParlay', [5n], 'BetNotOpen')

  t.comment(`verifier execution gas: placeParlay 10 plain legs ${placePlain}, 10 priced legs ${placePriced}; placeBet (priced) ${single}; cashOut (priced) ${cashOut}`)
  t.comment(`verifier execution gas: settleParlay 10 legs resolving 10 markets ${settleLazy}, lost at the first leg ${settleLost}; settleBets (2 parlays, a single) ${batch}`)
  for (const [name, gas] of [['placeParlay (10 priced legs)', placePriced], ['settleParlay (10 lazy legs)', settleLazy]] as const) {
    // the budget of ~1.0M for the verifier's part of a 1.5M proof: reported, not met (docs/decisions/0007)
    t.ok(gas > 0n, `${name}: verified, ${gas} gas${gas > 1_000_000n ? ' (OVER the ~1.0M budget)' : ''}`)
  }
})

t.test('verifierGas_byLegCount_pricedMarkets', async (t) => {
  const l2 = await VerifierChain.open()
  t.teardown(() => l2.shut())
  let time = T0
  async function step<N extends Write>(name: string, from: TestAccount, functionName: N, args: ContractFunctionArgs<typeof betEngineAbi, 'nonpayable', N>) {
    time += 1n
    const result = await check(l2, from, encodeFunctionData({ abi: betEngineAbi, functionName, args } as never), time)
    t.ok(result.same && result.error === undefined, `${name}: accepted, the verifier's root is the chain's (${result.detail})`)
    return result.gas
  }
  const close = T0 + 200n
  const ids = Array.from({ length: 10 }, (_, i) => BigInt(i + 1))
  for (const id of ids) {
    await step('priced market', operator, 'createMarket', [3, [20_000, 30_000, 40_000], close, 10n ** 9n, 10n ** 13n])
    await step('its pricing', operator, 'setPricing', [id, [5_000, 3_000, 2_000], 500, 1_000, 11_000])
  }
  const counts = [10, 8, 6, 4, 2]
  const place: bigint[] = []
  for (const n of counts) place.push(await step(`placeParlay, ${n} priced legs`, bettors[0], 'placeParlay', [ids.slice(0, n), Array(n).fill(0), 1_000_000n, 0]))
  await step('setCommittee with a 10 s window', operator, 'setCommittee', [[addr(oracle)], 1, 10])
  time = close
  for (const id of ids) await step('the oracle proposes outcome 0', oracle, 'voteResult', [id, 0])
  time += 10n
  const settle: bigint[] = []
  // the 10-leg parlay (bet 1) resolves every market on its way; the others then read them resolved
  for (const [i, n] of counts.entries()) settle.push(await step(`settleParlay, ${n} legs won`, bettors[1], 'settleParlay', [BigInt(i + 1)]))
  t.comment(`verifier execution gas by leg count (priced markets): ${counts.map((n, i) => `${n} legs: placeParlay ${place[i]}, settleParlay ${settle[i]}${i === 0 ? ' (resolving its 10 markets)' : ''}`).join('; ')}`)
})

/** One call, in raw choices that `calldataOf` aims at what exists when it runs. */
interface Command {
  kind: number
  actor: number
  a: number
  b: number
  c: number
  legs: number[]
  advance: number
}

const KINDS = ['createMarket', 'createMarket', 'createMarket', 'placeBet', 'placeBet', 'placeParlay', 'placeParlay', 'placeParlay', 'placeParlay', 'reportResult', 'reportResult', 'reportResult', 'reportResult', 'settleParlay', 'settleParlay', 'settleParlay', 'settleBets', 'settleBet', 'cashOut', 'cashOut', 'cashOutQuote'] as const

const command: fc.Arbitrary<Command> = fc.record({
  kind: fc.nat({ max: KINDS.length - 1 }),
  actor: fc.nat({ max: bettors.length - 1 }),
  a: fc.nat({ max: 1000 }),
  b: fc.nat({ max: 1000 }),
  c: fc.nat({ max: 1000 }),
  legs: fc.array(fc.nat({ max: 1000 }), { minLength: 0, maxLength: 11 }),
  advance: fc.oneof({ weight: 10, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.nat({ max: 20 }) }, { weight: 1, arbitrary: fc.nat({ max: 400 }) }),
})

/** An id below `next`: mostly one of the latest few, else any, sometimes one that does not exist. */
function pick(n: number, next: bigint, latest = 3n): bigint {
  const existing = next - 1n
  if (n % 13 === 12 || existing <= 0n) return next + BigInt(n % 3)
  if (n % 2 === 0) return next - 1n - (BigInt(n >> 1) % (existing < latest ? existing : latest))
  return 1n + (BigInt(n) % existing)
}

/** Among the latest 12 ids below `next`, those whose head word passes `wanted` (to aim most calls where they can succeed). */
async function recent(l2: VerifierChain, next: bigint, slotOf: (id: bigint) => Hex, wanted: (head: bigint) => boolean): Promise<bigint[]> {
  const ids: bigint[] = []
  for (let id = next - 1n; id > 0n && id >= next - 12n; id--) if (wanted(await l2.slot(slotOf(id)))) ids.push(id)
  return ids
}

const isOpenParlay = (head: bigint) => ((head >> 232n) & 0xffn) === 1n && ((head >> 240n) & 0xffn) === 1n
const isOpenSingleOf = (bettor: TestAccount) => (head: bigint) =>
  ((head >> 232n) & 0xffn) === 1n && ((head >> 240n) & 0xffn) === 0n && (head & ((1n << 160n) - 1n)) === BigInt(bettor.address)

async function calldataOf(c: Command, l2: VerifierChain, time: bigint): Promise<{ from: TestAccount; data: Hex; kind: string }> {
  const kind = KINDS[c.kind]
  const nextMarketId = (await l2.slot(nextMarketIdSlot)) || 1n
  const nextBetId = (await l2.slot(nextBetIdSlot)) || 1n
  const bettor = bettors[c.actor % 2]
  const encode = (functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi: betEngineAbi, functionName, args } as never) as Hex
  switch (kind) {
    case 'createMarket': {
      const outcomes = 2 + (c.b % 3)
      const odds = Array.from({ length: outcomes }, (_, i) => 10_001 + ((c.a * 7919 + i * 104_729) % 60_000))
      // most close soon enough to be resolved within a run, late enough to take parlays first
      const closeTime = time + 60n + BigInt(c.c % 300)
      return { from: operator, data: encode('createMarket', [outcomes, odds, closeTime, c.a % 9 === 5 ? 1_000n : 10n ** 8n, 10n ** 12n]), kind }
    }
    case 'placeBet':
      return { from: bettor, data: encode('placeBet', [pick(c.a, nextMarketId, 8n), c.b % 3, 1n + BigInt(c.c) * 10_007n, 0]), kind }
    case 'placeParlay': {
      // mostly 2-10 of the latest markets; sometimes a repeat, a wrong outcome, one leg or eleven
      const open = await recent(l2, nextMarketId, marketSlot, (head) => decodeMarketHead(head).status === 1 && decodeMarketHead(head).closeTime > time)
      const wild = c.b % 13 === 7 || open.length < 2
      const count = wild ? (c.b % 2 === 0 ? 1 : 11) : Math.min(2 + (c.legs.length % 9), open.length)
      const ids = wild ? Array.from({ length: count }, (_, i) => pick(c.legs[i] ?? i, nextMarketId, 12n)) : open.slice(0, count)
      if (c.b % 11 === 3 && ids.length > 1) ids[1] = ids[0]
      const outcomes = ids.map((_, i) => (c.b % 17 === 5 && i === 0 ? 3 : (c.legs[i] ?? c.c) % 2))
      const stake = c.c % 23 === 11 ? 0n : 1n + BigInt(c.c) * 3_001n
      const minOdds = c.a % 9 === 4 ? 10_000 + c.a * 100 : 0
      return { from: bettor, data: encode('placeParlay', [ids, c.b % 29 === 7 ? outcomes.slice(1) : outcomes, stake, minOdds]), kind }
    }
    case 'reportResult': {
      const result = c.b % 6 === 1 ? 255 : c.b % 3
      const closed = await recent(l2, nextMarketId, marketSlot, (head) => decodeMarketHead(head).status === 1 && decodeMarketHead(head).closeTime <= time)
      const market = closed.length > 0 && c.c % 5 !== 0 ? closed[c.a % closed.length] : pick(c.a, nextMarketId, 12n)
      return { from: oracle, data: encode('reportResult', [market, result]), kind }
    }
    case 'settleParlay': {
      const open = await recent(l2, nextBetId, betSlot, isOpenParlay)
      const betId = open.length > 0 && c.c % 5 !== 0 ? open[c.a % open.length] : pick(c.a, nextBetId, 6n)
      return { from: bettor, data: encode('settleParlay', [betId]), kind }
    }
    case 'settleBet':
      return { from: bettor, data: encode('settleBet', [pick(c.a, nextBetId, 6n)]), kind }
    case 'settleBets': {
      // up to 4 ids (MAX_SETTLE_BATCH), sometimes 5 (TooManyBets); open parlays among them
      const parlays = await recent(l2, nextBetId, betSlot, isOpenParlay)
      const ids = c.legs.slice(0, c.b % 13 === 9 ? 5 : 4).map((n, i) => (i % 2 === 0 && parlays.length > 0 ? parlays[n % parlays.length] : pick(n, nextBetId, 10n)))
      return { from: bettor, data: encode('settleBets', [ids]), kind }
    }
    case 'cashOut': {
      // mostly an open single of the sender's own
      const own = await recent(l2, nextBetId, betSlot, isOpenSingleOf(bettor))
      const betId = own.length > 0 && c.c % 4 !== 0 ? own[c.a % own.length] : pick(c.a, nextBetId, 4n)
      const min = c.b % 5 === 2 ? BigInt(c.c) * 10_000n : 0n
      return { from: bettor, data: encode('cashOut', [betId, min]), kind }
    }
    default:
      return { from: bettor, data: encode('cashOutQuote', [pick(c.a, nextBetId, 4n)]), kind }
  }
}

/** A parlay's and a cash-out's whole life, in the generator's raw choices: every run starts with it. */
const base: Command = { kind: 0, actor: 0, a: 0, b: 0, c: 0, legs: [], advance: 0 }
const as = (kind: (typeof KINDS)[number], fields: Partial<Command> = {}): Command => ({ ...base, kind: KINDS.indexOf(kind), ...fields })
const lifecycle: Command[] = [
  as('createMarket', { a: 1 }),
  as('createMarket', { a: 2, b: 1 }),
  as('createMarket', { a: 3 }),
  as('placeBet', { c: 100 }),
  as('placeParlay', { b: 1, c: 10, legs: [0] }),
  as('placeParlay', { b: 2, c: 20, legs: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }),
  as('cashOutQuote'),
  as('cashOut', { c: 1 }),
  as('reportResult', { c: 1, advance: 400 }),
  as('settleParlay', { c: 1, a: 0 }),
  as('reportResult', { c: 1 }),
  as('reportResult', { c: 1, b: 1 }),
  as('settleBets', { legs: [0, 1, 2, 3] }),
  as('settleParlay', { c: 1, a: 1 }),
]

t.test('execute_randomParlaySequences_postRootEqualsL2Chain', async (t) => {
  const accepted = new Map<string, number>()
  const gas = new Map<string, bigint>()
  let calls = 0
  const runs = Math.max(1, Math.ceil(TOTAL_CALLS / CALLS_PER_RUN))
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: CALLS_PER_RUN, maxLength: CALLS_PER_RUN }), async (commands) => {
      const l2 = await VerifierChain.open()
      let time = T0
      try {
        for (const c of commands) {
          time += BigInt(c.advance) + 1n
          const { from, data, kind } = await calldataOf(c, l2, time)
          const result = await check(l2, from, data, time)
          if (!result.same) {
            t.fail(`${kind} ${data} from ${from.address} at ${time}: ${result.detail}`)
            return false
          }
          calls++
          const name = result.error === undefined ? kind : `${kind} (${result.error})`
          accepted.set(name, (accepted.get(name) ?? 0) + 1)
          if (result.gas > (gas.get(kind) ?? 0n)) gas.set(kind, result.gas)
        }
        return true
      } finally {
        await l2.shut()
      }
    }),
    // the example is one of the runs
    { numRuns: runs + 1, seed: SEED, endOnFailure: true, examples: [[lifecycle]] },
  )
  t.comment([...accepted].sort().map(([k, n]) => `${k} ${n}`).join(', '))
  t.comment([...gas].sort().map(([k, g]) => `${k} max ${g}`).join(', '))
  t.equal(calls, lifecycle.length + runs * CALLS_PER_RUN, `every call checked (${calls})`)
  for (const kind of ['placeParlay', 'settleParlay', 'cashOut']) t.ok((accepted.get(kind) ?? 0) > 0, `the generator reaches an accepted ${kind}`)
})

/**
 * Differential fuzzing of the two builds of the betting state machine (DESIGN.md decision 4): random
 * sequences of calls to every bet engine function (valid and invalid, reverts included, from the
 * operator, the oracle, the oracle committee's members, bettors, the L1 messenger, and garbage calldata) run as txs on a real
 * L2Chain (LevelDB in a temp dir, one sealed block per tx). For each tx, the witness is built from
 * the pre-state (prover-fraud/witness.ts) and BetEngineVerifier.execute on an in-memory EVM must
 * return the state root of the block the chain sealed. An honest sequencer is never provably wrong.
 *
 * ROLLBOOK_VERIFIER_CALLS sets how many calls in all (default 100; the run is 10000), and
 * ROLLBOOK_VERIFIER_SEED the fast-check seed (default 4), so long runs can be split across processes
 * (run them with TAP_TIMEOUT=0).
 */
import t from 'tap'
import fc from 'fast-check'
import { bytesToHex, encodeFunctionData, toFunctionSelector, zeroAddress, type Address, type Hex } from 'viem'
import { balanceSlot, marketSlot, nextBetIdSlot, nextMarketIdSlot } from '../../../sdk/src/betEngine/layout.ts'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { decodeBetEngineError } from '../../../sdk/src/betEngine/errors.ts'
import type { TestAccount } from '../../../node/chain/fastpath/testing.ts'
import { bettors, execute, messenger, operator, oracle, T0, VerifierChain } from './verifierFixture.ts'

const TOTAL_CALLS = Number(process.env.ROLLBOOK_VERIFIER_CALLS ?? 100)
const SEED = Number(process.env.ROLLBOOK_VERIFIER_SEED ?? 4)
const CALLS_PER_RUN = 50

const actors = [operator, oracle, ...bettors, messenger]

/** One call, in raw choices that `calldataOf` aims at what exists when it runs. */
interface Command {
  kind: number
  actor: number
  /** 0: the actor a function expects (operator, oracle, messenger), else anyone */
  wrongActor: number
  a: number
  b: number
  c: number
  big: bigint
  odds: number[]
  /** an edge value that replaces one odds entry in some calls */
  badOdds: number
  garbage: Uint8Array
  advance: number
}

const KINDS = ['createMarket', 'createMarket', 'setOdds', 'placeBet', 'placeBet', 'placeBet', 'placeBet', 'reportResult', 'reportResult', 'settleBet', 'settleBet', 'settleBets', 'withdraw', 'withdraw', 'relayDeposit', 'relayForcedTx', 'garbage', 'view', 'setCommittee', 'voteResult', 'voteResult', 'flagResult', 'finalizeResult', 'setMarketInfo', 'suspendMarket', 'reopenMarket', 'closeMarket', 'setLimits', 'setLimits', 'setPricing', 'setPricing', 'placeBet', 'placeBet', 'flaggedBet', 'flaggedBet', 'flaggedBet'] as const
/** Who the generated committees seat (docs/decisions/0007), so that most votes and flags come from members. */
const committeePool = [oracle, bettors[0], bettors[1], bettors[2]]

const command: fc.Arbitrary<Command> = fc.record({
  kind: fc.nat({ max: KINDS.length - 1 }),
  actor: fc.nat({ max: actors.length - 1 }),
  wrongActor: fc.nat({ max: 9 }),
  a: fc.nat({ max: 1000 }),
  b: fc.nat({ max: 1000 }),
  c: fc.nat({ max: 1000 }),
  big: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.constantFrom(0n, 1n, 2n ** 96n, 2n ** 256n - 1n)),
  odds: fc.array(fc.integer({ min: 10_001, max: 60_000 }), { minLength: 1, maxLength: 17 }),
  badOdds: fc.constantFrom(0, 10_000, 10_000_001, 10_000_000),
  garbage: fc.uint8Array({ maxLength: 120 }),
  advance: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.nat({ max: 60 }) }, { weight: 1, arbitrary: fc.nat({ max: 6000 }) }),
})

/** What the chain holds now, read from its live state. */
interface Now {
  time: bigint
  nextMarketId: bigint
  nextBetId: bigint
  balance(account: Address): Promise<bigint>
  /** a market's head word (0 if none) */
  head(marketId: bigint): Promise<bigint>
}

/** An id below `next`: mostly one of the latest three (likely still open), else any, sometimes one that does not exist. */
function pick(n: number, next: bigint): bigint {
  const existing = next - 1n
  if (n % 10 === 9 || existing <= 0n) return n % 20 === 9 ? 0n : next + BigInt(n)
  if (n % 2 === 0) return next - 1n - (BigInt(n >> 1) % (existing < 3n ? existing : 3n))
  return 1n + (BigInt(n) % existing)
}

async function calldataOf(c: Command, now: Now): Promise<{ from: TestAccount; data: Hex; kind: string }> {
  const kind = KINDS[c.kind]
  const anyone = actors[c.actor]
  const expected = (who: TestAccount) => (c.wrongActor === 0 ? anyone : who)
  const market = pick(c.a, now.nextMarketId)
  switch (kind) {
    case 'createMarket': {
      const outcomes = c.b % 12 === 0 ? c.b % 20 : 2 + (c.b % 15)
      const odds = c.c % 10 === 0 ? c.odds : Array.from({ length: outcomes }, (_, i) => (c.c % 10 === 1 && i === c.a % outcomes ? c.badOdds : c.odds[i % c.odds.length]))
      // some close soon (to be resolved and settled), most stay open for bets; a few are already closed
      const closeTime = c.c % 16 === 2 ? now.time - BigInt(c.a) : now.time + 1n + BigInt(c.b % 3 === 0 ? c.a : 600 + c.a * 20)
      const maxStake = c.c % 23 === 3 ? 0n : c.c % 7 === 1 ? (c.big % (2n ** 96n - 1n)) + 1n : 10n ** 8n
      const maxLiability = c.c % 13 === 4 ? 0n : c.c % 13 === 5 ? 2n ** 128n - 1n : 10n ** 12n
      const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [outcomes, odds, closeTime, maxStake, maxLiability] })
      return { from: expected(operator), data, kind }
    }
    case 'setOdds':
      const odds = c.c % 4 === 0 ? c.odds : Array.from({ length: 2 + (c.b % 15) }, (_, i) => (c.c % 9 === 1 && i === 0 ? c.badOdds : c.odds[i % c.odds.length]))
      return { from: expected(operator), data: encodeFunctionData({ abi: betEngineAbi, functionName: 'setOdds', args: [market, odds] }), kind }
    case 'flaggedBet':
    case 'placeBet': {
      // flaggedBet: on the latest open priced or limited market, if there is one
      let market = pick(c.a, now.nextMarketId)
      if (kind === 'flaggedBet') {
        for (let id = now.nextMarketId - 1n; id >= 1n && id >= now.nextMarketId - 8n; id--) {
          const head = await now.head(id)
          if ((head & 0xffn) === 1n && ((head >> 24n) & (2n ** 64n - 1n)) > now.time && head >> 184n !== 0n) {
            market = id
            break
          }
        }
      }
      const bettor = c.wrongActor < 8 ? bettors[c.actor % bettors.length] : anyone
      const balance = await now.balance(bettor.address as Address)
      // the whole balance (its slot then empties), part of it, a small or a wild stake
      const small = 1n + BigInt(c.b) * 1000n
      const stakes = [balance, balance / 2n, small, small, small, small, small, c.big, 0n]
      const stake = stakes[c.c % stakes.length] % 2n ** 96n
      const minOdds = c.b % 7 === 0 ? c.odds[0] : 0
      // tallied apart on a priced (bit 184) or limited (bit 185) market
      const flags = (await now.head(market)) >> 184n
      const shape = flags & 1n ? 'placeBet (priced)' : flags & 2n ? 'placeBet (limited)' : 'placeBet'
      return { from: bettor, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [market, c.b % 5 === 0 ? c.b % 17 : c.b % 2, stake, minOdds] }), kind: shape }
    }
    case 'reportResult': {
      const result = c.b % 5 === 0 ? 255 : c.b % 7
      return { from: expected(oracle), data: encodeFunctionData({ abi: betEngineAbi, functionName: 'reportResult', args: [market, result] }), kind }
    }
    case 'setCommittee': {
      // a subset of the pool (none: refused), sometimes with a repeat or the zero address; shrinking clears members' slots
      const members: Address[] = committeePool.filter((_, i) => ((c.b + 1) >> i) & 1).map((a) => a.address as Address)
      if (c.c % 11 === 0) members.push(members[0] ?? zeroAddress)
      if (c.c % 13 === 1) members.push(zeroAddress)
      // mostly 1 or 2, so that proposals (and then flags and finalizations) come often
      const threshold = c.c % 9 === 2 ? 0 : c.c % 9 === 3 ? members.length + 1 : 1 + (c.c % Math.min(2, Math.max(1, members.length)))
      const windows = [0, 0, 10, 60, 600]
      const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setCommittee', args: [members, threshold, windows[c.a % windows.length]] })
      return { from: expected(operator), data, kind }
    }
    case 'voteResult': {
      // few distinct results, so members agree; sometimes one out of range
      const result = c.b % 5 === 0 ? 255 : c.b % 11 === 1 ? c.b % 17 : c.b % 2
      const from = c.wrongActor === 0 ? anyone : committeePool[c.actor % committeePool.length]
      return { from, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'voteResult', args: [market, result] }), kind }
    }
    case 'flagResult': {
      const flaggers = [operator, ...committeePool]
      const from = c.wrongActor === 0 ? anyone : flaggers[c.actor % flaggers.length]
      return { from, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'flagResult', args: [market] }), kind }
    }
    case 'finalizeResult':
      return { from: anyone, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'finalizeResult', args: [market] }), kind }
    case 'settleBet':
      return { from: anyone, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBet', args: [pick(c.a, now.nextBetId)] }), kind }
    // markets, limits and the odds engine (BetEngineMarkets, through the verifier's delegatecall)
    case 'setMarketInfo': {
      const marketType = c.b % 13 === 0 ? 5 + (c.b % 3) : c.b % 5
      const lines = [0, 25, -15, 35, -5, 0]
      const line = marketType === 3 && c.c % 5 !== 0 ? lines[1 + (c.c % 3)] : lines[c.c % lines.length]
      return { from: expected(operator), data: encodeFunctionData({ abi: betEngineAbi, functionName: 'setMarketInfo', args: [market, marketType, line] }), kind }
    }
    case 'suspendMarket':
    case 'reopenMarket':
    case 'closeMarket':
      return { from: expected(operator), data: encodeFunctionData({ abi: betEngineAbi, functionName: kind, args: [market] }), kind }
    case 'setLimits': {
      // small enough that bets reach them; 0 (no limit) often
      const perBettor = [0n, 10n ** 6n, BigInt(c.b) * 10_000n, 5n * 10n ** 6n][c.b % 4]
      const total = [0n, 10n ** 7n, BigInt(c.c) * 100_000n, 2n ** 128n - 1n][c.c % 4]
      return { from: expected(operator), data: encodeFunctionData({ abi: betEngineAbi, functionName: 'setLimits', args: [market, perBettor, total] }), kind }
    }
    case 'setPricing': {
      const count = Number(((await now.head(market)) >> 8n) & 0xffn) || 2 + (c.b % 3)
      // weights to basis points summing to 10,000 (the rest to the first); sometimes a bad list
      const weights = Array.from({ length: count }, (_, i) => 1 + ((c.a + i * (c.b + 3)) % 50))
      const sum = weights.reduce((x, y) => x + y, 0)
      const probabilities = weights.map((w) => Math.floor((w * 10_000) / sum))
      probabilities[0] += 10_000 - probabilities.reduce((x, y) => x + y, 0)
      if (c.c % 17 === 1) probabilities[count - 1] += 1
      if (c.c % 17 === 2) probabilities.push(0)
      if (c.c % 17 === 3) probabilities.pop()
      const margin = c.c % 19 === 4 ? 5_001 : (c.c * 7) % 1_500
      const slope = [0, 1, 100, 5_000, 2 ** 32 - 1][c.b % 5]
      const floorOdds = c.a % 23 === 5 ? 10_000 : c.a % 23 === 6 ? 10_000_001 : 10_001 + (c.a % 5_000)
      const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setPricing', args: [market, probabilities, margin, slope, floorOdds] })
      return { from: expected(operator), data, kind }
    }
    case 'settleBets': {
      // BetEngineExtension, through the verifier's delegatecall: up to 4 ids (repeats, settled and
      // unknown ones skipped), sometimes 5 (TooManyBets)
      const count = c.b % 23 === 0 ? 5 : c.b % 5
      const ids = Array.from({ length: count }, (_, i) => pick((c.a + i * 37) % 1000, now.nextBetId))
      return { from: anyone, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBets', args: [ids] }), kind }
    }
    case 'withdraw': {
      // mostly someone who holds a balance (bettors and the house at genesis, or a deposit's recipient)
      const funded = [bettors[0], bettors[1], actors[c.a % actors.length], actors[c.a % actors.length], operator]
      const from = c.wrongActor === 0 ? anyone : funded[c.a % funded.length]
      const balance = await now.balance(from.address as Address)
      // the whole balance most often: the slot empties, a trie deletion
      const amounts = [balance, balance, balance, balance / 3n, c.big, 0n, (balance + 1n) % 2n ** 256n]
      const recipient = c.b % 9 === 0 ? zeroAddress : (actors[c.b % actors.length].address as Address)
      return { from, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'withdraw', args: [recipient, amounts[c.c % amounts.length]] }), kind }
    }
    case 'relayDeposit': {
      const recipient = c.b % 11 === 0 ? zeroAddress : (actors[c.b % actors.length].address as Address)
      const args = [BigInt(c.a), actors[c.c % actors.length].address as Address, recipient, c.big] as const
      return { from: expected(messenger), data: encodeFunctionData({ abi: betEngineAbi, functionName: 'relayDeposit', args }), kind }
    }
    case 'relayForcedTx': {
      const args = [BigInt(c.a), anyone.address as Address, bytesToHex(new Uint8Array(32).fill(c.b % 256))] as const
      return { from: expected(messenger), data: encodeFunctionData({ abi: betEngineAbi, functionName: 'relayForcedTx', args }), kind }
    }
    case 'view': {
      const views: Hex[] = [
        encodeFunctionData({ abi: betEngineAbi, functionName: 'getMarket', args: [market] }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'balanceOf', args: [anyone.address as Address] }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'getBet', args: [pick(c.a, now.nextBetId)] }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'getCommittee' }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'getResultState', args: [market] }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'getMarketConfig', args: [market] }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'getBettorStake', args: [market, anyone.address as Address] }),
        encodeFunctionData({ abi: betEngineAbi, functionName: 'quote', args: [market, c.c % 3, BigInt(c.b) * 1000n] }),
      ]
      return { from: anyone, data: views[c.b % views.length], kind }
    }
    default: {
      // random bytes, a real selector with junk, or the verifier's own entry point (no such function on L2)
      const selectors: Hex[] = [toFunctionSelector('placeBet(uint256,uint8,uint96,uint32)'), toFunctionSelector('createMarket(uint8,uint32[],uint64,uint96,uint128)'), toFunctionSelector('execute(bytes32,bytes[],address,uint64,bytes)')]
      const data = c.b % 3 === 0 ? bytesToHex(c.garbage) : (`${selectors[c.c % selectors.length]}${bytesToHex(c.garbage).slice(2)}` as Hex)
      return { from: anyone, data, kind: 'garbage' }
    }
  }
}

interface Tally {
  calls: number
  reverted: number
  /** storage slots a call wrote to zero (trie deletions) */
  deletions: number
  reasons: Map<string, number>
  byFunction: Map<string, { calls: number; gas: bigint; maxGas: bigint; witnessBytes: number }>
}

async function runSequence(t: { fail(message: string): void }, commands: Command[], tally: Tally): Promise<void> {
  const l2 = await VerifierChain.open()
  let time = T0
  try {
    for (const c of commands) {
      time += BigInt(c.advance) + 1n
      const now: Now = {
        time,
        nextMarketId: (await l2.slot(nextMarketIdSlot)) || 1n,
        nextBetId: (await l2.slot(nextBetIdSlot)) || 1n,
        balance: (account) => l2.slot(balanceSlot(account)),
        head: (marketId) => l2.slot(marketSlot(marketId)),
      }
      const { from, data, kind } = await calldataOf(c, now)
      const { executed, preStateRoot, postStateRoot, witness } = await l2.apply(from, data, time)
      const result = await execute(preStateRoot, witness.nodes, from.address as Address, time, data)
      if (!result.ok) {
        t.fail(`${kind} ${data} from ${from.address} at ${time}: the verifier reverted (${result.error})`)
        return
      }
      if (result.root !== postStateRoot || bytesToHex(witness.postStateRoot) !== postStateRoot || witness.reverted !== (executed.status === 0)) {
        t.fail(`${kind} ${data} from ${from.address} at ${time}: chain ${postStateRoot}, verifier ${result.root}, witness replay ${bytesToHex(witness.postStateRoot)} (status ${executed.status})`)
        return
      }
      tally.calls++
      for (const slot of witness.writes) if ((await l2.slot(bytesToHex(slot))) === 0n) tally.deletions++
      const name = executed.status === 0 ? `${kind} (reverts)` : kind
      if (executed.status === 0) {
        tally.reverted++
        const reason = `${kind}: ${decodeBetEngineError(bytesToHex(executed.revertData))?.name ?? 'other'}`
        tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1)
      }
      const entry = tally.byFunction.get(name) ?? { calls: 0, gas: 0n, maxGas: 0n, witnessBytes: 0 }
      entry.calls++
      entry.gas += result.gas
      if (result.gas > entry.maxGas) entry.maxGas = result.gas
      entry.witnessBytes += witness.nodes.reduce((sum, n) => sum + n.length, 0)
      tally.byFunction.set(name, entry)
    }
  } finally {
    await l2.shut()
  }
}

t.test('execute_randomCallSequences_postRootEqualsL2Chain', async (t) => {
  const tally: Tally = { calls: 0, reverted: 0, deletions: 0, reasons: new Map(), byFunction: new Map() }
  const runs = Math.max(1, Math.ceil(TOTAL_CALLS / CALLS_PER_RUN))
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: CALLS_PER_RUN, maxLength: CALLS_PER_RUN }), async (commands) => {
      const failures = t.counts.fail
      await runSequence(t, commands, tally)
      // long runs report progress as they go
      if (TOTAL_CALLS > 1000) process.stderr.write(`${tally.calls} calls checked\n`)
      return t.counts.fail === failures
    }),
    { numRuns: runs, seed: SEED, endOnFailure: true },
  )
  t.comment([...tally.reasons].sort().map(([k, n]) => `${k} ${n}`).join(', '))
  t.comment(`${tally.calls} calls checked, ${tally.reverted} of them reverting; ${tally.deletions} slots written to zero (trie deletions)`)
  for (const [name, e] of [...tally.byFunction].sort()) {
    t.comment(`${name}: ${e.calls} calls, verifier execution gas avg ${e.gas / BigInt(e.calls)} max ${e.maxGas}, witness avg ${Math.round(e.witnessBytes / e.calls)} bytes`)
  }
  t.ok(tally.calls >= Math.min(TOTAL_CALLS, runs * CALLS_PER_RUN), 'every call checked')
})

import t from 'tap'
import fc from 'fast-check'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Address as EthAddress } from '@ethereumjs/util'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { TypedTransaction } from '@ethereumjs/tx'
import { encodeFunctionData, hexToBytes, type Address, type Hex } from 'viem'
import type { L2Chain } from '../chain.ts'
import type { ExecutedTx } from '../types.ts'
import { decodeBetEngineError } from '../../../sdk/src/betEngine/errors.ts'
import { BET_ENGINE_ADDRESS } from '../../../sdk/src/constants.ts'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { PlaceBetFastPath, type PlaceBetPlan } from './placeBet.ts'
import { calldata, hex, openTestChain, testAccounts, testGenesis, TestSigner, type TestChain } from './testing.ts'

const CHAIN_ID = 901
const T0 = 1_700_000_000
const ACCOUNTS = testAccounts(10) // 0 operates (its balance is the house), 1 is the oracle, all may bet
const OPERATOR = 0
const ORACLE = 1
const signer = new TestSigner(CHAIN_ID)

interface MarketSpec {
  outcomes: number
  odds: number[]
  closeIn: number
  maxStake: bigint
  maxLiability: bigint
}

const oddsArb = fc.oneof(fc.constant(10_001), fc.integer({ min: 10_001, max: 60_000 }), fc.integer({ min: 10_001, max: 10_000_000 }))
const oddsListArb = (length: number) => fc.array(oddsArb, { minLength: length, maxLength: length })
const marketArb: fc.Arbitrary<MarketSpec> = fc.integer({ min: 2, max: 16 }).chain((outcomes) =>
  fc.record({
    outcomes: fc.constant(outcomes),
    odds: oddsListArb(outcomes),
    closeIn: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 3, max: 60 }) }, { weight: 4, arbitrary: fc.integer({ min: 200, max: 2000 }) }),
    maxStake: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 10n ** 10n })),
    maxLiability: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0n) },
      { weight: 2, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 11n }) },
      { weight: 6, arbitrary: fc.bigInt({ min: 1n, max: (1n << 128n) - 1n }) },
    ),
  }),
)
const balanceArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 7n }) },
  { weight: 10, arbitrary: fc.bigInt({ min: 10n ** 12n, max: 10n ** 15n }) },
)

const betArb = fc.record({
  kind: fc.constant('bet' as const),
  bettor: fc.oneof({ weight: 1, arbitrary: fc.constant(OPERATOR) }, { weight: 12, arbitrary: fc.integer({ min: 1, max: 9 }) }),
  market: fc.oneof({ weight: 15, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constant(-1) }),
  outcome: fc.oneof({ weight: 12, arbitrary: fc.nat({ max: 15 }).map((o) => ({ raw: false, o })) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((o) => ({ raw: true, o })) }),
  stake: fc.oneof(
    { weight: 14, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((f) => ({ mode: 'frac' as const, f })) },
    { weight: 1, arbitrary: fc.constant({ mode: 'zero' as const, f: 0 }) },
    { weight: 1, arbitrary: fc.constant({ mode: 'over' as const, f: 0 }) },
    { weight: 1, arbitrary: fc.constant({ mode: 'max' as const, f: 0 }) },
  ),
  minOdds: fc.constantFrom('zero', 'zero', 'zero', 'exact', 'above', 'below'),
  txType: fc.constantFrom(2, 2, 2, 2, 2, 2, 0, 1) as fc.Arbitrary<0 | 1 | 2>,
})
type BetOp = typeof betArb extends fc.Arbitrary<infer T> ? T : never

const opArb = fc.oneof(
  { weight: 120, arbitrary: betArb },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('block' as const), gap: fc.integer({ min: 1, max: 6 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('setOdds' as const), market: fc.nat(), odds: fc.array(oddsArb, { minLength: 2, maxLength: 16 }), fit: fc.boolean(), byBettor: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('createMarket' as const), spec: marketArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reportResult' as const), market: fc.nat(), result: fc.oneof(fc.nat({ max: 16 }), fc.constant(255)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('settleBet' as const), bet: fc.nat() }) },
  // markets the native path declines (priced, limited: flags in the head; suspended: status 3), and
  // plain again (setOdds turns pricing off, reopenMarket)
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('setPricing' as const), market: fc.nat(), margin: fc.nat({ max: 1_000 }), slope: fc.constantFrom(0, 50, 5_000), floor: fc.integer({ min: 10_001, max: 15_000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setLimits' as const), market: fc.nat(), perBettor: fc.bigInt({ min: 0n, max: 10n ** 9n }), total: fc.bigInt({ min: 0n, max: 10n ** 12n }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspend' as const), market: fc.nat(), reopen: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('oddCall' as const),
      bet: betArb,
      variant: fc.constantFrom('dirtyOutcome', 'dirtyStake', 'dirtyMinOdds', 'extraByte', 'short', 'otherTarget', 'zeroTarget', 'wrongSelector', 'accessList'),
    }),
  },
)
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never

const scenarioArb = fc.record({
  balances: fc.array(balanceArb, { minLength: ACCOUNTS.length, maxLength: ACCOUNTS.length }),
  markets: fc.array(marketArb, { minLength: 1, maxLength: 4 }),
  ops: fc.array(opArb, { minLength: 340, maxLength: 420 }),
})
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never

/** One tx of a scenario: its raw bytes and what it is, so results can be counted. */
interface ScenarioTx {
  raw: Uint8Array
  what: string
  /** the market a bet, setPricing, setLimits or setOdds is on */
  market?: bigint
}
interface ScenarioBlock {
  timestamp: bigint
  txs: ScenarioTx[]
}

/** Turns a scenario into signed blocks, choosing bet parameters from a model of the markets (in order nonces). */
function buildBlocks(s: Scenario): ScenarioBlock[] {
  const nonces = ACCOUNTS.map(() => 0n)
  const sign = (from: number, data: Hex | Uint8Array, opts: Parameters<TestSigner['sign']>[3] = {}) => signer.sign(ACCOUNTS[from], nonces[from]++, data, opts)
  const markets: MarketSpec[] = []
  let betsPlaced = 0
  let time = BigInt(T0) + 1n
  const blocks: ScenarioBlock[] = [{ timestamp: time, txs: [] }]
  const current = () => blocks[blocks.length - 1].txs
  const createMarket = (spec: MarketSpec) => {
    markets.push({ ...spec, odds: [...spec.odds] })
    current().push({ raw: sign(OPERATOR, calldata.createMarket(spec.outcomes, spec.odds, time + BigInt(spec.closeIn), spec.maxStake, spec.maxLiability)), what: 'createMarket' })
  }
  const marketOf = (n: number) => {
    // -1: a market id that does not exist
    const index = n < 0 ? markets.length : n % markets.length
    return { id: BigInt(index + 1), spec: markets[index] as MarketSpec | undefined }
  }
  const betArgs = (op: BetOp) => {
    const { id, spec } = marketOf(op.market)
    const outcomes = spec?.outcomes ?? 2
    const outcome = op.outcome.raw ? op.outcome.o : op.outcome.o % outcomes
    const maxStake = spec?.maxStake ?? 10n ** 6n
    const stake =
      op.stake.mode === 'zero' ? 0n : op.stake.mode === 'over' ? maxStake + 1n : op.stake.mode === 'max' ? maxStake : 1n + (maxStake * BigInt(Math.floor(op.stake.f * 1e6))) / 1_000_000n
    const odds = spec?.odds[outcome] ?? 20_000
    const minOdds = op.minOdds === 'zero' ? 0 : op.minOdds === 'exact' ? odds : op.minOdds === 'above' ? odds + 1 : odds - 1
    return { id, outcome, stake: stake > (1n << 96n) - 1n ? (1n << 96n) - 1n : stake, minOdds }
  }
  const reopenAtBlockEnd: bigint[] = []
  for (const spec of s.markets) createMarket(spec)
  for (const op of s.ops as Op[]) {
    switch (op.kind) {
      case 'block':
        for (const id of reopenAtBlockEnd.splice(0)) {
          current().push({ raw: sign(OPERATOR, encodeFunctionData({ abi: betEngineAbi, functionName: 'reopenMarket', args: [id] })), what: 'reopenMarket', market: id })
        }
        time += BigInt(op.gap)
        blocks.push({ timestamp: time, txs: [] })
        break
      case 'bet': {
        const a = betArgs(op)
        current().push({ raw: sign(op.bettor, calldata.placeBet(a.id, a.outcome, a.stake, a.minOdds), { type: op.txType }), what: 'bet', market: a.id })
        betsPlaced++
        break
      }
      case 'setOdds': {
        const { id, spec } = marketOf(op.market)
        const odds = op.fit && spec !== undefined ? Array.from({ length: spec.outcomes }, (_, i) => op.odds[i % op.odds.length]) : op.odds
        if (spec !== undefined && op.fit && !op.byBettor) spec.odds = odds
        current().push({ raw: sign(op.byBettor ? 5 : OPERATOR, calldata.setOdds(id, odds)), what: 'setOdds', market: id })
        break
      }
      case 'setPricing': {
        const { id, spec } = marketOf(op.market)
        const count = spec?.outcomes ?? 2
        const probabilities = Array.from({ length: count }, (_, i) => Math.floor(10_000 / count) + (i === 0 ? 10_000 % count : 0))
        const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setPricing', args: [id, probabilities, op.margin, op.slope, op.floor] })
        current().push({ raw: sign(OPERATOR, data), what: 'setPricing', market: id })
        break
      }
      case 'setLimits': {
        const { id } = marketOf(op.market)
        const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'setLimits', args: [id, op.perBettor, op.total] })
        current().push({ raw: sign(OPERATOR, data), what: op.perBettor !== 0n || op.total !== 0n ? 'setLimits' : 'setLimits:none', market: id })
        break
      }
      case 'suspend': {
        // suspended for the rest of the block (bets on it refused alike), sometimes for good
        const { id } = marketOf(op.market)
        current().push({ raw: sign(OPERATOR, encodeFunctionData({ abi: betEngineAbi, functionName: 'suspendMarket', args: [id] })), what: 'suspendMarket', market: id })
        if (op.reopen) reopenAtBlockEnd.push(id)
        break
      }
      case 'createMarket':
        createMarket(op.spec)
        break
      case 'reportResult':
        current().push({ raw: sign(ORACLE, calldata.reportResult(marketOf(op.market).id, op.result)), what: 'reportResult' })
        break
      case 'settleBet':
        current().push({ raw: sign(3, calldata.settleBet(BigInt(1 + (op.bet % (betsPlaced + 2))))), what: 'settleBet' })
        break
      case 'oddCall': {
        const a = betArgs(op.bet)
        const data = hexToBytes(calldata.placeBet(a.id, a.outcome, a.stake, a.minOdds))
        let to: Address | undefined
        // an access list warms slots and costs intrinsic gas: the fast path leaves it to the EVM
        const accessList = op.variant === 'accessList' ? [{ address: BET_ENGINE_ADDRESS, storageKeys: [`0x${'0'.repeat(63)}3` as Hex] }] : undefined
        let body = data
        if (op.variant === 'dirtyOutcome') body[4 + 32 + 1] = 1
        if (op.variant === 'dirtyStake') body[4 + 64] = 1
        if (op.variant === 'dirtyMinOdds') body[4 + 96 + 27] = 1
        if (op.variant === 'extraByte') body = Uint8Array.from([...data, 0])
        if (op.variant === 'short') body = data.subarray(0, data.length - 1)
        if (op.variant === 'wrongSelector') body[3] ^= 1
        if (op.variant === 'otherTarget') to = '0x4200000000000000000000000000000000000b38'
        if (op.variant === 'zeroTarget') to = '0x0000000000000000000000000000000000000000'
        current().push({ raw: sign(op.bet.bettor, body, { to, accessList }), what: `oddCall:${op.variant}` })
        break
      }
    }
  }
  return blocks
}

interface TxView {
  status: number
  revertData: string
  gasUsed: bigint
  cumulativeGasUsed: bigint
  logs: string
}

function viewTx(e: ExecutedTx): TxView {
  return {
    status: e.status,
    revertData: hex(e.revertData),
    gasUsed: e.gasUsed,
    cumulativeGasUsed: e.cumulativeGasUsed,
    logs: e.logs.map(([a, topics, data]) => [hex(a), ...topics.map(hex), hex(data)].join(',')).join(';'),
  }
}

async function runBlock(chain: L2Chain, block: ScenarioBlock) {
  const pending = await chain.openBlock(block.timestamp)
  const txs: TxView[] = []
  for (const tx of block.txs) txs.push(viewTx(await chain.applyTx(pending, chain.decodeTx(tx.raw))))
  const sealed = await chain.sealBlock(pending)
  const h = sealed.block.header
  return { hash: hex(sealed.hash), stateRoot: hex(h.stateRoot), receiptTrie: hex(h.receiptTrie), gasUsed: h.gasUsed, txs }
}

/** how bets ended in the EVM chain: 'ok' or the bet engine's error name */
const betOutcomes = new Map<string, number>()
const totals = { runs: 0, bets: 0, betsSucceeded: 0, betsOnFlaggedMarkets: 0, fast: 0, learning: 0, mismatches: 0, txs: 0, blocks: 0, shadowRuns: 0 }
/** what the scenarios' successful market calls did */
const marketCalls = new Map<string, number>()

t.test('placeBet fast path: same blocks, roots, receipts, gas and logs as the EVM on random bet sequences', async (t) => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      const shadowExec = totals.runs % 2 === 0
      totals.runs++
      if (shadowExec) totals.shadowRuns++
      const balances = new Map(ACCOUNTS.map((a, i) => [a.address, scenario.balances[i]] as const))
      const genesis = testGenesis(CHAIN_ID, T0, ACCOUNTS[OPERATOR].address, ACCOUNTS[ORACLE].address, balances)
      const blocks = buildBlocks(scenario)
      const evm = await openTestChain(genesis, { fastPath: false })
      const fast = await openTestChain(genesis, { fastPath: true, shadowExec })
      // markets with a head flag (priced, limited), which the native path leaves to the EVM
      const priced = new Set<bigint>()
      const limited = new Set<bigint>()
      try {
        for (const [b, block] of blocks.entries()) {
          const want = await runBlock(evm.chain, block)
          const got = await runBlock(fast.chain, block)
          for (const [i, tx] of want.txs.entries()) {
            const where = `block ${b + 1}, tx ${i} (${block.txs[i].what})`
            if (JSON.stringify(got.txs[i], bigintJson) !== JSON.stringify(tx, bigintJson)) fail(where, tx, got.txs[i])
            const { what, market } = block.txs[i]
            if (tx.status === 1 && market !== undefined && what !== 'bet') {
              if (what === 'setPricing') priced.add(market)
              if (what === 'setOdds') priced.delete(market)
              if (what === 'setLimits') limited.add(market)
              marketCalls.set(what, (marketCalls.get(what) ?? 0) + 1)
            }
            if (what === 'bet') {
              totals.bets++
              if (tx.status === 1 && (priced.has(market!) || limited.has(market!))) totals.betsOnFlaggedMarkets++
              else if (tx.status === 1) totals.betsSucceeded++
              const outcome = tx.status === 1 ? 'ok' : (decodeBetEngineError(tx.revertData as Hex)?.name ?? tx.revertData)
              betOutcomes.set(outcome, (betOutcomes.get(outcome) ?? 0) + 1)
            }
          }
          for (const key of ['stateRoot', 'receiptTrie', 'hash'] as const) {
            if (got[key] !== want[key]) fail(`block ${b + 1} ${key}`, want[key], got[key])
          }
          totals.txs += block.txs.length
          totals.blocks++
        }
        const stats = fast.chain.fastPathStats!
        totals.fast += stats.fast
        totals.learning += stats.learning
        totals.mismatches += stats.mismatches
      } finally {
        await evm.close()
        await fast.close()
      }
    }),
    // a fixed seed (ROLLBOOK_SEED to vary it): the coverage checks below then hold run after run
    { numRuns: 10, endOnFailure: true, seed: Number(process.env.ROLLBOOK_SEED ?? 1) },
  )
  t.equal(totals.mismatches, 0, 'shadow execution found no mismatch')
  // every successful placeBet either ran natively or taught the fast path its shape's gas
  t.equal(totals.fast + totals.learning, totals.betsSucceeded, 'the fast path took every bet that succeeds')
  t.ok(totals.fast >= 0.9 * totals.betsSucceeded, `the fast path executed ${totals.fast} of ${totals.betsSucceeded} successful bets natively`)
  const succeeded = totals.betsSucceeded + totals.betsOnFlaggedMarkets
  t.ok(totals.bets >= 2500 && succeeded >= 1000, `${totals.bets} bets (${succeeded} succeeded) in ${totals.txs} txs, ${totals.blocks} blocks, ${totals.runs} runs`)
  t.comment(JSON.stringify(totals))
  t.comment(JSON.stringify(Object.fromEntries(betOutcomes)))
  t.comment(JSON.stringify(Object.fromEntries(marketCalls)))
  t.ok(totals.betsOnFlaggedMarkets >= 30, `${totals.betsOnFlaggedMarkets} bets on priced or limited markets, run by the EVM, with the same results`)
  for (const call of ['setPricing', 'setLimits', 'suspendMarket', 'reopenMarket']) t.ok((marketCalls.get(call) ?? 0) > 0, `${call} took effect in some scenario`)
  for (const reason of ['MarketNotOpen', 'MarketClosed', 'BadOutcome', 'StakeZero', 'StakeTooHigh', 'OddsBelowMinimum', 'LiabilityCapExceeded', 'InsufficientBalance', 'BettorLimitExceeded', 'MarketLiabilityCapExceeded']) {
    t.ok((betOutcomes.get(reason) ?? 0) > 0, `bets reverted with ${reason}`)
  }
})

function fail(where: string, want: unknown, got: unknown): never {
  throw new Error(`${where}: EVM ${JSON.stringify(want, bigintJson)} fast ${JSON.stringify(got, bigintJson)}`)
}

function bigintJson(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value
}

/** A fast path with a bug: one gas unit too many. */
class OffByOneGas extends PlaceBetFastPath {
  override async plan(state: MerkleStateManager, tx: TypedTransaction, sender: EthAddress, block: { timestamp: bigint }): Promise<PlaceBetPlan | undefined> {
    const plan = await super.plan(state, tx, sender, block)
    if (plan?.gasUsed !== undefined) plan.gasUsed += 1n
    return plan
  }
}

async function simpleBlocks(): Promise<{ genesis: ReturnType<typeof testGenesis>; blocks: ScenarioBlock[] }> {
  const balances = new Map(ACCOUNTS.map((a) => [a.address, 10n ** 14n] as const))
  const genesis = testGenesis(CHAIN_ID, T0, ACCOUNTS[OPERATOR].address, ACCOUNTS[ORACLE].address, balances)
  const nonces = ACCOUNTS.map(() => 0n)
  const sign = (from: number, data: Hex) => ({ raw: signer.sign(ACCOUNTS[from], nonces[from]++, data), what: 'bet' })
  const first = [sign(OPERATOR, calldata.createMarket(4, [15_000, 20_000, 30_000, 45_000], BigInt(T0 + 1000), 10n ** 9n, 10n ** 13n))]
  const bets = Array.from({ length: 40 }, (_, i) => sign(2 + (i % 8), calldata.placeBet(1n, i % 4, 1_000n + BigInt(i), 0)))
  return { genesis, blocks: [{ timestamp: BigInt(T0 + 1), txs: first }, { timestamp: BigInt(T0 + 2), txs: bets }] }
}

function logCollector() {
  const lines: string[] = []
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    }),
  )
  return { logger, lines }
}

t.test('shadow execution keeps the EVM result when the fast path is wrong, and logs it', async (t) => {
  const { genesis, blocks } = await simpleBlocks()
  const evm = await openTestChain(genesis, { fastPath: false })
  const { logger, lines } = logCollector()
  const gasParams = { sstoreClearRefund: 4800n, maxRefundQuotient: 5n }
  const shadowed = await openTestChain(genesis, { fastPath: true, shadowExec: true }, { logger, fastPath: new OffByOneGas(gasParams) })
  const unshadowed = await openTestChain(genesis, { fastPath: true, shadowExec: false }, { fastPath: new OffByOneGas(gasParams) })
  try {
    for (const block of blocks) {
      const want = await runBlock(evm.chain, block)
      t.strictSame(await runBlock(shadowed.chain, block), want, 'the shadowed chain equals the EVM chain')
      const wrong = await runBlock(unshadowed.chain, block)
      if (block.txs.length > 1) t.not(wrong.receiptTrie, want.receiptTrie, 'without the shadow the bug shows in the receipts root (the differential test would catch it)')
    }
    t.ok(shadowed.chain.fastPathStats!.mismatches >= 1, 'the mismatch was counted')
    t.equal(shadowed.chain.fastPathStats!.fast, 0, 'no bet was taken from the faulty path')
    t.match(lines.join(''), /fast path disagrees with the EVM/, 'and logged as an error')
    t.match(lines.join(''), /gasUsed: evm \d+ fast \d+/, 'with the difference')
  } finally {
    await evm.close()
    await shadowed.close()
    await unshadowed.close()
  }
})

t.test('fastPath: false runs every tx in the EVM; on by default the fast path takes the bets', async (t) => {
  const { genesis, blocks } = await simpleBlocks()
  const off = await openTestChain(genesis, { fastPath: false })
  const on = await openTestChain(genesis, {})
  try {
    for (const block of blocks) t.strictSame(await runBlock(on.chain, block), await runBlock(off.chain, block))
    t.equal(off.chain.fastPathStats, undefined)
    t.ok(on.chain.fastPathStats!.fast >= 36, `${on.chain.fastPathStats!.fast} of 40 bets ran natively`)
  } finally {
    await off.close()
    await on.close()
  }
})

/** Accounts, genesis and small helpers shared by the bet engine contract tests. */
import type { Test } from 'tap'
import { getAddress, type Address } from 'viem'
import { BetEngineHarness } from './evmHarness.ts'

export const operator: Address = getAddress('0x00000000000000000000000000000000000000a1')
export const oracle: Address = getAddress('0x00000000000000000000000000000000000000b2')
export const alice: Address = getAddress('0x00000000000000000000000000000000000000c3')
export const bob: Address = getAddress('0x00000000000000000000000000000000000000d4')
export const carol: Address = getAddress('0x00000000000000000000000000000000000000e5')
export const accounts = [operator, oracle, alice, bob, carol] as const

/** Stake token base units (6 decimals). */
export const USDC = 1_000_000n

export const genesisBalances: Record<Address, bigint> = {
  [operator]: 1_000_000n * USDC,
  [alice]: 10_000n * USDC,
  [bob]: 1_000n * USDC,
  [carol]: 5n * USDC,
}
export const genesisTotal = Object.values(genesisBalances).reduce((a, b) => a + b, 0n)

export async function createEngine(balances: Record<Address, bigint> = genesisBalances): Promise<BetEngineHarness> {
  return BetEngineHarness.create({ operator, oracle, balances })
}

export interface MarketParams {
  outcomeCount?: number
  odds?: number[]
  closeIn?: bigint
  maxStake?: bigint
  maxLiability?: bigint
}

/** Creates a market as the operator and returns its id; throws if the engine rejects it. */
export async function openMarket(engine: BetEngineHarness, params: MarketParams = {}): Promise<bigint> {
  const odds = params.odds ?? [20_000, 35_000, 41_000]
  const outcome = await engine.write(operator, 'createMarket', [
    params.outcomeCount ?? odds.length,
    odds,
    engine.time + (params.closeIn ?? 3_600n),
    params.maxStake ?? 1_000n * USDC,
    params.maxLiability ?? 100_000n * USDC,
  ])
  if (!outcome.ok) throw new Error(`createMarket failed: ${outcome.error?.name}`)
  return outcome.result as bigint
}

export async function placeBet(
  engine: BetEngineHarness,
  from: Address,
  marketId: bigint,
  outcome: number,
  stake: bigint,
  minOdds = 0,
): Promise<bigint> {
  const result = await engine.write(from, 'placeBet', [marketId, outcome, stake, minOdds])
  if (!result.ok) throw new Error(`placeBet failed: ${result.error?.name}`)
  return result.result as bigint
}

export async function balances(engine: BetEngineHarness): Promise<bigint[]> {
  return Promise.all(accounts.map((account) => engine.read('balanceOf', [account])))
}

/** Sends a call that must revert with `errorName`, and checks that no balance or counter moved. */
export async function expectRejected(
  t: Test,
  engine: BetEngineHarness,
  from: Address,
  call: (from: Address) => ReturnType<BetEngineHarness['write']>,
  errorName: string,
  errorArgs?: readonly unknown[],
): Promise<void> {
  const before = [...(await balances(engine)), await engine.read('nextMarketId'), await engine.read('nextBetId')]
  const outcome = await call(from)
  t.notOk(outcome.ok, `rejected with ${errorName}`)
  if (outcome.ok) return
  t.equal(outcome.error?.name, errorName)
  if (errorArgs) t.same(outcome.error?.args, errorArgs)
  const after = [...(await balances(engine)), await engine.read('nextMarketId'), await engine.read('nextBetId')]
  t.same(after, before, 'no balance or counter changed')
}

/** Moves time to the market's close and reports `result` as the oracle. */
export async function resolve(engine: BetEngineHarness, marketId: bigint, result: number): Promise<void> {
  const market = await engine.read('getMarket', [marketId])
  if (engine.time < market.closeTime) engine.time = market.closeTime
  const outcome = await engine.write(oracle, 'reportResult', [marketId, result])
  if (!outcome.ok) throw new Error(`reportResult failed: ${outcome.error?.name}`)
}

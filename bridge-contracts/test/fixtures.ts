/** Accounts, genesis and small helpers shared by the bet engine contract tests. */
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

import { formatUnits, parseUnits } from 'viem'
import { ODDS_SCALE, STAKE_DECIMALS } from './constants.ts'

const ODDS_DECIMALS = 4

/** Decimal odds as the chain stores them: parseOdds('2.5') is 25_000. Exact: no floating point. */
export function parseOdds(odds: string): number {
  const value = parseUnits(odds, ODDS_DECIMALS)
  if (value <= ODDS_SCALE || value >= 2n ** 32n) throw new RangeError(`odds must be above 1.0 and fit in uint32: ${odds}`)
  return Number(value)
}

/** formatOdds(25_000) is '2.5'. */
export function formatOdds(odds: number): string {
  return formatUnits(BigInt(odds), ODDS_DECIMALS)
}

/** Stake token amount in base units: parseStake('10.5') is 10_500_000n. */
export function parseStake(amount: string): bigint {
  return parseUnits(amount, STAKE_DECIMALS)
}

/** formatStake(10_500_000n) is '10.5'. */
export function formatStake(amount: bigint): string {
  return formatUnits(amount, STAKE_DECIMALS)
}

/** Protocol constants shared by every Rollbook node and client. */

/** The bet engine predeploy: the only contract bettors' transactions may call. */
export const BET_ENGINE_ADDRESS = '0x4200000000000000000000000000000000000b37' as const

/** Every L2 transaction carries exactly this gas limit (decision 2: fixed gas, bounded functions). */
export const TX_GAS_LIMIT = 1_000_000n

/** Odds are fixed point with four decimals: 2.5 is 25_000. */
export const ODDS_SCALE = 10_000n

/** The stake token has six decimals, as the L1 test stablecoin. */
export const STAKE_DECIMALS = 6

/** Result value that voids a market: every bet on it is refunded. */
export const RESULT_VOID = 255

export const MIN_OUTCOMES = 2
export const MAX_OUTCOMES = 16

/** The standard test mnemonic; the dev genesis funds its first ten accounts. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk'

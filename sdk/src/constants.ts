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

/**
 * The L1 messenger system account (docs/decisions/0004). Each L1 queue message (a deposit or a
 * forced tx) enters L2 as one transaction from it, signed by nodes with this public key, nonce =
 * queue index. Nodes refuse its transactions from anyone else, so the key being public is safe.
 */
export const L1_MESSENGER_PRIVATE_KEY = '0xff5ca2e6e8227f837b80d67355ce7750f6bc10a22a350b799335efdacfe81672' as const
export const L1_MESSENGER_ADDRESS = '0xEC8aE85D5fe850B89f7738Be39038c0d32b10600' as const

/**
 * How far ahead of the L1 block that carries its chunk an L2 block start may be (seconds).
 * Derivation skips a block start beyond it, and the txs up to the next block start with it, so a
 * sequencer cannot push L2 time into the future (and close every market early) with one record.
 */
export const MAX_TIMESTAMP_DRIFT_SECONDS = 3600n

/**
 * Leaves of one batch's trace at most (OutputRoots.MAX_TRACE_LEAVES, docs/decisions/0006): one
 * proposal carries them all as calldata and stays under the 128 KiB an L1 client takes. A leaf per
 * record plus the state before the first, so a batch decodes to at most MAX_TRACE_LEAVES - 1 records.
 */
export const MAX_TRACE_LEAVES = 3584
export const MAX_BATCH_RECORDS = MAX_TRACE_LEAVES - 1

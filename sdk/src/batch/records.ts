import type { Hex } from 'viem'

/** The first byte of each record. */
export const RecordTag = {
  blockStart: 0x01,
  deposit: 0x02,
  compactBet: 0x03,
  signedTx: 0x04,
} as const

/** Starts an L2 block: every later record, up to the next block start, is in this block. */
export interface BlockStartRecord {
  type: 'blockStart'
  /** Absolute unix seconds; on the wire a delta from the chunk's previous block start. */
  timestamp: bigint
}

/** Includes the L1 bridge's queued deposit with this queue index. */
export interface DepositRecord {
  type: 'deposit'
  queueIndex: bigint
}

/**
 * A signed EIP-1559 placeBet call with every fixed field left out: the chain id comes from the
 * config; to, value, gas and fees are the chain's constants; the sender is recovered from the
 * signature of the rebuilt transaction.
 */
export interface CompactBetRecord {
  type: 'compactBet'
  nonce: bigint
  marketId: bigint
  outcome: number
  stake: bigint
  minOdds: number
  yParity: 0 | 1
  /** 32 bytes, leading zeros kept. */
  r: Hex
  /** 32 bytes, leading zeros kept. */
  s: Hex
}

/** Any other accepted transaction, as its signed serialization (legacy EIP-155 RLP, or the 0x01/0x02 typed envelope). */
export interface SignedTxRecord {
  type: 'signedTx'
  raw: Hex
}

export type TxRecord = CompactBetRecord | SignedTxRecord
export type BatchRecord = BlockStartRecord | DepositRecord | TxRecord

/** Value ranges of the fields, in bits: a larger value is a bad record. */
export const FIELD_BITS = {
  timestamp: 64,
  queueIndex: 64,
  nonce: 64,
  marketId: 256,
  stake: 96,
  minOdds: 32,
  /** a generic record's length prefix; the chunk bounds it long before this */
  length: 32,
} as const

import {
  bytesToHex,
  hexToBytes,
  pad,
  parseTransaction,
  serializeTransaction,
  type Hex,
  type Signature,
  type TransactionSerializable,
  type TransactionSerializableGeneric,
} from 'viem'
import { TX_GAS_LIMIT } from '../constants.ts'
import { isBetEngineAddress, parsePlaceBetCalldata, serializeCompactBet } from './compactBet.ts'
import { UnbatchableTransactionError } from './errors.ts'
import type { CompactBetRecord, TxRecord } from './records.ts'

export interface BatchTxOptions {
  /** The L2 chain id, from the protocol config: every batched tx is signed for it. */
  chainId: number
}

type ParsedTx = ReturnType<typeof parseTransaction>

export type CheckSignedTxResult = { ok: true; tx: ParsedTx } | { ok: false; reason: string }

/**
 * Whether `raw` is a transaction a batch may carry: a signed legacy EIP-155, EIP-2930 or EIP-1559
 * transaction for `chainId`, in its canonical serialization (so rebuilding it gives these bytes).
 * Whether the chain then executes it (target, value, gas, fees, nonce) is derivation's question.
 */
export function checkSignedTx(raw: Uint8Array, { chainId }: BatchTxOptions): CheckSignedTxResult {
  let tx: ParsedTx
  const hex = bytesToHex(raw)
  try {
    tx = parseTransaction(hex)
  } catch {
    return { ok: false, reason: 'not a parseable transaction' }
  }
  if (tx.type !== 'legacy' && tx.type !== 'eip2930' && tx.type !== 'eip1559') return { ok: false, reason: `transaction type ${tx.type} is not accepted` }
  if (tx.r === undefined || tx.s === undefined) return { ok: false, reason: 'unsigned transaction' }
  if (tx.chainId !== chainId) {
    return { ok: false, reason: tx.chainId === undefined ? 'legacy transaction without EIP-155 chain id' : `signed for chain ${tx.chainId}, not ${chainId}` }
  }
  if (reserialize(tx) !== hex) return { ok: false, reason: 'not in canonical encoding' }
  return { ok: true, tx }
}

function reserialize(tx: ParsedTx): Hex {
  const { r, s, v, yParity, ...fields } = tx as TransactionSerializableGeneric & Signature
  const signature = tx.type === 'legacy' ? { r, s, v } : { r, s, yParity }
  try {
    return serializeTransaction(fields as TransactionSerializable, signature as Signature)
  } catch {
    return '0x'
  }
}

/** The compact bet a parsed tx is, if it has exactly the compact shape. */
function asCompactBet(tx: ParsedTx, raw: Uint8Array, chainId: number): CompactBetRecord | undefined {
  if (tx.type !== 'eip1559') return undefined
  if (!isBetEngineAddress(tx.to) || (tx.value ?? 0n) !== 0n || tx.gas !== TX_GAS_LIMIT) return undefined
  if ((tx.maxFeePerGas ?? 0n) !== 0n || (tx.maxPriorityFeePerGas ?? 0n) !== 0n || (tx.accessList?.length ?? 0) !== 0) return undefined
  if (tx.data === undefined || (tx.yParity !== 0 && tx.yParity !== 1)) return undefined
  if (tx.r === undefined || tx.s === undefined || tx.r.length > 66 || tx.s.length > 66) return undefined
  const args = parsePlaceBetCalldata(hexToBytes(tx.data))
  if (args === undefined) return undefined
  const record: CompactBetRecord = { type: 'compactBet', nonce: BigInt(tx.nonce ?? 0), ...args, yParity: tx.yParity, r: pad(tx.r), s: pad(tx.s) }
  // The shape check is a filter; byte equality of the rebuilt tx is the rule.
  const rebuilt = serializeCompactBet(record, chainId)
  return rebuilt.length === raw.length && rebuilt.every((byte, i) => byte === raw[i]) ? record : undefined
}

/**
 * The record for one signed transaction: a compact bet when the tx is an EIP-1559 placeBet with
 * exactly the fixed fields (and rebuilds to the same bytes), otherwise a generic signed tx.
 *
 * @example
 * const record = recordFromTx(rawTx, { chainId: 42069 }) // { type: 'compactBet', nonce: 4n, ... }
 */
export function recordFromTx(raw: Hex | Uint8Array, options: BatchTxOptions): TxRecord {
  const bytes = typeof raw === 'string' ? hexToBytes(raw) : raw
  const checked = checkSignedTx(bytes, options)
  if (!checked.ok) throw new UnbatchableTransactionError(checked.reason)
  return asCompactBet(checked.tx, bytes, options.chainId) ?? { type: 'signedTx', raw: bytesToHex(bytes) }
}

export function recordsFromTxs(raws: readonly (Hex | Uint8Array)[], options: BatchTxOptions): TxRecord[] {
  return raws.map((raw) => recordFromTx(raw, options))
}

/** The exact signed bytes the record was made from: same bytes, same tx hash. */
export function rebuildTx(record: TxRecord, { chainId }: BatchTxOptions): Uint8Array {
  return record.type === 'compactBet' ? serializeCompactBet(record, chainId) : hexToBytes(record.raw)
}

/** The transaction a record carries, parsed (viem's shape, signature included). */
export function txFromRecord(record: TxRecord, options: BatchTxOptions): ParsedTx {
  return parseTransaction(bytesToHex(rebuildTx(record, options)))
}

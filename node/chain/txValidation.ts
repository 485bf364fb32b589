import { Capability, TransactionType, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { BET_ENGINE_ADDRESS, L1_MESSENGER_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { isL1Messenger } from '../l1/messages.ts'
import type { RecoveredSender } from './senderRecovery.ts'

/** Why a transaction is refused (by the sequencer, and skipped by derivation). Codes and messages follow geth's where it has one. */
export type TxRejectionReason =
  | 'decode'
  | 'unsupportedType'
  | 'chainId'
  | 'signature'
  | 'target'
  | 'value'
  | 'fees'
  | 'gasLimit'
  | 'nonceTooLow'
  | 'nonceTooHigh'
  | 'alreadyKnown'
  | 'poolFull'
  | 'oversized'
  | 'unavailable'
  | 'reservedSender'

export class TxRejectedError extends Error {
  override readonly name = 'TxRejectedError'
  /** JSON-RPC error code: -32000 as geth uses for every tx pool rejection */
  readonly code = -32000
  constructor(
    readonly reason: TxRejectionReason,
    message: string,
  ) {
    super(message)
  }
}

/** Contracts a transaction may call (decision 2: a betting chain, not a general chain). */
const PREDEPLOYS = new Set<string>([BET_ENGINE_ADDRESS.toLowerCase()])

const ACCEPTED_TYPES = new Set<number>([TransactionType.Legacy, TransactionType.AccessListEIP2930, TransactionType.FeeMarketEIP1559])

export interface CheckedTx {
  tx: TypedTransaction
  raw: Uint8Array
  hash: Uint8Array
  sender: Uint8Array
}

/**
 * Every check that needs no state: decoding, type, chain id, signature, target, value, fees, gas limit.
 * The nonce is checked against the live state when the tx runs. `recovered`: the sender's public
 * key and the hash as the recovery thread computed them from the same bytes (senderRecovery.ts),
 * so they are not computed again here.
 */
export function checkRawTx(
  raw: Uint8Array,
  decode: (raw: Uint8Array) => TypedTransaction,
  chainId: bigint,
  maxTxBytes: number,
  recovered?: RecoveredSender,
): CheckedTx {
  if (raw.length === 0) throw new TxRejectedError('decode', 'invalid transaction: empty input')
  if (raw.length > maxTxBytes) throw new TxRejectedError('oversized', `oversized data: transaction size ${raw.length}, limit ${maxTxBytes}`)
  if (raw[0] <= 0x7f && !ACCEPTED_TYPES.has(raw[0])) {
    throw new TxRejectedError('unsupportedType', `transaction type not supported: ${raw[0]}`)
  }
  let tx: TypedTransaction
  try {
    tx = decode(raw)
  } catch (e) {
    const foreign = foreignChainId(e)
    if (foreign !== undefined) throw new TxRejectedError('chainId', `invalid chain id for signer: have ${foreign} want ${chainId}`)
    throw new TxRejectedError('decode', `invalid transaction: ${decodeReason(e)}`)
  }
  if (!ACCEPTED_TYPES.has(tx.type)) throw new TxRejectedError('unsupportedType', `transaction type not supported: ${tx.type}`)
  if (tx.type === TransactionType.Legacy && !tx.supports(Capability.EIP155ReplayProtection)) {
    throw new TxRejectedError('chainId', 'only replay-protected (EIP-155) transactions allowed over RPC')
  }
  const txChainId = 'chainId' in tx ? (tx.chainId as bigint) : tx.common.chainId()
  if (txChainId !== chainId) {
    throw new TxRejectedError('chainId', `invalid chain id for signer: have ${txChainId} want ${chainId}`)
  }
  // a frozen tx (ethereumjs's default) reads both from its cache
  if (recovered !== undefined && Object.isFrozen(tx)) {
    tx.cache.senderPubKey = recovered.publicKey
    tx.cache.hash = recovered.hash
  }
  let sender: Uint8Array
  try {
    if (!tx.isSigned()) throw new Error('unsigned')
    sender = tx.getSenderAddress().bytes
  } catch {
    throw new TxRejectedError('signature', 'invalid sender: invalid transaction v, r, s values')
  }
  // the L1 messenger's key is public: its txs come only from the node's own relay path (decision 0004)
  if (isL1Messenger(sender)) throw new TxRejectedError('reservedSender', `sender ${L1_MESSENGER_ADDRESS} is the L1 messenger system account: its transactions come only from L1`)
  if (tx.to === undefined) throw new TxRejectedError('target', 'contract creation is not allowed: transactions may call only the predeploys')
  const to = bytesToHex(tx.to.bytes)
  if (!PREDEPLOYS.has(to)) throw new TxRejectedError('target', `transaction target ${to} is not a predeploy`)
  if (tx.value !== 0n) throw new TxRejectedError('value', 'transaction value must be zero')
  if (!feesAreZero(tx)) throw new TxRejectedError('fees', 'fees must be zero: gas price, max fee and priority fee are all 0 on this chain')
  if (tx.gasLimit !== TX_GAS_LIMIT) {
    throw new TxRejectedError('gasLimit', `gas limit must be exactly ${TX_GAS_LIMIT}: have ${tx.gasLimit}`)
  }
  return { tx, raw, hash: tx.hash(), sender }
}

function feesAreZero(tx: TypedTransaction): boolean {
  if ('maxFeePerGas' in tx) return tx.maxFeePerGas === 0n && tx.maxPriorityFeePerGas === 0n
  return tx.gasPrice === 0n
}

/** ethereumjs refuses a foreign chain id while decoding, with messages unfit to pass on (one prints a function's source). */
function foreignChainId(e: unknown): bigint | undefined {
  const message = e instanceof Error ? e.message : ''
  const typed = /not matching the derived chain ID (\d+)/.exec(message)
  if (typed !== null) return BigInt(typed[1])
  const legacy = /Incompatible EIP155-based V (\d+) and chain id/.exec(message)
  return legacy === null ? undefined : (BigInt(legacy[1]) - 35n) / 2n
}

/** ethereumjs errors carry a long context suffix; keep the first clause a person can read. */
function decodeReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e)
  return message.split(' (tx type=')[0].split('\n')[0].slice(0, 200)
}

/**
 * The outcome of every offset of a chunk twice, in one comparable shape: as RecordDecoder.sol and
 * TxDecoder.sol give it (through RecordDecoderHarness), and as the TypeScript node gives it
 * (decodeChunk, rebuildTx, then checkRawTx with the node's ethereumjs decoding).
 */
import { createRequire } from 'node:module'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createAddressFromString } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import { bytesToHex, decodeFunctionResult, encodeFunctionData, hexToBytes, keccak256, parseTransaction, serializeTransaction, type Hex, type TransactionSerializable } from 'viem'
import { decodeChunk, rebuildTx, type BatchRecord, type CompactBetRecord, type TxRecord } from '../../../sdk/src/batch/index.ts'
import { placeBetCalldata } from '../../../sdk/src/batch/compactBet.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../../sdk/src/constants.ts'
import { createSharedTxCommon } from '../../../node/chain/txCommon.ts'
import { checkRawTx, TxRejectedError } from '../../../node/chain/txValidation.ts'
import { customCrypto } from '../../../node/chain/crypto.ts'
import type { RawCallResult } from '../memoryEvm.ts'
import type { CompiledContract } from '../testContracts.ts'

export const CHAIN_ID = 42069
/** The node's default maxTxBytes (sequencer and derivation), which TxDecoder.MAX_TX_BYTES mirrors. */
export const MAX_TX_BYTES = 32 * 1024

const STATUSES = ['record', 'skipped', 'none'] as const
const REASONS = [
  'none',
  'emptyChunk',
  'unknownVersion',
  'notRecordStart',
  'unknownRecordType',
  'truncated',
  'badLength',
  'nonMinimalVarint',
  'varintOutOfRange',
  'timestampOutOfRange',
  'badYParity',
  'badSignedTx',
] as const
const KINDS = [undefined, 'blockStart', 'deposit', 'compactBet', 'signedTx'] as const
const TX_STATUSES = ['valid', 'oversized', 'decode', 'signature', 'reservedSender', 'target', 'value', 'fees', 'gasLimit'] as const
const TX_TYPES = ['legacy', 'eip2930', 'eip1559'] as const
/** checkRawTx reasons that come after the sender is known. */
const AFTER_SENDER = new Set(['reservedSender', 'target', 'value', 'fees', 'gasLimit'])
const MAX_UINT256 = (1n << 256n) - 1n

export interface TxOutcome {
  raw: Hex
  status: string
  sender?: Hex
  /** Undefined when a field is over 256 bits (viem keeps it, ethereumjs and the contract do not). */
  fields?: Record<string, string>
  overwide: boolean
  signingHash?: Hex
}

export interface Outcome {
  status: (typeof STATUSES)[number]
  reason: string
  kind?: string
  end?: number
  fields?: Record<string, string>
  tx?: TxOutcome
}

const decodeTx = (() => {
  const common = createSharedTxCommon(CHAIN_ID)
  return (raw: Uint8Array) => createTxFromRLP(raw, { common })
})()

/** The TypeScript outcome at each offset. */
export function expectedOutcomes(chunk: Uint8Array, offsets: readonly number[]): Outcome[] {
  const decoded = decodeChunk(chunk, { chainId: CHAIN_ID })
  if (decoded.end === 'empty' || decoded.end === 'unknownVersion') {
    const reason = decoded.end === 'empty' ? 'emptyChunk' : 'unknownVersion'
    return offsets.map(() => ({ status: 'none', reason }))
  }
  const byOffset = new Map<number, Outcome>()
  for (const { offset, length, record } of decoded.records) {
    const outcome: Outcome = { status: 'record', reason: 'none', kind: record.type, end: offset + length, fields: recordFields(record) }
    if (record.type === 'compactBet' || record.type === 'signedTx') outcome.tx = expectedTx(record)
    byOffset.set(offset, outcome)
  }
  for (const { offset, length, reason } of decoded.skipped) {
    byOffset.set(offset, length === undefined ? { status: 'none', reason } : { status: 'skipped', reason, kind: KINDS[chunk[offset]], end: offset + length })
  }
  return offsets.map((offset) => byOffset.get(offset) ?? { status: 'none', reason: 'notRecordStart' })
}

/** Every offset decodeChunk names (records, skipped, where it stopped). */
export function recordOffsets(chunk: Uint8Array): number[] {
  const decoded = decodeChunk(chunk, { chainId: CHAIN_ID })
  return [...decoded.records, ...decoded.skipped].map((r) => r.offset).sort((a, b) => a - b)
}

function recordFields(record: BatchRecord): Record<string, string> {
  switch (record.type) {
    case 'blockStart':
      return { timestamp: String(record.timestamp) }
    case 'deposit':
      return { queueIndex: String(record.queueIndex) }
    case 'compactBet': {
      const { nonce, marketId, outcome, stake, minOdds, yParity, r, s } = record
      return { nonce: String(nonce), marketId: String(marketId), outcome: String(outcome), stake: String(stake), minOdds: String(minOdds), yParity: String(yParity), r, s }
    }
    case 'signedTx':
      return {}
  }
}

function expectedTx(record: TxRecord): TxOutcome {
  const raw = rebuildTx(record, { chainId: CHAIN_ID })
  let status = 'valid'
  let sender: Hex | undefined
  try {
    sender = bytesToHex(checkRawTx(raw, decodeTx, BigInt(CHAIN_ID), MAX_TX_BYTES).sender)
  } catch (e) {
    if (!(e instanceof TxRejectedError)) throw e
    status = e.reason
    if (AFTER_SENDER.has(status)) sender = bytesToHex(decodeTx(raw).getSenderAddress().bytes)
  }
  const parsed = record.type === 'compactBet' ? compactBetFields(record) : genericFields(bytesToHex(raw))
  const overwide = isOverwide(parsed)
  const wide = Object.values(parsed).some((value) => typeof value === 'bigint' && value > MAX_UINT256)
  return { raw: bytesToHex(raw), status, sender, fields: wide ? undefined : stringify(parsed), overwide, signingHash: signingHash(record, raw) }
}

type TxFields = { type: string; chainId: bigint; nonce: bigint; gasPrice: bigint; maxPriorityFeePerGas: bigint; gas: bigint; to: string; value: bigint; data: Hex; yParity: bigint; r: bigint; s: bigint }

function compactBetFields(record: CompactBetRecord): TxFields {
  return {
    type: 'eip1559',
    chainId: BigInt(CHAIN_ID),
    nonce: record.nonce,
    gasPrice: 0n,
    maxPriorityFeePerGas: 0n,
    gas: TX_GAS_LIMIT,
    to: BET_ENGINE_ADDRESS,
    value: 0n,
    data: bytesToHex(placeBetCalldata(record)),
    yParity: BigInt(record.yParity),
    r: BigInt(record.r),
    s: BigInt(record.s),
  }
}

function genericFields(raw: Hex): TxFields {
  const tx = parseTransaction(raw)
  const fees = tx as { gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }
  return {
    type: tx.type ?? 'legacy',
    chainId: BigInt(tx.chainId ?? 0),
    nonce: BigInt(tx.nonce ?? 0),
    gasPrice: fees.maxFeePerGas ?? fees.gasPrice ?? 0n,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    gas: tx.gas ?? 0n,
    to: tx.to ?? '',
    value: tx.value ?? 0n,
    data: tx.data ?? '0x',
    yParity: BigInt(tx.yParity ?? 0),
    r: signatureValue(tx.r),
    s: signatureValue(tx.s),
    ...(storageKeyLists(tx) ? { value: MAX_UINT256 + 1n } : {}),
  }
}

/** viem keeps a legacy r or s as read: zero is the empty string, and a list stays a list (marked wider than 256 bits). */
function signatureValue(value: unknown): bigint {
  if (Array.isArray(value)) return MAX_UINT256 + 1n
  return value === undefined || value === '0x' ? 0n : BigInt(value as Hex)
}

/**
 * viem keeps a storage key that is a list of 66 items (its size check is `length - 2 === 64`) and
 * an address that is a list of one address (its check is a regex on the string form); both are
 * marked as wider than 256 bits, as the contract marks them overwide.
 */
function storageKeyLists(tx: { accessList?: readonly { address: unknown; storageKeys: readonly unknown[] }[] }): boolean {
  return (tx.accessList ?? []).some((entry) => typeof entry.address !== 'string' || entry.storageKeys.some((key) => typeof key !== 'string'))
}

/** What ethereumjs refuses while decoding and viem keeps: value, r, s over 256 bits, gas over 64, gas * fee over 256. */
function isOverwide(f: TxFields): boolean {
  return f.value > MAX_UINT256 || f.r > MAX_UINT256 || f.s > MAX_UINT256 || f.gas >= 1n << 64n || f.gas * f.gasPrice > MAX_UINT256
}

function stringify(f: TxFields): Record<string, string> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v.toLowerCase()]))
}

/** keccak256 of the unsigned serialization (EIP-155 form for legacy), by viem. */
function signingHash(record: TxRecord, raw: Uint8Array): Hex | undefined {
  try {
    const { r: _r, s: _s, v: _v, yParity: _y, ...unsigned } = parseTransaction(bytesToHex(raw)) as TransactionSerializable & { r?: Hex; s?: Hex; v?: bigint; yParity?: number }
    return keccak256(serializeTransaction(unsigned as TransactionSerializable))
  } catch {
    // a compact bet whose nonce is past 2^53: viem cannot hold it
    return record.type === 'compactBet' ? undefined : '0x'
  }
}

interface SolidityOutcome {
  record: {
    status: number
    reason: number
    kind: number
    end: bigint
    timestamp: bigint
    queueIndex: bigint
    bet: { nonce: bigint; marketId: bigint; outcome: number; stake: bigint; minOdds: number; yParity: number; r: Hex; s: Hex }
  }
  tx: {
    txType: number
    chainId: bigint
    nonce: bigint
    gasPrice: bigint
    maxPriorityFeePerGas: bigint
    gasLimit: bigint
    isCreate: boolean
    to: Hex
    value: bigint
    data: Hex
    yParity: bigint
    r: bigint
    s: bigint
    overwide: boolean
    signingHash: Hex
  }
  txStatus: number
  sender: Hex
  rawTx: Hex
}

/**
 * An in-memory EVM like MemoryEvm, with the node's native keccak and ecrecover (libsecp256k1): the
 * harness makes thousands of ecrecovers, which pure-JS secp256k1 makes the slowest part of the test.
 */
export class NativeCryptoEvm {
  private constructor(private readonly vm: VM) {}

  static async create(): Promise<NativeCryptoEvm> {
    const common = createCustomCommon({ chainId: 31337 }, Mainnet, { hardfork: Hardfork.Prague, customCrypto })
    return new NativeCryptoEvm(await createVM({ common }))
  }

  async putCode(address: Hex, deployedBytecode: Hex): Promise<void> {
    await this.vm.stateManager.putCode(createAddressFromString(address), hexToBytes(deployedBytecode))
  }

  async call(to: Hex, data: Hex, gasLimit = 30_000_000n): Promise<RawCallResult> {
    await this.vm.evm.journal.cleanup()
    const caller = createAddressFromString('0x000000000000000000000000000000000000dEaD')
    const { execResult } = await this.vm.evm.runCall({ caller, to: createAddressFromString(to), data: hexToBytes(data), gasLimit })
    return { ok: !execResult.exceptionError, returnData: bytesToHex(execResult.returnValue), executionGas: execResult.executionGasUsed }
  }
}

interface NativeSecp256k1 {
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
}
const secp256k1 = createRequire(import.meta.url)('secp256k1') as NativeSecp256k1

/** An honest (low-s) signature of a 32-byte hash, by libsecp256k1: the generators sign thousands. */
export function signNative(hash: Hex, privateKey: Hex): { r: bigint; s: bigint; yParity: number } {
  const { signature, recid } = secp256k1.ecdsaSign(hexToBytes(hash), hexToBytes(privateKey))
  return { r: BigInt(bytesToHex(signature.subarray(0, 32))), s: BigInt(bytesToHex(signature.subarray(32))), yParity: recid }
}

export interface DecoderHarness {
  evm: NativeCryptoEvm
  address: Hex
  contract: CompiledContract
}

/** The Solidity outcome at each offset, in one EVM call. */
export async function solidityOutcomes({ evm, address, contract }: DecoderHarness, chunk: Uint8Array, offsets: readonly number[]): Promise<Outcome[]> {
  const data = encodeFunctionData({ abi: contract.abi, functionName: 'decodeMany', args: [bytesToHex(chunk), offsets.map(BigInt), BigInt(CHAIN_ID)] })
  const result = await evm.call(address, data)
  if (!result.ok) throw new Error(`decodeMany reverted: ${result.returnData}`)
  const outcomes = decodeFunctionResult({ abi: contract.abi, functionName: 'decodeMany', data: result.returnData }) as unknown as SolidityOutcome[]
  return outcomes.map(fromSolidity)
}

function fromSolidity(o: SolidityOutcome): Outcome {
  const r = o.record
  const status = STATUSES[r.status]
  if (status === 'none') return { status, reason: REASONS[r.reason] }
  const kind = KINDS[r.kind]
  const outcome: Outcome = { status, reason: REASONS[r.reason], kind, end: Number(r.end) }
  if (status === 'skipped') return outcome
  const b = r.bet
  outcome.fields =
    kind === 'blockStart'
      ? { timestamp: String(r.timestamp) }
      : kind === 'deposit'
        ? { queueIndex: String(r.queueIndex) }
        : kind === 'compactBet'
          ? { nonce: String(b.nonce), marketId: String(b.marketId), outcome: String(b.outcome), stake: String(b.stake), minOdds: String(b.minOdds), yParity: String(b.yParity), r: b.r, s: b.s }
          : {}
  if (kind === 'compactBet' || kind === 'signedTx') {
    const t = o.tx
    const fields: TxFields = {
      type: TX_TYPES[t.txType],
      chainId: t.chainId,
      nonce: t.nonce,
      gasPrice: t.gasPrice,
      maxPriorityFeePerGas: t.maxPriorityFeePerGas,
      gas: t.gasLimit,
      to: t.isCreate ? '' : t.to,
      value: t.value,
      data: t.data,
      yParity: t.yParity,
      r: t.r,
      s: t.s,
    }
    const sender = BigInt(o.sender) === 0n ? undefined : (o.sender.toLowerCase() as Hex)
    outcome.tx = { raw: o.rawTx, status: TX_STATUSES[o.txStatus], sender, fields: stringify(fields), overwide: t.overwide, signingHash: t.signingHash }
  }
  return outcome
}

/** Drops what one side cannot know (fields past 256 bits, a hash viem cannot compute), so the rest compares exactly. */
export function comparable(solidity: Outcome, expected: Outcome): [Outcome, Outcome] {
  if (solidity.tx === undefined || expected.tx === undefined) return [solidity, expected]
  const tx = { ...solidity.tx }
  if (expected.tx.fields === undefined) delete tx.fields
  if (expected.tx.signingHash === undefined) delete tx.signingHash
  // viem cannot parse it back (a tx viem accepted always re-parses), so its hash is not compared
  if (expected.tx.signingHash === '0x') return [{ ...solidity, tx: { ...tx, signingHash: '0x' } }, expected]
  return [{ ...solidity, tx }, expected]
}

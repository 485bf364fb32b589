import { bytesToHex } from 'viem'
import { BATCH_FORMAT_VERSION } from './options.ts'
import { FIELD_BITS, RecordTag, type BatchRecord, type CompactBetRecord } from './records.ts'
import { checkSignedTx, type BatchTxOptions } from './txs.ts'
import { readVarint } from './varint.ts'

export type DecodeChunkOptions = BatchTxOptions

/** Why a record was skipped; the first four also end the chunk (the next record's start is unknown). */
export type SkipReason =
  | 'unknownRecordType'
  | 'truncated'
  | 'badLength'
  | 'nonMinimalVarint'
  | 'varintOutOfRange'
  | 'timestampOutOfRange'
  | 'badYParity'
  | 'badSignedTx'

export interface DecodedRecord {
  /** Offset of the record's tag byte in the chunk. */
  offset: number
  /** Bytes, tag included. */
  length: number
  record: BatchRecord
}

export interface SkippedRecord {
  offset: number
  /** Bytes skipped; undefined when the record ended the chunk. */
  length: number | undefined
  reason: SkipReason
  /** For badSignedTx, what is wrong with the transaction. */
  detail?: string
}

export type ChunkEnd = 'complete' | 'empty' | 'unknownVersion' | 'unknownRecordType' | 'truncated' | 'badLength'

export interface DecodeResult {
  /** The chunk's first byte; undefined for an empty chunk. */
  version: number | undefined
  records: DecodedRecord[]
  skipped: SkippedRecord[]
  /** 'complete' when every byte was framed into records (good or skipped). */
  end: ChunkEnd
}

type ReadOutcome =
  | { kind: 'record'; end: number; record: BatchRecord }
  | { kind: 'skip'; end: number; reason: SkipReason; detail?: string }
  | { kind: 'stop'; reason: 'unknownRecordType' | 'truncated' | 'badLength' }

const MAX_U64 = (1n << 64n) - 1n
const SIGNATURE_RS_BYTES = 64

/**
 * Reads every record of a chunk. Never throws: each byte string has one outcome, the records
 * read, the records skipped with a reason, and how the chunk ended (docs/batch-format.md).
 *
 * @example
 * const { records, skipped } = decodeChunk(chunkBytes, { chainId: 42069 })
 */
export function decodeChunk(bytes: Uint8Array, options: DecodeChunkOptions): DecodeResult {
  if (bytes.length === 0) return { version: undefined, records: [], skipped: [], end: 'empty' }
  const version = bytes[0]
  if (version !== BATCH_FORMAT_VERSION) return { version, records: [], skipped: [], end: 'unknownVersion' }
  const records: DecodedRecord[] = []
  const skipped: SkippedRecord[] = []
  let timestamp: bigint | undefined
  let offset = 1
  while (offset < bytes.length) {
    const outcome = readRecord(bytes, offset, timestamp, options)
    if (outcome.kind === 'stop') {
      skipped.push({ offset, length: undefined, reason: outcome.reason })
      return { version, records, skipped, end: outcome.reason }
    }
    if (outcome.kind === 'skip') {
      skipped.push({ offset, length: outcome.end - offset, reason: outcome.reason, ...(outcome.detail === undefined ? {} : { detail: outcome.detail }) })
    } else {
      records.push({ offset, length: outcome.end - offset, record: outcome.record })
      if (outcome.record.type === 'blockStart') timestamp = outcome.record.timestamp
    }
    offset = outcome.end
  }
  return { version, records, skipped, end: 'complete' }
}

function readRecord(bytes: Uint8Array, offset: number, previousTimestamp: bigint | undefined, options: DecodeChunkOptions): ReadOutcome {
  const tag = bytes[offset]
  const fields = new FieldReader(bytes, offset + 1)
  switch (tag) {
    case RecordTag.blockStart: {
      const delta = fields.varint('timestamp')
      if (fields.stopped) return { kind: 'stop', reason: 'truncated' }
      if (fields.bad !== undefined) return { kind: 'skip', end: fields.offset, reason: fields.bad }
      const timestamp = (previousTimestamp ?? 0n) + delta
      if (timestamp > MAX_U64) return { kind: 'skip', end: fields.offset, reason: 'timestampOutOfRange' }
      return { kind: 'record', end: fields.offset, record: { type: 'blockStart', timestamp } }
    }
    case RecordTag.deposit: {
      const queueIndex = fields.varint('queueIndex')
      if (fields.stopped) return { kind: 'stop', reason: 'truncated' }
      if (fields.bad !== undefined) return { kind: 'skip', end: fields.offset, reason: fields.bad }
      return { kind: 'record', end: fields.offset, record: { type: 'deposit', queueIndex } }
    }
    case RecordTag.compactBet:
      return readCompactBet(fields)
    case RecordTag.signedTx: {
      const length = fields.varint('length')
      if (fields.stopped || fields.bad !== undefined) return { kind: 'stop', reason: 'badLength' }
      const start = fields.offset
      const end = start + Number(length)
      if (length === 0n || end > bytes.length) return { kind: 'stop', reason: 'badLength' }
      const raw = bytes.subarray(start, end)
      const checked = checkSignedTx(raw, options)
      if (!checked.ok) return { kind: 'skip', end, reason: 'badSignedTx', detail: checked.reason }
      return { kind: 'record', end, record: { type: 'signedTx', raw: bytesToHex(raw) } }
    }
    default:
      return { kind: 'stop', reason: 'unknownRecordType' }
  }
}

function readCompactBet(fields: FieldReader): ReadOutcome {
  const nonce = fields.varint('nonce')
  const marketId = fields.varint('marketId')
  const outcome = fields.byte()
  const stake = fields.varint('stake')
  const minOdds = fields.varint('minOdds')
  const yParity = fields.byte()
  const rs = fields.take(SIGNATURE_RS_BYTES)
  if (fields.stopped) return { kind: 'stop', reason: 'truncated' }
  if (fields.bad !== undefined) return { kind: 'skip', end: fields.offset, reason: fields.bad }
  if (yParity !== 0 && yParity !== 1) return { kind: 'skip', end: fields.offset, reason: 'badYParity' }
  const record: CompactBetRecord = {
    type: 'compactBet',
    nonce,
    marketId,
    outcome,
    stake,
    minOdds: Number(minOdds),
    yParity,
    r: bytesToHex(rs.subarray(0, 32)),
    s: bytesToHex(rs.subarray(32)),
  }
  return { kind: 'record', end: fields.offset, record }
}

/**
 * Reads a record's fields in order. The first bad field is remembered and reading goes on, so the
 * record's end is still found; running off the chunk sets `stopped`.
 */
class FieldReader {
  stopped = false
  bad: 'nonMinimalVarint' | 'varintOutOfRange' | undefined

  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  varint(field: keyof typeof FIELD_BITS): bigint {
    if (this.stopped) return 0n
    const read = readVarint(this.bytes, this.offset, FIELD_BITS[field])
    if (read.ok) {
      this.offset = read.end
      return read.value
    }
    if (!read.framed) {
      this.stopped = true
      return 0n
    }
    this.bad ??= read.reason
    this.offset = read.end
    return 0n
  }

  byte(): number {
    return this.take(1)[0] ?? 0
  }

  take(length: number): Uint8Array {
    if (this.stopped || this.offset + length > this.bytes.length) {
      this.stopped = true
      return new Uint8Array(length)
    }
    const taken = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return taken
  }
}

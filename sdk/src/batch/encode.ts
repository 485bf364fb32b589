import { hexToBytes, isHex } from 'viem'
import { InvalidBatchRecordError, RecordTooLargeError } from './errors.ts'
import { BATCH_FORMAT_VERSION, DEFAULT_MAX_CHUNK_BYTES } from './options.ts'
import { FIELD_BITS, RecordTag, type BatchRecord } from './records.ts'
import { writeVarint } from './varint.ts'

function checkRange(name: keyof typeof FIELD_BITS, value: bigint | number): bigint {
  const big = BigInt(value)
  if (big < 0n || big >> BigInt(FIELD_BITS[name]) !== 0n) throw new InvalidBatchRecordError(`${name} ${value} is outside 0..2^${FIELD_BITS[name]}-1`)
  return big
}

function signaturePart(name: 'r' | 's', value: string): Uint8Array {
  if (!isHex(value) || value.length !== 66) throw new InvalidBatchRecordError(`${name} must be 32 bytes of hex`)
  return hexToBytes(value)
}

/**
 * Appends one record. `previousTimestamp` is the chunk's last block start (undefined before the
 * first); returns the one after this record.
 */
function writeRecord(out: number[], record: BatchRecord, previousTimestamp: bigint | undefined): bigint | undefined {
  switch (record.type) {
    case 'blockStart': {
      const timestamp = checkRange('timestamp', record.timestamp)
      if (previousTimestamp !== undefined && timestamp < previousTimestamp) {
        throw new InvalidBatchRecordError(`block timestamp ${timestamp} is before the previous block's ${previousTimestamp}`)
      }
      out.push(RecordTag.blockStart)
      writeVarint(out, timestamp - (previousTimestamp ?? 0n))
      return timestamp
    }
    case 'deposit':
      out.push(RecordTag.deposit)
      writeVarint(out, checkRange('queueIndex', record.queueIndex))
      return previousTimestamp
    case 'compactBet': {
      if (record.yParity !== 0 && record.yParity !== 1) throw new InvalidBatchRecordError(`yParity must be 0 or 1, not ${record.yParity}`)
      const r = signaturePart('r', record.r)
      const s = signaturePart('s', record.s)
      out.push(RecordTag.compactBet)
      writeVarint(out, checkRange('nonce', record.nonce))
      writeVarint(out, checkRange('marketId', record.marketId))
      if (!Number.isInteger(record.outcome) || record.outcome < 0 || record.outcome > 0xff) {
        throw new InvalidBatchRecordError(`outcome ${record.outcome} is not a uint8`)
      }
      out.push(record.outcome)
      writeVarint(out, checkRange('stake', record.stake))
      writeVarint(out, checkRange('minOdds', record.minOdds))
      out.push(record.yParity)
      for (const byte of r) out.push(byte)
      for (const byte of s) out.push(byte)
      return previousTimestamp
    }
    case 'signedTx': {
      if (!isHex(record.raw) || record.raw.length % 2 !== 0 || record.raw.length === 2) throw new InvalidBatchRecordError('raw must be non-empty hex bytes')
      const raw = hexToBytes(record.raw)
      out.push(RecordTag.signedTx)
      writeVarint(out, checkRange('length', raw.length))
      for (const byte of raw) out.push(byte)
      return previousTimestamp
    }
  }
}

/**
 * One chunk: the version byte, then the records. Block start timestamps go as deltas from the
 * chunk's previous block start (the chunk's first is absolute), so they must not decrease.
 *
 * @example
 * const chunk = encodeChunk([{ type: 'blockStart', timestamp: 1_700_000_000n }, betRecord])
 */
export function encodeChunk(records: readonly BatchRecord[]): Uint8Array {
  const out: number[] = [BATCH_FORMAT_VERSION]
  let timestamp: bigint | undefined
  for (const record of records) timestamp = writeRecord(out, record, timestamp)
  return Uint8Array.from(out)
}

export interface SplitIntoChunksOptions {
  /** Largest chunk, version byte included. */
  maxChunkBytes?: number
}

/**
 * Splits records, in order, into as few chunks as fill greedily up to maxChunkBytes, never
 * splitting a record. Each chunk decodes alone: its first block start is absolute.
 */
export function splitIntoChunks(records: readonly BatchRecord[], { maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES }: SplitIntoChunksOptions = {}): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let out: number[] = [BATCH_FORMAT_VERSION]
  let timestamp: bigint | undefined
  for (const record of records) {
    const start = out.length
    const next = writeRecord(out, record, timestamp)
    if (out.length <= maxChunkBytes) {
      timestamp = next
      continue
    }
    out.length = start
    if (start > 1) chunks.push(Uint8Array.from(out))
    out = [BATCH_FORMAT_VERSION]
    timestamp = writeRecord(out, record, undefined)
    if (out.length > maxChunkBytes) throw new RecordTooLargeError({ recordBytes: out.length - 1, maxChunkBytes })
  }
  if (out.length > 1) chunks.push(Uint8Array.from(out))
  return chunks
}

import fc from 'fast-check'
import t from 'tap'
import { decodeChunk, type DecodeResult } from './decode.ts'
import { encodeChunk } from './encode.ts'
import { BATCH_FORMAT_VERSION } from './options.ts'
import { anyRecord } from './testing.ts'
import { readVarint, writeVarint } from './varint.ts'

const chainId = 42069
const u = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })

/** Every byte is framed once: records and skipped ranges follow each other from offset 1, in order. */
function framingIsConsistent(bytes: Uint8Array, result: DecodeResult): boolean {
  if (result.end === 'empty' || result.end === 'unknownVersion') return result.records.length === 0 && result.skipped.length === 0
  const ranges = [...result.records.map((r) => ({ offset: r.offset, length: r.length as number | undefined })), ...result.skipped]
    .sort((a, b) => a.offset - b.offset)
  let next = 1
  for (const [i, { offset, length }] of ranges.entries()) {
    if (offset !== next) return false
    // Only the record that ended the chunk has no length, and it is the last.
    if (length === undefined) return i === ranges.length - 1 && result.end !== 'complete'
    next = offset + length
  }
  return result.end === 'complete' && next === bytes.length
}

function decodes(bytes: Uint8Array): boolean {
  const result = decodeChunk(bytes, { chainId })
  return Array.isArray(result.records) && Array.isArray(result.skipped) && framingIsConsistent(bytes, result)
}

t.test('random bytes: decodeChunk never throws and frames every byte once', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), decodes), { numRuns: 3000 })
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([BATCH_FORMAT_VERSION, ...b])), decodes), { numRuns: 3000 })
  // Bytes drawn from the tags and varint edges reach deeper into records than uniform bytes do.
  const nearValid = fc.array(fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x80, 0xff, 0xc0, 0xf8), { maxLength: 200 })
  fc.assert(fc.property(nearValid.map((b) => Uint8Array.from([BATCH_FORMAT_VERSION, ...b])), decodes), { numRuns: 3000 })
  t.pass('9,000 byte strings')
})

t.test('valid chunks with bytes flipped, cut or inserted: never throws, always framed', async (t) => {
  const mutated = fc
    .tuple(fc.array(anyRecord, { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert'))
    .map(([records, at, byte, how]) => {
      const chunk = [...encodeChunk(records)]
      const i = at % chunk.length
      if (how === 'flip') chunk[i] = byte
      else if (how === 'cut') chunk.length = i
      else chunk.splice(i, 0, byte)
      return Uint8Array.from(chunk)
    })
  fc.assert(fc.property(mutated, decodes), { numRuns: 2000 })
  t.pass('2,000 mutated chunks')
})

t.test('valid records of every kind decode to themselves', async (t) => {
  const blockStart = fc.record({ type: fc.constant('blockStart' as const), timestamp: u(64) })
  const valid = fc.array(fc.oneof(blockStart, anyRecord.filter((r) => r.type !== 'signedTx')), { maxLength: 12 }).map((records) => {
    // Block starts do not go back in time within a chunk.
    const times = records.flatMap((r) => (r.type === 'blockStart' ? [r.timestamp] : [])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return records.map((r) => (r.type === 'blockStart' ? { ...r, timestamp: times.shift() as bigint } : r))
  })
  fc.assert(
    fc.property(valid, (records) => {
      const result = decodeChunk(encodeChunk(records), { chainId })
      return result.end === 'complete' && result.skipped.length === 0 && JSON.stringify(result.records.map((r) => r.record), big) === JSON.stringify(records, big)
    }),
    { numRuns: 1000 },
  )
  t.pass('1,000 record lists')
})

t.test('a generic record of random bytes is kept as is or skipped as badSignedTx, and the next record is read', async (t) => {
  fc.assert(
    fc.property(anyRecord.filter((r) => r.type === 'signedTx'), (record) => {
      const result = decodeChunk(encodeChunk([record, { type: 'deposit', queueIndex: 1n }]), { chainId })
      const first = result.records[0]?.record
      const kept = result.skipped.length === 0 && JSON.stringify(first) === JSON.stringify(record)
      const skipped = result.skipped.length === 1 && result.skipped[0].reason === 'badSignedTx'
      return result.end === 'complete' && (kept || skipped) && result.records.at(-1)?.record.type === 'deposit'
    }),
    { numRuns: 1000 },
  )
  t.pass('1,000 random generic payloads')
})

const big = (_key: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)

t.test('varints: LEB128, minimal only, within the field range', async (t) => {
  fc.assert(
    fc.property(u(256), (value) => {
      const out: number[] = []
      writeVarint(out, value)
      const read = readVarint(Uint8Array.from(out), 0, 256)
      return read.ok && read.value === value && read.end === out.length
    }),
  )
  t.same(readVarint(Uint8Array.from([0x80, 0x00]), 0, 64), { ok: false, framed: true, end: 2, reason: 'nonMinimalVarint' })
  t.same(readVarint(Uint8Array.from([0x00]), 0, 64), { ok: true, value: 0n, end: 1 })
  t.same(readVarint(Uint8Array.from([0xff, 0x01]), 0, 8), { ok: true, value: 255n, end: 2 })
  t.same(readVarint(Uint8Array.from([0x80, 0x02]), 0, 8), { ok: false, framed: true, end: 2, reason: 'varintOutOfRange' })
  t.same(readVarint(Uint8Array.from([0x80, 0x80]), 0, 64), { ok: false, framed: false, reason: 'truncated' })
  t.same(readVarint(Uint8Array.from([...Array(10_000).fill(0xff), 0x01]), 0, 64), { ok: false, framed: true, end: 10_001, reason: 'varintOutOfRange' })
})

import fc from 'fast-check'
import t from 'tap'
import { decodeChunk } from './decode.ts'
import { splitIntoChunks } from './encode.ts'
import { RecordTooLargeError } from './errors.ts'
import { DEFAULT_MAX_CHUNK_BYTES } from './options.ts'
import type { BatchRecord } from './records.ts'
import { anyRecord } from './testing.ts'

const chainId = 42069
const big = (_key: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)

// The widest record, a compact bet with every field at its maximum, is 133 bytes.
/** Records whose decoding is exact (generic payloads of random bytes would be skipped), with block starts in time order. */
const batch = fc
  .array(
    fc.oneof(
      anyRecord.filter((r) => r.type !== 'signedTx'),
      fc.nat({ max: 100 }).map((gap) => ({ type: 'blockStart' as const, timestamp: BigInt(gap) })),
    ),
    { maxLength: 60 },
  )
  .map((records) => {
    let time = 1_767_225_600n
    return records.map((r): BatchRecord => (r.type === 'blockStart' ? { type: 'blockStart', timestamp: (time += r.timestamp) } : r))
  })

t.test('chunks stay within the limit, split no record, and decode back to the batch in order', async (t) => {
  fc.assert(
    fc.property(batch, fc.integer({ min: 140, max: 2_000 }), (records, maxChunkBytes) => {
      const chunks = splitIntoChunks(records, { maxChunkBytes })
      const decoded = chunks.map((chunk) => decodeChunk(chunk, { chainId }))
      return (
        chunks.every((chunk) => chunk.length <= maxChunkBytes && chunk.length > 1) &&
        decoded.every((d) => d.end === 'complete' && d.skipped.length === 0) &&
        JSON.stringify(decoded.flatMap((d) => d.records.map((r) => r.record)), big) === JSON.stringify(records, big)
      )
    }),
    { numRuns: 500 },
  )
  t.pass('500 batches')
})

t.test('each chunk starts its block timestamps afresh, and chunks are filled greedily', async (t) => {
  const records: BatchRecord[] = Array.from({ length: 5_000 }, (_, i) =>
    i % 10 === 0 ? { type: 'blockStart', timestamp: 1_767_225_600n + BigInt(i) } : { type: 'deposit', queueIndex: BigInt(i) },
  )
  const chunks = splitIntoChunks(records, { maxChunkBytes: 1_000 })
  t.ok(chunks.length > 1)
  for (const chunk of chunks.slice(0, -1)) t.ok(chunk.length > 1_000 - 11, `a full chunk: ${chunk.length} bytes`)
  const first = decodeChunk(chunks[1], { chainId }).records.find((r) => r.record.type === 'blockStart')
  t.ok(first !== undefined && first.length === 6, 'the second chunk\'s first block start is absolute')
  t.same(splitIntoChunks([]), [], 'no records, no chunks')
  const [full] = splitIntoChunks(records)
  t.ok(full.length <= DEFAULT_MAX_CHUNK_BYTES && full.length > DEFAULT_MAX_CHUNK_BYTES - 11, `the default limit is ${DEFAULT_MAX_CHUNK_BYTES} bytes: a full first chunk of ${full.length}`)
  const fits = decodeChunk(full, { chainId }).records.length
  t.equal(splitIntoChunks(records.slice(0, fits)).length, 1, `its ${fits} records alone make one chunk`)
  t.equal(splitIntoChunks(records.slice(0, fits + 1)).length, 2, 'one record more takes a second chunk')
})

t.test('a record larger than a chunk is refused', async (t) => {
  const raw = `0x${'ab'.repeat(500)}` as const
  t.throws(() => splitIntoChunks([{ type: 'signedTx', raw }], { maxChunkBytes: 400 }), RecordTooLargeError)
  t.equal(splitIntoChunks([{ type: 'signedTx', raw }], { maxChunkBytes: 504 })[0].length, 504, 'one that just fits: version, tag, 2-byte length, 500 bytes')
})

import t from 'tap'
import { hexToBytes, type Hex } from 'viem'
import { decodeChunk, type DecodeResult } from './decode.ts'
import { encodeChunk } from './encode.ts'
import type { TxRecord } from './records.ts'
import { hex, recordFromJson, recordToJson } from './testing.ts'
import { rebuildTx, recordFromTx } from './txs.ts'
import vectors from './vectors.json' with { type: 'json' }

// vectors.json is frozen: a change here is a change of the wire format (docs/batch-format.md).
const { chainId } = vectors

/** The decode result as vectors.json keeps it: bigints as strings, no undefined fields. */
function normalize({ records, ...rest }: DecodeResult) {
  return JSON.parse(JSON.stringify({ ...rest, records: records.map((r) => ({ ...r, record: recordToJson(r.record) })) }))
}

t.test('each signed tx becomes its golden record, and the record rebuilds the same bytes', async (t) => {
  for (const vector of vectors.txs) {
    t.same(recordToJson(recordFromTx(vector.raw as Hex, { chainId })), vector.record, vector.name)
    t.equal(hex(rebuildTx(recordFromJson(vector.record) as TxRecord, { chainId })), vector.raw, `${vector.name}: rebuilt`)
  }
})

t.test('golden chunks: records encode to the exact bytes, and the bytes decode to the records', async (t) => {
  for (const vector of vectors.chunks) {
    const records = vector.records.map((json) => recordFromJson(json))
    t.equal(hex(encodeChunk(records)), vector.chunk, `${vector.name}: encoded`)
    const decoded = decodeChunk(hexToBytes(vector.chunk as Hex), { chainId })
    t.same(decoded.records.map((r) => recordToJson(r.record)), vector.records, `${vector.name}: decoded`)
    t.same([decoded.skipped, decoded.end], [[], 'complete'], `${vector.name}: nothing skipped`)
  }
})

t.test('golden bad chunks: each has exactly its documented outcome', async (t) => {
  for (const vector of vectors.bad) {
    t.same(normalize(decodeChunk(hexToBytes(vector.chunk as Hex), { chainId })), vector.result, vector.name)
  }
})

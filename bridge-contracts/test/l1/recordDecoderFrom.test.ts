/**
 * RecordDecoder.decodeFrom (the fraud verifier's entry, docs/decisions/0006: the record at a known
 * offset with the chunk base of step state v2, no walk) against the TypeScript decoder: at every
 * offset decodeChunk names, given the timestamp of the last block start decoded before it, the
 * outcome (record, skipped with its reason, or none; fields; the rebuilt or parsed tx, checkRawTx's
 * verdict and the sender) is decodeChunk + rebuildTx + checkRawTx's, through the same reference
 * code as recordDecoder.test.ts. Golden vectors, random well-formed and malformed records, random
 * byte edits; then the gas of a record at the start and at the end of a 24 KB chunk.
 */
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { bytesToHex, decodeFunctionData, encodeFunctionData, hexToBytes, keccak256, toHex, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { decodeChunk, encodeChunk, recordFromTx, type BatchRecord } from '../../../sdk/src/batch/index.ts'
import { writeVarint } from '../../../sdk/src/batch/varint.ts'
import { placeBetTx } from '../../../sdk/src/batch/testing.ts'
import vectors from '../../../sdk/src/batch/vectors.json' with { type: 'json' }
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../../sdk/src/constants.ts'
import { compileEntries } from '../compileEntries.ts'
import { CHAIN_ID, comparable, expectedOutcomes, NativeCryptoEvm, recordOffsets, solidityOutcomes, type DecoderHarness, type Outcome } from './recordDecoderReference.ts'

const { RecordDecoderFromHarness } = await compileEntries(['test/contracts/RecordDecoderFromHarness.sol'])
const evm = await NativeCryptoEvm.create()
const ADDRESS = '0x00000000000000000000000000000000000dec0f' as const
await evm.putCode(ADDRESS, RecordDecoderFromHarness.deployedBytecode)

/** ROLLBOOK_FUZZ_SCALE=10 runs ten times the default cases. */
const SCALE = Number(process.env.ROLLBOOK_FUZZ_SCALE ?? 1)
const runs = (n: number) => Math.max(1, Math.round(n * SCALE))

/** The chunk base before each offset: the last block start decodeChunk decoded before it. */
function basesOf(chunk: Uint8Array, offsets: readonly bigint[]): { has: boolean[]; base: bigint[] } {
  const starts = decodeChunk(chunk, { chainId: CHAIN_ID }).records.filter((r) => r.record.type === 'blockStart')
  const before = offsets.map((o) => starts.filter((s) => BigInt(s.offset) < o).at(-1))
  return { has: before.map((s) => s !== undefined), base: before.map((s) => (s === undefined ? 0n : (s.record as { timestamp: bigint }).timestamp)) }
}

/** recordDecoderReference's harness interface, each decodeMany call turned into decodeManyFrom with the bases. */
const harness: DecoderHarness = {
  address: ADDRESS,
  contract: RecordDecoderFromHarness,
  evm: {
    call: async (to: Hex, data: Hex) => {
      const { args } = decodeFunctionData({ abi: RecordDecoderFromHarness.abi, data }) as unknown as { args: [Hex, bigint[], bigint] }
      const [chunk, offsets, chainId] = args
      const { has, base } = basesOf(hexToBytes(chunk), offsets)
      return evm.call(to, encodeFunctionData({ abi: RecordDecoderFromHarness.abi, functionName: 'decodeManyFrom', args: [chunk, offsets, has, base, chainId] }))
    },
  } as unknown as NativeCryptoEvm,
}

let compared = 0

/** Every offset decodeChunk names and the chunk's end (the verifier reads nothing else). */
async function check(t: Test, chunk: Uint8Array): Promise<boolean> {
  const offsets = [...new Set([...recordOffsets(chunk), chunk.length])].filter((o) => o > 0).sort((a, b) => a - b)
  const [solidity, expected] = [await solidityOutcomes(harness, chunk, offsets), expectedOutcomes(chunk, offsets)]
  for (const [i, offset] of offsets.entries()) {
    const [got, want] = comparable(solidity[i], expected[i]).map((o) => JSON.parse(JSON.stringify(o)) as Outcome)
    compared++
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      t.same(got, want, `chunk ${bytesToHex(chunk).slice(0, 400)} offset ${offset}`)
      return false
    }
  }
  return true
}

// ---- records

const KEYS: Hex[] = Array.from({ length: 4 }, (_, i) => keccak256(toHex(`record decoder from key ${i}`)))
const accounts = KEYS.map((key) => privateKeyToAccount(key))

/** A real signed placeBet as a compact record (nonce and fields from the generator). */
async function signedBet(key: number, nonce: number, marketId: bigint, outcome: number, stake: bigint, minOdds: number): Promise<BatchRecord> {
  const raw = await accounts[key].signTransaction(placeBetTx({ chainId: CHAIN_ID, nonce, marketId, outcome, stake, minOdds }))
  return recordFromTx(raw, { chainId: CHAIN_ID })
}

/** A real signed generic tx (another chain id, fee or gas in some, so the checks have work). */
async function signedGeneric(key: number, nonce: number, data: Hex, variant: number): Promise<BatchRecord> {
  const raw = await accounts[key].signTransaction({
    type: variant % 3 === 0 ? 'legacy' : variant % 3 === 1 ? 'eip2930' : 'eip1559',
    chainId: variant % 7 === 6 ? CHAIN_ID + 1 : CHAIN_ID,
    nonce,
    to: BET_ENGINE_ADDRESS,
    value: 0n,
    gas: variant % 5 === 4 ? TX_GAS_LIMIT + 1n : TX_GAS_LIMIT,
    ...(variant % 3 === 2 ? { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } : { gasPrice: variant % 11 === 10 ? 1n : 0n }),
    data,
  } as never)
  return { type: 'signedTx', raw }
}

/** Malformed records the decoder skips or stops at (bytes after the type byte included). */
const MALFORMED: Uint8Array[] = [
  Uint8Array.of(0x01, 0x80, 0x00), // non-minimal block start
  Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), // block start out of range
  Uint8Array.of(0x02, 0x80, 0x80, 0x00), // non-minimal queue index
  Uint8Array.of(0x04, 0x03, 0x01, 0x02, 0x03), // generic record that is no tx
  Uint8Array.of(0x04, 0x00), // generic record of length 0: the chunk ends
  Uint8Array.of(0x09), // unknown type: the chunk ends
]

type Item = { record: BatchRecord } | { raw: Uint8Array } | { delta: bigint }

const item: fc.Arbitrary<Promise<Item>> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map(async (delta) => ({ delta })) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(async (queueIndex) => ({ record: { type: 'deposit', queueIndex } as BatchRecord })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ key: fc.nat(KEYS.length - 1), nonce: fc.nat(300), market: fc.bigInt({ min: 0n, max: 1n << 70n }), outcome: fc.nat(255), stake: fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }), minOdds: fc.nat() })
      .map(async (b) => ({ record: await signedBet(b.key, b.nonce, b.market, b.outcome, b.stake, b.minOdds) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ key: fc.nat(KEYS.length - 1), nonce: fc.nat(300), data: fc.uint8Array({ maxLength: 80 }), variant: fc.nat(1000) })
      .map(async (g) => ({ record: await signedGeneric(g.key, g.nonce, bytesToHex(g.data), g.variant) })),
  },
  { weight: 1, arbitrary: fc.nat(MALFORMED.length - 1).map(async (i) => ({ raw: MALFORMED[i] })) },
)

/** A chunk of items: block start deltas from the chunk's previous decoded block start. */
function chunkOf(items: Item[], start: bigint): Uint8Array {
  const out: number[] = [1]
  let previous: bigint | undefined
  for (const it of items) {
    if ('raw' in it) out.push(...it.raw)
    else if ('delta' in it) {
      const timestamp = previous === undefined ? start : previous + it.delta
      if (timestamp >= 1n << 64n) continue
      out.push(1)
      writeVarint(out, previous === undefined ? timestamp : it.delta)
      previous = timestamp
    } else out.push(...encodeChunk([it.record]).slice(1))
  }
  return Uint8Array.from(out)
}

const chunkArb = fc.tuple(fc.array(item, { maxLength: 12 }), fc.bigInt({ min: 1_700_000_000n, max: (1n << 64n) - 1n }))
const edits = fc.array(fc.record({ at: fc.nat(), byte: fc.nat(255) }), { minLength: 1, maxLength: 3 })

t.test('golden vectors: every chunk and bad chunk decodes from each record as decodeChunk says', async (t) => {
  for (const vector of [...vectors.chunks, ...vectors.bad]) t.ok(await check(t, hexToBytes(vector.chunk as Hex)), vector.name)
})

t.test('random chunks: decodeFrom with the chunk base equals decodeChunk at every record', async (t) => {
  await fc.assert(
    fc.asyncProperty(chunkArb, async ([items, start]) => check(t, chunkOf(await Promise.all(items), start))),
    { numRuns: runs(60), seed: 6 },
  )
  t.comment(`${compared} offsets compared`)
})

t.test('random byte edits: decodeFrom follows the framing decodeChunk finds', async (t) => {
  await fc.assert(
    fc.asyncProperty(chunkArb, edits, async ([items, start], changes) => {
      const chunk = chunkOf(await Promise.all(items), start)
      for (const { at, byte } of changes) chunk[1 + (at % Math.max(1, chunk.length - 1))] = byte
      return check(t, chunk)
    }),
    { numRuns: runs(60), seed: 7 },
  )
})

t.test('gas: a record costs the same at the start and at the end of a 24 KB chunk', async (t) => {
  const records: BatchRecord[] = [{ type: 'blockStart', timestamp: 1_750_000_000n }]
  let bytes = 1
  for (let i = 0; bytes < 24_000 - 80; i++) {
    const record = i % 50 === 49 ? ({ type: 'blockStart', timestamp: 1_750_000_000n + BigInt(i) } as BatchRecord) : await signedBet(i % KEYS.length, Math.floor(i / KEYS.length), 1n + BigInt(i % 7), i % 2, 1_000_000n + BigInt(i), 20_000)
    records.push(record)
    bytes = encodeChunk(records).length
  }
  const chunk = encodeChunk(records)
  const decoded = decodeChunk(chunk, { chainId: CHAIN_ID }).records
  const bets = decoded.filter((r) => r.record.type === 'compactBet')
  const gasAt = async (offset: number) => {
    const { has, base } = basesOf(chunk, [BigInt(offset)])
    const data = encodeFunctionData({ abi: RecordDecoderFromHarness.abi, functionName: 'measureFrom', args: [bytesToHex(chunk), BigInt(offset), has[0], base[0], BigInt(CHAIN_ID)] })
    const result = await evm.call(ADDRESS, data)
    t.ok(result.ok, `measureFrom at ${offset}`)
    return BigInt(result.returnData)
  }
  const [first, last] = [await gasAt(bets[0].offset), await gasAt(bets.at(-1)!.offset)]
  t.comment(`compact bet decoded and its sender recovered in a ${chunk.length}-byte chunk (the chunk's copy to memory included): first ${first} gas, last ${last} gas`)
  t.ok(last < first + 2_000n, 'no walk: the last record costs what the first does')
})

/**
 * RecordDecoder.sol and TxDecoder.sol against the TypeScript node, on an in-memory EVM: for every
 * offset of a chunk the contract's outcome (record, skipped with its reason, or none; the fields;
 * the rebuilt or parsed tx, its signing hash, checkRawTx's verdict and the sender) equals
 * decodeChunk + rebuildTx + checkRawTx. Golden vectors, random records with real signatures, random
 * and mutated bytes; then the gas of a bet and a generic tx at the end of a 120 KB chunk.
 */
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, concatBytes, decodeFunctionResult, encodeFunctionData, hexToBytes, keccak256, parseTransaction, serializeTransaction, toHex, type Hex, type TransactionSerializable } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { encodeChunk, type BatchRecord, type CompactBetRecord } from '../../../sdk/src/batch/index.ts'
import { bigintToMinimalBytes, placeBetCalldata } from '../../../sdk/src/batch/compactBet.ts'
import { writeVarint } from '../../../sdk/src/batch/varint.ts'
import vectors from '../../../sdk/src/batch/vectors.json' with { type: 'json' }
import { BET_ENGINE_ADDRESS, L1_MESSENGER_PRIVATE_KEY, TX_GAS_LIMIT } from '../../../sdk/src/constants.ts'
import { testContracts } from '../testContracts.ts'
import { CHAIN_ID, comparable, expectedOutcomes, NativeCryptoEvm, recordOffsets, signNative, solidityOutcomes, type DecoderHarness, type Outcome } from './recordDecoderReference.ts'

const { RecordDecoderHarness } = await testContracts()
const evm = await NativeCryptoEvm.create()
const harness: DecoderHarness = { evm, address: '0x00000000000000000000000000000000000dec0d', contract: RecordDecoderHarness }
await evm.putCode(harness.address, RecordDecoderHarness.deployedBytecode)

/** ROLLBOOK_FUZZ_SCALE=10 runs ten times the default cases. */
const SCALE = Number(process.env.ROLLBOOK_FUZZ_SCALE ?? 1)
const runs = (n: number) => Math.max(1, Math.round(n * SCALE))
const MAX_UINT256 = (1n << 256n) - 1n
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const KEYS: Hex[] = [...Array.from({ length: 5 }, (_, i) => keccak256(toHex(`record decoder key ${i}`))), L1_MESSENGER_PRIVATE_KEY]
const ACCOUNTS = KEYS.map((key) => privateKeyToAccount(key))
let compared = 0

/** Compares the given offsets, and unless `only`, every offset decodeChunk names and the chunk's end. */
async function check(t: Test, chunk: Uint8Array, extraOffsets: number[] = [], only = false): Promise<boolean> {
  const named = only ? [] : [...recordOffsets(chunk), chunk.length]
  const offsets = [...new Set([...named, ...extraOffsets])].sort((a, b) => a - b)
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

// ---- records with real signatures

const u = (bits: number) => fc.oneof(fc.bigInt({ min: 0n, max: 200n }), fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }))
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => bytesToHex(b))
const word = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })

type Signer = 'good' | 'highS' | 'zeroR' | 'random'
const signer = fc.constantFrom<Signer>('good', 'good', 'good', 'good', 'highS', 'zeroR', 'random')

/** A signature that the transaction's signer choice makes: honest, malleated (s -> n - s), r = 0, or noise. */
async function signHash(hash: Hex, key: Hex, how: Signer, noise: [bigint, bigint]): Promise<{ r: bigint; s: bigint; yParity: number }> {
  if (how === 'random') return { r: noise[0], s: noise[1], yParity: Number(noise[0] & 1n) }
  const { r, s, yParity } = signNative(hash, key)
  if (how === 'highS') return { r, s: N - s, yParity: 1 - yParity }
  return how === 'zeroR' ? { r: 0n, s, yParity } : { r, s, yParity }
}

const pad32 = (x: bigint) => toHex(x, { size: 32 })

const compactBet = fc
  .record({ nonce: u(64), marketId: u(256), outcome: fc.integer({ min: 0, max: 255 }), stake: u(96), minOdds: u(32), key: fc.nat(KEYS.length - 1), how: signer, noise: fc.tuple(word, word) })
  .map(async ({ key, how, noise, ...fields }): Promise<BatchRecord> => {
    const bet = { ...fields, minOdds: Number(fields.minOdds) }
    const unsigned = RLP.encode([bigintToMinimalBytes(BigInt(CHAIN_ID)), bigintToMinimalBytes(bet.nonce), new Uint8Array(), new Uint8Array(), bigintToMinimalBytes(TX_GAS_LIMIT), hexToBytes(BET_ENGINE_ADDRESS), new Uint8Array(), placeBetCalldata(bet), []])
    const sig = await signHash(keccak256(concatBytes([new Uint8Array([2]), unsigned])), KEYS[key], how, noise)
    return { type: 'compactBet', ...bet, yParity: (sig.yParity & 1) as 0 | 1, r: pad32(sig.r), s: pad32(sig.s) } satisfies CompactBetRecord
  })

const accessList = fc.array(fc.record({ address: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b)), storageKeys: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b)), { maxLength: 3 }) }), { maxLength: 3 })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b))

const genericTx = fc
  .record({
    type: fc.constantFrom('legacy', 'eip2930', 'eip1559', 'legacyPre155'),
    chainId: fc.oneof(fc.constant(CHAIN_ID), fc.constant(CHAIN_ID), fc.constant(CHAIN_ID), fc.integer({ min: 1, max: 2 ** 40 })),
    nonce: fc.oneof(fc.nat(100), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    to: fc.oneof(fc.constant(BET_ENGINE_ADDRESS), fc.constant(BET_ENGINE_ADDRESS), address, fc.constant(undefined)),
    value: fc.oneof(fc.constant(0n), fc.constant(0n), word),
    fee: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 12n }), word),
    tip: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 9n })),
    gas: fc.oneof(fc.constant(TX_GAS_LIMIT), fc.constant(TX_GAS_LIMIT), fc.bigInt({ min: 0n, max: 1n << 70n })),
    data: fc.oneof(bytes(120), fc.constant(bytesToHex(placeBetCalldata({ marketId: 1n, outcome: 1, stake: 5n, minOdds: 20000 })))),
    accessList,
    key: fc.nat(KEYS.length - 1),
    how: signer,
    noise: fc.tuple(word, word),
  })
  .map(async (f): Promise<Hex> => {
    const common = { nonce: f.nonce, to: f.to, value: f.value, gas: f.gas, data: f.data }
    const legacy = f.type === 'legacy' || f.type === 'legacyPre155'
    const tx: TransactionSerializable = legacy
      ? { type: 'legacy', ...common, gasPrice: f.fee, chainId: f.type === 'legacy' ? f.chainId : undefined }
      : f.type === 'eip2930'
        ? { type: 'eip2930', ...common, gasPrice: f.fee, chainId: f.chainId, accessList: f.accessList }
        : { type: 'eip1559', ...common, maxFeePerGas: f.fee + f.tip > MAX_UINT256 ? f.fee : f.fee + f.tip, maxPriorityFeePerGas: f.fee + f.tip > MAX_UINT256 ? 0n : f.tip, chainId: f.chainId, accessList: f.accessList }
    const sig = await signHash(keccak256(serializeTransaction(tx)), KEYS[f.key], f.how, f.noise)
    const v = f.type === 'legacyPre155' ? 27n + BigInt(sig.yParity) : 27n + BigInt(sig.yParity)
    return serializeTransaction(tx, { r: pad32(sig.r), s: pad32(sig.s), yParity: sig.yParity, v })
  })

/** Byte edits of a signed tx: most make a bad record, some a non-canonical or different tx. */
const mutation = fc.record({ kind: fc.constantFrom('flip', 'delete', 'insert', 'truncate', 'append', 'type'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })
function mutate(raw: Hex, { kind, at, byte }: { kind: string; at: number; byte: number }): Hex {
  const b = hexToBytes(raw)
  const i = at % b.length
  if (kind === 'flip') b[i] ^= byte === 0 ? 1 : byte
  if (kind === 'type') b[0] = [0, 1, 2, 3, 4, 0x7f, 0xc0, 0xf8][byte % 8]
  if (kind === 'delete') return bytesToHex(concatBytes([b.subarray(0, i), b.subarray(i + 1)]))
  if (kind === 'insert') return bytesToHex(concatBytes([b.subarray(0, i), new Uint8Array([byte]), b.subarray(i)]))
  if (kind === 'truncate') return bytesToHex(b.subarray(0, Math.max(1, i)))
  if (kind === 'append') return bytesToHex(concatBytes([b, new Uint8Array([byte])]))
  return bytesToHex(b)
}

type RlpValue = Uint8Array | RlpValue[]

/** Field edits that keep the RLP canonical: what is left to judge is each field's meaning (minimal integers, sizes, counts, yParity, v, chain). */
const fieldEdit = fc.record({
  kind: fc.constantFrom('leadingZero', 'value', 'list', 'drop', 'add', 'empty'),
  field: fc.nat(),
  value: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...[0, 1, 2, 27, 28, 0x80].map((b) => new Uint8Array([b])))),
})
function editField(raw: Hex, { kind, field, value }: { kind: string; field: number; value: Uint8Array }): Hex {
  const bytes = hexToBytes(raw)
  const typed = bytes[0] < 0x80
  const items = [...(RLP.decode(typed ? bytes.subarray(1) : bytes) as RlpValue[])]
  const i = field % items.length
  if (kind === 'leadingZero' && items[i] instanceof Uint8Array) items[i] = concatBytes([new Uint8Array([0]), items[i] as Uint8Array])
  if (kind === 'value') items[i] = value
  if (kind === 'list') items[i] = [value]
  if (kind === 'drop') items.splice(i, 1)
  if (kind === 'add') items.splice(i, 0, value)
  if (kind === 'empty') items[i] = new Uint8Array()
  const body = RLP.encode(items)
  return bytesToHex(typed ? concatBytes([bytes.subarray(0, 1), body]) : body)
}

const signedTxRecord = fc.oneof(
  { weight: 3, arbitrary: genericTx.map(async (raw): Promise<BatchRecord> => ({ type: 'signedTx', raw: await raw })) },
  { weight: 1, arbitrary: fc.tuple(genericTx, mutation).map(async ([raw, m]): Promise<BatchRecord> => ({ type: 'signedTx', raw: mutate(await raw, m) })) },
  { weight: 2, arbitrary: fc.tuple(genericTx, fieldEdit).map(async ([raw, e]): Promise<BatchRecord> => ({ type: 'signedTx', raw: editField(await raw, e) })) },
)

/** A chunk of well-formed records: block starts (absolute then deltas), queue messages, bets, generic txs. */
const recordList = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 2, arbitrary: fc.oneof(fc.bigInt({ min: 0n, max: 100n }), u(64)).map((delta) => Promise.resolve({ delta })) },
        { weight: 2, arbitrary: u(64).map((queueIndex): Promise<BatchRecord> => Promise.resolve({ type: 'deposit', queueIndex })) },
        { weight: 4, arbitrary: compactBet },
        { weight: 3, arbitrary: signedTxRecord },
      ),
      { maxLength: 10 },
    ),
    fc.oneof(fc.bigInt({ min: 1_700_000_000n, max: 1_800_000_000n }), u(64)),
  )
  .map(async ([items, start]): Promise<BatchRecord[]> => {
    const records: BatchRecord[] = []
    let timestamp: bigint | undefined
    for (const item of await Promise.all(items)) {
      if (!('delta' in item)) records.push(item)
      else {
        timestamp = timestamp === undefined ? start : timestamp + item.delta
        if (timestamp < 1n << 64n) records.push({ type: 'blockStart', timestamp })
      }
    }
    return records
  })

t.test('golden vectors: every chunk, bad chunk and tx record decodes as decodeChunk and checkRawTx say', async (t) => {
  for (const vector of [...vectors.chunks, ...vectors.bad]) t.ok(await check(t, hexToBytes(vector.chunk as Hex), [0, 1, 2]), vector.name)
  for (const vector of vectors.txs) {
    const raw = hexToBytes(vector.raw as Hex)
    const generic = encodeChunk([{ type: 'signedTx', raw: vector.raw as Hex }])
    t.ok(await check(t, generic), `${vector.name}: generic record`)
    if (vector.record.type === 'compactBet') t.ok(await check(t, hexToBytes(`0x01${bytesToHex(encodeCompact(vector.raw as Hex)).slice(2)}`)), `${vector.name}: compact record`)
    t.ok(raw.length > 0)
  }
})

/** The compact record bytes of a golden compact tx (the vector's own record, re-encoded). */
function encodeCompact(raw: Hex): Uint8Array {
  const tx = parseTransaction(raw)
  const args = hexToBytes(tx.data as Hex)
  const wordAt = (i: number) => BigInt(bytesToHex(args.subarray(4 + 32 * i, 36 + 32 * i)))
  const record: CompactBetRecord = { type: 'compactBet', nonce: BigInt(tx.nonce ?? 0), marketId: wordAt(0), outcome: Number(wordAt(1)), stake: wordAt(2), minOdds: Number(wordAt(3)), yParity: tx.yParity as 0 | 1, r: pad32(BigInt(tx.r as Hex)), s: pad32(BigInt(tx.s as Hex)) }
  return encodeChunk([record]).subarray(1)
}

t.test('random records with real signatures: same record, fields, tx bytes, signing hash, verdict and sender', async (t) => {
  const before = compared
  await fc.assert(
    fc.asyncProperty(recordList, fc.array(fc.nat(), { maxLength: 3 }), async (records, probes) => {
      const chunk = encodeChunk(await records)
      return check(t, chunk, probes.map((p) => p % (chunk.length + 2)))
    }),
    { numRuns: runs(60) },
  )
  t.comment(`${compared - before} offsets compared`)
})

// ---- malformed bytes: varints of every shape, unknown tags, truncation, flipped bytes

/** A varint of `value`, made non-minimal (`extra` zero groups appended) when asked. */
function varint(value: bigint, extra: number): number[] {
  const out: number[] = []
  writeVarint(out, value)
  if (extra > 0) {
    out[out.length - 1] |= 0x80
    for (let i = 1; i < extra; i++) out.push(0x80)
    out.push(0)
  }
  return out
}

const anyVarint = (bits: number) =>
  fc.tuple(fc.oneof(u(bits), fc.bigInt({ min: 1n << BigInt(bits), max: 1n << BigInt(bits + 20) }), fc.constant((1n << BigInt(bits)) - 1n)), fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 3 })))
    .map(([value, extra]) => varint(value, extra))

const rawRecord: fc.Arbitrary<number[]> = fc.oneof(
  anyVarint(64).map((v) => [1, ...v]),
  anyVarint(64).map((v) => [2, ...v]),
  fc
    .tuple(anyVarint(64), anyVarint(256), fc.nat(255), anyVarint(96), anyVarint(32), fc.oneof(fc.constant(0), fc.constant(1), fc.nat(255)), fc.uint8Array({ minLength: 64, maxLength: 64 }))
    .map(([nonce, market, outcome, stake, odds, y, rs]) => [3, ...nonce, ...market, outcome, ...stake, ...odds, y, ...rs]),
  fc.tuple(anyVarint(32), fc.uint8Array({ maxLength: 40 })).map(([length, body]) => [4, ...length, ...body]),
  fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => [...b]),
)

t.test('malformed chunks: same records, skips and end as decodeChunk, at record offsets and random ones', async (t) => {
  const before = compared
  await fc.assert(
    fc.asyncProperty(fc.array(rawRecord, { maxLength: 8 }), fc.option(fc.nat()), fc.constantFrom(1, 1, 1, 0, 2), fc.array(fc.nat(), { maxLength: 4 }), async (records, cut, version, probes) => {
      const body = [version, ...records.flat()]
      const chunk = new Uint8Array(cut === null ? body : body.slice(0, cut % (body.length + 1)))
      return check(t, chunk, probes.map((p) => p % (chunk.length + 2)))
    }),
    { numRuns: runs(100) },
  )
  await fc.assert(
    fc.asyncProperty(recordList, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (records, flips) => {
      const chunk = encodeChunk(await records)
      for (const [at, byte] of flips) chunk[at % chunk.length] ^= byte
      return check(t, chunk, [0])
    }),
    { numRuns: runs(25) },
  )
  t.comment(`${compared - before} offsets compared`)
})

t.test('edge txs: oversized, contract creation, timestamps at 2^64-1, high s bet', async (t) => {
  const account = ACCOUNTS[0]
  const big = await account.signTransaction({ type: 'eip1559', chainId: CHAIN_ID, nonce: 0, to: BET_ENGINE_ADDRESS, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data: bytesToHex(new Uint8Array(33_000).fill(7)) })
  const create = await account.signTransaction({ type: 'legacy', chainId: CHAIN_ID, nonce: 1, gas: TX_GAS_LIMIT, gasPrice: 0n, data: '0x6000' })
  const max = (1n << 64n) - 1n
  const records: BatchRecord[] = [
    { type: 'blockStart', timestamp: max - 1n },
    { type: 'signedTx', raw: big },
    { type: 'signedTx', raw: create },
    { type: 'blockStart', timestamp: max },
  ]
  const chunk = encodeChunk(records)
  // a delta that would pass 2^64-1: skipped, and the next delta counts from the last one read
  const overflowing = concatBytes([chunk, new Uint8Array([1, 1, 1, 0])])
  t.ok(await check(t, overflowing, [0, 1, 5]))
})

/** Re-encodes a signed tx with its RLP items edited (the type byte kept). */
function editItems(raw: Hex, edit: (items: RlpValue[]) => void): Hex {
  const bytes = hexToBytes(raw)
  const typed = bytes[0] < 0x80
  const items = RLP.decode(typed ? bytes.subarray(1) : bytes) as RlpValue[]
  edit(items)
  const body = RLP.encode(items)
  return bytesToHex(typed ? concatBytes([bytes.subarray(0, 1), body]) : body)
}

t.test("viem's round trip quirks: items that parse and re-serialize unchanged although they are lists", async (t) => {
  const account = ACCOUNTS[1]
  const common = { chainId: CHAIN_ID, nonce: 3, to: BET_ENGINE_ADDRESS, gas: TX_GAS_LIMIT, data: '0x' } as const
  const legacy = await account.signTransaction({ type: 'legacy', ...common, gasPrice: 0n })
  const typed = await account.signTransaction({ type: 'eip1559', ...common, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, accessList: [{ address: BET_ENGINE_ADDRESS, storageKeys: [`0x${'11'.repeat(32)}`] }] })
  const key66 = Array.from({ length: 66 }, (_, i) => new Uint8Array([i + 1]))
  const cases: [string, Hex][] = [
    ['legacy r as a list (viem keeps it, ethereumjs refuses it)', editItems(legacy, (items) => void (items[7] = [items[7]]))],
    ['legacy s as a list of two', editItems(legacy, (items) => void (items[8] = [items[8], new Uint8Array([1])]))],
    ['access list address as [address]', editItems(typed, (items) => void (((items[8] as RlpValue[])[0] as RlpValue[])[0] = [[((items[8] as RlpValue[])[0] as RlpValue[])[0]]]))],
    ['access list address as [address, address]', editItems(typed, (items) => void (((items[8] as RlpValue[])[0] as RlpValue[])[0] = [((items[8] as RlpValue[])[0] as RlpValue[])[0], ((items[8] as RlpValue[])[0] as RlpValue[])[0]]))],
    ['storage key as a list of 66 items', editItems(typed, (items) => void ((((items[8] as RlpValue[])[0] as RlpValue[])[1] as RlpValue[])[0] = key66))],
    ['storage key as a list of 65 items', editItems(typed, (items) => void ((((items[8] as RlpValue[])[0] as RlpValue[])[1] as RlpValue[])[0] = key66.slice(1)))],
    ['typed chain id as [chainId]', editItems(typed, (items) => void (items[0] = [items[0]]))],
    ['typed yParity as a list', editItems(typed, (items) => void (items[9] = [items[9]]))],
    ['typed r as a list', editItems(typed, (items) => void (items[10] = [items[10]]))],
    ['legacy v as a list', editItems(legacy, (items) => void (items[6] = [items[6]]))],
  ]
  for (const [name, raw] of cases) t.ok(await check(t, encodeChunk([{ type: 'blockStart', timestamp: 1n }, { type: 'signedTx', raw }])), name)
})

// ---- gas

/** A chunk of about 120 KB: 1,550 bets from a few bettors in blocks of 100, then `last` records. */
async function fullChunk(last: BatchRecord[]): Promise<{ chunk: Uint8Array; offsets: number[] }> {
  const bets = await Promise.all([0, 1, 2, 3].map((key) => typicalBet(key, BigInt(key * 40))))
  const records: BatchRecord[] = []
  let timestamp = 1_750_000_000n
  for (let i = 0, size = 1; size < 120_000 - 1_000; i++) {
    if (i % 100 === 0) {
      records.push({ type: 'blockStart', timestamp: (timestamp += 2n) })
      size += 6
    }
    records.push(bets[i % 4])
    size += encodeChunk([bets[i % 4]]).length - 1
  }
  records.push(...last)
  const chunk = encodeChunk(records)
  return { chunk, offsets: recordOffsets(chunk).slice(-last.length) }
}

/** A bet as most are: nonce < 128, a small market, stake 250 tokens, odds 1.85, honest signature. */
async function typicalBet(key: number, nonce: bigint): Promise<CompactBetRecord> {
  const bet = { nonce, marketId: 3n, outcome: 1, stake: 250_000_000n, minOdds: 18_500 }
  const unsigned = RLP.encode([bigintToMinimalBytes(BigInt(CHAIN_ID)), bigintToMinimalBytes(nonce), new Uint8Array(), new Uint8Array(), bigintToMinimalBytes(TX_GAS_LIMIT), hexToBytes(BET_ENGINE_ADDRESS), new Uint8Array(), placeBetCalldata(bet), []])
  const sig = await signHash(keccak256(concatBytes([new Uint8Array([2]), unsigned])), KEYS[key], 'good', [0n, 0n])
  return { type: 'compactBet', ...bet, yParity: sig.yParity as 0 | 1, r: pad32(sig.r), s: pad32(sig.s) }
}

async function measure(chunk: Uint8Array, offset: number): Promise<bigint> {
  const data = encodeFunctionData({ abi: RecordDecoderHarness.abi, functionName: 'measure', args: [bytesToHex(chunk), BigInt(offset), BigInt(CHAIN_ID)] })
  const result = await evm.call(harness.address, data, 100_000_000n)
  if (!result.ok) throw new Error(`measure reverted at ${offset}`)
  return decodeFunctionResult({ abi: RecordDecoderHarness.abi, functionName: 'measure', data: result.returnData }) as bigint
}

t.test('gas: a typical bet and a generic tx, first in a chunk and at the end of a 120 KB chunk', async (t) => {
  const bet = await typicalBet(1, 9n)
  const generic = await ACCOUNTS[2].signTransaction({ type: 'eip1559', chainId: CHAIN_ID, nonce: 4, to: BET_ENGINE_ADDRESS, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data: bytesToHex(placeBetCalldata({ marketId: 12n, outcome: 2, stake: 10_000_000n, minOdds: 21_000 })) })
  const last: BatchRecord[] = [bet, { type: 'signedTx', raw: generic }, { type: 'blockStart', timestamp: 1_760_000_000n }]
  const small = encodeChunk([{ type: 'blockStart', timestamp: 1_750_000_000n }, ...last])
  const { chunk, offsets } = await fullChunk(last)
  t.ok(chunk.length <= 120_000, `chunk of ${chunk.length} bytes`)
  // each call walks the 120 KB: the last record alone is compared, a block start whose delta needs every block start before it
  t.ok(await check(t, chunk, [offsets[2]], true), 'the last record of the big chunk decodes as decodeChunk says')
  const smallOffsets = recordOffsets(small).slice(-3)
  const figures = {
    betFirst: await measure(small, smallOffsets[0]),
    genericFirst: await measure(small, smallOffsets[1]),
    betAt120KB: await measure(chunk, offsets[0]),
    genericAt120KB: await measure(chunk, offsets[1]),
  }
  const perRecord = (figures.genericAt120KB - figures.genericFirst) / BigInt(recordOffsets(chunk).length - 4)
  t.comment(`gas (decode + rebuild + ecrecover + checks, chunk already in memory): bet first in chunk ${figures.betFirst}, generic tx first ${figures.genericFirst}`)
  t.comment(`at the end of a ${chunk.length}-byte chunk (${offsets[0]} bytes walked): bet ${figures.betAt120KB}, generic tx ${figures.genericAt120KB}; the walk costs ${perRecord} per record framed`)
  t.ok(figures.betAt120KB < 5_000_000n, 'the worst-case walk stays well inside an L1 block')
})

t.teardown(() => t.comment(`${compared} offsets compared in all`))

/**
 * MptNodeStore.sol against @ethereumjs/mpt: on random tries, a random sequence of sets, inserts and
 * deletes applied one after another from the current root gives, after each, the root of a trie
 * built afresh from the same entries, from a witness of only the pre-state nodes ethereumjs read
 * while applying the sequence; reads agree; on secure tries, setting the sequence's keys to their
 * last values all at once (setManyHashed) from the same witness gives the last root; a witness
 * missing a node reverts with MissingNode.
 * (The reference is a fresh trie, not ethereumjs's own sequential root: on plain tries whose keys
 * prefix one another, ethereumjs's deletions sometimes leave a non-canonical root.)
 */
import t from 'tap'
import fc from 'fast-check'
import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, bytesToHex, hexToBytes, type Hex } from 'viem'
import { RecordingTrieDb } from '../../../prover-fraud/recordingTrieDb.ts'
import { MemoryEvm } from '../memoryEvm.ts'
import { compileEntries } from '../compileEntries.ts'

const HARNESS = '0x0000000000000000000000000000000000057073' as const
const { MptNodeStoreHarness } = await compileEntries(['test/contracts/MptNodeStoreHarness.sol'])
const evm = await MemoryEvm.create()
await evm.putCode(HARNESS, MptNodeStoreHarness.deployedBytecode)
const abi = MptNodeStoreHarness.abi

type Entry = [Uint8Array, Uint8Array]

/** The suite runs the base size; ROLLBOOK_FUZZ_SCALE=10 runs ten times as many tries. */
const SCALE = Number(process.env.ROLLBOOK_FUZZ_SCALE ?? 1)

async function buildTrie(secure: boolean, entries: Entry[]): Promise<MerklePatriciaTrie> {
  const trie = await createMPT({ useKeyHashing: secure })
  for (const [key, value] of entries) await trie.put(key, value)
  return trie
}

interface Run {
  witness: Uint8Array[]
  root: Uint8Array
  /** the root of a fresh trie of the entries after each op */
  roots: Hex[]
  reads: (Uint8Array | null)[]
}

/** Applies `ops` in order on a copy of `trie` over a recording DB: the pre-state nodes read, and the root after each op. */
async function runOps(secure: boolean, trie: MerklePatriciaTrie, entries: Entry[], ops: Entry[], readKeys: Uint8Array[]): Promise<Run> {
  const base = trie.database()
  const db = new RecordingTrieDb((hash) => base.get(hash))
  const root = trie.root()
  const copy = await createMPT({ db, useKeyHashing: secure, valueEncoding: 'view', root })
  const reads: (Uint8Array | null)[] = []
  for (const key of readKeys) reads.push(await copy.get(key))
  const roots: Hex[] = []
  const current = new Map(entries.map(([key, value]) => [bytesToHex(key), value]))
  for (const [key, value] of ops) {
    if (value.length === 0) await copy.del(key)
    else await copy.put(key, value)
    if (value.length === 0) current.delete(bytesToHex(key))
    else current.set(bytesToHex(key), value)
    roots.push(bytesToHex((await buildTrie(secure, [...current].map(([k, v]) => [hexToBytes(k as Hex), v]))).root()))
  }
  // the root node is looked up by hash even when it is small
  const rootNode = await base.get(root)
  if (rootNode !== undefined) db.read.set(bytesToHex(root).slice(2), rootNode)
  return { witness: db.nodes(), root, roots, reads }
}

async function setMany(secure: boolean, witness: Uint8Array[], root: Uint8Array, ops: Entry[]) {
  const data = encodeFunctionData({
    abi,
    functionName: 'setMany',
    args: [witness.map((n) => bytesToHex(n)), bytesToHex(root), secure, ops.map(([k]) => bytesToHex(k)), ops.map(([, v]) => bytesToHex(v))],
  })
  const result = await evm.call(HARNESS, data)
  if (!result.ok) {
    const error = result.returnData === '0x' ? 'empty' : decodeErrorResult({ abi, data: result.returnData }).errorName
    return { ok: false as const, error }
  }
  return { ok: true as const, roots: decodeFunctionResult({ abi, functionName: 'setMany', data: result.returnData }) as Hex[], gas: result.executionGas }
}

/** The distinct keys of `ops` with their last values, set at once (secure tries only). */
async function setAll(witness: Uint8Array[], root: Uint8Array, ops: Entry[]) {
  const last = new Map(ops.map(([k, v]) => [bytesToHex(k), v]))
  const data = encodeFunctionData({
    abi,
    functionName: 'setAllSecure',
    args: [witness.map((n) => bytesToHex(n)), bytesToHex(root), [...last.keys()], [...last.values()].map((v) => bytesToHex(v))],
  })
  const result = await evm.call(HARNESS, data)
  if (!result.ok) {
    const error = result.returnData === '0x' ? 'empty' : decodeErrorResult({ abi, data: result.returnData }).errorName
    return { ok: false as const, error }
  }
  return { ok: true as const, root: decodeFunctionResult({ abi, functionName: 'setAllSecure', data: result.returnData }) as Hex, gas: result.executionGas }
}

async function getMany(secure: boolean, witness: Uint8Array[], root: Uint8Array, keys: Uint8Array[]): Promise<Hex[]> {
  const data = encodeFunctionData({ abi, functionName: 'getMany', args: [witness.map((n) => bytesToHex(n)), bytesToHex(root), secure, keys.map((k) => bytesToHex(k))] })
  const result = await evm.call(HARNESS, data)
  if (!result.ok) throw new Error(`getMany reverted: ${result.returnData}`)
  return decodeFunctionResult({ abi, functionName: 'getMany', data: result.returnData }) as Hex[]
}

function opsArbitrary(key: fc.Arbitrary<Uint8Array>, value: fc.Arbitrary<Uint8Array>) {
  const op = fc.tuple(fc.option(fc.nat(), { freq: 2 }), key, fc.oneof({ weight: 3, arbitrary: value }, { weight: 2, arbitrary: fc.constant(new Uint8Array()) }))
  return fc.array(op, { minLength: 1, maxLength: 20 })
}

function resolveOps(entries: Entry[], ops: [number | null, Uint8Array, Uint8Array][]): Entry[] {
  return ops.map(([pick, fresh, value]) => [pick === null || entries.length === 0 ? fresh : entries[pick % entries.length][0], value])
}

for (const secure of [true, false]) {
  t.test(`set${secure ? 'Secure' : ''}_randomSequences_matchEthereumjs`, async (t) => {
    const key = secure ? fc.uint8Array({ minLength: 1, maxLength: 32 }) : fc.uint8Array({ minLength: 1, maxLength: 5 })
    const value = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.uint8Array({ minLength: 30, maxLength: 70 }))
    let checked = 0
    let maxGas = 0n
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 0, maxLength: 100 }), opsArbitrary(key, value), async (entries, rawOps) => {
        const trie = await buildTrie(secure, entries)
        const ops = resolveOps(entries, rawOps)
        const readKeys = ops.map(([k]) => k)
        const run = await runOps(secure, trie, entries, ops, readKeys)
        const result = await setMany(secure, run.witness, run.root, ops)
        if (!result.ok) throw new Error(`setMany reverted: ${result.error}`)
        t.strictSame(result.roots, run.roots, 'roots after each op')
        if (secure) {
          // all at once, from the witness of the one-by-one sequence: the same final root
          const all = await setAll(run.witness, run.root, ops)
          if (!all.ok) throw new Error(`setAllSecure reverted: ${all.error}`)
          t.equal(all.root, run.roots[run.roots.length - 1], 'root of the multi-key update')
        }
        const values = await getMany(secure, run.witness, run.root, readKeys)
        t.strictSame(values, run.reads.map((v) => bytesToHex(v ?? new Uint8Array())), 'reads')
        checked += ops.length
        if (result.gas > maxGas) maxGas = result.gas
      }),
      { numRuns: Math.ceil(25 * SCALE), seed: 5 },
    )
    t.comment(`${checked} updates checked; most gas in one sequence: ${maxGas}`)
  })
}

t.test('set_witnessMissingANode_revertsMissingNode', async (t) => {
  const entries: Entry[] = Array.from({ length: 200 }, (_, i) => [Uint8Array.of(i, i * 7), new Uint8Array(40).fill(i)])
  const trie = await buildTrie(true, entries)
  const ops: Entry[] = [[entries[3][0], new Uint8Array()]]
  const run = await runOps(true, trie, entries, ops, [])
  t.ok(run.witness.length > 2)
  for (const drop of [0, run.witness.length - 1]) {
    const result = await setMany(true, run.witness.filter((_, i) => i !== drop), run.root, ops)
    t.same(result, { ok: false, error: 'MissingNode' })
  }
})

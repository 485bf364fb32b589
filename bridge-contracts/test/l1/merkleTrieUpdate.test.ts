/**
 * MerkleTrieUpdate.sol against @ethereumjs/mpt: on random tries, each random update, insertion or
 * deletion computed from the key's proof gives the root the trie has after the same put; forged
 * proofs and siblings revert; gas on a 10,000-key trie and on the path of a 1,000,000-key one.
 */
import t from 'tap'
import fc from 'fast-check'
import { createMPT, createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, bytesToHex, hexToBytes, keccak256, type Hex } from 'viem'
import { MemoryEvm } from '../memoryEvm.ts'
import { testContracts } from '../testContracts.ts'

const HARNESS = '0x00000000000000000000000000000000000b0b0b' as const
const { MerkleTrieUpdateHarness } = await testContracts()
const evm = await MemoryEvm.create()
await evm.putCode(HARNESS, MerkleTrieUpdateHarness.deployedBytecode)

type Entry = [Uint8Array, Uint8Array]
type Outcome = { reverted: false; root: Hex; gas: bigint } | { reverted: true; error: string }

interface Case {
  key: Uint8Array
  value: Uint8Array
  proof: Uint8Array[]
  sibling: Uint8Array
  root: Uint8Array
  expected: Hex
  kind: string
}

async function callHarness(data: Hex): Promise<{ ok: true; data: Hex; gas: bigint } | { ok: false; error: string }> {
  const result = await evm.call(HARNESS, data)
  if (result.ok) return { ok: true, data: result.returnData, gas: result.executionGas }
  const error = result.returnData === '0x' ? 'empty' : decodeErrorResult({ abi: MerkleTrieUpdateHarness.abi, data: result.returnData }).errorName
  return { ok: false, error }
}

async function update(secure: boolean, c: Pick<Case, 'key' | 'value' | 'proof' | 'sibling' | 'root'>): Promise<Outcome> {
  const args = [bytesToHex(c.key), bytesToHex(c.value), c.proof.map((node) => bytesToHex(node)), bytesToHex(c.sibling), bytesToHex(c.root)] as const
  const data = encodeFunctionData({ abi: MerkleTrieUpdateHarness.abi, functionName: secure ? 'updateSecure' : 'update', args })
  const result = await callHarness(data)
  if (!result.ok) return { reverted: true, error: result.error }
  const root = decodeFunctionResult({ abi: MerkleTrieUpdateHarness.abi, functionName: 'update', data: result.data }) as Hex
  return { reverted: false, root, gas: result.gas }
}

async function buildTrie(secure: boolean, entries: Entry[]): Promise<MerklePatriciaTrie> {
  const trie = await createMPT({ useKeyHashing: secure })
  for (const [key, value] of entries) await trie.put(key, value)
  return trie
}

/**
 * The witness a deletion needs when it collapses the last branch on the key's path: that branch's
 * one other occupant, when it is a hashed child. The proof repeats inline nodes (ethereumjs), so
 * the node after the branch is the key's own child.
 */
async function collapseSibling(trie: MerklePatriciaTrie, proof: Uint8Array[]): Promise<Uint8Array> {
  const nodes = proof.map((node) => RLP.decode(node) as (Uint8Array | unknown[])[])
  const at = nodes.findLastIndex((node) => node.length === 17)
  if (at < 0) return new Uint8Array()
  const branch = nodes[at]
  if (branch.filter((slot) => Array.isArray(slot) || slot.length > 0).length !== 2) return new Uint8Array()
  const own = at + 1 < proof.length ? keccak256(proof[at + 1]) : undefined
  const others = branch.slice(0, 16).filter((slot): slot is Uint8Array => slot instanceof Uint8Array && slot.length === 32 && bytesToHex(slot) !== own)
  return others.length === 1 ? (await trie.lookupNode(others[0])).serialize() : new Uint8Array()
}

/** Which path through the library an update takes, read from the trie before it. */
function classify(proof: Uint8Array[], present: boolean, deleting: boolean, sibling: Uint8Array): string {
  if (deleting) return present ? (sibling.length > 0 ? 'delete, collapse into hashed sibling' : 'delete') : 'delete absent'
  if (present) return 'replace'
  const last = proof.length === 0 ? [] : (RLP.decode(proof[proof.length - 1]) as Uint8Array[])
  if (last.length === 17) return 'insert into branch'
  if (last.length === 2) return (last[0][0] >> 4) >= 2 ? 'insert, split leaf' : 'insert, split extension'
  return 'insert into empty trie'
}

/**
 * Applies `ops` to a trie of `entries` one by one, recording each as a case against the root before
 * it. Every other proof is cut to geth's form, without the nodes held inline by their parents.
 */
async function collectCases(secure: boolean, entries: Entry[], ops: Entry[], kinds: Map<string, number>): Promise<Case[]> {
  const trie = await buildTrie(secure, entries)
  const cases: Case[] = []
  for (const [i, [key, value]] of ops.entries()) {
    const root = trie.root()
    const proof = await createMerkleProof(trie, key)
    const present = (await trie.get(key)) !== null
    const sibling = value.length === 0 && present ? await collapseSibling(trie, proof) : new Uint8Array()
    await trie.put(key, value)
    const kind = classify(proof, present, value.length === 0, sibling)
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    const sent = i % 2 === 0 ? proof : proof.filter((node, at) => at === 0 || node.length >= 32)
    cases.push({ key, value, proof: sent, sibling, root, expected: bytesToHex(trie.root()), kind })
  }
  return cases
}

/** Runs every case in one EVM call; returns how many matched, failing the test on the first that does not. */
async function checkCases(t: { fail: (message: string) => void }, secure: boolean, cases: Case[]): Promise<number> {
  if (cases.length === 0) return 0
  const hex = (b: Uint8Array) => bytesToHex(b)
  const data = encodeFunctionData({
    abi: MerkleTrieUpdateHarness.abi,
    functionName: 'updateMany',
    args: [secure, cases.map((c) => hex(c.key)), cases.map((c) => hex(c.value)), cases.map((c) => c.proof.map(hex)), cases.map((c) => hex(c.sibling)), cases.map((c) => hex(c.root))],
  })
  const result = await callHarness(data)
  if (!result.ok) {
    const single = await Promise.all(cases.map((c) => update(secure, c)))
    const i = single.findIndex((outcome) => outcome.reverted)
    t.fail(`valid update reverted (${result.error}): ${i >= 0 ? `${cases[i].kind} of ${hex(cases[i].key)} = ${hex(cases[i].value)}` : 'only in the batch'}`)
    return 0
  }
  const roots = decodeFunctionResult({ abi: MerkleTrieUpdateHarness.abi, functionName: 'updateMany', data: result.data }) as Hex[]
  for (const [i, c] of cases.entries()) {
    if (roots[i] !== c.expected) {
      t.fail(`${c.kind} of ${hex(c.key)} = ${hex(c.value)}: contract root ${roots[i]}, ethereumjs ${c.expected}`)
      return i
    }
  }
  return cases.length
}

/** An operation on a key of the trie (`pick` indexes it) or on a fresh key; an empty value deletes. */
function opsOn(freshKey: fc.Arbitrary<Uint8Array>, value: fc.Arbitrary<Uint8Array>) {
  const op = fc.tuple(fc.option(fc.nat(), { freq: 2 }), freshKey, fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fc.constant(new Uint8Array()) }))
  return fc.array(op, { minLength: 1, maxLength: 24, size: 'max' })
}

function resolveOps(entries: Entry[], ops: [number | null, Uint8Array, Uint8Array][]): Entry[] {
  return ops.map(([pick, fresh, value]) => [pick === null || entries.length === 0 ? fresh : entries[pick % entries.length][0], value])
}

/** The suite checks about 300 random updates; ROLLBOOK_FUZZ_SCALE=10 runs ten times as many tries (over 3,000 updates, about 10 minutes). */
const SCALE = Number(process.env.ROLLBOOK_FUZZ_SCALE ?? 1)

function reportKinds(t: { comment: (message: string) => void; ok: (value: boolean, message: string) => void }, kinds: Map<string, number>, required: string[]) {
  t.comment([...kinds.entries()].sort().map(([kind, n]) => `${kind}: ${n}`).join(', '))
  for (const kind of required) t.ok((kinds.get(kind) ?? 0) > 0, `some cases ${kind}`)
}

t.test('updateSecure_randomTriesAndUpdates_matchEthereumjs', async (t) => {
  const key = fc.uint8Array({ minLength: 1, maxLength: 32 })
  const value = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.uint8Array({ minLength: 30, maxLength: 70 }))
  const kinds = new Map<string, number>()
  let checked = 0
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 0, maxLength: 200, size: 'max' }), opsOn(key, value), async (entries, ops) => {
      checked += await checkCases(t, true, await collectCases(true, entries, resolveOps(entries, ops), kinds))
    }),
    { numRuns: Math.ceil(12 * SCALE), seed: 11 },
  )
  t.comment(`${checked} secure-trie updates checked`)
  reportKinds(t, kinds, ['replace', 'insert into branch', 'insert, split leaf', 'delete', 'delete, collapse into hashed sibling', 'delete absent'])
})

t.test('update_rawKeysWithSharedPrefixes_splitsExtensionsAndInlineNodes_matchEthereumjs', async (t) => {
  // Equal-length keys over few nibbles share long prefixes: extensions form and split, as in a
  // secure trie but far more often; short values make nodes under 32 bytes, inlined.
  const nibblePair = fc.constantFrom(0x00, 0x01, 0x10, 0x11, 0x1f, 0xf0)
  const key = fc.array(nibblePair, { minLength: 5, maxLength: 5 }).map((bytes) => Uint8Array.from(bytes))
  const value = fc.oneof({ weight: 3, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 30, maxLength: 40 }) })
  const kinds = new Map<string, number>()
  let checked = 0
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 0, maxLength: 120, size: 'max' }), opsOn(key, value), async (entries, ops) => {
      checked += await checkCases(t, false, await collectCases(false, entries, resolveOps(entries, ops), kinds))
    }),
    { numRuns: Math.ceil(8 * SCALE), seed: 12 },
  )
  t.comment(`${checked} raw-key updates checked`)
  reportKinds(t, kinds, ['replace', 'insert into branch', 'insert, split leaf', 'insert, split extension', 'delete', 'delete, collapse into hashed sibling'])
})

t.test('update_rawKeysOfVaryingLength_branchValues_matchEthereumjs', async (t) => {
  // Keys that are prefixes of others put values in branches and end inside extensions.
  const key = fc.uint8Array({ minLength: 1, maxLength: 4, min: 0, max: 3 })
  const value = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.uint8Array({ minLength: 30, maxLength: 34 }))
  const kinds = new Map<string, number>()
  let checked = 0
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 0, maxLength: 40, size: 'max' }), opsOn(key, value), async (entries, ops) => {
      checked += await checkCases(t, false, await collectCases(false, entries, resolveOps(entries, ops), kinds))
    }),
    { numRuns: Math.ceil(8 * SCALE), seed: 13 },
  )
  t.comment(`${checked} varying-length raw-key updates checked`)
  reportKinds(t, kinds, ['replace', 'insert into branch', 'insert, split leaf', 'insert, split extension', 'delete', 'delete absent'])
})

t.test('update_gethStyleProofWithoutInlineNodes_matchesEthereumjs', async (t) => {
  const entries: Entry[] = [
    [Uint8Array.of(1, 2), Uint8Array.of(5)],
    [Uint8Array.of(1, 3), Uint8Array.of(6)],
    [Uint8Array.of(1), Uint8Array.of(7)],
  ]
  for (const [key, value] of [[Uint8Array.of(1, 2), Uint8Array.of(9)], [Uint8Array.of(1, 4), Uint8Array.of(8)], [Uint8Array.of(1, 3), new Uint8Array()]] as Entry[]) {
    const trie = await buildTrie(false, entries)
    const root = trie.root()
    // geth leaves out the nodes its parents hold inline.
    const proof = (await createMerkleProof(trie, key)).filter((node, i) => i === 0 || node.length >= 32)
    await trie.put(key, value)
    t.match(await update(false, { key, value, proof, sibling: new Uint8Array(), root }), { reverted: false, root: bytesToHex(trie.root()) }, `set ${bytesToHex(key)} to ${bytesToHex(value)}`)
  }
})

t.test('update_emptyTrie_insertsOrKeepsEmpty', async (t) => {
  const trie = await buildTrie(true, [])
  const emptyRoot = trie.root()
  const key = Uint8Array.of(1)
  await trie.put(key, Uint8Array.of(2))
  for (const proof of [[], [Uint8Array.of(0x80)]]) {
    t.match(await update(true, { key, value: Uint8Array.of(2), proof, sibling: new Uint8Array(), root: emptyRoot }), { reverted: false, root: bytesToHex(trie.root()) })
    t.match(await update(true, { key, value: new Uint8Array(), proof, sibling: new Uint8Array(), root: emptyRoot }), { reverted: false, root: bytesToHex(emptyRoot) })
  }
  // Deleting the only key empties the trie.
  const proof = await createMerkleProof(trie, key)
  t.match(await update(true, { key, value: new Uint8Array(), proof, sibling: new Uint8Array(), root: trie.root() }), { reverted: false, root: bytesToHex(emptyRoot) })
})

t.test('update_forgedProofsAndSiblings_revert', async (t) => {
  const entries: Entry[] = Array.from({ length: 300 }, (_, i) => [hexToBytes(`0x${(i * 7919).toString(16).padStart(8, '0')}`), Uint8Array.of((i % 250) + 1, 9)])
  const trie = await buildTrie(true, entries)
  const root = trie.root()
  const key = entries[17][0]
  const proof = await createMerkleProof(trie, key)
  const value = Uint8Array.of(0x42)
  const none = new Uint8Array()
  t.ok(proof.length >= 3)

  t.match(await update(true, { key, value, proof, sibling: none, root: new Uint8Array(32).fill(1) }), { reverted: true, error: 'BadNodeHash' }, 'wrong root')
  t.match(await update(true, { key, value, proof: proof.slice(0, -1), sibling: none, root }), { reverted: true, error: 'ProofTooShort' }, 'truncated')
  t.match(await update(true, { key, value, proof: [...proof, proof[proof.length - 1]], sibling: none, root }), { reverted: true, error: 'ProofTooLong' }, 'extra node')
  t.match(await update(true, { key, value, proof: [], sibling: none, root }), { reverted: true, error: 'ProofTooShort' }, 'empty proof of a non-empty trie')
  const leaf = proof[proof.length - 1]
  let accepted = 0
  for (let i = 0; i < leaf.length; i++) {
    const forged = Uint8Array.from(leaf)
    forged[i] ^= 0x01
    if (!(await update(true, { key, value, proof: [...proof.slice(0, -1), forged], sibling: none, root })).reverted) accepted++
  }
  t.equal(accepted, 0, 'no leaf with a flipped byte is accepted')
  // Another key's proof cannot insert this key: it reverts, or (ending where this key would) cannot ignore what is there.
  const other = await update(true, { key, value, proof: await createMerkleProof(trie, entries[18][0]), sibling: none, root })
  await trie.put(key, value)
  t.ok(other.reverted || other.root !== bytesToHex(trie.root()), "another key's proof does not give the updated root")
})

t.test('update_randomByteFlipInAnyProofNode_reverts', async (t) => {
  let reverted = 0
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 32 }), fc.uint8Array({ minLength: 1, maxLength: 40 })), { minLength: 1, maxLength: 100, size: 'max' }),
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      fc.uint8Array({ minLength: 0, maxLength: 40 }),
      async (entries, pick, at, flip, value) => {
        const trie = await buildTrie(true, entries)
        const key = entries[pick % entries.length][0]
        const proof = await createMerkleProof(trie, key)
        const node = pick % proof.length
        const forged = proof.map((n, i) => (i === node ? Uint8Array.from(n, (b, j) => (j === at % n.length ? b ^ flip : b)) : n))
        const outcome = await update(true, { key, value, proof: forged, sibling: new Uint8Array(), root: trie.root() })
        if (!outcome.reverted) t.fail(`flipped byte ${at % proof[node].length} of node ${node} accepted`)
        else reverted++
      },
    ),
    { numRuns: Math.ceil(20 * SCALE), seed: 14 },
  )
  t.comment(`${reverted} forged proofs reverted`)
})

t.test('update_deletionCollapsingIntoHashedSibling_needsTheRightSibling', async (t) => {
  // Two long values under one branch: deleting either leaves the other, hashed, as the only child.
  const entries: Entry[] = [
    [Uint8Array.of(0x10), new Uint8Array(40).fill(1)],
    [Uint8Array.of(0x20), new Uint8Array(40).fill(2)],
  ]
  const trie = await buildTrie(false, entries)
  const root = trie.root()
  const key = entries[0][0]
  const proof = await createMerkleProof(trie, key)
  const sibling = await collapseSibling(trie, proof)
  const none = new Uint8Array()
  t.ok(sibling.length >= 32)
  t.match(await update(false, { key, value: none, proof, sibling: none, root }), { reverted: true, error: 'SiblingRequired' })
  t.match(await update(false, { key, value: none, proof, sibling: proof[proof.length - 1], root }), { reverted: true, error: 'BadSibling' })
  await trie.del(key)
  t.match(await update(false, { key, value: none, proof, sibling, root }), { reverted: false, root: bytesToHex(trie.root()) })
})

t.test('updateSecure_gas', async (t) => {
  const size = 10_000
  const account = (i: number) => hexToBytes(`0x${i.toString(16).padStart(40, '0')}`)
  const entries: Entry[] = Array.from({ length: size }, (_, i) => [account(i), new Uint8Array(70).fill((i % 255) + 1)])
  const trie = await buildTrie(true, entries)
  const none = new Uint8Array()
  const report: string[] = []
  for (const [label, key, value] of [
    ['update', account(1234), new Uint8Array(70).fill(7)],
    ['insert', account(size + 1), new Uint8Array(70).fill(7)],
    ['delete', account(4321), none],
  ] as [string, Uint8Array, Uint8Array][]) {
    const proof = await createMerkleProof(trie, key)
    const sibling = value.length === 0 ? await collapseSibling(trie, proof) : none
    const outcome = await update(true, { key, value, proof, sibling, root: trie.root() })
    await trie.put(key, value)
    t.match(outcome, { reverted: false, root: bytesToHex(trie.root()) }, label)
    if (!outcome.reverted) report.push(`${label} ${outcome.gas} (${proof.length} nodes)`)
  }
  t.comment(`updateSecure in a ${size.toLocaleString('en')}-key trie, execution gas: ${report.join(', ')}`)
})

t.test('update_gas_pathOfAMillionKeyTrie', async (t) => {
  // Building a million-key trie takes minutes, but gas depends only on the nodes on the key's path.
  // In a secure trie of 1M keys the branches on a path are full for four levels, hold about 10
  // children at the fifth, and the leaf sits alone or under a small sixth: this trie has exactly
  // those nodes around `target` (raw 32-byte paths; updateSecure adds one keccak of the key).
  const bytes = (seed: string) => hexToBytes(keccak256(new TextEncoder().encode(seed)))
  const nibbleAt = (path: Uint8Array, i: number) => (i % 2 === 0 ? path[i >> 1] >> 4 : path[i >> 1] & 0x0f)
  /** `path` with nibble `i` set to `nibble` and every later nibble random. */
  const divergeAt = (path: Uint8Array, i: number, nibble: number, seed: string) => {
    const out = bytes(seed)
    out.set(path.subarray(0, i >> 1))
    out[i >> 1] = i % 2 === 0 ? (nibble << 4) | (out[i >> 1] & 0x0f) : (path[i >> 1] & 0xf0) | nibble
    return out
  }
  const target = bytes('target')
  const value = (i: number) => new Uint8Array(70).fill((i % 255) + 1)
  const entries: Entry[] = [[target, value(0)]]
  for (const [level, siblings] of [[0, 15], [1, 15], [2, 15], [3, 15], [4, 9], [5, 1]]) {
    for (let s = 1; s <= siblings; s++) {
      entries.push([divergeAt(target, level, (nibbleAt(target, level) + s) % 16, `${level}/${s}`), value(entries.length)])
    }
  }
  const trie = await buildTrie(false, entries)
  const none = new Uint8Array()
  const report: string[] = []
  for (const [label, key, newValue] of [
    ['update', target, new Uint8Array(70).fill(7)],
    ['insert (splits the leaf)', divergeAt(target, 6, (nibbleAt(target, 6) + 1) % 16, 'new'), new Uint8Array(70).fill(7)],
    ['delete (collapses a branch)', target, none],
  ] as [string, Uint8Array, Uint8Array][]) {
    const proof = await createMerkleProof(trie, key)
    const sibling = newValue.length === 0 ? await collapseSibling(trie, proof) : none
    const outcome = await update(false, { key, value: newValue, proof, sibling, root: trie.root() })
    await trie.put(key, newValue)
    t.match(outcome, { reverted: false, root: bytesToHex(trie.root()) }, label)
    if (!outcome.reverted) report.push(`${label} ${outcome.gas} (${proof.length} nodes)`)
  }
  t.comment(`update on the path of a 1,000,000-key trie, execution gas: ${report.join(', ')}`)
})

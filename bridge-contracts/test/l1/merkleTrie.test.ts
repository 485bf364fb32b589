/**
 * MerkleTrie.sol against @ethereumjs/mpt: proofs of inclusion and exclusion from thousands of
 * random tries, run on an in-memory EVM; forged and truncated proofs revert.
 */
import t from 'tap'
import fc from 'fast-check'
import { createMPT, createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, bytesToHex, hexToBytes, type Hex } from 'viem'
import { MemoryEvm } from '../memoryEvm.ts'
import { testContracts } from '../testContracts.ts'

const HARNESS = '0x00000000000000000000000000000000000a11ce' as const
const { MerkleTrieHarness } = await testContracts()
const evm = await MemoryEvm.create()
await evm.putCode(HARNESS, MerkleTrieHarness.deployedBytecode)

type Outcome = { reverted: false; exists: boolean; value: Hex; gas: bigint } | { reverted: true; error: string }

async function prove(secure: boolean, key: Uint8Array, proof: Uint8Array[], root: Uint8Array): Promise<Outcome> {
  const data = encodeFunctionData({
    abi: MerkleTrieHarness.abi,
    functionName: secure ? 'getSecure' : 'get',
    args: [bytesToHex(key), proof.map((node) => bytesToHex(node)), bytesToHex(root)],
  })
  const result = await evm.call(HARNESS, data)
  if (!result.ok) {
    const error = result.returnData === '0x' ? 'empty' : decodeErrorResult({ abi: MerkleTrieHarness.abi, data: result.returnData }).errorName
    return { reverted: true, error }
  }
  const [exists, value] = decodeFunctionResult({ abi: MerkleTrieHarness.abi, functionName: 'get', data: result.returnData }) as [boolean, Hex]
  return { reverted: false, exists, value, gas: result.executionGas }
}

async function buildTrie(secure: boolean, entries: [Uint8Array, Uint8Array][]): Promise<MerklePatriciaTrie> {
  const trie = await createMPT({ useKeyHashing: secure })
  for (const [key, value] of entries) await trie.put(key, value)
  return trie
}

/** Checks present keys and absent probes against the trie's own answer, in one EVM call per trie. */
async function checkTrie(t: { fail: (message: string) => void }, secure: boolean, entries: [Uint8Array, Uint8Array][], probes: Uint8Array[]): Promise<number> {
  const trie = await buildTrie(secure, entries)
  // Every key of a small trie, a sample of a large one.
  const present = entries.map(([k]) => k).filter((_, i) => i % Math.ceil(entries.length / 12) === 0)
  const keys = [...present, ...probes]
  const proofs = await Promise.all(keys.map((key) => createMerkleProof(trie, key)))
  const data = encodeFunctionData({
    abi: MerkleTrieHarness.abi,
    functionName: 'getMany',
    args: [secure, keys.map((k) => bytesToHex(k)), proofs.map((proof) => proof.map((node) => bytesToHex(node))), bytesToHex(trie.root())],
  })
  const result = await evm.call(HARNESS, data)
  if (!result.ok) {
    t.fail(`valid proofs reverted: ${result.returnData}`)
    return 0
  }
  const [exists, values] = decodeFunctionResult({ abi: MerkleTrieHarness.abi, functionName: 'getMany', data: result.returnData }) as [boolean[], Hex[]]
  for (const [i, key] of keys.entries()) {
    const expected = await trie.get(key)
    if (exists[i] !== (expected !== null) || values[i] !== (expected ? bytesToHex(expected) : '0x')) {
      t.fail(`key ${bytesToHex(key)}: contract says ${exists[i]} ${values[i]}, trie says ${expected && bytesToHex(expected)}`)
      return i
    }
  }
  return keys.length
}

const value = fc.uint8Array({ minLength: 1, maxLength: 40 })
/** The suite runs a third of the base size to stay quick; ROLLBOOK_FUZZ_SCALE=10 runs ten times the base (about 14,000 proofs). */
const SCALE = Number(process.env.ROLLBOOK_FUZZ_SCALE ?? 1 / 3)

t.test('getSecure_randomTries_matchesEthereumjs', async (t) => {
  let checked = 0
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.uint8Array({ minLength: 20, maxLength: 32 }), value), { minLength: 0, maxLength: 300 }),
      fc.array(fc.uint8Array({ minLength: 20, maxLength: 32 }), { minLength: 1, maxLength: 4 }),
      async (entries, probes) => {
        checked += await checkTrie(t, true, entries, probes)
      },
    ),
    { numRuns: Math.ceil(60 * SCALE), seed: 1 },
  )
  t.comment(`${checked} secure-trie proofs checked`)
  t.ok(checked >= Math.floor(300 * SCALE))
})

t.test('get_shortRawKeys_inlineNodesAndBranchValues_matchEthereumjs', async (t) => {
  // Short keys drawn from few bytes share prefixes, end inside branches and make nodes under 32 bytes.
  const shortKey = fc.uint8Array({ minLength: 1, maxLength: 4, min: 0, max: 3 })
  let checked = 0
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(shortKey, fc.uint8Array({ minLength: 1, maxLength: 3 })), { minLength: 0, maxLength: 40 }),
      fc.array(shortKey, { minLength: 1, maxLength: 6 }),
      async (entries, probes) => {
        checked += await checkTrie(t, false, entries, probes)
      },
    ),
    { numRuns: Math.ceil(120 * SCALE), seed: 2 },
  )
  t.comment(`${checked} raw-key proofs checked`)
  t.ok(checked >= Math.floor(800 * SCALE))
})

t.test('get_gethStyleProofWithoutInlineNodes_verifies', async (t) => {
  const trie = await buildTrie(false, [
    [Uint8Array.of(1, 2), Uint8Array.of(5)],
    [Uint8Array.of(1, 3), Uint8Array.of(6)],
    [Uint8Array.of(1), Uint8Array.of(7)],
  ])
  const proof = (await createMerkleProof(trie, Uint8Array.of(1, 2))).filter((node, i) => i === 0 || node.length >= 32)
  const outcome = await prove(false, Uint8Array.of(1, 2), proof, trie.root())
  t.same(outcome.reverted ? outcome : { exists: outcome.exists, value: outcome.value }, { exists: true, value: '0x05' })
})

t.test('get_emptyTrie_provesAbsence', async (t) => {
  const trie = await buildTrie(true, [])
  t.match(await prove(true, Uint8Array.of(1), [], trie.root()), { reverted: false, exists: false, value: '0x' })
  t.match(await prove(true, Uint8Array.of(1), [Uint8Array.of(0x80)], trie.root()), { reverted: false, exists: false })
})

t.test('get_forgedProofs_revert', async (t) => {
  const entries: [Uint8Array, Uint8Array][] = Array.from({ length: 300 }, (_, i) => [hexToBytes(`0x${(i * 7919).toString(16).padStart(8, '0')}`), Uint8Array.of(i % 250 + 1, 9)])
  const trie = await buildTrie(true, entries)
  const key = entries[17][0]
  const proof = await createMerkleProof(trie, key)
  t.ok(proof.length >= 3)

  t.match(await prove(true, key, proof, new Uint8Array(32).fill(1)), { reverted: true, error: 'BadNodeHash' }, 'wrong root')
  t.match(await prove(true, key, proof.slice(0, -1), trie.root()), { reverted: true, error: 'ProofTooShort' }, 'truncated')
  t.match(await prove(true, key, [...proof, proof[proof.length - 1]], trie.root()), { reverted: true, error: 'ProofTooLong' }, 'extra node')
  t.match(await prove(true, key, [], trie.root()), { reverted: true, error: 'ProofTooShort' }, 'empty proof of a non-empty trie')

  // Flip each byte of the leaf: its hash no longer matches its parent's reference.
  const leaf = proof[proof.length - 1]
  for (let i = 0; i < leaf.length; i++) {
    const forged = Uint8Array.from(leaf)
    forged[i] ^= 0x01
    const outcome = await prove(true, key, [...proof.slice(0, -1), forged], trie.root())
    if (!outcome.reverted) t.fail(`forged leaf byte ${i} accepted`)
  }
  // A proof of one key does not prove another key present.
  const other = await prove(true, entries[18][0], proof, trie.root())
  t.ok(other.reverted || !other.exists, 'a proof of another key proves nothing present')
})

t.test('getSecure_gas', async (t) => {
  const entries: [Uint8Array, Uint8Array][] = Array.from({ length: 10_000 }, (_, i) => [hexToBytes(`0x${i.toString(16).padStart(40, '0')}`), new Uint8Array(70).fill(i % 255 + 1)])
  const trie = await buildTrie(true, entries)
  const key = entries[1234][0]
  const proof = await createMerkleProof(trie, key)
  const outcome = await prove(true, key, proof, trie.root())
  t.equal(outcome.reverted, false)
  if (!outcome.reverted) t.comment(`getSecure in a 10,000-key trie (${proof.length} nodes): ${outcome.gas} execution gas`)
})

import t from 'tap'
import fc from 'fast-check'
import { createMPT } from '@ethereumjs/mpt'
import { MapDB, bytesToHex } from '@ethereumjs/util'
import { updateTrie, type TrieChange } from './trieUpdate.ts'

const key = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  // keys sharing long prefixes force extension and branch splits
  fc.tuple(fc.constantFrom(0x00, 0x10, 0xab), fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([p, tail]) => {
    const k = new Uint8Array(32).fill(p)
    k.set(tail, 32 - tail.length)
    return k
  }),
)
const value = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.constant(new Uint8Array()))

t.test('updateTrie gives the @ethereumjs/mpt root for random inserts, updates and deletes', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(key, fc.uint8Array({ minLength: 1, maxLength: 40 })), { maxLength: 60 }),
      fc.array(fc.tuple(key, value), { maxLength: 40 }),
      fc.boolean(),
      async (initial, batch, deleteExisting) => {
        const db = new MapDB<string, Uint8Array>()
        const trie = await createMPT({ db: db as never, valueEncoding: 'view' })
        for (const [k, v] of initial) await trie.put(k, v)
        const before = trie.root()
        const changes: TrieChange[] = batch.map(([k, v]) => ({ key: k, value: v }))
        if (deleteExisting) for (const [k] of initial.slice(0, 10)) changes.push({ key: k, value: new Uint8Array() })
        const read = async (hash: Uint8Array) => {
          const v = await db.get(bytesToHex(hash).slice(2))
          return v as Uint8Array | undefined
        }
        const result = await updateTrie(before, changes, read)
        // the same changes through the MPT, last write per key wins
        const last = new Map<string, TrieChange>()
        for (const c of changes) last.set(bytesToHex(c.key), c)
        for (const c of last.values()) {
          if (c.value.length === 0) await trie.del(c.key)
          else await trie.put(c.key, c.value)
        }
        if (bytesToHex(result.root) !== bytesToHex(trie.root())) return false
        // the stored nodes let the MPT read every key at the new root
        for (const { hash, node } of result.nodes.values()) await db.put(bytesToHex(hash).slice(2), node)
        const check = await createMPT({ db: db as never, valueEncoding: 'view', root: result.root })
        for (const c of last.values()) {
          const got = await check.get(c.key)
          if (c.value.length === 0 ? got !== null : got === null || bytesToHex(got) !== bytesToHex(c.value)) return false
        }
        return true
      },
    ),
    { numRuns: 400 },
  )
  t.pass('400 random batches agree with @ethereumjs/mpt')
})

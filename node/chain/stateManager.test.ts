import t from 'tap'
import fc from 'fast-check'
import { createMPT } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, Address, bytesToHex } from '@ethereumjs/util'
import { RollbookStateManager } from './stateManager.ts'

const address = fc.constantFrom(...[1, 2, 3, 4].map((i) => new Address(new Uint8Array(20).fill(i))))
const slot = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 8 }).map((i) => new Uint8Array(32).fill(0).map((_, j) => (j === 31 ? i : 0))))
const op = fc.oneof(
  fc.record({ kind: fc.constant('storage' as const), address, slot, value: fc.uint8Array({ minLength: 0, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('nonce' as const), address, nonce: fc.bigInt({ min: 0n, max: 1000n }) }),
  fc.record({ kind: fc.constant('code' as const), address, code: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
)

async function apply(sm: MerkleStateManager, blocks: Array<Array<typeof op extends fc.Arbitrary<infer T> ? T : never>>) {
  const roots: string[] = []
  for (const block of blocks) {
    await sm.checkpoint()
    for (const o of block) {
      await sm.checkpoint()
      if (o.kind === 'storage') {
        if ((await sm.getAccount(o.address)) === undefined) await sm.putAccount(o.address, new Account(0n, 0n))
        await sm.putStorage(o.address, o.slot, o.value)
      } else if (o.kind === 'code') {
        await sm.putCode(o.address, o.code)
      } else {
        // as runTx does: the account keeps its storage root, only the nonce changes
        const account = (await sm.getAccount(o.address)) ?? new Account()
        account.nonce = o.nonce
        await sm.putAccount(o.address, account)
      }
      await sm.commit()
    }
    await sm.commit()
    roots.push(bytesToHex(await sm.getStateRoot()))
  }
  return roots
}

t.test('the one-pass flush gives the same state roots as the upstream MerkleStateManager', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(op, { maxLength: 30 }), { minLength: 1, maxLength: 5 }), async (blocks) => {
      const upstream = new MerkleStateManager({ trie: await createMPT({ useKeyHashing: true }), caches: new Caches() })
      const ours = new RollbookStateManager({ trie: await createMPT({ useKeyHashing: true }), caches: new Caches() })
      const a = await apply(upstream, blocks)
      const b = await apply(ours, blocks)
      if (a.join() !== b.join()) return false
      // and reads after the flush see the written values
      for (const block of blocks) for (const o of block) {
        if (o.kind === 'code' && bytesToHex(await upstream.getCode(o.address)) !== bytesToHex(await ours.getCode(o.address))) return false
        if (o.kind !== 'storage') continue
        if (bytesToHex(await upstream.getStorage(o.address, o.slot)) !== bytesToHex(await ours.getStorage(o.address, o.slot))) return false
      }
      return true
    }),
    { numRuns: 200 },
  )
  t.pass('200 random block sequences agree')
})

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

/**
 * The chain's pipelined seal: a block's writes are captured at its commit, the next block runs
 * (reading and writing the same slots and accounts), and only then are the first block's roots
 * computed. Every root and every read must equal the upstream, block-by-block path's.
 */
t.test('deferred trie updates: roots and reads equal the upstream path while the next block runs first', async (t) => {
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never
  const run = async (sm: MerkleStateManager, o: Op) => {
    await sm.checkpoint()
    if (o.kind === 'storage') {
      if ((await sm.getAccount(o.address)) === undefined) await sm.putAccount(o.address, new Account(0n, 0n))
      await sm.putStorage(o.address, o.slot, o.value)
    } else if (o.kind === 'nonce') {
      // as runTx does: read, change the nonce, write back (the storage root it read goes back too)
      const account = (await sm.getAccount(o.address)) ?? new Account()
      account.nonce = o.nonce
      await sm.putAccount(o.address, account)
    }
    await sm.commit()
  }
  const read = async (sm: MerkleStateManager, o: Op) =>
    o.kind === 'storage' ? bytesToHex(await sm.getStorage(o.address, o.slot)) : String((await sm.getAccount(o.address))?.nonce)
  // no code writes here: code is written at genesis only, before deferral starts
  const opNoCode = op.filter((o) => o.kind !== 'code')
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(opNoCode, { maxLength: 30 }), { minLength: 2, maxLength: 6 }), fc.array(opNoCode, { maxLength: 40 }), async (blocks, probes) => {
      const upstream = new MerkleStateManager({ trie: await createMPT({ useKeyHashing: true }), caches: new Caches() })
      const ours = new RollbookStateManager({ trie: await createMPT({ useKeyHashing: true }), caches: new Caches() })
      ours.deferTrieUpdate = true
      const want: string[] = []
      const got: string[] = []
      let inFlight: Promise<Uint8Array> | undefined
      for (const block of blocks) {
        await upstream.checkpoint()
        await ours.checkpoint()
        for (const [i, o] of block.entries()) {
          await run(upstream, o)
          await run(ours, o)
          // now and then a turn of the event loop: the pending update goes on a slice meanwhile
          if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve))
          // reads mid-block, some while the previous block's roots are being computed
          const probe = probes[i % Math.max(probes.length, 1)]
          if (probe !== undefined && (await read(upstream, probe)) !== (await read(ours, probe))) return false
          if (i === Math.floor(block.length / 2) && inFlight !== undefined) got.push(bytesToHex(await inFlight)), (inFlight = undefined)
        }
        if (inFlight !== undefined) got.push(bytesToHex(await inFlight))
        await upstream.commit()
        await ours.commit()
        want.push(bytesToHex(await upstream.getStateRoot()))
        // the next block starts before this one's roots: they are computed while it runs
        inFlight = ours.applyCaptured(ours.takeCaptured(), () => new Promise((resolve) => setImmediate(resolve)))
      }
      got.push(bytesToHex(await inFlight!))
      return want.join() === got.join()
    }),
    { numRuns: 150 },
  )
  t.pass('150 random block sequences agree, roots and reads')
})

import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLevel } from './level.ts'
import { LevelTrieDb } from './trieDb.ts'

const bytes = (...b: number[]) => Uint8Array.from(b)

t.test('held writes: readable until their batch lands, newest value first, however many batches queue', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rollbook-triedb-'))
  const level = await openLevel(dir)
  t.teardown(async () => {
    await level.close()
    rmSync(dir, { recursive: true, force: true })
  })
  // no read cache: every read not held must come from LevelDB
  const db = new LevelTrieDb(level, 0)
  const write = async (batch: ReturnType<LevelTrieDb['takeBuffered']>) => {
    const b = level.batch()
    for (const op of batch.ops) op.type === 'put' ? b.put(op.key, op.value) : b.del(op.key)
    await b.write()
  }

  db.startBuffering()
  await db.put('aa', bytes(1))
  await db.put('bb', bytes(2))
  const first = db.takeBuffered()
  db.startBuffering()
  await db.put('aa', bytes(1))
  await db.del('bb')
  await db.put('cc', bytes(3))
  const second = db.takeBuffered()
  const batches = []
  for (let i = 0; i < 50; i++) {
    db.startBuffering()
    await db.put(`d${i.toString(16).padStart(2, '0')}`, bytes(i))
    batches.push(db.takeBuffered())
  }

  t.same(await db.get('aa'), bytes(1), 'a key in two unlanded batches')
  t.equal(await db.get('bb'), undefined, 'deleted by the newer unlanded batch')
  t.same(await db.get('cc'), bytes(3))
  t.same(await db.get('d31'), bytes(0x31), 'a key of the 50th queued batch')

  await write(first)
  db.landed(first)
  t.same(await db.get('aa'), bytes(1), 'still held by the second batch, and on disk')
  t.equal(await db.get('bb'), undefined, 'the newer delete still wins over the landed put')
  await write(second)
  db.landed(second)
  t.same(await db.get('aa'), bytes(1), 'from disk')
  t.equal(await db.get('bb'), undefined, 'deleted on disk')
  t.same(await db.get('cc'), bytes(3), 'from disk')
  for (const batch of batches) {
    await write(batch)
    db.landed(batch)
  }
  t.same(await db.get('d31'), bytes(0x31), 'from disk once every batch landed')
  t.equal(await db.get('ee'), undefined, 'a key never written')
})

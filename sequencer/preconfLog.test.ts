import t from 'tap'
import { appendFile, readdir, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDatadir } from '../node/testing/testNode.ts'
import { PreconfLog, type PreconfRecord } from './preconfLog.ts'

const record = (blockNumber: bigint, index: number): PreconfRecord => ({
  blockNumber,
  index,
  timestamp: 1_700_000_000n + blockNumber,
  rawTx: Uint8Array.from({ length: 100 + index }, (_, i) => (i * 7 + index) & 0xff),
})

t.test('records come back in order after a reopen; sealed blocks are dropped', async (t) => {
  const dir = tempDatadir()
  const log = await PreconfLog.open(dir)
  await log.append([record(5n, 0), record(5n, 1)])
  await log.append([record(5n, 2), record(6n, 0)])
  await log.close()

  const reopened = await PreconfLog.open(dir)
  t.same(await reopened.readAfter(4n), [record(5n, 0), record(5n, 1), record(5n, 2), record(6n, 0)])
  t.same(await reopened.readAfter(5n), [record(6n, 0)], 'blocks up to the head are skipped')
  t.same(await readdir(dir), ['00000000000000000006.log'], 'and their segments removed')
  await reopened.drop(6n)
  t.same(await reopened.readAfter(0n), [])
  await reopened.close()
})

t.test('a torn or corrupt frame at the end (a write never acknowledged) is ignored', async (t) => {
  const dir = tempDatadir()
  const log = await PreconfLog.open(dir)
  await log.append([record(9n, 0), record(9n, 1)])
  await log.close()
  const file = join(dir, '00000000000000000009.log')
  await appendFile(file, Buffer.from([0, 0, 0, 50, 1, 2, 3, 4, 9, 9]))
  t.same(await (await PreconfLog.open(dir)).readAfter(0n), [record(9n, 0), record(9n, 1)], 'a frame shorter than its length')
  await truncate(file, 8 + 200)
  const kept = await (await PreconfLog.open(dir)).readAfter(0n)
  t.ok(kept.length <= 1, 'a frame cut inside its payload fails its checksum and ends the segment')
  t.same(kept, kept.length === 1 ? [record(9n, 0)] : [])
})

import { rmSync } from 'node:fs'
import t from 'tap'
import { openLevel } from '../storage/level.ts'
import { tempDatadir } from '../testing/testNode.ts'
import { DerivationProgress, type Checkpoint } from './progress.ts'

const checkpoint = (n: number): Checkpoint => ({
  l1: { number: BigInt(n), hash: `0x${n.toString(16).padStart(64, '0')}` },
  l2Head: `0x${'ab'.repeat(32)}`,
  l2Number: BigInt(n * 2),
  cursor: n % 2 === 0 ? { batchIndex: BigInt(n), blockTimestamp: 1_700_000_000n + BigInt(n) } : {},
})

t.test('progress_checkpoints_newestFirstPrunedAndDropped', async (t) => {
  const dir = tempDatadir('rollbook-progress-')
  const db = await openLevel(dir)
  t.teardown(async () => (await db.close(), rmSync(dir, { recursive: true, force: true })))
  const progress = new DerivationProgress(db, 100)
  t.equal(await progress.latest(), undefined)
  for (let n = 0; n <= 1_000; n += 3) await progress.write(checkpoint(n))
  t.same(await progress.latest(), checkpoint(999), 'the newest, cursor and all')
  const numbers: bigint[] = []
  for await (const c of progress.newestFirst()) numbers.push(c.l1.number)
  t.same(numbers, [...numbers].sort((a, b) => (a < b ? 1 : -1)), 'newest first, by number not by text')
  t.ok(numbers[numbers.length - 1] >= 768n - 100n, `pruned below ${numbers[numbers.length - 1]}`)
  await progress.dropAfter(900n)
  t.same(await progress.latest(), checkpoint(900))
  await progress.write(checkpoint(0))
  t.same(await progress.latest(), checkpoint(900), 'no checkpoint of another number is touched')
})

/** Progress bookkeeping: confirming chunks moves through batches; a rewind lands on the first dropped chunk, mid-batch too. */
import t from 'tap'
import { batchCompletedBy, batchesCompleted, INITIAL_PROGRESS, nextChunkPosition, progressAfter, rewindProgress, type BatchPlan, type BatcherProgress, type PostedChunk } from './progress.ts'
import { BatcherCriticalError } from './errors.ts'

const plan = (batchIndex: bigint, fromBlock: bigint, toBlock: bigint, chunkCount: number, firstChunk: bigint): BatchPlan => ({
  batchIndex,
  fromBlock,
  toBlock,
  maxChunkBytes: 1_000,
  chunkCount,
  firstChunk,
})

const posted = (p: BatchPlan, chunkIndex: number, l1BlockNumber: bigint): PostedChunk => ({
  n: p.firstChunk + BigInt(chunkIndex),
  plan: p,
  chunkIndex,
  hash: `0x${'11'.repeat(32)}`,
  commitment: `0x${'44'.repeat(32)}`,
  txHash: `0x${'22'.repeat(32)}`,
  l1BlockNumber,
  l1BlockHash: `0x${'33'.repeat(32)}`,
})

/** Batch 0: blocks 1..5 in 3 chunks; batch 1: blocks 6..6 in 1 chunk. */
function postAll(): { progress: BatcherProgress; trail: BatcherProgress[] } {
  const b0 = plan(0n, 1n, 5n, 3, 0n)
  const b1 = plan(1n, 6n, 6n, 1, 3n)
  let progress: BatcherProgress = { ...INITIAL_PROGRESS, batch: b0 }
  const trail = [progress]
  for (const [i, chunk] of [posted(b0, 0, 10n), posted(b0, 1, 11n), posted(b0, 2, 12n), posted(b1, 0, 13n)].entries()) {
    if (i === 3) progress = { ...progress, batch: b1 }
    progress = progressAfter(progress, chunk, 0n)
    trail.push(progress)
  }
  return { progress, trail }
}

t.test('progressAfter_throughTwoBatches', async (t) => {
  const { progress, trail } = postAll()
  t.same(nextChunkPosition(trail[1]), { n: 1n, batchIndex: 0n, chunkIndex: 1 }, 'after chunk 0 of 3: chunk 1 next')
  t.equal(trail[2].lastPostedBlock, 0n, 'a batch half posted posts no block')
  t.equal(trail[3].batch, undefined, 'batch 0 done')
  t.equal(trail[3].lastPostedBlock, 5n)
  t.equal(trail[3].nextBatchIndex, 1n)
  t.equal(progress.chunksPosted, 4n)
  t.equal(progress.lastPostedBlock, 6n)
  t.equal(progress.recent.length, 4)
})

t.test('batchesCompleted_countsOnlyWhollyPostedBatches', async (t) => {
  const { progress, trail } = postAll()
  t.same(
    trail.map(batchesCompleted),
    [0n, 0n, 0n, 1n, 2n],
    'batch 0 counts once its third chunk is posted, batch 1 with its only chunk',
  )
  t.equal(batchesCompleted({ ...progress, batch: plan(2n, 7n, 7n, 1, 4n), nextBatchIndex: 2n }), 2n, 'batch 2 planned, no chunk of it posted')
  t.equal(batchesCompleted(rewindProgress(progress, 2n)), 0n, 'rewound into batch 0')
  t.equal(batchesCompleted(rewindProgress(progress, 3n)), 1n, 'rewound to the end of batch 0')
})

t.test('progressAfter_prunesRecordsOlderThanTheReorgDepth', async (t) => {
  const { progress } = postAll()
  const b2 = plan(2n, 7n, 7n, 1, 4n)
  const next = progressAfter({ ...progress, batch: b2 }, posted(b2, 0, 20n), 12n)
  t.same(
    next.recent.map((r) => r.n),
    [2n, 3n, 4n],
    'records in L1 blocks before 12 dropped',
  )
})

t.test('rewindProgress_midBatch_resumesInsideTheBatch', async (t) => {
  const { progress, trail } = postAll()
  const rewound = rewindProgress(progress, 2n)
  t.same(rewound, trail[2], 'two chunks kept: exactly the progress after chunk 1, batch 0 resumed at chunk 2')
  t.same(nextChunkPosition(rewound), { n: 2n, batchIndex: 0n, chunkIndex: 2 })
})

t.test('rewindProgress_toABatchEnd_andToNothing', async (t) => {
  const { progress, trail } = postAll()
  t.same(rewindProgress(progress, 3n), trail[3])
  t.same(rewindProgress(progress, 0n), INITIAL_PROGRESS)
  t.same(rewindProgress({ ...progress, inflight: { n: 4n, nonce: 9, txHashes: [] } }, 4n), progress, 'nothing dropped: only the in-flight tx forgotten')
})

t.test('rewindProgress_deeperThanTheKeptRecords_isCritical', async (t) => {
  const { progress } = postAll()
  t.throws(() => rewindProgress({ ...progress, recent: progress.recent.slice(2) }, 1n), BatcherCriticalError)
})

t.test('batchCompletedBy_onlyTheLastChunkOfABatch', async (t) => {
  const b0 = plan(0n, 1n, 5n, 3, 0n)
  t.equal(batchCompletedBy(posted(b0, 0, 10n)), undefined, 'chunk 0 of 3')
  t.equal(batchCompletedBy(posted(b0, 1, 11n)), undefined, 'chunk 1 of 3')
  t.same(batchCompletedBy(posted(b0, 2, 12n)), {
    batchIndex: 0n,
    fromBlock: 1n,
    toBlock: 5n,
    lastChunk: 2n,
    lastChunkHash: `0x${'11'.repeat(32)}`,
    l1BlockNumber: 12n,
    txHash: `0x${'22'.repeat(32)}`,
  })
})

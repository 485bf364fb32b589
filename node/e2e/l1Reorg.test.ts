/**
 * Issue 3, end to end: an L1 reorg (anvil_reorg) drops the L1 blocks holding the last two chunks
 * the sequencer's batcher posted, after a replica process has derived them. The batcher sees its
 * chunks gone and posts them again, the same bytes in the same places (they are chunks of the last
 * batch: its kept plan, or the same blocks planned again), and the replica rewinds and ends at the
 * sequencer's head hash and state root. Then a deeper reorg drops a whole batch and the last chunk of the one before: the
 * batcher posts from there again (the rest of the blocks re-planned), every L2 block is on L1
 * exactly once, and the replica rewinds again to the sequencer's head. Last, a reorg while the
 * sequencer is down (SIGKILL): the restarted batcher finds fewer chunks on L1 than it recorded and
 * posts them again.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Hex } from 'viem'
import type { Test } from 'tap'
import type { PostedChunkTx } from '../../sequencer/batcher/testing.ts'
import {
  Bettors,
  bettorAccounts,
  blocksOnL1,
  blockTxHashes,
  head,
  inboxChunkCount,
  inboxChunks,
  rpc,
  sendRaw,
  startReplica,
  startRig,
  startSequencer,
  txHashOf,
  untilAllPosted,
  untilHead,
  until,
  untilSealed,
  type Head,
} from './rig.ts'

const BETTORS = 100
const DEPTH = 2

const rig = await startRig({ bettors: BETTORS })
t.teardown(() => rig.close())

const sequencerFlags = ['--block-time', '100', '--batch-interval', '200', '--max-chunk-bytes', '1000']
let sequencer = await startSequencer(rig, join(rig.dir, 'sequencer'), sequencerFlags)
t.teardown(() => sequencer.stop())
const replica = await startReplica(rig, join(rig.dir, 'replica'))
t.teardown(() => replica.stop())
const bettors = new Bettors(bettorAccounts(BETTORS))
let betsSent = 0
const logged = (node: { lines: string[] }, msg: string) => node.lines.filter((line) => line.includes(`"msg":"${msg}"`))

/**
 * Reads the replica all the time (head block, then a receipt, an account at that block number and
 * the block by hash), so that reads land while it rewinds; every answer must be a result, never an
 * error.
 */
const readErrors: string[] = []
let gone = 0
let reading = true
const reader = (async () => {
  while (reading) {
    try {
      const latest = await rpc(replica.httpUrl, 'eth_getBlockByNumber', ['latest', false])
      if (latest.error !== undefined) readErrors.push(`eth_getBlockByNumber: ${latest.error.message}`)
      const tx = latest.result?.transactions?.[0]
      if (tx !== undefined) {
        for (const [method, params] of [
          ['eth_getTransactionReceipt', [tx]],
          ['eth_getTransactionCount', [bettorAccounts(1)[0].address, latest.result.number]],
          ['eth_getBlockByHash', [latest.result.hash, true]],
        ] as const) {
          const answer = await rpc(replica.httpUrl, method, [...params])
          // a block number read a moment ago can be gone after a rewind: geth's answer for a missing block
          if (answer.error?.message === 'header not found' && method === 'eth_getTransactionCount') gone++
          else if (answer.error !== undefined) readErrors.push(`${method}: ${answer.error.message}`)
        }
      }
    } catch (e) {
      readErrors.push(`request failed: ${(e as Error).message}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
})()
t.teardown(async () => {
  reading = false
  await reader
})

/** Two rounds of one bet from each bettor at once (~100 bets in a block or two, several 1,000-byte chunks each), all posted and derived. */
async function betAndPostAll(): Promise<{ hashes: Hex[]; sealed: Head }> {
  const hashes: Hex[] = []
  for (let round = 0; round < 2; round++) {
    hashes.push(...(await Promise.all(Array.from({ length: BETTORS }, () => sendRaw(sequencer.httpUrl, bettors.bet(betsSent++))))))
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  await untilSealed(sequencer.httpUrl, hashes[hashes.length - 1])
  const sealed = await untilAllPosted(rig, sequencer.httpUrl)
  await untilHead(replica.httpUrl, sealed, 'the replica')
  return { hashes, sealed }
}

/** Reorgs the last `depth` L1 blocks into empty ones (no mining meanwhile, so no re-post lands before the inbox is read). */
async function reorg(t: Test, depth: number, chunksBefore: number): Promise<void> {
  await rig.l1.testClient.setAutomine(false)
  await rig.l1.testClient.request({ method: 'anvil_reorg', params: [depth, []] } as never)
  t.equal(await inboxChunkCount(rig), BigInt(chunksBefore - depth), `the reorg took ${depth} chunks off the inbox`)
  await rig.l1.testClient.mine({ blocks: 1 })
  await rig.l1.testClient.setAutomine(true)
}

/** The last `count` chunks are each alone in the last `count` L1 blocks (automine), so a reorg of that depth drops exactly them. */
async function lastChunksAloneInLastBlocks(chunks: PostedChunkTx[], count: number): Promise<boolean> {
  const l1Blocks = await Promise.all(chunks.slice(-count).map(async (c) => (await rig.l1.publicClient.getTransactionReceipt({ hash: c.txHash })).blockNumber))
  const l1Head = await rig.l1.publicClient.getBlockNumber({ cacheTime: 0 })
  return JSON.stringify(l1Blocks.map(String)) === JSON.stringify(Array.from({ length: count }, (_, i) => String(l1Head - BigInt(count - 1 - i))))
}

t.test('l1Reorg_dropsLastPostedChunks_batcherRepostsThem_replicaRewindsToSequencerHead', async (t) => {
  await sendRaw(sequencer.httpUrl, bettors.createMarket())
  const { hashes, sealed } = await betAndPostAll()

  const before = await inboxChunks(rig)
  // only chunks of the last batch are dropped: kept, its plan is posted again; gone whole, the same
  // blocks (up to the head) are planned again, into the same chunks
  const lastBatch = before.filter((c) => c.batchIndex === before.at(-1)!.batchIndex)
  const depth = Math.min(DEPTH, lastBatch.length)
  const last = before.slice(-depth)
  t.ok(await lastChunksAloneInLastBlocks(before, depth), `the last ${depth} chunks are alone in the last ${depth} L1 blocks`)
  t.comment(`dropping batch ${last[0].batchIndex} chunks ${last.map((c) => c.chunkIndex).join(', ')} of ${lastBatch.length}`)

  const rewindsBefore = logged(replica, 'rewound').length
  await reorg(t, depth, before.length)

  await until('the batcher to post the dropped chunks again', async () => (await inboxChunkCount(rig)) >= BigInt(before.length), 30_000, 200)
  const after = await inboxChunks(rig)
  const position = (c: (typeof before)[number]) => ({ n: c.n, batchIndex: c.batchIndex, chunkIndex: c.chunkIndex, hash: c.hash })
  t.same(after.map(position), before.map(position), 'the inbox holds the same chunks as before the reorg: count, positions and hashes')
  t.not(after.at(-1)!.txHash, before.at(-1)!.txHash, 'the last chunk is in a new L1 tx')

  // the re-posted chunks give the same head: the replica's log is what tells it rewound
  await until('the replica to notice the reorg and rewind', () => logged(replica, 'rewound').length > rewindsBefore, 30_000)
  await untilHead(replica.httpUrl, sealed, 'the replica after the reorg')
  t.same(await head(replica.httpUrl), await head(sequencer.httpUrl), 'replica head == sequencer head: number, hash and state root')
  const sample = [hashes[0], hashes[150], hashes[hashes.length - 1]]
  for (const hash of sample) {
    const [onSequencer, onReplica] = await Promise.all([sequencer.httpUrl, replica.httpUrl].map(async (url) => (await rpc(url, 'eth_getTransactionReceipt', [hash])).result))
    t.same(onReplica, onSequencer, `receipt of ${hash.slice(0, 10)} is the same on both`)
  }
  t.ok(logged(sequencer, 'an L1 reorg dropped posted chunks: rewinding to re-post them').length > 0, 'the batcher saw its chunks dropped')
  const rewound = JSON.parse(logged(replica, 'rewound')[rewindsBefore])
  t.ok(rewound.l2To < rewound.l2From, `the replica took back the block it had derived from the dropped chunks: rewound from L2 block ${rewound.l2From} to ${rewound.l2To} (L1 ${rewound.l1})`)
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')
})

t.test('l1Reorg_acrossABatchBoundary_batcherRepostsFromThere_everyBlockOnce_replicaRewindsToSequencerHead', async (t) => {
  const { hashes, sealed } = await betAndPostAll()
  const before = await inboxChunks(rig)
  const lastBatch = before.at(-1)!.batchIndex
  const depth = before.filter((c) => c.batchIndex === lastBatch).length + 1
  t.ok(await lastChunksAloneInLastBlocks(before, depth), `the last ${depth} chunks (all of batch ${lastBatch} and the last of batch ${lastBatch - 1n}) are alone in the last ${depth} L1 blocks`)

  const rewindsBefore = logged(replica, 'rewound').length
  const droppedBefore = logged(sequencer, 'an L1 reorg dropped posted chunks: rewinding to re-post them').length
  await reorg(t, depth, before.length)
  await until('the replica to notice the reorg and rewind', () => logged(replica, 'rewound').length > rewindsBefore, 30_000)
  await untilAllPosted(rig, sequencer.httpUrl)
  await untilHead(replica.httpUrl, sealed, 'the replica after the reorg')

  const after = await inboxChunks(rig)
  const positions = (chunks: PostedChunkTx[]) => chunks.map((c) => ({ n: c.n, batchIndex: c.batchIndex, chunkIndex: c.chunkIndex, hash: c.hash }))
  t.same(positions(after.slice(0, before.length - depth)), positions(before.slice(0, before.length - depth)), 'the chunks before the reorg stay as they were')
  t.same(after.map((c) => c.n), after.map((_, i) => BigInt(i)), 'ChunkPosted n runs 0..N-1: no gap, no repeat')
  const outOfOrder = after.slice(1).filter((c, i) => !((c.batchIndex === after[i].batchIndex && c.chunkIndex === after[i].chunkIndex + 1) || (c.batchIndex === after[i].batchIndex + 1n && c.chunkIndex === 0)))
  t.same(outOfOrder, [], 'each (batchIndex, chunkIndex) is the next chunk of its batch or chunk 0 of the next batch')
  t.same(blocksOnL1(after).map((b) => b.txs.map(txHashOf)), await blockTxHashes(sequencer.httpUrl, sealed.number), 'L2 blocks 1..head each appear on L1 exactly once, in order')
  t.same(await head(replica.httpUrl), await head(sequencer.httpUrl), 'replica head == sequencer head: number, hash and state root')
  const [onSequencer, onReplica] = await Promise.all([sequencer.httpUrl, replica.httpUrl].map(async (url) => (await rpc(url, 'eth_getTransactionReceipt', [hashes[hashes.length - 1]])).result))
  t.same(onReplica, onSequencer, 'the last bet has the same receipt on both')
  t.ok(logged(sequencer, 'an L1 reorg dropped posted chunks: rewinding to re-post them').length > droppedBefore, 'the batcher saw its chunks dropped')
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')
})

t.test('l1Reorg_whileTheSequencerIsDown_restartedBatcherRepostsTheDroppedChunks_replicaFollows', async (t) => {
  const { sealed } = await betAndPostAll()
  const before = await inboxChunks(rig)
  t.ok(await lastChunksAloneInLastBlocks(before, DEPTH), `the last ${DEPTH} chunks are alone in the last ${DEPTH} L1 blocks`)
  const rewindsBefore = logged(replica, 'rewound').length
  await sequencer.kill()
  await reorg(t, DEPTH, before.length)
  sequencer = await startSequencer(rig, join(rig.dir, 'sequencer'), sequencerFlags)
  t.same(await head(sequencer.httpUrl), sealed, 'the restarted sequencer has the same head')

  await until('the replica to notice the reorg and rewind', () => logged(replica, 'rewound').length > rewindsBefore, 30_000)
  await untilAllPosted(rig, sequencer.httpUrl)
  await untilHead(replica.httpUrl, sealed, 'the replica after the reorg')
  t.ok(logged(sequencer, 'the inbox holds fewer chunks than recorded (L1 reorg): rewinding').length > 0, 'the restarted batcher found fewer chunks on L1 than it recorded')
  const after = await inboxChunks(rig)
  t.same(after.map((c) => c.n), after.map((_, i) => BigInt(i)), 'ChunkPosted n runs 0..N-1: no gap, no repeat')
  t.same(blocksOnL1(after).map((b) => b.txs.map(txHashOf)), await blockTxHashes(sequencer.httpUrl, sealed.number), 'L2 blocks 1..head each appear on L1 exactly once, in order')
  t.same(await head(replica.httpUrl), await head(sequencer.httpUrl), 'replica head == sequencer head: number, hash and state root')
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')
  reading = false
  await reader
  t.same(readErrors, [], `every read of the replica, through all three rewinds, was answered with a result (or, ${gone} times, 'header not found' for a block number a rewind had just taken back)`)
})

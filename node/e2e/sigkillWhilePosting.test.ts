/**
 * Issue 3, end to end: the sequencer process is killed with SIGKILL while its batcher has a chunk
 * tx in the L1 pool (L1 mining paused at that moment), under a steady stream of bets, and restarted
 * on the same datadir: once with that tx mined while the node was down, once with it still pending
 * at the restart. Afterwards the inbox holds every L2 block exactly once: its chunks are numbered
 * 0..N-1 without gap or repeat, each (batchIndex, chunkIndex) is the next one, and decoded they
 * carry the sequencer's blocks 1..head in order, no block twice and none missing. A replica that followed L1 throughout ends at the restarted sequencer's head hash and
 * state root, and every bet the sequencer acknowledged has the same receipt on both.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Hex } from 'viem'
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
} from './rig.ts'
import { sequencer as sequencerL1Account } from '../../bridge-contracts/test/l1/fixtures.ts'

const BETTORS = 20
const KILL_AFTER_CHUNKS = 3n
const BETS_AFTER_RESTART = 60
const sequencerFlags = ['--block-time', '100', '--batch-interval', '200', '--max-chunk-bytes', '1000']

const rig = await startRig({ anvil: { blockTime: 0.5 }, bettors: BETTORS })
t.teardown(() => rig.close())

/** A chunk tx of the sequencer's L1 key is in the pool, not yet mined. */
async function chunkTxPending(): Promise<boolean> {
  const [pending, latest] = await Promise.all(
    (['pending', 'latest'] as const).map((blockTag) => rig.l1.publicClient.getTransactionCount({ address: sequencerL1Account.address, blockTag })),
  )
  return pending > latest
}

t.test('sequencer_sigkillWhileChunkTxPending_twice_restart_postsEveryBlockOnce_replicaAgrees', async (t) => {
  const datadir = join(rig.dir, 'sequencer')
  let sequencer = await startSequencer(rig, datadir, sequencerFlags)
  t.teardown(() => sequencer.stop())
  const replica = await startReplica(rig, join(rig.dir, 'replica'))
  t.teardown(() => replica.stop())
  const bettors = new Bettors(bettorAccounts(BETTORS))
  const acknowledged: Hex[] = []
  acknowledged.push(await sendRaw(sequencer.httpUrl, bettors.createMarket()))
  let sent = 0
  const logged = (msg: string) => sequencer.lines.some((line) => line.includes(`"msg":"${msg}`))

  /**
   * Bets keep coming (five every 100 ms) until, with `chunks` on L1, L1 mining is paused so the
   * batcher's next chunk tx stays in the pool; then SIGKILL. `landWhileDown`: that tx is mined
   * before the restart (the batcher must find it on L1, not post it again); otherwise it is still
   * pending at the restart (the batcher must adopt it, not send another).
   */
  async function killWhileChunkTxPending(chunks: bigint, landWhileDown: boolean): Promise<void> {
    const url = sequencer.httpUrl
    const sending = (async () => {
      for (;;) {
        try {
          for (let i = 0; i < 5; i++) acknowledged.push(await sendRaw(url, bettors.bet(sent++)))
        } catch {
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    await until(`the inbox to hold ${chunks} chunks`, async () => (await inboxChunkCount(rig)) >= chunks, 30_000, 50)
    await rig.l1.testClient.setIntervalMining({ interval: 0 })
    await until('a chunk tx of the batcher in the L1 pool', chunkTxPending, 30_000, 20)
    await sequencer.kill()
    await sending
    if (landWhileDown) await rig.l1.testClient.mine({ blocks: 1 })
    t.comment(`SIGKILL with a chunk tx in the pool; ${landWhileDown ? 'mined' : 'still pending'} at the restart, ${await inboxChunkCount(rig)} chunks on L1, ${acknowledged.length} txs acknowledged`)

    const before = acknowledged.length
    sequencer = await startSequencer(rig, datadir, sequencerFlags)
    const path = landWhileDown ? 'found our chunk on L1: recorded' : 'adopting the chunk tx still pending from before the restart'
    await until(`the restarted batcher to log '${path}'`, () => logged(path), 30_000)
    t.pass(`the restarted batcher: ${path}`)
    await rig.l1.testClient.setIntervalMining({ interval: 1 })
    const lost: Hex[] = []
    for (const hash of acknowledged) {
      const { result } = await rpc(sequencer.httpUrl, 'eth_getTransactionReceipt', [hash])
      if (result?.status !== '0x1') lost.push(hash)
    }
    t.same(lost, [], `all ${before} txs acknowledged before the kill are on the restarted sequencer, succeeded`)
    await bettors.syncNonces(sequencer.httpUrl)
  }

  await killWhileChunkTxPending(KILL_AFTER_CHUNKS, true)
  await killWhileChunkTxPending((await inboxChunkCount(rig)) + 2n, false)
  const killedAt = await inboxChunkCount(rig)

  await bettors.syncNonces(sequencer.httpUrl)
  for (let i = 0; i < BETS_AFTER_RESTART; i++) {
    acknowledged.push(await sendRaw(sequencer.httpUrl, bettors.bet(sent++)))
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await untilSealed(sequencer.httpUrl, acknowledged[acknowledged.length - 1])
  const sealed = await untilAllPosted(rig, sequencer.httpUrl, 80_000)
  // settled: the batcher has nothing left in flight
  await until('the batcher to have no chunk tx pending', async () => !(await chunkTxPending()), 10_000)

  const chunks = await inboxChunks(rig)
  t.comment(`${chunks.length} chunks carry L2 blocks 1..${sealed.number}`)
  t.ok(chunks.length > Number(killedAt), 'chunks were posted after the second restart')
  t.same(
    chunks.map((c) => c.n),
    chunks.map((_, i) => BigInt(i)),
    'ChunkPosted n runs 0..N-1: no gap, no repeat',
  )
  t.equal(await inboxChunkCount(rig), BigInt(chunks.length), 'chunkCount agrees with the events')
  const outOfOrder = chunks.slice(1).filter((c, i) => {
    const previous = chunks[i]
    const nextChunk = c.batchIndex === previous.batchIndex && c.chunkIndex === previous.chunkIndex + 1
    const nextBatch = c.batchIndex === previous.batchIndex + 1n && c.chunkIndex === 0
    return !nextChunk && !nextBatch
  })
  t.same(outOfOrder, [], 'each (batchIndex, chunkIndex) is the next chunk of its batch or chunk 0 of the next batch')
  t.equal(new Set(chunks.map((c) => c.hash)).size, chunks.length, 'no chunk content posted twice')
  t.ok(chunks.some((c) => c.chunkIndex > 0), 'some batches span several chunks')

  const onL1 = blocksOnL1(chunks).map((b) => b.txs.map(txHashOf))
  t.equal(onL1.length, Number(sealed.number), 'the inbox carries as many L2 blocks as the sequencer sealed')
  t.same(onL1, await blockTxHashes(sequencer.httpUrl, sealed.number), 'L2 blocks 1..head each appear exactly once, in order, with their txs')
  const txsOnL1 = onL1.flat()
  t.equal(new Set(txsOnL1).size, txsOnL1.length, 'no tx posted twice')

  await untilHead(replica.httpUrl, sealed, 'the replica')
  t.same(await head(replica.httpUrl), await head(sequencer.httpUrl), 'replica head == restarted sequencer head: number, hash and state root')
  const missing: string[] = []
  for (const hash of acknowledged) {
    const [onSequencer, onReplica] = await Promise.all([sequencer.httpUrl, replica.httpUrl].map(async (url) => (await rpc(url, 'eth_getTransactionReceipt', [hash])).result))
    if (onSequencer?.status !== '0x1' || JSON.stringify(onReplica) !== JSON.stringify(onSequencer)) missing.push(hash)
  }
  t.same(missing, [], `every one of the ${acknowledged.length} acknowledged txs has the same successful receipt on both`)
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')
  t.same(
    sequencer.lines.filter((line) => line.includes('"module":"batcher"') && line.includes('"level":50')),
    [],
    'the restarted batcher logged no error',
  )
})

/**
 * Issue 3, end to end: the sequencer process is killed with SIGKILL while its batcher has a chunk
 * tx in the L1 pool (anvil mines every 0.5 s, so each chunk tx waits there), under a steady stream
 * of bets, and restarted on the same datadir. Afterwards the inbox holds every L2 block exactly
 * once: its chunks are numbered 0..N-1 without gap or repeat, each (batchIndex, chunkIndex) is the
 * next one, and decoded they carry the sequencer's blocks 1..head in order, no block twice and none
 * missing. A replica that followed L1 throughout ends at the restarted sequencer's head hash and
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

t.test('sequencer_sigkillWhileChunkTxPending_restart_postsEveryBlockOnce_replicaAgrees', async (t) => {
  const datadir = join(rig.dir, 'sequencer')
  let sequencer = await startSequencer(rig, datadir, sequencerFlags)
  const replica = await startReplica(rig, join(rig.dir, 'replica'))
  t.teardown(() => replica.stop())
  const bettors = new Bettors(bettorAccounts(BETTORS))
  const acknowledged: Hex[] = []

  acknowledged.push(await sendRaw(sequencer.httpUrl, bettors.createMarket()))
  // bets keep coming, five every 100 ms, until the sequencer stops answering
  let sent = 0
  const sending = (async () => {
    for (;;) {
      try {
        for (let i = 0; i < 5; i++) acknowledged.push(await sendRaw(sequencer.httpUrl, bettors.bet(sent++)))
      } catch {
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()

  await until(`the inbox to hold ${KILL_AFTER_CHUNKS} chunks`, async () => (await inboxChunkCount(rig)) >= KILL_AFTER_CHUNKS, 30_000, 50)
  await until('a chunk tx of the batcher in the L1 pool', chunkTxPending, 30_000, 10)
  await sequencer.kill()
  const killedAt = await inboxChunkCount(rig)
  t.comment(`SIGKILL with ${killedAt} chunks on L1 and a chunk tx pending (pool: ${await chunkTxPending()}); ${acknowledged.length} txs acknowledged`)
  await sending
  const beforeRestart = acknowledged.length

  sequencer = await startSequencer(rig, datadir, sequencerFlags)
  t.teardown(() => sequencer.stop())
  for (const hash of acknowledged) {
    const { result } = await rpc(sequencer.httpUrl, 'eth_getTransactionReceipt', [hash])
    if (result?.status !== '0x1') t.fail(`acknowledged tx ${hash} after the restart: ${JSON.stringify(result)}`)
  }
  t.pass(`all ${beforeRestart} txs acknowledged before the kill are on the restarted sequencer, succeeded`)

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
  t.ok(chunks.length > Number(killedAt), 'chunks were posted after the restart')
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
  const recovery = sequencer.lines.filter((line) => /adopting the chunk tx|found our chunk on L1/.test(line)).map((line) => JSON.parse(line).msg as string)
  t.comment(`the restarted batcher: ${recovery.join('; ') || 'no chunk of its own to recover'}`)
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')
  t.same(
    sequencer.lines.filter((line) => line.includes('"module":"batcher"') && line.includes('"level":50')),
    [],
    'the restarted batcher logged no error',
  )
})

/**
 * Issue 3, end to end: an L1 reorg (anvil_reorg) drops the L1 blocks holding the last two chunks
 * the sequencer's batcher posted, after a replica process has derived them. The batcher sees its
 * chunks gone and posts them again, the same bytes in the same places (they are the middle of one
 * batch, whose plan it keeps), and the replica rewinds and ends at the sequencer's head hash and
 * state root.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Hex } from 'viem'
import { Bettors, bettorAccounts, head, inboxChunkCount, inboxChunks, rpc, sendRaw, startReplica, startRig, startSequencer, untilAllPosted, untilHead, until, untilSealed } from './rig.ts'

const BETTORS = 100
const DEPTH = 2

const rig = await startRig({ bettors: BETTORS })
t.teardown(() => rig.close())

t.test('l1Reorg_dropsLastPostedChunks_batcherRepostsThem_replicaRewindsToSequencerHead', async (t) => {
  const sequencer = await startSequencer(rig, join(rig.dir, 'sequencer'), ['--block-time', '100', '--batch-interval', '200', '--max-chunk-bytes', '1000'])
  t.teardown(() => sequencer.stop())
  const replica = await startReplica(rig, join(rig.dir, 'replica'))
  t.teardown(() => replica.stop())
  const bettors = new Bettors(bettorAccounts(BETTORS))

  await sendRaw(sequencer.httpUrl, bettors.createMarket())
  const hashes: Hex[] = []
  for (let round = 0; round < 2; round++) {
    // one bet from each bettor at once: ~100 bets in a block or two, several 1,000-byte chunks each
    hashes.push(...(await Promise.all(Array.from({ length: BETTORS }, (_, i) => sendRaw(sequencer.httpUrl, bettors.bet(round * BETTORS + i))))))
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  await untilSealed(sequencer.httpUrl, hashes[hashes.length - 1])
  const sealed = await untilAllPosted(rig, sequencer.httpUrl)
  await untilHead(replica.httpUrl, sealed, 'the replica')

  const before = await inboxChunks(rig)
  const last = before.slice(-DEPTH)
  const l1Blocks = await Promise.all(last.map(async (c) => (await rig.l1.publicClient.getTransactionReceipt({ hash: c.txHash })).blockNumber))
  const l1Head = await rig.l1.publicClient.getBlockNumber({ cacheTime: 0 })
  t.same(l1Blocks, [l1Head - 1n, l1Head], `the last ${DEPTH} chunks are alone in the last ${DEPTH} L1 blocks`)
  t.ok(last[0].chunkIndex >= 1, `the dropped chunks (batch ${last[0].batchIndex}, chunks ${last.map((c) => c.chunkIndex).join(', ')}) follow a chunk of their batch that stays`)

  // no mining while the reorg is looked at, so the batcher's re-post cannot land before
  await rig.l1.testClient.setAutomine(false)
  await rig.l1.testClient.request({ method: 'anvil_reorg', params: [DEPTH, []] } as never)
  t.equal(await inboxChunkCount(rig), BigInt(before.length - DEPTH), `the reorg took ${DEPTH} chunks off the inbox`)
  t.equal(await rig.l1.publicClient.getBlockNumber({ cacheTime: 0 }), l1Head, 'L1 is as high as before, on other blocks')
  await rig.l1.testClient.mine({ blocks: 1 })
  await rig.l1.testClient.setAutomine(true)

  await until('the batcher to post the dropped chunks again', async () => (await inboxChunkCount(rig)) >= BigInt(before.length), 30_000, 200)
  const after = await inboxChunks(rig)
  const position = (c: (typeof before)[number]) => ({ n: c.n, batchIndex: c.batchIndex, chunkIndex: c.chunkIndex, hash: c.hash })
  t.same(after.map(position), before.map(position), 'the inbox holds the same chunks as before the reorg: count, positions and hashes')
  t.not(after.at(-1)!.txHash, before.at(-1)!.txHash, 'the last chunk is in a new L1 tx')

  // the re-posted chunks give the same head: the replica's log is what tells it rewound
  const logged = (node: { lines: string[] }, msg: string) => node.lines.some((line) => line.includes(`"msg":"${msg}"`))
  await until('the replica to notice the reorg and rewind', () => logged(replica, 'rewound'), 30_000)
  await untilHead(replica.httpUrl, sealed, 'the replica after the reorg')
  t.same(await head(replica.httpUrl), await head(sequencer.httpUrl), 'replica head == sequencer head: number, hash and state root')
  const sample = [hashes[0], hashes[150], hashes[hashes.length - 1]]
  for (const hash of sample) {
    const [onSequencer, onReplica] = await Promise.all([sequencer.httpUrl, replica.httpUrl].map(async (url) => (await rpc(url, 'eth_getTransactionReceipt', [hash])).result))
    t.same(onReplica, onSequencer, `receipt of ${hash.slice(0, 10)} is the same on both`)
  }
  t.ok(logged(sequencer, 'an L1 reorg dropped posted chunks: rewinding to re-post them'), 'the batcher saw its chunks dropped')
  const rewound = JSON.parse(replica.lines.find((line) => line.includes('"msg":"rewound"'))!)
  t.ok(rewound.l2To < rewound.l2From, `the replica took back the block it had derived from the dropped chunks: rewound from L2 block ${rewound.l2From} to ${rewound.l2To} (L1 ${rewound.l1})`)
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')
})

/**
 * Issue 3, end to end: a sequencer process with its batcher takes 1,000 bets from 100 bettors and
 * posts them to a real anvil; a replica process started afterwards on an empty datadir, with only
 * --l1-rpc and --rollup (nothing from the sequencer), reaches the sequencer's head block hash and
 * state root from L1 alone, and serves the same receipts. A second replica, SIGKILLed while it
 * catches up and restarted on its datadir, reaches the same head.
 */
import { join } from 'node:path'
import t from 'tap'
import type { Hex } from 'viem'
import { Bettors, bettorAccounts, blockTxHashes, head, inboxChunkCount, rpc, sendRaw, startReplica, startRig, startSequencer, untilAllPosted, untilHead, until } from './rig.ts'

const BETS = 1_000
const BETTORS = 100

const rig = await startRig({ bettors: BETTORS })
t.teardown(() => rig.close())

t.test('replica_emptyDatadir_after1000Bets_reachesSequencerHeadFromL1Alone', async (t) => {
  const sequencer = await startSequencer(rig, join(rig.dir, 'sequencer'), ['--block-time', '100', '--batch-interval', '500'])
  t.teardown(() => sequencer.stop())
  const bettors = new Bettors(bettorAccounts(BETTORS))

  await sendRaw(sequencer.httpUrl, bettors.createMarket())
  const hashes: Hex[] = []
  // a round sends one bet from each bettor at once, so no bettor's nonces race each other
  for (let round = 0; round < BETS / BETTORS; round++) {
    const raws = Array.from({ length: BETTORS }, (_, i) => bettors.bet(round * BETTORS + i))
    hashes.push(...(await Promise.all(raws.map((raw) => sendRaw(sequencer.httpUrl, raw)))))
  }
  t.equal(hashes.length, BETS, 'every bet preconfirmed')
  await until('the last bets to be sealed', async () => {
    const receipts = await Promise.all(hashes.slice(-BETTORS).map(async (hash) => (await rpc(sequencer.httpUrl, 'eth_getTransactionReceipt', [hash])).result))
    return receipts.every((r) => r !== null && r.preconfirmed !== true && BigInt(r.blockNumber) > 0n)
  })
  const sealed = await untilAllPosted(rig, sequencer.httpUrl)
  t.same(await head(sequencer.httpUrl), sealed, 'the sequencer is idle: its head is the one posted')
  const chunks = await inboxChunkCount(rig)
  t.ok(chunks > 0n, `the inbox holds ${chunks} chunks carrying ${sealed.number} L2 blocks`)

  const replica = await startReplica(rig, join(rig.dir, 'replica'))
  t.teardown(() => replica.stop())
  const started = performance.now()
  await untilHead(replica.httpUrl, sealed, 'the replica', 80_000)
  t.comment(`replica derived ${sealed.number} L2 blocks (${BETS} bets) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  t.same(await head(replica.httpUrl), sealed, 'replica head == sequencer head: number, hash and state root')
  t.same(await blockTxHashes(replica.httpUrl, sealed.number), await blockTxHashes(sequencer.httpUrl, sealed.number), 'every block holds the same txs in the same order')

  // spot checks: receipts are byte for byte the same JSON on both
  const sample = [0, 1, 99, 100, 257, 500, 777, 998, 999].map((i) => hashes[i])
  for (const hash of sample) {
    const [onSequencer, onReplica] = await Promise.all([sequencer.httpUrl, replica.httpUrl].map(async (url) => (await rpc(url, 'eth_getTransactionReceipt', [hash])).result))
    t.equal(onSequencer?.status, '0x1', `bet ${hash.slice(0, 10)} succeeded on the sequencer`)
    t.same(onReplica, onSequencer, `receipt of ${hash.slice(0, 10)} is the same on the replica`)
  }
  t.same(replica.lines.filter((line) => line.includes('"level":60')), [], 'the replica logged nothing fatal')

  // a second replica, SIGKILLed while it catches up, resumes from its checkpoints on the same datadir
  const datadir = join(rig.dir, 'replica-killed')
  let second = await startReplica(rig, datadir)
  await until('the second replica to derive half the blocks', async () => (await head(second.httpUrl)).number >= sealed.number / 2n, 60_000, 20)
  await second.kill()
  second = await startReplica(rig, datadir)
  t.teardown(() => second.stop())
  const resumedAt = await head(second.httpUrl)
  t.comment(`second replica killed while catching up; it restarted at L2 block ${resumedAt.number} of ${sealed.number}`)
  await untilHead(second.httpUrl, sealed, 'the restarted second replica', 80_000)
  t.same(await head(second.httpUrl), sealed, 'the replica killed mid-derivation and restarted reaches the sequencer head')
  t.same(second.lines.filter((line) => line.includes('"level":60')), [], 'the restarted replica logged nothing fatal')
})

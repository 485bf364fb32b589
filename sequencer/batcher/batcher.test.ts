/**
 * The batcher on a real anvil with the real L1 contracts and a real in-process sequencer: what it
 * posts decodes back to the sealed blocks; restarts, L1 reorgs, stuck and dropped txs neither
 * duplicate nor skip a chunk.
 */
import t, { type Test } from 'tap'
import { hexToBytes, type Hex } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { decodeChunk } from '../../sdk/src/batch/index.ts'
import { MAX_BATCH_RECORDS } from '../../sdk/src/constants.ts'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { sequencer, startL1, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'
import { Batcher } from './batcher.ts'
import { BatcherConfigError, BatcherCriticalError } from './errors.ts'
import {
  blocksFromChunks,
  chunkCommitmentOf,
  chunkKeccakMatches,
  logger,
  readPostedChunks,
  sealedBlocks,
  startRig,
  waitFor,
  waitUntilAllPosted,
  type PostedChunkTx,
  type Rig,
} from './testing.ts'

const l1: L1 = await startL1()
t.teardown(() => l1.anvil.stop())

async function rig(t: Test): Promise<Rig> {
  const r = await startRig(l1)
  t.teardown(() => r.close())
  return r
}

function manualMining(t: Test): void {
  t.teardown(() => l1.testClient.setAutomine(true))
}

/** Everything the inbox holds: in order, hashes right, and decoding to exactly the sealed blocks 1..head. */
async function checkInbox(t: Test, r: Rig, head: bigint): Promise<PostedChunkTx[]> {
  const chunks = await readPostedChunks(l1, r.deployment.inbox)
  const count = await l1.publicClient.readContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'chunkCount' })
  t.equal(BigInt(chunks.length), count, 'one ChunkPosted per chunk the inbox counts')
  t.ok(
    chunks.every((c, i) => c.n === BigInt(i)),
    'chunk numbers 0..n-1, in order',
  )
  t.ok(
    chunks.every((c, i) => {
      if (i === 0) return c.batchIndex === 0n && c.chunkIndex === 0
      const p = chunks[i - 1]
      return (c.batchIndex === p.batchIndex && c.chunkIndex === p.chunkIndex + 1) || (c.batchIndex === p.batchIndex + 1n && c.chunkIndex === 0)
    }),
    'batch and chunk indexes in order',
  )
  t.ok(chunkKeccakMatches(chunks), 'each chunk event hash is keccak256 of its calldata')
  t.ok(
    chunks.every((c, i) => c.isLast === (i + 1 === chunks.length || chunks[i + 1].batchIndex !== c.batchIndex)),
    'isLast exactly on the last chunk of each batch (the batcher is idle: every batch is closed)',
  )
  for (const c of chunks) {
    const stored = await l1.publicClient.readContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'chunkCommitment', args: [c.n] })
    if (stored !== c.commitment || stored !== chunkCommitmentOf(c)) t.fail(`inbox chunkCommitment(${c.n}) is ${stored}, the event's ${c.commitment}, its fields' ${chunkCommitmentOf(c)}`)
    if (c.isLast) {
      const [firstChunk, count] = await l1.publicClient.readContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'batchChunks', args: [c.batchIndex] })
      if (firstChunk + BigInt(count) !== c.n + 1n || firstChunk !== c.n - BigInt(c.chunkIndex)) t.fail(`batchChunks(${c.batchIndex}) is ${firstChunk}+${count}, its last chunk ${c.n}`)
    }
  }
  const decoded = blocksFromChunks(
    chunks.map((c) => c.data),
    r.node.chainId,
  )
  t.equal(decoded.skipped, 0, 'no record skipped')
  t.same(decoded.blocks, await sealedBlocks(r.node, head), `the chunks decode to sealed blocks 1..${head}: timestamps and txs, in order`)
  return chunks
}

async function sequencerNonce(): Promise<number> {
  return l1.publicClient.getTransactionCount({ address: sequencer.address })
}

t.test('postsSealedBlocks_inOrder_decodeToTheSameBlocks', async (t) => {
  const r = await rig(t)
  const nonceBefore = await sequencerNonce()
  const batcher = r.batcher({ maxChunkBytes: 1_500, batchIntervalMs: 500 })
  await batcher.start()
  const bets = 300
  await r.placeBets(bets, 30)
  const head = await waitUntilAllPosted(r, batcher)
  t.ok(head >= 10n, `bets went into several blocks (${head})`)
  const chunks = await checkInbox(t, r, head)
  t.ok(chunks.some((c) => c.chunkIndex > 0), 'some batch took more than one chunk')
  t.equal((await sequencerNonce()) - nonceBefore, chunks.length, 'one L1 tx per chunk: none reverted, none wasted')
  const bytes = chunks.reduce((sum, c) => sum + (c.data.length - 2) / 2, 0)
  const gas = chunks.reduce((sum, c) => sum + c.gasUsed, 0n)
  t.comment(
    `${bets} bets in ${head} blocks -> ${chunks.length} chunks (max 1500 B), ${bytes} B: ${(bytes / bets).toFixed(1)} B/bet with block starts; ` +
      `gas ${gas / BigInt(chunks.length)} per chunk, ${(Number(gas) / bets).toFixed(0)} per bet`,
  )
})

t.test('oneLargeBatch_defaultChunkSize_gasAndBytesPerBet', async (t) => {
  const r = await rig(t)
  const bets = 1_000
  await r.placeBets(bets, 1_000)
  await new Promise((resolve) => setTimeout(resolve, 150))
  const batcher = r.batcher()
  await batcher.start()
  const head = await waitUntilAllPosted(r, batcher)
  const chunks = await checkInbox(t, r, head)
  const bytes = chunks.reduce((sum, c) => sum + (c.data.length - 2) / 2, 0)
  const gas = chunks.reduce((sum, c) => sum + c.gasUsed, 0n)
  t.comment(`${bets} bets (+1 createMarket) in ${head} blocks -> ${chunks.length} chunk(s), ${bytes} B: ${(bytes / bets).toFixed(1)} B/bet; gas ${gas} total, ${(Number(gas) / bets).toFixed(0)} per bet`)
})

t.test('recordCap_batchesCutToFitATrace', async (t) => {
  const r = await rig(t)
  const maxBatchRecords = 25
  await r.placeBets(120, 10)
  await new Promise((resolve) => setTimeout(resolve, 150))
  // every block is sealed before the batcher starts and the byte budget is large: only the record cap cuts
  const batcher = r.batcher({ maxBatchRecords, batchIntervalMs: 50, maxBatchBytes: 1_000_000 })
  await batcher.start()
  const head = await waitUntilAllPosted(r, batcher)
  const chunks = await checkInbox(t, r, head)
  const batches = new Map<bigint, number>()
  for (const c of chunks) batches.set(c.batchIndex, (batches.get(c.batchIndex) ?? 0) + decodeChunk(hexToBytes(c.data), { chainId: r.node.chainId }).records.length)
  t.ok(batches.size > 1, `the cap cut ${head} blocks into ${batches.size} batches`)
  t.ok([...batches.values()].every((records) => records <= maxBatchRecords), `every batch decodes to at most ${maxBatchRecords} records: ${[...batches.values()].join(', ')}`)
  t.throws(() => r.batcher({ maxBatchRecords: MAX_BATCH_RECORDS + 1 }), BatcherConfigError, 'no cap above what OutputRoots takes')
})

t.test('restart_midway_neitherDuplicatesNorSkips', async (t) => {
  const r = await rig(t)
  const nonceBefore = await sequencerNonce()
  const opts = { maxChunkBytes: 1_000, batchIntervalMs: 50 }
  await r.placeBets(200, 20)
  const first = r.batcher(opts)
  await first.start()
  await waitFor('three chunks posted', () => (first.posted?.chunksPosted ?? 0n) >= 3n)
  await first.stop()
  const stoppedAt = first.posted!
  t.ok(stoppedAt.batch !== undefined && stoppedAt.chunksPosted > stoppedAt.batch.firstChunk, `stopped inside batch ${stoppedAt.batch?.batchIndex}, after ${stoppedAt.chunksPosted} chunks`)
  await r.placeBets(100, 20)
  const second = r.batcher(opts)
  await second.start()
  t.ok(second.posted!.chunksPosted === stoppedAt.chunksPosted, 'the new batcher resumes from the stored progress')
  const head = await waitUntilAllPosted(r, second)
  const chunks = await checkInbox(t, r, head)
  t.equal((await sequencerNonce()) - nonceBefore, chunks.length, 'one L1 tx per chunk across the restart')
})

t.test('restart_chunkMinedButNotRecorded_foundOnL1NotReposted', async (t) => {
  const r = await rig(t)
  manualMining(t)
  const nonceBefore = await sequencerNonce()
  await r.placeBets(60, 20)
  await l1.testClient.setAutomine(false)
  const first = r.batcher({ maxChunkBytes: 1_500 })
  await first.start()
  await waitFor('a chunk tx in flight', () => first.posted?.inflight !== undefined)
  await first.stop()
  t.equal(first.posted!.chunksPosted, 0n, 'stopped before the receipt: nothing recorded as posted')
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  const second = r.batcher({ maxChunkBytes: 1_500 })
  await second.start()
  const head = await waitUntilAllPosted(r, second)
  const chunks = await checkInbox(t, r, head)
  t.equal(chunks[0].txHash, first.posted!.inflight!.txHashes[0], 'chunk 0 is the tx the first batcher sent')
  t.equal((await sequencerNonce()) - nonceBefore, chunks.length, 'no chunk sent twice')
})

t.test('restart_chunkStillPending_adoptedNotSentBeside', async (t) => {
  const r = await rig(t)
  manualMining(t)
  const nonceBefore = await sequencerNonce()
  await r.placeBets(60, 20)
  await l1.testClient.setAutomine(false)
  const first = r.batcher({ maxChunkBytes: 1_500 })
  await first.start()
  await waitFor('a chunk tx in flight', () => first.posted?.inflight !== undefined)
  await first.stop()
  const pending = first.posted!.inflight!.txHashes[0]
  const second = r.batcher({ maxChunkBytes: 1_500 })
  await second.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(second.posted!.inflight?.txHashes, [pending], 'the new batcher waits for the pending tx rather than sending another')
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  const head = await waitUntilAllPosted(r, second)
  const chunks = await checkInbox(t, r, head)
  t.equal(chunks[0].txHash, pending)
  t.equal((await sequencerNonce()) - nonceBefore, chunks.length, 'no chunk sent twice')
})

t.test('l1Reorg_dropsPostedChunks_repostedFromTheFirstMissing', async (t) => {
  const r = await rig(t)
  const batcher = r.batcher({ maxChunkBytes: 1_500 })
  await batcher.start()
  await r.placeBets(100, 20)
  const head = await waitUntilAllPosted(r, batcher)
  const before = await readPostedChunks(l1, r.deployment.inbox)
  t.ok(before.length >= 3, `${before.length} chunks posted`)
  const count = () => l1.publicClient.readContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'chunkCount' })
  // Each chunk tx is alone in its block (automine): a depth-2 reorg into empty blocks drops the last two.
  await l1.testClient.request({ method: 'anvil_reorg', params: [2, []] } as never)
  t.equal(await count(), BigInt(before.length - 2), 'the reorg took two chunks off the inbox')
  const kept = before.length - 2
  await waitFor(
    'the dropped blocks posted again',
    async () => batcher.posted!.chunksPosted > BigInt(kept) && batcher.posted!.batch === undefined && (await count()) === batcher.posted!.chunksPosted,
  )
  // every block posted again, then stopped: no chunk lands while the inbox is read
  await waitUntilAllPosted(r, batcher)
  await batcher.stop()
  const after = await checkInbox(t, r, head)
  t.same(
    after.slice(0, kept).map((c) => c.txHash),
    before.slice(0, kept).map((c) => c.txHash),
    'the chunks before the reorg untouched',
  )
  t.ok(
    after.slice(kept).every((c) => !before.some((b) => b.txHash === c.txHash)),
    'the blocks of the dropped chunks re-posted in new txs',
  )
})

async function txFees(hash: Hex) {
  const tx = await l1.publicClient.getTransaction({ hash })
  return { nonce: tx.nonce, maxFeePerGas: tx.maxFeePerGas!, maxPriorityFeePerGas: tx.maxPriorityFeePerGas! }
}

function atLeastBumped(t: Test, bumped: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }, original: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }) {
  t.ok(bumped.maxFeePerGas * 8n >= original.maxFeePerGas * 9n, `maxFeePerGas ${original.maxFeePerGas} -> ${bumped.maxFeePerGas} (+12.5% at least)`)
  t.ok(bumped.maxPriorityFeePerGas * 8n >= original.maxPriorityFeePerGas * 9n, `priority fee ${original.maxPriorityFeePerGas} -> ${bumped.maxPriorityFeePerGas} (+12.5% at least)`)
}

t.test('stuckTx_replacedWithBumpedFees', async (t) => {
  const r = await rig(t)
  manualMining(t)
  await r.placeBets(10)
  await l1.testClient.setAutomine(false)
  // long enough to read the original from the pool before it is replaced: its hash is recorded
  // (onSigned) just before it is sent
  const batcher = r.batcher({ resubmitAfterMs: 1_500 })
  await batcher.start()
  await waitFor('a chunk tx in flight', () => batcher.posted?.inflight !== undefined)
  const [originalHash] = batcher.posted!.inflight!.txHashes
  await waitFor('the original in the pool', async () => (await l1.publicClient.getTransaction({ hash: originalHash }).catch(() => undefined)) !== undefined)
  const original = await txFees(originalHash)
  await waitFor('the stuck tx replaced', () => (batcher.posted?.inflight?.txHashes.length ?? 0) >= 2)
  const replacementHash = batcher.posted!.inflight!.txHashes[1]
  await waitFor('the replacement in the pool', async () => (await l1.publicClient.getTransaction({ hash: replacementHash }).catch(() => undefined)) !== undefined)
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  const head = await waitUntilAllPosted(r, batcher)
  const [chunk] = await checkInbox(t, r, head)
  const mined = await txFees(chunk.txHash)
  t.not(chunk.txHash, originalHash, 'the replacement was mined, not the original')
  t.equal(mined.nonce, original.nonce, 'same nonce')
  atLeastBumped(t, mined, original)
})

t.test('droppedTx_resentWithBumpedFees', async (t) => {
  const r = await rig(t)
  manualMining(t)
  await r.placeBets(10)
  await l1.testClient.setAutomine(false)
  const batcher = r.batcher({ resubmitAfterMs: 600_000 })
  await batcher.start()
  await waitFor('a chunk tx in flight', () => batcher.posted?.inflight !== undefined)
  const [first] = batcher.posted!.inflight!.txHashes
  await waitFor('the tx in the pool', async () => (await l1.publicClient.getTransaction({ hash: first }).catch(() => undefined)) !== undefined)
  const original = await txFees(first)
  await l1.testClient.dropTransaction({ hash: first })
  await waitFor('the dropped tx re-sent', () => (batcher.posted?.inflight?.txHashes.length ?? 0) >= 2)
  const second = batcher.posted!.inflight!.txHashes[1]
  await waitFor('the re-sent tx in the pool', async () => (await l1.publicClient.getTransaction({ hash: second }).catch(() => undefined)) !== undefined)
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  const head = await waitUntilAllPosted(r, batcher)
  const [chunk] = await checkInbox(t, r, head)
  t.equal(chunk.txHash, second, 'the re-sent tx posted the chunk')
  const mined = await txFees(chunk.txHash)
  t.equal(mined.nonce, original.nonce, 'same nonce')
  atLeastBumped(t, mined, original)
})

t.test('l1Down_retriesAndKeepsRunning', async (t) => {
  const r = await rig(t)
  const batcher = new Batcher(
    { l1RpcUrl: 'http://127.0.0.1:9', inbox: r.deployment.inbox, privateKey: generatePrivateKey(), pollIntervalMs: 20, retryMinMs: 10, retryMaxMs: 40 },
    { chain: r.node.node.chain, store: r.node.node.chain.store, logger },
  )
  await batcher.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(batcher.state, 'running', 'still running, retrying')
  await batcher.stop()
  t.equal(batcher.state, 'stopped')
})

t.test('wrongKey_stopsWithACriticalError', async (t) => {
  const r = await rig(t)
  const batcher = r.batcher({ privateKey: generatePrivateKey() })
  await batcher.start()
  await waitFor('the batcher to stop', () => batcher.state === 'failed')
  t.ok(batcher.error instanceof BatcherCriticalError)
  t.match(batcher.error?.message, /takes chunks from/)
})

t.test('chunkTxReverted_reconciledWithTheInbox_foreignChunkStops', async (t) => {
  const r = await rig(t)
  manualMining(t)
  await r.placeBets(10)
  await l1.testClient.setAutomine(false)
  // Another writer with the sequencer's key gets a chunk 0 in first: the batcher's own chunk 0 then reverts.
  const foreign = await l1.wallet(sequencer).writeContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, 0, false, '0x01ff'] })
  const batcher = r.batcher()
  await batcher.start()
  await waitFor('the batcher chunk tx in flight', () => batcher.posted?.inflight !== undefined)
  await l1.testClient.mine({ blocks: 1 })
  await waitFor('the batcher to stop', () => batcher.state === 'failed')
  const ours = await l1.publicClient.getTransactionReceipt({ hash: batcher.posted!.inflight!.txHashes[0] })
  t.equal(ours.status, 'reverted', "the batcher's chunk 0 reverted")
  t.equal((await l1.publicClient.getTransactionReceipt({ hash: foreign })).status, 'success')
  t.ok(batcher.error instanceof BatcherCriticalError)
  t.match(batcher.error?.message, /inbox chunk 0 is batch 0 chunk 0 \(last: false\) with data 0x[0-9a-f]+, but the batcher's is batch 0 chunk 0/, 'the inbox holds a chunk the batcher did not make: it stops and says so')
  t.equal(batcher.posted!.chunksPosted, 0n, 'nothing recorded as posted')
})

/**
 * The proposer on a real anvil with the real L1 contracts, the real batcher, a real in-process
 * sequencer and a real commitment worker: one output per posted batch, with the roots of the
 * batch's last L2 block, the worker's trace of the batch's chunks on L1, and the bond; restarts,
 * duplicates, dropped txs and L1 reorgs neither propose a batch twice nor skip one.
 */
import t, { type Test } from 'tap'
import { bytesToHex, hexToBytes, keccak256, parseEther, toHex, type Hex } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { outputRootsAbi, rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../../sdk/src/l1/encoding.ts'
import { deployL1 } from '../../scripts/l1/deploy.ts'
import { genesisLeaf } from '../../node/rollup/genesisLeaf.ts'
import type { CommitmentWorker } from '../../node/trace/commitmentWorker.ts'
import { merkleRoot } from '../../node/trace/merkle.ts'
import { deployer, MIN_BOND, proposer, sequencer, startL1, TEST_GENESIS_LEAF, testTrace, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'
import { readPostedChunks, sequencerKey, startRig, waitFor, waitUntilAllPosted, type Rig } from '../batcher/testing.ts'
import { ProposerCriticalError } from './errors.ts'
import { InflightProposalStore } from './inflight.ts'
import type { ProposerOptionsInput } from './options.ts'
import type { Proposer, ProposerModules } from './proposer.ts'
import { expectedOutputs, newProposer, outputCount, proposerNonce, readOutputs, startTraceWorker, workerTrace, type Output } from './testing.ts'

const l1: L1 = await startL1()
t.teardown(() => l1.anvil.stop())

interface ProposerRig extends Rig {
  worker: CommitmentWorker
  proposer(opts?: Partial<ProposerOptionsInput>, modules?: Partial<ProposerModules>): Proposer
}

async function rig(t: Test): Promise<ProposerRig> {
  const r = await startRig(l1)
  const worker = await startTraceWorker(r)
  const proposers: Proposer[] = []
  t.teardown(async () => {
    for (const p of proposers) await p.stop()
    await worker.stop()
    await r.close()
  })
  return {
    ...r,
    worker,
    proposer: (opts, modules) => {
      const p = newProposer(r, opts, { batchTrace: workerTrace(worker), ...modules })
      proposers.push(p)
      return p
    },
  }
}

/** The chunk bytes of batch `batchIndex` as the inbox holds them. */
async function chunksOf(r: Rig, batchIndex: bigint): Promise<Uint8Array[]> {
  return (await readPostedChunks(l1, r.deployment.inbox)).filter((c) => c.batchIndex === batchIndex).map((c) => hexToBytes(c.data))
}

/** An honest proposeOutput's args for batch `batchIndex`: its last block's roots, the worker's trace of its chunks on L1. */
async function honestProposal(r: ProposerRig, batchIndex: bigint) {
  const expected = await expectedOutputs(r)
  const toBlock = expected[Number(batchIndex)].l2BlockNumber
  const fromBlock = batchIndex === 0n ? 1n : expected[Number(batchIndex) - 1].l2BlockNumber + 1n
  const block = (await r.node.node.chain.store.getBlockByNumber(toBlock))!
  const { leaves, lastLeaf } = await r.worker.traceBatch({ batchIndex, fromBlock, toBlock }, await chunksOf(r, batchIndex))
  return [batchIndex, bytesToHex(block.header.stateRoot), bytesToHex(block.hash()), toBlock, lastLeaf, leaves] as const
}

/** The leaf a batch after one ending in `lastLeaf` starts with: words 5..8 (the position) zeroed. */
function batchStartLeaf(lastLeaf: Hex): Hex {
  return keccak256(`${lastLeaf.slice(0, 2 + 2 * 160)}${'00'.repeat(128)}` as Hex)
}

function manualMining(t: Test): void {
  t.teardown(() => l1.testClient.setAutomine(true))
}

/** Bets in several blocks, all posted by a batcher that is then stopped: L1 holds batches and no outputs. */
async function postedBatches(r: ProposerRig, bets = 120): Promise<bigint> {
  const batcher = r.batcher({ maxChunkBytes: 1_500 })
  await batcher.start()
  await r.placeBets(bets, 20)
  await waitUntilAllPosted(r, batcher)
  await batcher.stop()
  return batcherCount(r)
}

async function batcherCount(r: Rig): Promise<bigint> {
  return (await l1.publicClient.readContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'lastBatchIndex' })) + 1n
}

async function chunkCount(r: Rig): Promise<bigint> {
  return l1.publicClient.readContract({ address: r.deployment.inbox, abi: rollbookInboxAbi, functionName: 'chunkCount' })
}

async function waitForOutputs(r: Rig, p: Proposer, count: bigint): Promise<void> {
  await waitFor(`${count} outputs (proposer ${p.state}: ${p.error?.message ?? ''})`, async () => p.state === 'running' && (await outputCount(l1, r.deployment.outputRoots)) >= count)
}

/**
 * The outputs on L1: one per batch the inbox holds, in order, each the roots of the batch's last L2
 * block, with `bond`, and a trace: by default the worker's trace of the batch's chunks on L1.
 */
async function checkOutputs(t: Test, r: ProposerRig, opts: { bond?: bigint; trace?: (o: Output) => Promise<readonly [Hex, readonly Hex[]]> } = {}): Promise<Output[]> {
  const outputs = await readOutputs(l1, r.deployment.outputRoots)
  const expected = await expectedOutputs(r)
  t.ok(expected.length > 0, `${expected.length} batches posted`)
  t.equal(await outputCount(l1, r.deployment.outputRoots), BigInt(expected.length), 'outputCount is the number of batches')
  t.same(
    outputs.map((o) => ({ batchIndex: o.batchIndex, l2BlockNumber: o.l2BlockNumber, outputRoot: o.outputRoot })),
    expected,
    'one output per batch, in order: the last L2 block of the batch and its output root, recomputed from the block',
  )
  const bond = opts.bond ?? MIN_BOND
  t.ok(
    outputs.every((o) => o.bond === bond),
    `each output bonded with ${bond} wei`,
  )
  t.ok(
    outputs.every((o) => computeOutputRoot(o.stateRoot, o.blockHash) === o.outputRoot),
    'each output root is of the state root and block hash the output carries',
  )
  t.ok(
    outputs.every((o) => o.leafCount === o.leaves.length && o.traceRoot === bytesToHex(merkleRoot(o.leaves.map((l) => hexToBytes(l))))),
    "each trace root is the padded tree of the posted leaves (node/trace/merkle.ts)",
  )
  const genesis = await genesisLeaf(r.node.node.chain.genesis)
  t.ok(
    outputs.every((o, i) => o.leaves[0] === (i === 0 ? genesis : batchStartLeaf(outputs[i - 1].lastLeaf))),
    "the traces chain: batch 0's from the L2 genesis's leaf, each later one from its predecessor's last state at position zero",
  )
  const trace = opts.trace ?? (async (o: Output) => (await honestProposal(r as ProposerRig, o.batchIndex)).slice(4) as [Hex, readonly Hex[]])
  for (const o of outputs) {
    const [lastLeaf, leaves] = await trace(o)
    if (o.lastLeaf !== lastLeaf || o.leaves.join() !== leaves.join()) t.fail(`output ${o.batchIndex}: the posted trace is not the expected one`)
  }
  t.pass('each posted trace is the trace of the batch chunks on L1')
  t.equal(await l1.publicClient.getBalance({ address: r.deployment.outputRoots }), bond * BigInt(outputs.length), 'OutputRoots holds every bond')
  return outputs
}

t.test('proposesEveryPostedBatch_rootOfTheLastL2Block_bondPaid', async (t) => {
  const r = await rig(t)
  const nonceBefore = await proposerNonce(l1)
  const balanceBefore = await l1.publicClient.getBalance({ address: proposer.address })
  const batcher = r.batcher({ maxChunkBytes: 1_500, batchIntervalMs: 300 })
  const p = r.proposer()
  await batcher.start()
  await p.start()
  await r.placeBets(300, 30)
  await waitUntilAllPosted(r, batcher)
  const batches = await batcherCount(r)
  t.ok(batches >= 3n, `${batches} batches`)
  await waitForOutputs(r, p, batches)
  const outputs = await checkOutputs(t, r)
  t.equal(p.bond, MIN_BOND, "the bond is the contract's minBond")
  t.equal((await proposerNonce(l1)) - nonceBefore, outputs.length, 'one L1 tx per output: none reverted, none wasted')
  const spent = balanceBefore - (await l1.publicClient.getBalance({ address: proposer.address }))
  t.ok(spent > MIN_BOND * BigInt(outputs.length), 'the bonds left the proposer account (with the gas)')
  const receipts = await Promise.all(outputs.map((o) => l1.publicClient.getTransactionReceipt({ hash: o.txHash })))
  t.comment(`proposeOutput gas: ${receipts.map((rc) => rc.gasUsed).join(', ')}`)
})

t.test('configuredBond_andInjectedTrace_areWhatIsPosted', async (t) => {
  const r = await rig(t)
  const batches = await postedBatches(r)
  const given = new Map<bigint, { chunks: Uint8Array[]; trace: { leaves: Hex[]; lastLeaf: Hex } }>()
  const traced = workerTrace(r.worker)
  const p = r.proposer(
    { bond: MIN_BOND * 3n },
    {
      batchTrace: async (batch, chunks, l1Timestamps) => {
        const trace = await traced(batch, chunks, l1Timestamps)
        given.set(batch.batchIndex, { chunks, trace })
        return trace
      },
    },
  )
  await p.start()
  await waitForOutputs(r, p, batches)
  await checkOutputs(t, r, {
    bond: MIN_BOND * 3n,
    trace: async (o) => {
      const { trace } = given.get(o.batchIndex)!
      return [trace.lastLeaf, trace.leaves]
    },
  })
  for (const [batchIndex, { chunks }] of given) {
    t.same(chunks.map((c) => bytesToHex(c)), (await chunksOf(r, batchIndex)).map((c) => bytesToHex(c)), `batch ${batchIndex}: the trace function got the batch's chunk bytes from L1`)
  }
})

t.test('restart_midway_proposesNothingTwiceMissesNothing', async (t) => {
  const r = await rig(t)
  const nonceBefore = await proposerNonce(l1)
  const batcher = r.batcher({ maxChunkBytes: 1_500, batchIntervalMs: 200 })
  await batcher.start()
  await r.placeBets(150, 15)
  const first = r.proposer()
  await first.start()
  await waitForOutputs(r, first, 2n)
  await first.stop()
  const stoppedAt = await outputCount(l1, r.deployment.outputRoots)
  await r.placeBets(150, 15)
  await waitUntilAllPosted(r, batcher)
  t.ok((await batcherCount(r)) > stoppedAt + 1n, `more batches posted (${await batcherCount(r)}) while the proposer was down at ${stoppedAt} outputs`)
  const second = r.proposer()
  await second.start()
  await waitForOutputs(r, second, await batcherCount(r))
  const outputs = await checkOutputs(t, r)
  t.equal((await proposerNonce(l1)) - nonceBefore, outputs.length, 'one L1 tx per output across the restart')
})

t.test('restart_proposalStillPending_adoptedNotSentBeside', async (t) => {
  const r = await rig(t)
  manualMining(t)
  const batches = await postedBatches(r, 40)
  const nonceBefore = await proposerNonce(l1)
  await l1.testClient.setAutomine(false)
  const first = r.proposer()
  await first.start()
  await waitFor('a proposal tx in the pool', async () => (await proposerNonce(l1, 'pending')) > nonceBefore)
  await first.stop()
  const [pending] = (await new InflightProposalStore(r.node.node.chain.store).load())!.txHashes
  const second = r.proposer()
  await second.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await proposerNonce(l1, 'pending')) - nonceBefore, 1, 'the new proposer waits for the pending tx rather than sending another')
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  await waitForOutputs(r, second, batches)
  const outputs = await checkOutputs(t, r)
  t.equal(outputs[0].txHash, pending, 'output 0 is the tx the first proposer sent')
  t.equal((await proposerNonce(l1)) - nonceBefore, outputs.length, 'no output sent twice')
})

t.test('duplicate_sameOutputProposedFirst_revertIsTakenAsAlreadyProposed', async (t) => {
  const r = await rig(t)
  manualMining(t)
  const batches = await postedBatches(r, 40)
  t.ok(batches >= 2n, `${batches} batches`)
  const first = await honestProposal(r, 0n)
  await l1.testClient.setAutomine(false)
  // Another writer with the proposer's key gets the same output 0 in first: the proposer's own tx then reverts WrongBatchIndex.
  await l1.wallet(proposer).writeContract({ address: r.deployment.outputRoots, abi: outputRootsAbi, functionName: 'proposeOutput', args: first, value: MIN_BOND })
  const p = r.proposer()
  await p.start()
  await waitFor('the proposer tx in the pool beside it', async () => (await proposerNonce(l1, 'pending')) - (await proposerNonce(l1)) === 2)
  const [ours] = (await new InflightProposalStore(r.node.node.chain.store).load())!.txHashes
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  t.equal((await l1.publicClient.getTransactionReceipt({ hash: ours })).status, 'reverted', "the proposer's duplicate of output 0 reverted")
  await waitForOutputs(r, p, batches)
  await checkOutputs(t, r)
  t.equal(p.state, 'running', 'taken as already proposed: the proposer went on to batch 1')
})

t.test('foreignOutputOnL1_stopsWithACriticalError', async (t) => {
  const r = await rig(t)
  await postedBatches(r, 40)
  const [first] = await expectedOutputs(r)
  const wrongState = keccak256(toHex('not this chain'))
  const wrong = computeOutputRoot(wrongState, keccak256(toHex('nor this block')))
  // a trace OutputRoots accepts (from the genesis leaf, ending in the wrong state root): only the root is foreign
  const trace = testTrace(await genesisLeaf(r.node.node.chain.genesis), wrongState)
  await l1.wallet(proposer).writeContract({
    address: r.deployment.outputRoots,
    abi: outputRootsAbi,
    functionName: 'proposeOutput',
    args: [0n, wrongState, keccak256(toHex('nor this block')), first.l2BlockNumber, trace.lastLeaf, trace.leaves],
    value: MIN_BOND,
  })
  const p = r.proposer()
  await p.start()
  await waitFor('the proposer to stop', () => p.state === 'failed')
  t.ok(p.error instanceof ProposerCriticalError)
  t.match(p.error?.message, new RegExp(`output 0 on L1 is ${wrong}`), 'it says which output is not this chain')
  t.equal(await outputCount(l1, r.deployment.outputRoots), 1n, 'nothing proposed after it')
})

t.test('l1Reorg_dropsProposals_proposedAgain', async (t) => {
  const r = await rig(t)
  const batches = await postedBatches(r)
  t.ok(batches >= 4n, `${batches} batches`)
  const first = r.proposer()
  await first.start()
  await waitForOutputs(r, first, 2n)
  await first.stop()
  const kept = await outputCount(l1, r.deployment.outputRoots)
  const snapshot = await l1.testClient.snapshot()
  const p = r.proposer()
  await p.start()
  await waitForOutputs(r, p, batches)
  const before = await readOutputs(l1, r.deployment.outputRoots)
  // L1 drops every output after `kept` and goes on without them; the proposer keeps running through it
  await l1.testClient.revert({ id: snapshot })
  await l1.testClient.mine({ blocks: 1 })
  const reorgedAt = await l1.publicClient.getBlockNumber({ cacheTime: 0 })
  t.equal(await outputCount(l1, r.deployment.outputRoots), kept, `the reorg took the outputs after ${kept} off L1`)
  await waitForOutputs(r, p, batches)
  const after = await checkOutputs(t, r)
  t.same(
    after.slice(0, Number(kept)).map((o) => o.txHash),
    before.slice(0, Number(kept)).map((o) => o.txHash),
    'the outputs before the reorg untouched',
  )
  // (a re-sent proposal can be byte-identical to the dropped one: same nonce, args and fees, deterministic signature)
  const reproposedIn = await Promise.all(after.slice(Number(kept)).map(async (o) => (await l1.publicClient.getTransactionReceipt({ hash: o.txHash })).blockNumber))
  t.ok(
    reproposedIn.every((block) => block > reorgedAt),
    'the dropped outputs proposed again, after the reorg',
  )
})

t.test('l1Reorg_dropsChunksAndProposals_bothPostedAgain', async (t) => {
  const r = await rig(t)
  const batcher = r.batcher({ maxChunkBytes: 1_500 })
  const p = r.proposer()
  await batcher.start()
  await p.start()
  await r.placeBets(100, 20)
  await waitUntilAllPosted(r, batcher)
  await waitForOutputs(r, p, await batcherCount(r))
  const chunksBefore = await readPostedChunks(l1, r.deployment.inbox)
  const outputsBefore = await outputCount(l1, r.deployment.outputRoots)
  // every tx is alone in its block (automine): a reorg from the block before the last chunk drops two chunks and every output after them
  const lastChunkBlock = (await l1.publicClient.getTransactionReceipt({ hash: chunksBefore.at(-1)!.txHash })).blockNumber
  const depth = (await l1.publicClient.getBlockNumber({ cacheTime: 0 })) - lastChunkBlock + 2n
  await l1.testClient.request({ method: 'anvil_reorg', params: [Number(depth), []] } as never)
  const chunksKept = await chunkCount(r)
  t.ok(chunksKept < BigInt(chunksBefore.length), `the reorg took chunks off the inbox (${chunksBefore.length} -> ${chunksKept})`)
  t.ok((await outputCount(l1, r.deployment.outputRoots)) < outputsBefore, 'and outputs off OutputRoots')
  await waitFor(
    'the batcher to post the dropped blocks again',
    async () => batcher.posted!.chunksPosted > chunksKept && batcher.posted!.batch === undefined && (await chunkCount(r)) === batcher.posted!.chunksPosted,
  )
  // the batcher may re-plan the dropped blocks into fewer batches: the outputs follow the batches as
  // they are now. Stopped first, once everything is posted, so no batch closes while the outputs are read.
  await waitUntilAllPosted(r, batcher)
  await batcher.stop()
  await waitForOutputs(r, p, await batcherCount(r))
  await checkOutputs(t, r)
})

t.test('l1Confirmations_waitsUntilTheClosingChunkIsDeepEnough', async (t) => {
  const r = await rig(t)
  await r.placeBets(20, 20)
  await new Promise((resolve) => setTimeout(resolve, 150))
  const batcher = r.batcher()
  await batcher.start()
  await waitUntilAllPosted(r, batcher)
  await batcher.stop()
  t.equal(await batcherCount(r), 1n, 'one batch, its chunk in the newest L1 block')
  const p = r.proposer({ l1Confirmations: 2 })
  await p.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(p.outputCount, 0n, 'the chunk is 0 blocks deep: not proposed')
  await l1.testClient.mine({ blocks: 1 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(await outputCount(l1, r.deployment.outputRoots), 0n, '1 block deep: not proposed')
  await l1.testClient.mine({ blocks: 1 })
  await waitForOutputs(r, p, 1n)
  await checkOutputs(t, r)
})

async function txFees(hash: Hex) {
  const tx = await l1.publicClient.getTransaction({ hash })
  return { nonce: tx.nonce, maxFeePerGas: tx.maxFeePerGas!, maxPriorityFeePerGas: tx.maxPriorityFeePerGas! }
}

t.test('droppedTx_resentWithBumpedFees', async (t) => {
  const r = await rig(t)
  manualMining(t)
  await postedBatches(r, 10)
  const inflight = new InflightProposalStore(r.node.node.chain.store)
  await l1.testClient.setAutomine(false)
  const p = r.proposer({ resubmitAfterMs: 600_000 })
  await p.start()
  await waitFor('a proposal tx in flight', async () => (await inflight.load()) !== undefined)
  const [first] = (await inflight.load())!.txHashes
  await waitFor('the tx in the pool', async () => (await l1.publicClient.getTransaction({ hash: first }).catch(() => undefined)) !== undefined)
  const original = await txFees(first)
  await l1.testClient.dropTransaction({ hash: first })
  await waitFor('the dropped tx re-sent', async () => ((await inflight.load())?.txHashes.length ?? 0) >= 2)
  const second = (await inflight.load())!.txHashes[1]
  await waitFor('the re-sent tx in the pool', async () => (await l1.publicClient.getTransaction({ hash: second }).catch(() => undefined)) !== undefined)
  await l1.testClient.mine({ blocks: 1 })
  await l1.testClient.setAutomine(true)
  await waitForOutputs(r, p, await batcherCount(r))
  const [output] = await checkOutputs(t, r)
  t.equal(output.txHash, second, 'the re-sent tx proposed output 0')
  const mined = await txFees(second)
  t.equal(mined.nonce, original.nonce, 'same nonce')
  t.ok(mined.maxFeePerGas * 8n >= original.maxFeePerGas * 9n, `maxFeePerGas ${original.maxFeePerGas} -> ${mined.maxFeePerGas} (+12.5% at least)`)
})

t.test('l1Down_retriesAndKeepsRunning', async (t) => {
  const r = await rig(t)
  const p = r.proposer({ l1RpcUrl: 'http://127.0.0.1:9', privateKey: generatePrivateKey(), retryMinMs: 10, retryMaxMs: 40 })
  await p.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(p.state, 'running', 'still running, retrying')
  await p.stop()
  t.equal(p.state, 'stopped')
})

t.test('wrongKey_stopsWithACriticalError', async (t) => {
  const r = await rig(t)
  const p = r.proposer({ privateKey: generatePrivateKey() })
  await p.start()
  await waitFor('the proposer to stop', () => p.state === 'failed')
  t.ok(p.error instanceof ProposerCriticalError)
  t.match(p.error?.message, /takes outputs from/)
})

t.test('bondBelowMinBond_stopsWithACriticalError', async (t) => {
  const r = await rig(t)
  const p = r.proposer({ bond: MIN_BOND - 1n })
  await p.start()
  await waitFor('the proposer to stop', () => p.state === 'failed')
  t.match(p.error?.message, /below OutputRoots' minBond/)
})

t.test('sameKeyAsTheBatcher_refusedAtStart', async (t) => {
  // A deployment whose OutputRoots takes outputs from the sequencer's own account: the two would share one nonce.
  const { addresses } = await deployL1({
    l1Client: { wallet: l1.wallet(deployer), public: l1.publicClient },
    sequencer: sequencer.address,
    proposer: sequencer.address,
    minBond: parseEther('0.1'),
    genesisLeaf: TEST_GENESIS_LEAF,
  })
  const r = await rig(t)
  const p = r.proposer({ outputRoots: addresses.outputRoots, inbox: addresses.inbox, privateKey: sequencerKey })
  await p.start()
  await waitFor('the proposer to stop', () => p.state === 'failed')
  t.ok(p.error instanceof ProposerCriticalError)
  t.match(p.error?.message, /also the inbox's sequencer \(the batcher key\)/)
})

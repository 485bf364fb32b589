/**
 * The trace on a real in-process sequencer (real LevelDB, real worker thread): a random workload of
 * a few hundred txs (markets, bets, odds, deposits and forced txs as L1 queue messages, withdrawals,
 * results, settlements, reverts), the commitment worker stopped and restarted in the middle, then
 * every batch the real BatchPlanner cuts: the worker's trace root equals an independent
 * re-derivation's from the batch's chunks (upstream state manager, roots checked against the sealed
 * blocks at every block end), a second executor on a fresh database gives the same roots, and every
 * leaf's Merkle proof verifies and carries the reference's step state.
 */
import { rmSync } from 'node:fs'
import t from 'tap'
import { pino } from 'pino'
import { bytesToHex, type Hex } from 'viem'
import { nextQueueIndex } from '../l1/relay.ts'
import { openLevel } from '../storage/level.ts'
import { startTestNode, tempDatadir } from '../testing/testNode.ts'
import { BatchPlanner } from '../../sequencer/batcher/batchPlanner.ts'
import type { BatchPlan } from '../../sequencer/batcher/progress.ts'
import { BatchTracer } from './batchTracer.ts'
import { CommitmentWorker } from './commitmentWorker.ts'
import { TraceNotFoundError } from './errors.ts'
import { equalBytes, verifyMerkleProof } from './merkle.ts'
import { stepLeaf } from './stepState.ts'
import { randomWorkload, refLeaf, refRoot, ReferenceTracer } from './testing.ts'
import { TraceExecutor } from './traceExecutor.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const seed = Number(process.env.TRACE_TEST_SEED ?? Date.now() % 100_000)

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

t.test('traceRoots_matchAnIndependentRederivation_perBatch_andProofsVerify', async (t) => {
  t.comment(`seed ${seed} (TRACE_TEST_SEED to replay)`)
  const node = await startTestNode({ blockTimeMs: 40 })
  t.teardown(() => node.close())
  const chain = node.node.chain
  const start = () => CommitmentWorker.start({ datadir: node.datadir }, { chain, events: node.node.events, logger })
  let worker = await start()
  t.teardown(() => worker.stop())

  const workload = await randomWorkload(node.node, {
    seed,
    actions: 260,
    settle: true,
    between: async (i) => {
      if (i === 100) await worker.stop()
      if (i === 170) worker = await start() // catches up on the blocks sealed meanwhile from the chain store
    },
  })
  await until('every queue message relayed', async () => (await nextQueueIndex(chain)) === BigInt(workload.messages.length))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const head = chain.head.header.number
  await chain.flushWrites()
  await until(`the worker to trace up to block ${head} (at ${worker.tracedHead})`, () => {
    if (worker.state !== 'running') throw worker.error ?? new Error(`worker ${worker.state}`)
    return worker.tracedHead >= head
  })
  t.comment(`traced to ${worker.tracedHead}, chain head ${chain.head.header.number}`)
  t.equal(worker.state, 'running')
  t.comment(`${workload.txs} txs submitted, ${workload.messages.length} queue messages, ${head} blocks`)

  // batches as the batcher cuts them, several chunks each
  const planner = new BatchPlanner({ chainId: chain.genesis.chainId, maxBatchBytes: 3_000, maxChunkBytes: 900 }, chain.store)
  const plans: BatchPlan[] = []
  for (let from = 1n, index = 0n, firstChunk = 0n; from <= head; index++) {
    const plan = await planner.plan(index, firstChunk, from, head)
    plans.push(plan)
    firstChunk += BigInt(plan.chunkCount)
    from = plan.toBlock + 1n
  }
  t.ok(plans.length >= 4, `${plans.length} batches`)

  const sealedRoot = async (n: bigint): Promise<Hex> => bytesToHex((await chain.store.getBlockByNumber(n))!.header.stateRoot)
  const reference = await ReferenceTracer.init(chain.genesis, workload.messages, sealedRoot)
  const roots: Hex[] = []
  const chunksOf = new Map<bigint, Uint8Array[]>()
  let leaves = 0
  for (const plan of plans) {
    const states = await reference.traceBatch(await planner.chunks(plan))
    const expected = refRoot(states.map(refLeaf))
    const chunks = await planner.chunks(plan)
    chunksOf.set(plan.batchIndex, chunks)
    const root = await worker.traceRoot(plan, chunks)
    if (root !== expected) t.fail(`batch ${plan.batchIndex} (blocks ${plan.fromBlock}..${plan.toBlock}): worker ${root}, reference ${expected}`)
    t.not(root, `0x${'00'.repeat(32)}`)
    roots.push(root)
    for (let i = 0; i < states.length; i++) {
      const proof = await worker.proveStep(plan.batchIndex, i)
      const s = states[i]
      const same = bytesToHex(proof.state.stateRoot) === s.stateRoot && proof.state.parentTimestamp === s.parentTimestamp && proof.state.blockTimestamp === s.blockTimestamp && proof.state.blockOpen === s.blockOpen && proof.state.txCount === s.txCount && proof.state.chunkIndex === s.chunkIndex && proof.state.offset === s.offset && proof.state.chunkBase === s.chunkBase
      if (!same) t.fail(`batch ${plan.batchIndex} leaf ${i}: worker ${JSON.stringify(proof.state, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? bytesToHex(v) : v))}, reference ${JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`)
      if (!equalBytes(stepLeaf(proof.state), proof.leaf) || !verifyMerkleProof(proof.leaf, i, proof.siblings, hexToBytes32(root))) t.fail(`batch ${plan.batchIndex} leaf ${i}: the proof does not verify`)
      leaves++
    }
  }
  t.pass(`${plans.length} trace roots equal the reference's; ${leaves} leaves proven and equal to the reference's step states`)
  t.same(await Promise.all(plans.map((p) => worker.traceRoot(p, chunksOf.get(p.batchIndex)!))), roots, 'asked again: the same roots')
  await t.rejects(worker.proveStep(BigInt(plans.length + 5), 0), TraceNotFoundError)

  // a second executor on a fresh database, in this thread, fed from the chain store
  const dir = tempDatadir('rollbook-trace-')
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const db = await openLevel(dir)
  t.teardown(() => db.close())
  const executor = await TraceExecutor.init(chain.genesis, { db, logger })
  const kinds = { tx: 0, message: 0, messageWithForcedTx: 0 }
  for (let n = 1n; n <= head; n++) {
    const block = (await chain.store.getBlockByNumber(n))!
    const traced = await executor.executeBlock({
      number: n,
      hash: block.hash(),
      parentHash: block.header.parentHash,
      timestamp: block.header.timestamp,
      stateRoot: block.header.stateRoot,
      txs: block.transactions.map((tx) => tx.serialize()),
    })
    if (!equalBytes(traced.records.at(-1)!.stateRoot, block.header.stateRoot)) t.fail(`block ${n}: the last record's root is not the sealed root`)
    for (const r of traced.records) kinds[r.kind === 'tx' ? 'tx' : r.txs === 2 ? 'messageWithForcedTx' : 'message']++
  }
  t.ok(kinds.tx > 200 && kinds.message > 0 && kinds.messageWithForcedTx > 0, `records: ${JSON.stringify(kinds)}`)
  const tracer = new BatchTracer({ chainId: chain.genesis.chainId, maxTxsPerBlock: chain.genesis.maxTxsPerBlock, retainMs: 3_600_000 }, { store: executor.store, logger })
  t.same(await Promise.all(plans.map(async (p) => (await tracer.trace(p, chunksOf.get(p.batchIndex)!)).traceRoot)), roots, 'a fresh executor gives the same trace roots')

  // retention: traces handed out longer ago than retainMs are dropped, the newest kept
  const later = Date.now() + 3_600_001
  await tracer.trace(plans.at(-1)!, chunksOf.get(plans.at(-1)!.batchIndex)!, { nowMs: later })
  await t.rejects(tracer.proveStep(0n, 0), TraceNotFoundError, 'a batch past retention is pruned')
  t.ok(await tracer.proveStep(plans.at(-1)!.batchIndex, 1), 'the batch just handed out is kept')
  const lastDropped = plans.at(-2)!.toBlock
  t.equal(await executor.store.block(lastDropped - 1n), undefined, "pruned batches' blocks are dropped")
  t.ok(await executor.store.block(lastDropped), "the last block before the kept batch stays (the kept batch's leaf 0)")
  t.ok(await executor.store.block(plans.at(-1)!.toBlock), 'blocks of the kept batch stay')
})

function hexToBytes32(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}

/**
 * The step witness from the commitment worker (real sequencer, real worker thread, real LevelDB):
 * for every step of every batch of a random workload, the nodes the worker hands out are enough to
 * replay the step's txs on a trie that holds nothing else (a missing node throws), and the replay
 * ends at the trace's post-state root. Steps that read no state (block starts) get no nodes.
 */
import t from 'tap'
import { pino } from 'pino'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak256 } from '../node/chain/crypto.ts'
import { createL2Common } from '../node/chain/common.ts'
import { nextQueueIndex } from '../node/l1/relay.ts'
import { MESSAGE_KIND_FORCED_TX, relayCalldata } from '../node/l1/messages.ts'
import { startTestNode } from '../node/testing/testNode.ts'
import { BatchPlanner } from '../sequencer/batcher/batchPlanner.ts'
import { CommitmentWorker } from '../node/trace/commitmentWorker.ts'
import { randomWorkload } from '../node/trace/testing.ts'
import { createTxFromRLP } from '@ethereumjs/tx'
import { rebuildTx, type TxRecord } from '../sdk/src/batch/index.ts'
import { L1_MESSENGER_ADDRESS } from '../sdk/src/constants.ts'
import { buildBetEngineWitness, levelReadNode } from './witness.ts'
import type { ReadNode } from './recordingTrieDb.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

t.test('stepWitness_replaysEveryStepFromItsNodesAlone', async (t) => {
  const node = await startTestNode({ blockTimeMs: 40 })
  t.teardown(() => node.close())
  const chain = node.node.chain
  const worker = await CommitmentWorker.start({ datadir: node.datadir }, { chain, events: node.node.events, logger })
  t.teardown(() => worker.stop())
  const workload = await randomWorkload(node.node, { seed: 4242, actions: 120, settle: false })
  const deadline = Date.now() + 60_000
  while ((await nextQueueIndex(chain)) !== BigInt(workload.messages.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  await new Promise((r) => setTimeout(r, 200))
  await chain.flushWrites()
  const head = chain.head.header.number
  while (worker.tracedHead < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))

  const planner = new BatchPlanner({ chainId: chain.genesis.chainId, maxBatchBytes: 4_000, maxChunkBytes: 1_200 }, chain.store)
  const common = createL2Common(chain.genesis.chainId)
  const chainNodes = levelReadNode(node.node.db)
  const kinds = { none: 0, tx: 0, message: 0, forced: 0 }
  for (let from = 1n, index = 0n, firstChunk = 0n; from <= head; index++) {
    const plan = await planner.plan(index, firstChunk, from, head)
    firstChunk += BigInt(plan.chunkCount)
    from = plan.toBlock + 1n
    const chunks = await planner.chunks(plan)
    const { leaves } = await worker.traceBatch(plan, chunks)
    for (let step = 0; step + 1 < leaves.length; step++) {
      const w = await worker.stepWitness(plan, chunks, step, workload.messages)
      const byHash = new Map([...w.witness, ...w.forcedWitness].map((n) => [bytesToHex(keccak256(n)), n]))
      const readNode: ReadNode = async (hash) => {
        // contract code (a prefixed 33-byte key) is the EVM's to load, not the verifier's
        if (hash.length !== 32) return chainNodes(hash)
        const found = byHash.get(bytesToHex(hash))
        if (found === undefined) throw new Error(`batch ${index} step ${step} (${w.record?.type}, ${w.witness.length}+${w.forcedWitness.length} nodes, ran ${w.post.txCount - w.pre.txCount}): node ${bytesToHex(hash)} is not in the witness`)
        return found
      }
      const record = w.record
      const ran = w.post.txCount !== w.pre.txCount
      const time = w.pre.blockTimestamp > w.pre.parentTimestamp ? w.pre.blockTimestamp : w.pre.parentTimestamp
      if (record === undefined || record.type === 'blockStart') {
        if (w.witness.length + w.forcedWitness.length !== 0) t.fail(`batch ${index} step ${step}: a ${record?.type ?? 'skipped'} record with witness nodes`)
        kinds.none++
        continue
      }
      let root = w.pre.stateRoot
      if (record.type === 'deposit') {
        const message = workload.messages.find((m) => m.index === record.queueIndex)!
        const relay = await buildBetEngineWitness({ stateRoot: root, readNode }, { sender: hexToBytes(L1_MESSENGER_ADDRESS), data: hexToBytes(relayCalldata(message)), time }, common)
        root = relay.postStateRoot
        if (w.post.txCount - w.pre.txCount === 2 && message.kind === MESSAGE_KIND_FORCED_TX) {
          const forced = createTxFromRLP(hexToBytes(message.payload), { common })
          root = (await buildBetEngineWitness({ stateRoot: root, readNode }, { sender: forced.getSenderAddress().bytes, data: forced.data, time }, common)).postStateRoot
          kinds.forced++
        } else kinds.message++
      } else if (ran) {
        const tx = createTxFromRLP(rebuildTx(record as TxRecord, { chainId: chain.genesis.chainId }), { common })
        root = (await buildBetEngineWitness({ stateRoot: root, readNode }, { sender: tx.getSenderAddress().bytes, data: tx.data, time }, common)).postStateRoot
        kinds.tx++
      }
      if (bytesToHex(root) !== bytesToHex(w.post.stateRoot)) t.fail(`batch ${index} step ${step} (${record.type}): replay from the witness ends at ${bytesToHex(root)}, the trace at ${bytesToHex(w.post.stateRoot)}`)
    }
  }
  t.ok(kinds.tx > 50 && kinds.message > 0 && kinds.forced > 0 && kinds.none > 0, `steps replayed from their witness alone: ${JSON.stringify(kinds)}`)
})

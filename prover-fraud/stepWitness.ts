/**
 * The MPT witness of one trace step (docs/decisions/0006): every pre-state trie node the fraud
 * verifier walks to re-execute the step's record. What ran is read off the trace itself (the step's
 * post state, which the challenger computed by re-execution), not guessed again:
 *
 * - a block start or a record the decoder skipped: no state is read, no witness;
 * - a tx record: the sender's account (the verifier checks the nonce) and, when the tx ran, the bet
 *   engine call's witness (buildBetEngineWitness), which covers the sender's account too;
 * - a queue message: the L1 messenger's account (its nonce is the queue index due) and, when the
 *   message ran, the relay call's witness; for a forced tx then the forced tx's sender account and,
 *   when it ran too, its call's witness, both on the state right after the relay tx.
 *
 * A tx whose sender cannot be recovered reads nothing. The nodes come back deduplicated, in two
 * lists as FraudVerifier.StepProof takes them: `witness` (pre-state) and `forcedWitness` (the state
 * after a relay tx, for the forced tx it relays).
 */
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { L1_MESSENGER_ADDRESS } from '../sdk/src/constants.ts'
import { rebuildTx, type BatchRecord, type TxRecord } from '../sdk/src/batch/index.ts'
import { MESSAGE_KIND_FORCED_TX, relayCalldata, type QueueMessage } from '../node/l1/messages.ts'
import type { StepState } from '../node/trace/stepState.ts'
import { RecordingTrieDb, type ReadNode } from './recordingTrieDb.ts'
import { buildBetEngineWitness } from './witness.ts'

export interface StepWitnessInput {
  /** the state before the step (leaf i) */
  pre: StepState
  /** the true state after it (the challenger's leaf i + 1) */
  post: StepState
  /** the step's record; undefined for a record the decoder skipped */
  record: BatchRecord | undefined
  /** for a queue-message record: the message it names */
  message?: QueueMessage
  chainId: number
  /** pre-state nodes, and the nodes of the state after each tx of the step (the trace keeps them) */
  readNode: ReadNode
  common: Common
}

const messenger = hexToBytes(L1_MESSENGER_ADDRESS)

/** FraudVerifier.StepProof's two witnesses: the pre-state's, and for a forced tx the state's after its relay tx. */
export interface StepWitness {
  witness: Uint8Array[]
  forcedWitness: Uint8Array[]
}

export async function buildStepWitness(input: StepWitnessInput): Promise<StepWitness> {
  const { pre, post, record } = input
  const nodes = new NodeSet()
  const forcedNodes = new NodeSet()
  const done = () => ({ witness: nodes.list(), forcedWitness: forcedNodes.list() })
  if (record === undefined || record.type === 'blockStart') return done()
  const ran = post.txCount !== pre.txCount || !sameBytes(post.stateRoot, pre.stateRoot)
  const time = pre.blockTimestamp > pre.parentTimestamp ? pre.blockTimestamp : pre.parentTimestamp

  if (record.type === 'deposit') {
    nodes.add(await accountPath(input, pre.stateRoot, messenger))
    const message = input.message
    if (!ran) return done()
    if (message === undefined || message.index !== record.queueIndex) throw new Error(`step witness: queue message ${record.queueIndex} was not given`)
    const relay = await buildBetEngineWitness({ stateRoot: pre.stateRoot, readNode: input.readNode }, { sender: messenger, data: hexToBytes(relayCalldata(message)), time }, input.common)
    nodes.add(relay.nodes)
    if (message.kind !== MESSAGE_KIND_FORCED_TX) return done()
    const forced = parseTx(hexToBytes(message.payload), input.common)
    if (forced === undefined) return done()
    forcedNodes.add(await accountPath(input, relay.postStateRoot, forced.sender))
    if (post.txCount - pre.txCount === 2) {
      const call = await buildBetEngineWitness({ stateRoot: relay.postStateRoot, readNode: input.readNode }, { sender: forced.sender, data: forced.tx.data, time }, input.common)
      forcedNodes.add(call.nodes)
    }
    return done()
  }

  const parsed = parseTx(rebuildTx(record as TxRecord, { chainId: input.chainId }), input.common)
  if (parsed === undefined) return done()
  nodes.add(await accountPath(input, pre.stateRoot, parsed.sender))
  if (ran) {
    const call = await buildBetEngineWitness({ stateRoot: pre.stateRoot, readNode: input.readNode }, { sender: parsed.sender, data: parsed.tx.data, time }, input.common)
    if (!sameBytes(call.postStateRoot, post.stateRoot)) {
      throw new Error(`step witness: the replayed tx ends at ${bytesToHex(call.postStateRoot)}, the trace at ${bytesToHex(post.stateRoot)}`)
    }
    nodes.add(call.nodes)
  }
  return done()
}

/** The state-trie nodes on the path of `address` (present or not) under `stateRoot`. */
async function accountPath(input: StepWitnessInput, stateRoot: Uint8Array, address: Uint8Array): Promise<Uint8Array[]> {
  const db = new RecordingTrieDb(input.readNode)
  const trie = await createMPT({ db, useKeyHashing: true, valueEncoding: 'view', root: stateRoot, common: input.common })
  await trie.get(address)
  return db.nodes()
}

function parseTx(raw: Uint8Array, common: Common): { tx: TypedTransaction; sender: Uint8Array } | undefined {
  try {
    const tx = createTxFromRLP(raw, { common })
    return { tx, sender: tx.getSenderAddress().bytes }
  } catch {
    return undefined
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

class NodeSet {
  private readonly byHash = new Map<string, Uint8Array>()

  add(nodes: readonly Uint8Array[]): void {
    for (const node of nodes) this.byHash.set(bytesToHex(node), node)
  }

  list(): Uint8Array[] {
    return [...this.byHash.values()]
  }
}

/**
 * The arguments of FraudVerifier.proveStep (and computeStep, which takes the same struct) for one
 * step of an output's batch, docs/decisions/0006 "One step": leaf `step`'s preimage with its proof
 * against the posted trace, leaf `step + 1` as posted with its proof, exactly the chunks the step
 * reads, the queue message its record names, and the MPT witnesses. The challenger sends what this
 * builds; the honest-steps test (honestSteps.test.ts) re-executes every step of honest outputs with
 * it, so the proofs a challenger would send are the ones tested.
 */
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { zeroAddress, zeroHash, type Address, type ContractFunctionArgs, type Hex, type PublicClient } from 'viem'
import type { QueueMessage } from '../node/l1/messages.ts'
import type { CommittedChunk } from '../node/derive/chunkRetrieval.ts'
import { buildTree, encodeStepState, merkleProof, type BatchRange, type CommitmentWorker } from '../node/trace/index.ts'
import type { StepRecord } from '../node/trace/batchTracer.ts'
import { decodeChunk } from '../sdk/src/batch/index.ts'
import type { fraudVerifierAbi } from '../sdk/src/generated/contracts.ts'
import { readQueueMessage, type ProvenMessage } from './l1Data.ts'
import type { StepWitness } from './stepWitness.ts'

/** FraudVerifier.StepProof as viem encodes it. */
export type StepProofArgs = ContractFunctionArgs<typeof fraudVerifierAbi, 'nonpayable', 'proveStep'>[0]

/** A queue message read from L1 with its place in the queue. */
export type L1QueueMessage = QueueMessage & ProvenMessage

/** What the proof is taken from: the output's batch on L1 and the prover's own trace of it. */
export interface StepProofInput {
  /** the output (= batch) index */
  outputIndex: bigint
  /** the L2 blocks the batch carries: the prover's trace of the batch is looked up by them */
  batch: BatchRange
  /** from leaf `step` to leaf `step + 1` */
  step: number
  /** the batch's chunks as the inbox committed them (readBatchChunks) */
  chunks: readonly CommittedChunk[]
  /** the leaves the proposer posted (readProposal): both leaf proofs are against their root */
  posted: readonly Hex[]
  /** leaves in the prover's own trace of the batch: at its last leaf no record is left */
  ourLeafCount: number
  /** the queue messages the batch's records name (queueMessagesNamedBy); only asked for when the step has a record */
  messages: () => Promise<readonly L1QueueMessage[]>
}

/** The step as the prover's trace has it (absent at its last leaf, where no record is left). */
export type TracedStep = StepRecord & StepWitness

/** A queue message that is not read: the verifier only reads `message` for a record of a message on L1. */
const EMPTY_MESSAGE: ProvenMessage = { kind: 0, sender: zeroAddress, payload: '0x', l1BlockNumber: 0n, timestamp: 0n, previousHash: zeroHash }

/** The StepProof of `input.step`, with the traced step it was built from. */
export async function buildStepProof(trace: Pick<CommitmentWorker, 'stepWitness' | 'proveStep'>, input: StepProofInput): Promise<{ args: StepProofArgs; traced: TracedStep | undefined }> {
  const { outputIndex, batch, step, chunks, posted } = input
  const chunkBytes = chunks.map((c) => c.data)
  let preState: Uint8Array
  let usedChunks: readonly CommittedChunk[]
  let witness: Uint8Array[] = []
  let forcedWitness: Uint8Array[] = []
  let message = EMPTY_MESSAGE
  let traced: TracedStep | undefined
  if (step + 1 < input.ourLeafCount) {
    const messages = await input.messages()
    traced = await trace.stepWitness(batch, chunkBytes, step, messages)
    preState = encodeStepState(traced.pre)
    usedChunks = chunks.slice(traced.pre.chunkIndex, traced.at.chunkIndex + 1)
    witness = traced.witness
    forcedWitness = traced.forcedWitness
    if (traced.record?.type === 'deposit') {
      const queueIndex = traced.record.queueIndex
      const m = messages.find((q) => q.index === queueIndex)
      if (m !== undefined) message = m
    }
  } else {
    // our trace ends at leaf `step`: no record is left, and the verifier reads to the batch's end
    const proof = await trace.proveStep(outputIndex, step)
    preState = proof.encoded
    usedChunks = chunks.slice(proof.state.chunkIndex)
  }
  const levels = buildTree(posted.map((l) => hexToBytes(l)))
  const hasPost = step + 1 < posted.length
  const args: StepProofArgs = {
    outputIndex,
    step: BigInt(step),
    preState: bytesToHex(preState) as Hex,
    preProof: merkleProof(levels, step).map((s) => bytesToHex(s) as Hex),
    postLeaf: hasPost ? posted[step + 1] : zeroHash,
    postProof: hasPost ? merkleProof(levels, step + 1).map((s) => bytesToHex(s) as Hex) : [],
    chunks: usedChunks.map((c) => ({ n: c.n, data: bytesToHex(c.data) as Hex, isLast: c.isLast, l1BlockNumber: c.l1Block, l1Timestamp: c.l1Timestamp })),
    message: { kind: message.kind, sender: message.sender, payload: message.payload, l1BlockNumber: message.l1BlockNumber, timestamp: message.timestamp, previousHash: message.previousHash },
    witness: witness.map((n) => bytesToHex(n) as Hex),
    forcedWitness: forcedWitness.map((n) => bytesToHex(n) as Hex),
  }
  return { args, traced }
}

/** The queue messages the chunks' queue-message records name, from L1 (only those already queued). */
export async function queueMessagesNamedBy(
  client: PublicClient,
  l1: { messageQueue: Address; startBlock: bigint; chainId: number },
  chunks: readonly Uint8Array[],
): Promise<L1QueueMessage[]> {
  const indices = new Set<bigint>()
  for (const chunk of chunks) for (const { record } of decodeChunk(chunk, { chainId: l1.chainId }).records) if (record.type === 'deposit') indices.add(record.queueIndex)
  const messages: L1QueueMessage[] = []
  for (const index of indices) {
    try {
      messages.push(await readQueueMessage(client, l1.messageQueue, index, l1.startBlock))
    } catch {
      // not on L1: the record is a no-op, and the proof needs no message
    }
  }
  return messages
}

/**
 * The pure part of the trace (docs/decisions/0005): step state encoding and leaf, the padded keccak
 * Merkle tree and its proofs, and the step rules, checked against viem's ABI encoder and an
 * independent recursive tree.
 */
import t from 'tap'
import fc from 'fast-check'
import { concat, encodeAbiParameters, hexToBytes, keccak256, toHex, type Hex } from 'viem'
import { buildTree, merkleProof, merkleRoot, rootFromProof, treeRoot, verifyMerkleProof } from './merkle.ts'
import { batchStart, decodeStepState, encodeStepState, stepLeaf, type StepState } from './stepState.ts'
import { MAX_TIMESTAMP_DRIFT_SECONDS } from '../../sdk/src/constants.ts'
import { applyStep, batchStepStates, closeBlock, genesisStepState, StepRuleError, stepStateAfterBlock, type BatchSteps } from './steps.ts'
import { stepsOfChunks } from './batchTracer.ts'
import { TraceMismatchError } from './errors.ts'
import type { TracedBlock } from './traceStore.ts'
import { accounts } from './testing.ts'
import { calldata, TestSigner } from '../chain/fastpath/testing.ts'
import { keccak256 as keccak256Bytes } from '../chain/crypto.ts'
import { encodeChunk, recordFromTx } from '../../sdk/src/batch/index.ts'

const root = (i: number) => hexToBytes(keccak256(toHex(`root ${i}`)))

const stepState = fc.record({
  stateRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  parentTimestamp: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  blockTimestamp: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  blockOpen: fc.boolean(),
  txCount: fc.integer({ min: 0, max: 0xffffffff }),
  chunkIndex: fc.integer({ min: 0, max: 0xffffffff }),
  offset: fc.integer({ min: 0, max: 0xffffffff }),
  chunkBase: fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { nil: undefined }),
})

/** Position zero: the start of a batch. */
const P0 = { chunkIndex: 0, offset: 0, chunkBase: undefined }

function viemLeaf(s: StepState): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }, { type: 'bool' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'bool' }, { type: 'uint64' }],
      [toHex(s.stateRoot), s.parentTimestamp, s.blockTimestamp, s.blockOpen, s.txCount, s.chunkIndex, s.offset, s.chunkBase !== undefined, s.chunkBase ?? 0n],
    ),
  )
}

/** The tree as the decision words it, recursively: pad to a power of two with zero words, hash pairs. */
function referenceRoot(leaves: Hex[]): Hex {
  let width = 1
  while (width < leaves.length) width *= 2
  const padded = [...leaves, ...Array<Hex>(width - leaves.length).fill(`0x${'00'.repeat(32)}`)]
  const up = (level: Hex[]): Hex => (level.length === 1 ? level[0] : up(level.filter((_, i) => i % 2 === 0).map((l, i) => keccak256(concat([l, level[2 * i + 1]])))))
  return up(padded)
}

t.test('stepLeaf_isKeccakOfAbiEncode_asViemEncodesIt', async (t) => {
  fc.assert(
    fc.property(stepState, (s) => toHex(stepLeaf(s)) === viemLeaf(s) && toHex(encodeStepState(decodeStepState(encodeStepState(s)))) === toHex(encodeStepState(s))),
    { numRuns: 300 },
  )
  // a golden vector for the Solidity verifier's tests
  const golden: StepState = { stateRoot: new Uint8Array(32).fill(0xab), parentTimestamp: 1_700_000_000n, blockTimestamp: 1_700_000_002n, blockOpen: true, txCount: 7, chunkIndex: 2, offset: 1_234, chunkBase: 1_700_000_001n }
  t.equal(toHex(stepLeaf(golden)), viemLeaf(golden))
  t.equal(encodeStepState(golden).length, 288)
  t.same(decodeStepState(encodeStepState({ ...golden, chunkBase: undefined })).chunkBase, undefined, 'no chunk base round-trips')
  t.comment(`golden leaf ${toHex(stepLeaf(golden))}`)
  t.throws(() => encodeStepState({ ...golden, txCount: -1, ...P0 }), /uint32/)
  t.throws(() => encodeStepState({ ...golden, parentTimestamp: 1n << 64n }), /uint64/)
})

t.test('merkleRoot_matchesARecursiveReference_andEveryProofVerifies', async (t) => {
  for (let n = 1; n <= 19; n++) {
    const leaves = Array.from({ length: n }, (_, i) => root(i))
    const levels = buildTree(leaves)
    const expected = referenceRoot(leaves.map((l) => toHex(l)))
    t.equal(toHex(treeRoot(levels)), expected, `${n} leaves`)
    t.equal(toHex(merkleRoot(leaves)), expected)
    for (let i = 0; i < n; i++) {
      const proof = merkleProof(levels, i)
      t.equal(proof.length, Math.ceil(Math.log2(n)), 'depth = log2 of the padded width')
      if (!verifyMerkleProof(leaves[i], i, proof, treeRoot(levels))) t.fail(`leaf ${i} of ${n} does not verify`)
      if (n > 1 && verifyMerkleProof(leaves[i], i ^ 1, proof, treeRoot(levels))) t.fail(`leaf ${i} of ${n} verifies at the wrong index`)
      if (verifyMerkleProof(root(1000), i, proof, treeRoot(levels))) t.fail('another leaf verifies')
    }
  }
  t.equal(toHex(merkleRoot([root(5)])), toHex(root(5)), 'one leaf is its own root')
  t.throws(() => rootFromProof(root(1), 4, [root(2), root(3)]), /does not fit/)
})

const MAX = 4

t.test('blockStarts_sealOnlyBlocksWithTxs_andTxsRunAtTheLaterTimestamp', async (t) => {
  const g = genesisStepState(root(0), 100n)
  t.same(g, { stateRoot: root(0), parentTimestamp: 100n, blockTimestamp: 0n, blockOpen: false, txCount: 0, ...P0 })
  const steps: BatchSteps = {
    forced: [],
    records: [
      { kind: 'tx', stateRoot: root(1) }, // before any block start: no-op
      { kind: 'blockStart', timestamp: 90n }, // older than the parent
      { kind: 'tx', stateRoot: root(2) },
      { kind: 'skip' },
      { kind: 'blockStart', timestamp: 110n }, // seals at max(90, 100) = 100
      { kind: 'blockStart', timestamp: 120n }, // empty block: nothing sealed
      { kind: 'message', txs: 2, stateRoot: root(3) },
      { kind: 'blockStart', timestamp: 120n }, // the closing block start
    ],
  }
  t.throws(() => batchStepStates(g, steps, MAX), StepRuleError, 'a tx before any block start cannot carry a root')
  steps.records[0] = { kind: 'skip' }
  const states = batchStepStates(g, steps, MAX)
  t.equal(states.length, steps.records.length + 1)
  t.same(states[2], { stateRoot: root(0), parentTimestamp: 100n, blockTimestamp: 90n, blockOpen: true, txCount: 0, ...P0 })
  t.same(states[3], { stateRoot: root(2), parentTimestamp: 100n, blockTimestamp: 90n, blockOpen: true, txCount: 1, ...P0 })
  t.same(states[4], states[3], 'a skipped record is a no-op')
  t.same(states[5], { stateRoot: root(2), parentTimestamp: 100n, blockTimestamp: 110n, blockOpen: true, txCount: 0, ...P0 })
  t.same(states[6], { stateRoot: root(2), parentTimestamp: 100n, blockTimestamp: 120n, blockOpen: true, txCount: 0, ...P0 }, 'an empty block seals nothing')
  t.same(states[7], { stateRoot: root(3), parentTimestamp: 100n, blockTimestamp: 120n, blockOpen: true, txCount: 2, ...P0 })
  t.same(states[8], stepStateAfterBlock({ stateRoot: root(3), timestamp: 120n }), "the closing block start gives the next batch's leaf 0")
})

t.test('blockStartTooFarAheadOfL1_onlySealsAndCloses', async (t) => {
  const open: StepState = { stateRoot: root(1), parentTimestamp: 100n, blockTimestamp: 105n, blockOpen: true, txCount: 2, ...P0 }
  const l1Timestamp = 1_000n
  t.same(applyStep(open, { kind: 'blockStart', timestamp: l1Timestamp + MAX_TIMESTAMP_DRIFT_SECONDS + 1n, l1Timestamp }, MAX), closeBlock(open), 'sealed and closed, no block open')
  t.same(applyStep(open, { kind: 'blockStart', timestamp: l1Timestamp + MAX_TIMESTAMP_DRIFT_SECONDS, l1Timestamp }, MAX).blockOpen, true, 'at the limit it opens')
  t.throws(() => batchStepStates(open, { forced: [], records: [{ kind: 'blockStart', timestamp: 1n << 40n, l1Timestamp }, { kind: 'tx', stateRoot: root(2) }] }, MAX), StepRuleError, 'its txs are no-ops')
})

t.test('blockFullRule_txsAndMessages', async (t) => {
  let s: StepState = { stateRoot: root(0), parentTimestamp: 1n, blockTimestamp: 2n, blockOpen: true, txCount: MAX - 1, ...P0 }
  t.throws(() => applyStep(s, { kind: 'message', txs: 1, stateRoot: root(1) }, MAX), StepRuleError, 'a message needs room for 2 txs')
  s = applyStep(s, { kind: 'tx', stateRoot: root(1) }, MAX)
  t.equal(s.txCount, MAX)
  t.throws(() => applyStep(s, { kind: 'tx', stateRoot: root(2) }, MAX), StepRuleError)
})

t.test('batchBoundary_closesTheOpenBlock_andForcedMessagesGetBlocksOfTheirOwn', async (t) => {
  // the previous batch left a block with txs open (no closing block start): the first record seals and closes it
  const open: StepState = { stateRoot: root(1), parentTimestamp: 100n, blockTimestamp: 105n, blockOpen: true, txCount: 3, ...P0 }
  t.same(closeBlock(open), { stateRoot: root(1), parentTimestamp: 105n, blockTimestamp: 0n, blockOpen: false, txCount: 0, ...P0 })
  const noStart = batchStepStates(open, { forced: [], records: [{ kind: 'skip' }] }, MAX)
  t.same(noStart[1], closeBlock(open), 'a tx record first in a batch is skipped: no block is open')
  // forced messages (untested against real execution: the sequencer never forces; this is the hook for a challenger)
  const states = batchStepStates(
    open,
    {
      forced: [
        { kind: 'forced', l1Timestamp: 200n, txs: 2, stateRoot: root(2) },
        { kind: 'forced', l1Timestamp: 200n, txs: 1, stateRoot: root(3) },
        { kind: 'forced', l1Timestamp: 200n, txs: 2, stateRoot: root(4) }, // 3 + 2 > MAX: a new block
      ],
      records: [{ kind: 'blockStart', timestamp: 210n }],
    },
    MAX,
  )
  t.same(states[1], { stateRoot: root(2), parentTimestamp: 105n, blockTimestamp: 200n, blockOpen: true, txCount: 2, ...P0 })
  t.same(states[2], { stateRoot: root(3), parentTimestamp: 105n, blockTimestamp: 200n, blockOpen: true, txCount: 3, ...P0 })
  t.same(states[3], { stateRoot: root(4), parentTimestamp: 200n, blockTimestamp: 200n, blockOpen: true, txCount: 2, ...P0 })
  t.same(states[4], { stateRoot: root(4), parentTimestamp: 200n, blockTimestamp: 210n, blockOpen: true, txCount: 0, ...P0 }, 'the first record seals the last forced block')
})

t.test('positions_followTheRecords_andTheChunkBaseStaysWithinAChunk', async (t) => {
  const g = genesisStepState(root(0), 100n)
  const states = batchStepStates(
    { ...g, chunkIndex: 3, offset: 99, chunkBase: 7n },
    {
      forced: [],
      records: [
        { kind: 'blockStart', timestamp: 110n, at: { chunkIndex: 0, offset: 1, end: 6 } },
        { kind: 'tx', stateRoot: root(1), at: { chunkIndex: 0, offset: 6, end: 82 } },
        { kind: 'skip', at: { chunkIndex: 0, offset: 82, end: 90 } },
        { kind: 'tx', stateRoot: root(2), at: { chunkIndex: 1, offset: 1, end: 77 } },
        { kind: 'blockStart', timestamp: 110n, at: { chunkIndex: 1, offset: 77, end: 82 } }, // the closing block start
      ],
    },
    MAX,
  )
  t.same(states[0], g, "leaf 0 is the previous state at the batch's start (position zero)")
  t.same([states[1].chunkIndex, states[1].offset, states[1].chunkBase], [0, 6, 110n], 'a block start becomes the chunk base')
  t.same([states[2].chunkIndex, states[2].offset, states[2].chunkBase], [0, 82, 110n])
  t.same([states[3].chunkIndex, states[3].offset, states[3].chunkBase, states[3].stateRoot], [0, 90, 110n, root(1)], 'a skipped record moves the position only')
  t.same([states[4].chunkIndex, states[4].offset, states[4].chunkBase], [1, 77, undefined], 'a new chunk drops the base')
  t.same([states[5].chunkIndex, states[5].offset, states[5].chunkBase], [1, 82, 110n])
  t.same(batchStart(states[5]), stepStateAfterBlock({ stateRoot: root(2), timestamp: 110n }), "batchStart of the last state is the next batch's leaf 0")
  t.throws(() => applyStep(states[5], { kind: 'skip', at: { chunkIndex: 1, offset: 50, end: 60 } }, MAX), StepRuleError, 'a record behind the position')
})

t.test('stepsOfChunks_recordsDerivationSkipped_areNoOpSteps_andEveryRunTxIsMatched', async (t) => {
  const chainId = 42069
  const signer = new TestSigner(chainId)
  const [alice, bob] = accounts
  const bet = (nonce: bigint) => signer.sign(alice, nonce, calldata.placeBet(1n, 0, 1_000_000n, 1))
  const tx0 = bet(0n)
  const tx1 = bet(1n)
  const replay = tx0 // a replay of a tx that already ran: derivation skips it (wrong nonce)
  const stranger = signer.sign(bob, 7n, calldata.placeBet(1n, 1, 2_000_000n, 1)) // never ran: a nonce gap
  const hash = (raw: Uint8Array) => keccak256Bytes(raw)
  const blocks: TracedBlock[] = [
    { number: 1n, hash: root(50), timestamp: 100n, stateRoot: root(2), records: [{ kind: 'tx', txs: 1, stateRoot: root(1), id: hash(tx0) }, { kind: 'message', txs: 1, stateRoot: root(2), id: new Uint8Array([3]) }] },
    { number: 2n, hash: root(51), timestamp: 101n, stateRoot: root(3), records: [{ kind: 'tx', txs: 1, stateRoot: root(3), id: hash(tx1) }] },
  ]
  const chunks = [
    encodeChunk([{ type: 'blockStart', timestamp: 100n }, recordFromTx(tx0, { chainId }), recordFromTx(replay, { chainId }), { type: 'deposit', queueIndex: 2n }, { type: 'deposit', queueIndex: 3n }]),
    encodeChunk([recordFromTx(stranger, { chainId }), { type: 'blockStart', timestamp: 101n }, recordFromTx(tx1, { chainId }), { type: 'blockStart', timestamp: 101n }]),
  ]
  const steps = stepsOfChunks(blocks, chunks, chainId).records
  t.same(
    steps.map((s) => s.kind),
    ['blockStart', 'tx', 'skip', 'skip', 'message', 'skip', 'blockStart', 'tx', 'blockStart'],
    'the replayed tx, the message not due and the stranger are no-op steps',
  )
  t.same(steps.map((s) => s.at!.chunkIndex), [0, 0, 0, 0, 0, 1, 1, 1, 1], 'every step knows its chunk')
  const states = batchStepStates(genesisStepState(root(0), 99n), { forced: [], records: steps }, MAX)
  t.same(states.at(-1)!.stateRoot, root(3))
  t.throws(() => stepsOfChunks(blocks, chunks.slice(0, 1), chainId), TraceMismatchError, 'a tx the blocks ran but the chunks lack')
  const late = stepsOfChunks(blocks, chunks, chainId, [0n, 0n]).records
  t.same(late[0], { kind: 'blockStart', timestamp: 100n, l1Timestamp: 0n, at: steps[0].at }, 'block starts carry their chunk L1 time when given')
})

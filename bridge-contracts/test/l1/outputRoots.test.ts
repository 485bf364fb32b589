/** OutputRoots on a real anvil: bond, order, challenge window, deletion by the fraud verifier only, bonds back. */
import t from 'tap'
import { bytesToHex, getAddress, hexToBytes, keccak256, parseEventLogs, toHex, type Hex } from 'viem'
import { outputRootsAbi, rollbookInboxAbi } from '../../../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../../../sdk/src/l1/encoding.ts'
import { merkleRoot } from '../../../node/trace/merkle.ts'
import {
  advanceTime,
  alice,
  batchStartOf,
  CHALLENGE_WINDOW,
  closeBatch,
  deployContracts,
  deployer,
  encodeTestStepState,
  MIN_BOND,
  proposer,
  proposeTestOutput,
  revertName,
  send,
  sequencer,
  startL1,
  TEST_GENESIS_LEAF,
  testTrace,
  verifier,
  type Deployment,
  type L1,
} from './fixtures.ts'

const l1: L1 = await startL1()
t.teardown(() => l1.anvil.stop())

const stateRoot = (i: number): Hex => keccak256(toHex(`state ${i}`))
const blockHash = (i: number): Hex => keccak256(toHex(`block ${i}`))

function propose(d: Deployment, batchIndex: number, options: { bond?: bigint; l2Block?: bigint; from?: typeof proposer; leafCount?: number } = {}) {
  return proposeTestOutput(
    l1,
    d,
    BigInt(batchIndex),
    { stateRoot: stateRoot(batchIndex), blockHash: blockHash(batchIndex), l2BlockNumber: options.l2Block ?? BigInt(10 * (batchIndex + 1)) },
    options,
  )
}

/** proposeOutput with exactly these arguments (the batch must be closed by the caller). */
function proposeRaw(d: Deployment, batchIndex: bigint, args: { stateRoot: Hex; lastLeaf: Hex; leaves: Hex[]; l2Block?: bigint }) {
  return send(l1, proposer, {
    address: d.outputRoots,
    abi: outputRootsAbi,
    functionName: 'proposeOutput',
    args: [batchIndex, args.stateRoot, blockHash(Number(batchIndex)), args.l2Block ?? 10n * (batchIndex + 1n), args.lastLeaf, args.leaves],
    value: MIN_BOND,
  })
}

const traceRootOf = (leaves: Hex[]): Hex => bytesToHex(merkleRoot(leaves.map((l) => hexToBytes(l))))

const read = <N extends 'outputCount' | 'fraudVerifier' | 'bondsReturnedThrough'>(d: Deployment, functionName: N) =>
  l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName })
const isFinalized = (d: Deployment, index: number) =>
  l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'isFinalized', args: [BigInt(index)] })
const expectedFirstLeaf = (d: Deployment, index: bigint) =>
  l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'expectedFirstLeaf', args: [index] })

async function withVerifier(): Promise<Deployment> {
  const d = await deployContracts(l1)
  await send(l1, deployer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [verifier.address] })
  return d
}

t.test('proposeOutput_byProposer_storesAndEmits', async (t) => {
  const d = await deployContracts(l1)
  t.equal(await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'genesisLeaf' }), TEST_GENESIS_LEAF)
  t.equal(await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'inbox' }), getAddress(d.inbox))
  t.equal(await expectedFirstLeaf(d, 0n), TEST_GENESIS_LEAF, 'batch 0 starts at the genesis leaf')
  const receipt = await propose(d, 0, { bond: MIN_BOND * 2n, leafCount: 5 })
  const { trace } = receipt
  t.equal(trace.leaves[0], TEST_GENESIS_LEAF)
  const block = await l1.publicClient.getBlock({ blockNumber: receipt.blockNumber })
  const outputRoot = computeOutputRoot(stateRoot(0), blockHash(0))
  const traceRoot = traceRootOf(trace.leaves)
  const nextFirstLeaf = keccak256(encodeTestStepState(batchStartOf(trace.lastState)))
  t.not(nextFirstLeaf, trace.leaves.at(-1), 'the last state is mid-chunk: its batch start is another leaf')
  const [event] = parseEventLogs({ abi: outputRootsAbi, logs: receipt.logs, eventName: 'OutputProposed' })
  t.same(event.args, {
    batchIndex: 0n,
    outputRoot,
    stateRoot: stateRoot(0),
    blockHash: blockHash(0),
    traceRoot,
    leafCount: 5,
    l2BlockNumber: 10n,
    proposedAt: block.timestamp,
    bond: MIN_BOND * 2n,
  })
  const output = await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [0n] })
  t.same(output, { outputRoot, traceRoot, nextFirstLeaf, l2BlockNumber: 10n, proposedAt: block.timestamp, leafCount: 5, cumulativeBond: MIN_BOND * 2n })
  t.equal(await expectedFirstLeaf(d, 1n), nextFirstLeaf, 'batch 1 starts where batch 0 ended, at position zero')
  t.equal(await revertName(expectedFirstLeaf(d, 2n)), 'OutputNotFound')
  t.equal(await read(d, 'outputCount'), 1n)
  t.equal(await l1.publicClient.getBalance({ address: d.outputRoots }), MIN_BOND * 2n)
  t.comment(`proposeOutput gas: ${receipt.gasUsed} (first, 5 leaves)`)
  const second = await propose(d, 1)
  t.equal(second.trace.leaves[0], nextFirstLeaf)
  t.comment(`proposeOutput gas: ${second.gasUsed} (later, 4 leaves)`)
})

t.test('proposeOutput_traceRoot_isThePaddedKeccakTree', async (t) => {
  const d = await deployContracts(l1)
  // widths around powers of two, and the largest batch: each root as node/trace/merkle.ts builds it
  const counts = [2, 3, 4, 5, 7, 8, 9, 33, 3_584]
  for (const [i, count] of counts.entries()) {
    const receipt = await propose(d, i, { leafCount: count })
    const output = await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [BigInt(i)] })
    t.equal(output.traceRoot, traceRootOf(receipt.trace.leaves), `${count} leaves`)
    t.equal(output.leafCount, count)
  }
})

// Measured on anvil (prague): 3,584 leaves (115,236 bytes of calldata) cost 4,604,070 gas in all,
// which is the EIP-7623 calldata floor (40 gas a nonzero byte): the execution under it is 752,976
// gas, of which the in-memory tree (4,095 keccaks of 64 bytes, ~100 gas each with its loop) is
// ~0.41M and the five new storage slots ~0.11M. So the leaves' calldata, not the hashing, is the cost.
t.test('proposeOutput_fullTrace_gas', async (t) => {
  // steps tracing: the floor hides the execution gas from the receipt, the trace's gas counter does not
  const traced = await startL1({ extraArgs: ['--steps-tracing'] })
  t.teardown(() => traced.anvil.stop())
  const d = await deployContracts(traced)
  const receipt = await proposeTestOutput(traced, d, 0n, { stateRoot: stateRoot(0), blockHash: blockHash(0), l2BlockNumber: 1n }, { leafCount: 3_584 })
  const tx = await traced.publicClient.getTransaction({ hash: receipt.transactionHash })
  const calldataBytes = (tx.input.length - 2) / 2
  t.ok(calldataBytes < 128 * 1024, `a full proposal stays under 128 KiB of calldata (${calldataBytes} bytes)`)
  const { structLogs } = (await traced.publicClient.request({
    method: 'debug_traceTransaction' as never,
    params: [receipt.transactionHash, { disableStack: true, disableMemory: true, disableStorage: true }] as never,
  })) as { structLogs: { gas: number; gasCost: number; op: string }[] }
  const execution = structLogs[0].gas - structLogs.at(-1)!.gas + structLogs.at(-1)!.gasCost
  const keccaks = structLogs.filter((s) => s.op === 'KECCAK256').length
  t.ok(keccaks >= 4_095, 'every inner node of the 4,096-wide tree is hashed')
  t.comment(`proposeOutput with 3,584 leaves: ${receipt.gasUsed} gas in all (calldata ${calldataBytes} bytes), execution ${execution} gas, ${keccaks} keccaks`)
  t.ok(receipt.gasUsed < 6_000_000n)
})

t.test('proposeOutput_badInput_reverts', async (t) => {
  const d = await deployContracts(l1)
  t.equal(await revertName(propose(d, 0, { bond: MIN_BOND - 1n })), 'BondTooSmall')
  t.equal(await revertName(propose(d, 0, { from: alice })), 'NotProposer')
  t.equal(await revertName(propose(d, 1)), 'WrongBatchIndex', 'outputs start at batch 0')
  await propose(d, 0)
  t.equal(await revertName(propose(d, 0)), 'WrongBatchIndex', 'the same batch twice')
  t.equal(await revertName(propose(d, 2)), 'WrongBatchIndex', 'a skipped batch')
  t.equal(await revertName(propose(d, 1, { l2Block: 10n })), 'L2BlockNotAfterPrevious')
  t.equal(await read(d, 'outputCount'), 1n)
})

t.test('proposeOutput_batchNotClosed_reverts', async (t) => {
  const d = await deployContracts(l1)
  const trace = testTrace(TEST_GENESIS_LEAF, stateRoot(0))
  t.equal(await revertName(proposeRaw(d, 0n, { stateRoot: stateRoot(0), ...trace })), 'BatchNotClosed', 'no chunk posted')
  await send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, 0, false, '0x01'] })
  t.equal(await revertName(proposeRaw(d, 0n, { stateRoot: stateRoot(0), ...trace })), 'BatchNotClosed', 'the batch is open')
})

t.test('proposeOutput_badTrace_reverts', async (t) => {
  const d = await deployContracts(l1)
  await closeBatch(l1, d, 0n)
  const good = testTrace(TEST_GENESIS_LEAF, stateRoot(0), 4)
  const refuse = (what: string, args: { stateRoot?: Hex; lastLeaf?: Hex; leaves?: Hex[] }) => revertName(proposeRaw(d, 0n, { stateRoot: stateRoot(0), ...good, ...args }))

  t.equal(await refuse('one leaf', { leaves: [TEST_GENESIS_LEAF] }), 'WrongLeafCount', 'one leaf')
  t.equal(await refuse('no leaves', { leaves: [] }), 'WrongLeafCount', 'no leaves')
  const tooMany = testTrace(TEST_GENESIS_LEAF, stateRoot(0), 3_585)
  t.equal(await refuse('3,585 leaves', tooMany), 'WrongLeafCount', 'one more than MAX_TRACE_LEAVES')
  t.equal(await refuse('first leaf', { leaves: [keccak256('0x01'), ...good.leaves.slice(1)] }), 'WrongFirstLeaf', 'batch 0 not from the genesis leaf')
  t.equal(await refuse('last leaf', { leaves: [...good.leaves.slice(0, -1), keccak256('0x01')] }), 'LastLeafMismatch', 'lastLeaf is not the preimage of the last leaf')
  const short = good.lastLeaf.slice(0, -2) as Hex
  t.equal(await refuse('short', { lastLeaf: short, leaves: [...good.leaves.slice(0, -1), keccak256(short)] }), 'LastLeafMismatch', 'a 287-byte preimage')
  const long = `${good.lastLeaf}00` as Hex
  t.equal(await refuse('long', { lastLeaf: long, leaves: [...good.leaves.slice(0, -1), keccak256(long)] }), 'LastLeafMismatch', 'a 289-byte preimage')
  t.equal(await refuse('state root', { stateRoot: stateRoot(1) }), 'StateRootMismatch', "the last leaf's state root is not the output's")
  t.equal(await read(d, 'outputCount'), 0n)

  await proposeRaw(d, 0n, { stateRoot: stateRoot(0), ...good })
  await closeBatch(l1, d, 1n)
  const afterLast = testTrace(good.leaves.at(-1)!, stateRoot(1), 4, 1)
  t.equal(
    await revertName(proposeRaw(d, 1n, { stateRoot: stateRoot(1), ...afterLast })),
    'WrongFirstLeaf',
    "batch 1 from batch 0's last leaf itself, not its batch start",
  )
  const fromGenesis = testTrace(TEST_GENESIS_LEAF, stateRoot(1), 4, 1)
  t.equal(await revertName(proposeRaw(d, 1n, { stateRoot: stateRoot(1), ...fromGenesis })), 'WrongFirstLeaf', 'batch 1 from the genesis leaf')
  const right = testTrace(keccak256(encodeTestStepState(batchStartOf(good.lastState))), stateRoot(1), 4, 1)
  await proposeRaw(d, 1n, { stateRoot: stateRoot(1), ...right })
  t.equal(await read(d, 'outputCount'), 2n)
})

t.test('isFinalized_afterChallengeWindow_true', async (t) => {
  const d = await deployContracts(l1)
  await propose(d, 0)
  t.equal(await isFinalized(d, 0), false, 'just proposed')
  await advanceTime(l1, CHALLENGE_WINDOW - 10n)
  t.equal(await isFinalized(d, 0), false, 'inside the window')
  await propose(d, 1)
  await advanceTime(l1, 10n)
  t.equal(await isFinalized(d, 0), true, 'the window has passed')
  t.equal(await isFinalized(d, 1), false, 'a later output has its own window')
  t.equal(await isFinalized(d, 2), false, 'an output that does not exist')
})

t.test('deleteOutputsFrom_byVerifier_deletesSuffixAndPaysBonds', async (t) => {
  const d = await withVerifier()
  for (let i = 0; i < 4; i++) await propose(d, i, { bond: MIN_BOND + BigInt(i) })
  const before = await l1.publicClient.getBalance({ address: verifier.address })
  const receipt = await send(l1, verifier, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'deleteOutputsFrom', args: [2n] })
  const [event] = parseEventLogs({ abi: outputRootsAbi, logs: receipt.logs, eventName: 'OutputsDeleted' })
  const slashed = 2n * MIN_BOND + 2n + 3n
  t.same(event.args, { fromIndex: 2n, previousCount: 4n, slashedBond: slashed })
  const gasCost = receipt.gasUsed * receipt.effectiveGasPrice
  t.equal(await l1.publicClient.getBalance({ address: verifier.address }), before + slashed - gasCost, 'the verifier holds the slashed bonds')
  t.equal(await read(d, 'outputCount'), 2n)
  t.equal(
    await revertName(l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'outputRootAt', args: [2n] })),
    'OutputNotFound',
  )
  // The proposer re-posts from the deleted batch; the cumulative bond restarts from output 1.
  await propose(d, 2, { bond: MIN_BOND * 3n })
  const output = await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [2n] })
  t.equal(output.cumulativeBond, 2n * MIN_BOND + 1n + 3n * MIN_BOND)
})

t.test('deleteOutputsFrom_notVerifier_reverts', async (t) => {
  const d = await deployContracts(l1)
  await propose(d, 0)
  t.equal(await revertName(send(l1, verifier, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'deleteOutputsFrom', args: [0n] })), 'NotFraudVerifier', 'no verifier set yet')
  await send(l1, deployer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [verifier.address] })
  for (const who of [proposer, alice, deployer]) {
    t.equal(await revertName(send(l1, who, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'deleteOutputsFrom', args: [0n] })), 'NotFraudVerifier')
  }
  t.equal(await revertName(send(l1, verifier, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'deleteOutputsFrom', args: [1n] })), 'OutputNotFound')
})

t.test('deleteOutputsFrom_finalizedOutput_reverts', async (t) => {
  const d = await withVerifier()
  await propose(d, 0)
  await advanceTime(l1, CHALLENGE_WINDOW)
  t.equal(await revertName(send(l1, verifier, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'deleteOutputsFrom', args: [0n] })), 'OutputAlreadyFinalized')
})

t.test('setFraudVerifier_onceByOwner', async (t) => {
  const d = await deployContracts(l1)
  t.equal(await revertName(send(l1, alice, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [alice.address] })), 'NotOwner')
  const receipt = await send(l1, deployer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [verifier.address] })
  t.same(parseEventLogs({ abi: outputRootsAbi, logs: receipt.logs, eventName: 'FraudVerifierSet' })[0].args, { verifier: verifier.address })
  t.equal(await read(d, 'fraudVerifier'), verifier.address)
  t.equal(
    await revertName(send(l1, deployer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [alice.address] })),
    'FraudVerifierAlreadySet',
  )
})

t.test('returnBonds_finalizedOutputs_paysProposerOnce', async (t) => {
  const d = await deployContracts(l1)
  await propose(d, 0)
  await propose(d, 1, { bond: MIN_BOND * 2n })
  const returnBonds = (through: bigint) =>
    send(l1, alice, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'returnBonds', args: [through] })
  t.equal(await revertName(returnBonds(1n)), 'OutputNotFinalized')
  await advanceTime(l1, CHALLENGE_WINDOW)
  await propose(d, 2)
  t.equal(await revertName(returnBonds(3n)), 'OutputNotFinalized', 'output 2 is still in its window')
  const before = await l1.publicClient.getBalance({ address: proposer.address })
  const receipt = await returnBonds(2n)
  t.same(parseEventLogs({ abi: outputRootsAbi, logs: receipt.logs, eventName: 'BondsReturned' })[0].args, { throughIndex: 2n, amount: MIN_BOND * 3n })
  t.equal(await l1.publicClient.getBalance({ address: proposer.address }), before + MIN_BOND * 3n)
  t.equal(await read(d, 'bondsReturnedThrough'), 2n)
  t.equal(await revertName(returnBonds(2n)), 'NothingToReturn')
})

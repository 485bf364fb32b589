/** OutputRoots on a real anvil: bond, order, challenge window, deletion by the fraud verifier only, bonds back. */
import t from 'tap'
import { keccak256, parseEventLogs, toHex, zeroHash, type Hex } from 'viem'
import { outputRootsAbi } from '../../../sdk/src/generated/contracts.ts'
import { advanceTime, alice, CHALLENGE_WINDOW, deployContracts, deployer, MIN_BOND, proposer, revertName, send, startL1, verifier, type Deployment, type L1 } from './fixtures.ts'

const l1: L1 = await startL1()
t.teardown(() => l1.anvil.stop())

const root = (i: number): Hex => keccak256(toHex(`output ${i}`))
const trace = (i: number): Hex => keccak256(toHex(`trace ${i}`))

function propose(d: Deployment, batchIndex: number, options: { bond?: bigint; l2Block?: bigint; from?: typeof proposer } = {}) {
  return send(l1, options.from ?? proposer, {
    address: d.outputRoots,
    abi: outputRootsAbi,
    functionName: 'proposeOutput',
    args: [BigInt(batchIndex), root(batchIndex), trace(batchIndex), options.l2Block ?? BigInt(10 * (batchIndex + 1))],
    value: options.bond ?? MIN_BOND,
  })
}

const read = <N extends 'outputCount' | 'fraudVerifier' | 'bondsReturnedThrough'>(d: Deployment, functionName: N) =>
  l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName })
const isFinalized = (d: Deployment, index: number) =>
  l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'isFinalized', args: [BigInt(index)] })

async function withVerifier(): Promise<Deployment> {
  const d = await deployContracts(l1)
  await send(l1, deployer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [verifier.address] })
  return d
}

t.test('proposeOutput_byProposer_storesAndEmits', async (t) => {
  const d = await deployContracts(l1)
  const receipt = await propose(d, 0, { bond: MIN_BOND * 2n })
  const block = await l1.publicClient.getBlock({ blockNumber: receipt.blockNumber })
  const [event] = parseEventLogs({ abi: outputRootsAbi, logs: receipt.logs, eventName: 'OutputProposed' })
  t.same(event.args, { batchIndex: 0n, outputRoot: root(0), traceRoot: trace(0), l2BlockNumber: 10n, proposedAt: block.timestamp, bond: MIN_BOND * 2n })
  const output = await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [0n] })
  t.same(output, { outputRoot: root(0), traceRoot: trace(0), l2BlockNumber: 10n, proposedAt: block.timestamp, cumulativeBond: MIN_BOND * 2n })
  t.equal(await read(d, 'outputCount'), 1n)
  t.equal(await l1.publicClient.getBalance({ address: d.outputRoots }), MIN_BOND * 2n)
  t.comment(`proposeOutput gas: ${receipt.gasUsed} (first)`)
  const second = await propose(d, 1)
  t.comment(`proposeOutput gas: ${second.gasUsed} (later)`)
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
  const empty = send(l1, proposer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'proposeOutput', args: [1n, zeroHash, trace(1), 20n], value: MIN_BOND })
  t.equal(await revertName(empty), 'EmptyOutputRoot')
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

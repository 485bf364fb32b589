/** findOutput and outputFinality against a real OutputRoots on anvil, with outputs at uneven L2 blocks. */
import t from 'tap'
import { keccak256, toHex } from 'viem'
import { advanceTime, CHALLENGE_WINDOW, deployContracts, proposeTestOutput, startL1 } from '../../../bridge-contracts/test/l1/fixtures.ts'
import { outputRootsAbi } from '../generated/contracts.ts'
import { findOutput, outputFinality, readOutput } from './outputs.ts'

const l1 = await startL1()
t.teardown(() => l1.anvil.stop())

t.test('findOutput_unevenBlocks_firstOutputAtOrAfterTheBlock', async (t) => {
  const d = await deployContracts(l1)
  const outputRoots = d.outputRoots
  t.same(await findOutput(l1.publicClient, { outputRoots, l2BlockNumber: 1n }), { found: undefined, outputCount: 0n }, 'no outputs yet')

  const blocks = [5n, 9n, 10n, 20n, 33n, 34n, 70n]
  for (const [i, block] of blocks.entries()) {
    await proposeTestOutput(l1, d, BigInt(i), { stateRoot: keccak256(toHex(`state ${i}`)), blockHash: keccak256(toHex(`block ${i}`)), l2BlockNumber: block })
  }
  for (let target = 0n; target <= 72n; target++) {
    const expected = blocks.findIndex((block) => block >= target)
    const { found, outputCount } = await findOutput(l1.publicClient, { outputRoots, l2BlockNumber: target })
    t.equal(outputCount, BigInt(blocks.length))
    if (expected === -1) t.equal(found, undefined, `L2 block ${target}: after every output`)
    else t.equal(found?.outputIndex, BigInt(expected), `L2 block ${target}: output ${expected}`)
    if (found !== undefined) t.same(found.output, await readOutput(l1.publicClient, outputRoots, found.outputIndex))
  }
})

t.test('outputFinality_challengeWindow_endsExactlyAtProposedAtPlusWindow', async (t) => {
  const d = await deployContracts(l1)
  await proposeTestOutput(l1, d, 0n, { stateRoot: keccak256(toHex('state')), blockHash: keccak256(toHex('block')), l2BlockNumber: 1n })
  const output = await readOutput(l1.publicClient, d.outputRoots, 0n)
  const fresh = await outputFinality(l1.publicClient, { outputRoots: d.outputRoots, output })
  t.same(fresh, { final: false, finalizesAt: output.proposedAt + CHALLENGE_WINDOW, secondsLeft: CHALLENGE_WINDOW }, 'just proposed: the whole window left')

  await advanceTime(l1, CHALLENGE_WINDOW - 1n)
  const block = await l1.publicClient.getBlock()
  const almost = await outputFinality(l1.publicClient, { outputRoots: d.outputRoots, output })
  t.equal(almost.final, block.timestamp >= output.proposedAt + CHALLENGE_WINDOW)
  t.equal(almost.secondsLeft, output.proposedAt + CHALLENGE_WINDOW - block.timestamp)
  const onChain = await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'isFinalized', args: [0n] })
  t.equal(almost.final, onChain, 'agrees with OutputRoots.isFinalized')

  await advanceTime(l1, 1n)
  const done = await outputFinality(l1.publicClient, { outputRoots: d.outputRoots, output })
  t.same({ final: done.final, secondsLeft: done.secondsLeft }, { final: true, secondsLeft: 0n })
  t.equal(await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'isFinalized', args: [0n] }), true)
})

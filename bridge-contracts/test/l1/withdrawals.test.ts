/**
 * RollbookBridge.finalizeWithdrawal on a real anvil, with real MPT proofs: an L2 state (built with
 * @ethereumjs/statemanager) where the bet engine's slot keccak256(abi.encode(withdrawalHash, 7))
 * holds 1, its output root proposed on L1; pays once, only once final, only with a true proof.
 */
import t from 'tap'
import { createBlockHeader } from '@ethereumjs/block'
import { createAccount, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { getMerkleStateProof, MerkleStateManager } from '@ethereumjs/statemanager'
import { bytesToHex, keccak256, parseEventLogs, toHex, type Address, type Hex } from 'viem'
import { BET_ENGINE_ADDRESS } from '../../../sdk/src/constants.ts'
import { betEngineDeployedBytecode, outputRootsAbi, rollbookBridgeAbi } from '../../../sdk/src/generated/contracts.ts'
import { withdrawalHash, withdrawalSlot, type Withdrawal } from '../../../sdk/src/l1/encoding.ts'
import {
  advanceTime,
  alice,
  bob,
  carol,
  CHALLENGE_WINDOW,
  deployContracts,
  deployer,
  mintAndApprove,
  proposeTestOutput,
  revertName,
  send,
  startL1,
  tokenBalance,
  USDC,
  verifier,
  type Deployment,
  type L1,
} from './fixtures.ts'

const l1: L1 = await startL1()
t.teardown(() => l1.anvil.stop())

interface L2State {
  stateRoot: Hex
  blockHash: Hex
  proofOf(slot: Hex): Promise<{ accountProof: Hex[]; storageProof: Hex[] }>
}

/** An L2 state holding the given withdrawal records (value 1) among other bet engine storage and accounts. */
async function buildL2State(withdrawals: Withdrawal[], extra: { slot: Hex; value: Hex }[] = []): Promise<L2State> {
  const sm = new MerkleStateManager()
  const engine = createAddressFromString(BET_ENGINE_ADDRESS)
  await sm.putAccount(engine, createAccount({ nonce: 1n, balance: 0n }))
  await sm.putCode(engine, hexToBytes(betEngineDeployedBytecode))
  for (let i = 0; i < 200; i++) {
    // Balances and other storage around the records, and other accounts in the state trie.
    await sm.putStorage(engine, hexToBytes(keccak256(toHex(`slot ${i}`))), hexToBytes(toHex(i + 1)))
    await sm.putAccount(createAddressFromString(keccak256(toHex(`account ${i}`)).slice(0, 42)), createAccount({ nonce: 0n, balance: BigInt(i) }))
  }
  for (const w of withdrawals) await sm.putStorage(engine, hexToBytes(withdrawalSlot(withdrawalHash(w))), Uint8Array.of(1))
  for (const { slot, value } of extra) await sm.putStorage(engine, hexToBytes(slot), hexToBytes(value))
  await sm.flush()
  const stateRoot = bytesToHex(await sm.getStateRoot())
  const blockHash = bytesToHex(createBlockHeader({ number: 77n, stateRoot: hexToBytes(stateRoot), timestamp: 1_700_000_000n }).hash())
  return {
    stateRoot,
    blockHash,
    async proofOf(slot) {
      const proof = await getMerkleStateProof(sm, engine, [hexToBytes(slot)])
      return { accountProof: proof.accountProof as Hex[], storageProof: proof.storageProof[0].proof as Hex[] }
    },
  }
}

async function proposeState(d: Deployment, batchIndex: number, state: { stateRoot: Hex; blockHash: Hex }) {
  return proposeTestOutput(l1, d, BigInt(batchIndex), { ...state, l2BlockNumber: BigInt(100 + batchIndex) })
}

/** A deployment whose bridge holds 1,000 tokens (alice's deposit). */
async function fundedBridge(): Promise<Deployment> {
  const d = await deployContracts(l1)
  await mintAndApprove(l1, d, alice, 1_000n * USDC)
  await send(l1, alice, { address: d.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [alice.address, 1_000n * USDC] })
  return d
}

function finalize(d: Deployment, w: Withdrawal, outputIndex: number, state: { stateRoot: Hex; blockHash: Hex }, proof: { accountProof: Hex[]; storageProof: Hex[] }, from = carol) {
  return send(l1, from, {
    address: d.bridge,
    abi: rollbookBridgeAbi,
    functionName: 'finalizeWithdrawal',
    args: [w, { outputIndex: BigInt(outputIndex), stateRoot: state.stateRoot, blockHash: state.blockHash, ...proof }],
  })
}

const bobWithdrawal: Withdrawal = { l2Sender: bob.address, l1Recipient: bob.address, amount: 123n * USDC, nonce: 0n }
const otherWithdrawal: Withdrawal = { l2Sender: alice.address, l1Recipient: alice.address as Address, amount: 5n * USDC, nonce: 3n }

t.test('finalizeWithdrawal_provenAfterWindow_paysExactlyOnce', async (t) => {
  const d = await fundedBridge()
  const state = await buildL2State([bobWithdrawal, otherWithdrawal])
  const proof = await state.proofOf(withdrawalSlot(withdrawalHash(bobWithdrawal)))
  await proposeState(d, 0, state)
  await advanceTime(l1, CHALLENGE_WINDOW)

  const before = await tokenBalance(l1, d, bob.address)
  const receipt = await finalize(d, bobWithdrawal, 0, state, proof)
  t.equal(await tokenBalance(l1, d, bob.address), before + bobWithdrawal.amount, 'the recipient is paid the amount')
  t.equal(await tokenBalance(l1, d, d.bridge), 1_000n * USDC - bobWithdrawal.amount)
  const [event] = parseEventLogs({ abi: rollbookBridgeAbi, logs: receipt.logs, eventName: 'WithdrawalFinalized' })
  t.same(event.args, { withdrawalHash: withdrawalHash(bobWithdrawal), ...bobWithdrawal, outputIndex: 0n })
  t.equal(
    await l1.publicClient.readContract({ address: d.bridge, abi: rollbookBridgeAbi, functionName: 'finalizedWithdrawals', args: [withdrawalHash(bobWithdrawal)] }),
    true,
  )
  t.comment(`finalizeWithdrawal gas: ${receipt.gasUsed} (account proof ${proof.accountProof.length} nodes, storage proof ${proof.storageProof.length} nodes)`)

  t.equal(await revertName(finalize(d, bobWithdrawal, 0, state, proof)), 'WithdrawalAlreadyFinalized', 'a second time')
  t.equal(await tokenBalance(l1, d, bob.address), before + bobWithdrawal.amount, 'paid once')

  // Another record of the same state is paid on its own.
  await finalize(d, otherWithdrawal, 0, state, await state.proofOf(withdrawalSlot(withdrawalHash(otherWithdrawal))))
  t.equal(await tokenBalance(l1, d, d.bridge), 1_000n * USDC - bobWithdrawal.amount - otherWithdrawal.amount)
})

t.test('finalizeWithdrawal_beforeWindow_reverts', async (t) => {
  const d = await fundedBridge()
  const state = await buildL2State([bobWithdrawal])
  const proof = await state.proofOf(withdrawalSlot(withdrawalHash(bobWithdrawal)))
  await proposeState(d, 0, state)
  t.equal(await revertName(finalize(d, bobWithdrawal, 0, state, proof)), 'OutputNotFinalized', 'just proposed')
  await advanceTime(l1, CHALLENGE_WINDOW - 5n)
  t.equal(await revertName(finalize(d, bobWithdrawal, 0, state, proof)), 'OutputNotFinalized', 'five seconds before the end')
  t.equal(await revertName(finalize(d, bobWithdrawal, 1, state, proof)), 'OutputNotFinalized', 'an output never proposed')
})

t.test('finalizeWithdrawal_forgedProof_reverts', async (t) => {
  const d = await fundedBridge()
  // The record holds 2, not 1; and a second state holds no record at all.
  const twoState = await buildL2State([], [{ slot: withdrawalSlot(withdrawalHash(bobWithdrawal)), value: '0x02' }])
  const state = await buildL2State([otherWithdrawal])
  await proposeState(d, 0, state)
  await proposeState(d, 1, twoState)
  await advanceTime(l1, CHALLENGE_WINDOW)
  const slot = withdrawalSlot(withdrawalHash(bobWithdrawal))
  const absent = await state.proofOf(slot)
  const otherProof = await state.proofOf(withdrawalSlot(withdrawalHash(otherWithdrawal)))

  t.equal(await revertName(finalize(d, bobWithdrawal, 0, state, absent)), 'WithdrawalNotInState', 'a proof that the record is absent')
  t.equal(await revertName(finalize(d, bobWithdrawal, 1, twoState, await twoState.proofOf(slot))), 'WithdrawalNotInState', 'a record holding 2')
  t.ok(await revertName(finalize(d, bobWithdrawal, 0, state, otherProof)), 'the proof of another record')
  t.equal(
    await revertName(finalize(d, { ...otherWithdrawal, amount: otherWithdrawal.amount + 1n }, 0, state, otherProof)),
    'BadNodeHash',
    'a true proof with a raised amount',
  )
  const wrongRoot = { stateRoot: keccak256('0x01'), blockHash: state.blockHash }
  t.equal(await revertName(finalize(d, otherWithdrawal, 0, wrongRoot, otherProof)), 'OutputRootMismatch', 'a state root the output does not commit to')
  t.equal(await revertName(finalize(d, otherWithdrawal, 1, state, otherProof)), 'OutputRootMismatch', 'a true proof against another output')
  const tampered = [...otherProof.storageProof]
  tampered[tampered.length - 1] = `${tampered[tampered.length - 1].slice(0, -2)}02` as Hex
  t.equal(await revertName(finalize(d, otherWithdrawal, 0, state, { ...otherProof, storageProof: tampered })), 'BadNodeHash', 'a leaf rewritten to hold 2')
  t.equal(await tokenBalance(l1, d, d.bridge), 1_000n * USDC, 'nothing left the bridge')
  await finalize(d, otherWithdrawal, 0, state, otherProof)
  t.equal(await tokenBalance(l1, d, d.bridge), 1_000n * USDC - otherWithdrawal.amount, 'the true proof still pays')
})

t.test('finalizeWithdrawal_deletedOutput_reverts', async (t) => {
  const d = await fundedBridge()
  await send(l1, deployer, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [verifier.address] })
  const state = await buildL2State([bobWithdrawal])
  const proof = await state.proofOf(withdrawalSlot(withdrawalHash(bobWithdrawal)))
  await proposeState(d, 0, state)
  await send(l1, verifier, { address: d.outputRoots, abi: outputRootsAbi, functionName: 'deleteOutputsFrom', args: [0n] })
  await advanceTime(l1, CHALLENGE_WINDOW)
  t.equal(await revertName(finalize(d, bobWithdrawal, 0, state, proof)), 'OutputNotFinalized', 'deleted')

  // Re-posted with a different (honest) state: the old proof no longer matches the output.
  const honest = await buildL2State([])
  await proposeState(d, 0, honest)
  await advanceTime(l1, CHALLENGE_WINDOW)
  t.equal(await revertName(finalize(d, bobWithdrawal, 0, state, proof)), 'OutputRootMismatch', 'the replacement output')
  t.equal(await tokenBalance(l1, d, bob.address), 0n)
})

/**
 * The bridge actions on a real anvil (L1 contracts from deployL1) and a real in-process L2 node:
 * deposit on L1; a withdrawal initiated on L2 (the dev genesis funds the bettors), its output
 * proposed by the test as the proposer, proven with the node's eth_getProof and paid once.
 */
import t from 'tap'
import { createPublicClient, createWalletClient, http, keccak256, toHex, type Account, type Hex } from 'viem'
import { getBlock, getTransactionCount } from 'viem/actions'
import { genesisLeaf } from '../../../node/rollup/genesisLeaf.ts'
import { startTestNode } from '../../../node/testing/testNode.ts'
import {
  advanceTime,
  alice,
  bob,
  CHALLENGE_WINDOW,
  carol,
  deployContracts,
  proposeTestOutput,
  deployer,
  send,
  startL1,
  tokenBalance,
  USDC,
  type Deployment,
} from '../../../bridge-contracts/test/l1/fixtures.ts'
import { defineRollbookChain } from '../chain.ts'
import { testStablecoinAbi } from '../generated/contracts.ts'
import { getBalance } from '../actions/getBalance.ts'
import { withdrawalHash, withdrawalSlot, type Withdrawal } from '../l1/encoding.ts'
import {
  BridgeCallRevertedError,
  deposit,
  finalizeWithdrawal,
  getWithdrawalStatus,
  initiateWithdrawal,
  InsufficientTokenBalanceError,
  InvalidBridgeParameterError,
  InvalidWithdrawalProofError,
  OutputNotFinalizedError,
  OutputNotProposedError,
  OutputRootMismatchError,
  proveWithdrawal,
  verifyWithdrawalProof,
  WithdrawalAlreadyFinalizedError,
  WithdrawalNotInStateError,
  WithdrawalRevertedError,
  WithdrawalWaitTimeoutError,
  withdrawWhenReady,
  type WithdrawalStatus,
} from './index.ts'

const l1 = await startL1()
t.teardown(() => l1.anvil.stop())
const node = await startTestNode()
t.teardown(() => node.close())
const l2Chain = defineRollbookChain({ id: node.chainId, rpcUrl: node.httpUrl, wsUrl: node.wsUrl })
const l2Client = createPublicClient({ chain: l2Chain, transport: http(node.httpUrl) })
const l2Wallet = (account: Account) => createWalletClient({ chain: l2Chain, account, transport: http(node.httpUrl) })
const l1Client = l1.publicClient

const d: Deployment = await deployContracts(l1, { genesisLeaf: await genesisLeaf(node.node.chain.genesis) })
let nextBatchIndex = 0n

/** Waits until the L2 node has sealed block `number`, and returns it. */
async function sealedL2Block(number: bigint) {
  for (;;) {
    try {
      return await getBlock(l2Client, { blockNumber: number })
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
}

/**
 * Proposes, as the proposer, the output of L2 block `number` (with `stateRoot` instead of the
 * block's when given), over a trace OutputRoots accepts (fixtures' proposeTestOutput: no batches
 * are posted here, so the inbox gets a stand-in chunk per batch).
 */
async function proposeOutput(number: bigint, stateRoot?: Hex): Promise<bigint> {
  const block = await sealedL2Block(number)
  const batchIndex = nextBatchIndex++
  await proposeTestOutput(l1, d, batchIndex, { stateRoot: stateRoot ?? block.stateRoot, blockHash: block.hash, l2BlockNumber: number })
  return batchIndex
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

t.test('deposit_allowanceShort_approvesThenDeposits', async (t) => {
  await send(l1, deployer, { address: d.token, abi: testStablecoinAbi, functionName: 'mint', args: [alice.address, 1_000n * USDC] })
  const wallet = l1.wallet(alice)

  const first = await deposit(wallet, { bridge: d.bridge, token: d.token, to: alice.address, amount: 600n * USDC })
  t.equal(first.queueIndex, 0n, 'the first queue message')
  t.not(first.approvalHash, undefined, 'approved first: the allowance was 0')
  t.equal(first.receipt.status, 'success')
  t.equal(first.transactionHash, first.receipt.transactionHash)
  t.equal(await tokenBalance(l1, d, d.bridge), 600n * USDC, 'the bridge holds the deposit')
  t.equal(await tokenBalance(l1, d, alice.address), 400n * USDC)

  await send(l1, alice, { address: d.token, abi: testStablecoinAbi, functionName: 'approve', args: [d.bridge, 300n * USDC] })
  const second = await deposit(wallet, { bridge: d.bridge, token: d.token, to: bob.address, amount: 300n * USDC })
  t.equal(second.queueIndex, 1n)
  t.equal(second.approvalHash, undefined, 'no approval: the allowance covered it')
  t.equal(await tokenBalance(l1, d, d.bridge), 900n * USDC)

  const tooMuch = await rejection(deposit(wallet, { bridge: d.bridge, token: d.token, to: alice.address, amount: 100n * USDC + 1n }))
  t.ok(tooMuch instanceof InsufficientTokenBalanceError, tooMuch.message)
  const zero = await rejection(deposit(wallet, { bridge: d.bridge, token: d.token, to: alice.address, amount: 0n }))
  t.ok(zero instanceof InvalidBridgeParameterError)
  const nobody = await rejection(deposit(wallet, { bridge: d.bridge, token: d.token, to: '0x0000000000000000000000000000000000000000', amount: 1n }))
  t.ok(nobody instanceof InvalidBridgeParameterError)
  t.equal(await tokenBalance(l1, d, d.bridge), 900n * USDC, 'refused deposits moved nothing')
})

t.test('withdrawal_initiatedOnL2_provenAndPaidOnceAfterWindow', async (t) => {
  // The bridge holds 900 tokens from the deposits above, enough for the payout.
  const bettor = l2Wallet(bob)
  const amount = 123n * USDC + 456_789n
  const l2Before = await getBalance(l2Client, { address: bob.address })

  const initiated = await initiateWithdrawal(bettor, { to: bob.address, amount })
  const withdrawal = initiated.withdrawal
  t.same(withdrawal, { l2Sender: bob.address, l1Recipient: bob.address, amount, nonce: 0n })
  t.equal(initiated.withdrawalHash, withdrawalHash(withdrawal))
  t.equal(await getBalance(l2Client, { address: bob.address }), l2Before - amount, 'debited exactly on L2')
  const { l2BlockNumber } = initiated
  const params = { l1Client, l2Client, outputRoots: d.outputRoots, bridge: d.bridge, withdrawal, l2BlockNumber }

  t.same(await getWithdrawalStatus(params), { status: 'waiting-for-output' })
  const early = await rejection(proveWithdrawal(params))
  t.ok(early instanceof OutputNotProposedError, 'proving before an output exists')
  t.equal((early as OutputNotProposedError).l2BlockNumber, l2BlockNumber)
  t.ok((await rejection(finalizeWithdrawal(l1.wallet(carol), params))) instanceof OutputNotProposedError, 'finalizing before an output exists')

  const outputIndex = await proposeOutput(l2BlockNumber)
  const waiting = await getWithdrawalStatus(params)
  t.equal(waiting.status, 'waiting-for-finality')
  if (waiting.status === 'waiting-for-finality') {
    t.equal(waiting.outputIndex, outputIndex)
    t.ok(waiting.secondsLeft > 0n && waiting.secondsLeft <= CHALLENGE_WINDOW, `${waiting.secondsLeft} s left`)
  }

  const proof = await proveWithdrawal(params)
  const block = await sealedL2Block(l2BlockNumber)
  t.match(proof, { outputIndex, stateRoot: block.stateRoot, blockHash: block.hash })

  const payer = l1.wallet(carol)
  const noncesBefore = await getTransactionCount(l1Client, { address: carol.address })
  const tooSoon = await rejection(finalizeWithdrawal(payer, { ...params, proof }))
  t.ok(tooSoon instanceof OutputNotFinalizedError, 'finalizing in the challenge window')
  t.ok((tooSoon as OutputNotFinalizedError).secondsLeft > 0n)
  t.equal(await getTransactionCount(l1Client, { address: carol.address }), noncesBefore, 'no L1 transaction was sent')

  await advanceTime(l1, CHALLENGE_WINDOW)
  t.same(await getWithdrawalStatus(params), { status: 'ready-to-finalize', outputIndex })

  // A forged proof is refused by the bridge's simulation, with its error, before anything is sent.
  const tampered = [...proof.storageProof]
  tampered[tampered.length - 1] = `${tampered[tampered.length - 1].slice(0, -2)}02` as Hex
  const forged = await rejection(finalizeWithdrawal(payer, { ...params, proof: { ...proof, storageProof: tampered } }))
  t.ok(forged instanceof BridgeCallRevertedError, forged.message)
  t.equal((forged as BridgeCallRevertedError).errorName, 'BadNodeHash')
  t.equal(await getTransactionCount(l1Client, { address: carol.address }), noncesBefore, 'still no L1 transaction sent')

  const bridgeBefore = await tokenBalance(l1, d, d.bridge)
  const recipientBefore = await tokenBalance(l1, d, bob.address)
  const receipt = await finalizeWithdrawal(payer, params)
  t.equal(receipt.status, 'success')
  t.equal(await tokenBalance(l1, d, bob.address), recipientBefore + amount, 'the recipient is paid exactly')
  t.equal(await tokenBalance(l1, d, d.bridge), bridgeBefore - amount)
  t.same(await getWithdrawalStatus(params), { status: 'finalized' })

  const again = await rejection(finalizeWithdrawal(payer, { ...params, proof }))
  t.ok(again instanceof WithdrawalAlreadyFinalizedError, 'a second finalize')
  t.equal((again as WithdrawalAlreadyFinalizedError).withdrawalHash, initiated.withdrawalHash)
  t.equal(await tokenBalance(l1, d, bob.address), recipientBefore + amount, 'paid once')

  // The same proof, checked against what else it could be made to prove.
  const other: Withdrawal = { ...withdrawal, amount: amount + 1n }
  // Another key's lookup leaves this proof's path: either inside the proven nodes (absent) or into a node it lacks (invalid).
  const otherSlot = await rejection(verifyWithdrawalProof({ withdrawalHash: withdrawalHash(other), ...proof }))
  t.ok(otherSlot instanceof WithdrawalNotInStateError || otherSlot instanceof InvalidWithdrawalProofError, `another slot with this proof: ${otherSlot.name}`)
  t.ok(
    (await rejection(verifyWithdrawalProof({ withdrawalHash: initiated.withdrawalHash, ...proof, storageProof: tampered }))) instanceof InvalidWithdrawalProofError,
    'a leaf rewritten to hold 2',
  )
  t.ok((await rejection(getWithdrawalStatus({ ...params, withdrawal: other }))) instanceof WithdrawalNotInStateError, 'a withdrawal never made')
  const absent = await rejection(proveWithdrawal({ ...params, withdrawal: other }))
  t.ok(absent instanceof WithdrawalNotInStateError, `proving a withdrawal never made: ${absent.message}`)
  t.equal(await l2Client.getStorageAt({ address: '0x4200000000000000000000000000000000000b37', slot: withdrawalSlot(initiated.withdrawalHash) }), toHex(1, { size: 32 }))
})

t.test('withdrawWhenReady_waitsForOutputAndWindow_thenPays', async (t) => {
  const amount = 42n * USDC
  const initiated = await initiateWithdrawal(l2Wallet(alice), { to: alice.address, amount })
  const recipientBefore = await tokenBalance(l1, d, alice.address)
  const seen: WithdrawalStatus['status'][] = []
  const paid = withdrawWhenReady(l1.wallet(alice), {
    l2Client,
    outputRoots: d.outputRoots,
    bridge: d.bridge,
    withdrawal: initiated.withdrawal,
    l2BlockNumber: initiated.l2BlockNumber,
    pollingInterval: 20,
    onStatus: (status) => seen.push(status.status),
  })
  await proposeOutput(initiated.l2BlockNumber)
  await advanceTime(l1, CHALLENGE_WINDOW)
  const receipt = await paid
  t.equal(receipt.status, 'success')
  t.equal(await tokenBalance(l1, d, alice.address), recipientBefore + amount, 'paid exactly')
  t.equal(seen.at(-1), 'ready-to-finalize', `statuses seen: ${[...new Set(seen)].join(' → ')}`)

  const twice = await rejection(
    withdrawWhenReady(l1.wallet(alice), { l2Client, outputRoots: d.outputRoots, bridge: d.bridge, withdrawal: initiated.withdrawal, l2BlockNumber: initiated.l2BlockNumber }),
  )
  t.ok(twice instanceof WithdrawalAlreadyFinalizedError, 'once paid, waiting again fails at once')
})

t.test('badInput_typedErrors', async (t) => {
  const bettor = l2Wallet(carol)
  const balance = await getBalance(l2Client, { address: carol.address })
  const zero = await rejection(initiateWithdrawal(bettor, { to: carol.address, amount: 0n }))
  t.ok(zero instanceof InvalidBridgeParameterError, zero.message)
  const nowhere = await rejection(initiateWithdrawal(bettor, { to: '0x0000000000000000000000000000000000000000', amount: 1n }))
  t.ok(nowhere instanceof InvalidBridgeParameterError, nowhere.message)
  const tooMuch = await rejection(initiateWithdrawal(bettor, { to: carol.address, amount: balance + 1n }))
  t.ok(tooMuch instanceof WithdrawalRevertedError, tooMuch.message)
  t.equal((tooMuch as WithdrawalRevertedError).revert?.name, 'InsufficientBalance')
  t.equal(await getBalance(l2Client, { address: carol.address }), balance, 'nothing debited')

  // An output whose root is not the L2 node's block: the proof is refused before any L1 call.
  const initiated = await initiateWithdrawal(bettor, { to: carol.address, amount: 1n })
  const outputIndex = await proposeOutput(initiated.l2BlockNumber, keccak256(toHex('not the real state')))
  const mismatch = await rejection(
    proveWithdrawal({ l1Client, l2Client, outputRoots: d.outputRoots, withdrawal: initiated.withdrawal, l2BlockNumber: initiated.l2BlockNumber }),
  )
  t.ok(mismatch instanceof OutputRootMismatchError, mismatch.message)
  t.equal((mismatch as OutputRootMismatchError).outputIndex, outputIndex)

  // After every proposed output: no output will come in this test, so the wait gives up.
  const late = await initiateWithdrawal(bettor, { to: carol.address, amount: 1n })
  const gaveUp = await rejection(
    withdrawWhenReady(l1.wallet(carol), {
      l2Client,
      outputRoots: d.outputRoots,
      bridge: d.bridge,
      withdrawal: late.withdrawal,
      l2BlockNumber: late.l2BlockNumber,
      pollingInterval: 20,
      timeout: 100,
    }),
  )
  t.ok(gaveUp instanceof WithdrawalWaitTimeoutError, gaveUp.message)
  t.equal((gaveUp as WithdrawalWaitTimeoutError).lastStatus, 'waiting-for-output')
})

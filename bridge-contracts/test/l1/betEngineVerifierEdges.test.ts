/**
 * BetEngineVerifier beyond the differential fuzz: the builder's witness is minimal (without any one
 * of its nodes the proof fails instead of answering); the rules run only inside execute; a
 * gas-starved execute fails instead of reporting a revert; a slot emptied is deleted.
 */
import t from 'tap'
import { encodeFunctionData, type Address, type Hex } from 'viem'
import { balanceSlot } from '../../../sdk/src/betEngine/layout.ts'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { SLOT_HINTS } from '../../../prover-fraud/witness.ts'
import { bettors, callVerifier, execute, operator, T0, VerifierChain } from './verifierFixture.ts'

const l2 = await VerifierChain.open()
t.teardown(() => l2.shut())

const createMarket = encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [2, [20_000, 30_000], T0 + 10_000n, 10n ** 9n, 10n ** 12n] })
const placeBet = encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [1n, 0, 1_000_000n, 0] })
await l2.apply(operator, createMarket, T0 + 1n)

t.test('execute_placeBet_equalsTheChainAndReportsGas', async (t) => {
  const tx = await l2.apply(bettors[0], placeBet, T0 + 2n)
  t.equal(tx.executed.status, 1)
  const outcome = await execute(tx.preStateRoot, tx.witness.nodes, bettors[0].address as Address, T0 + 2n, placeBet)
  t.same(outcome.ok && outcome.root, tx.postStateRoot)
  t.comment(`placeBet: ${outcome.ok ? outcome.gas : 0n} execution gas, witness ${tx.witness.nodes.length} nodes`)
})

t.test('execute_witnessMissingANode_revertsMissingNode', async (t) => {
  const tx = await l2.apply(bettors[0], placeBet, T0 + 3n)
  for (let drop = 0; drop < tx.witness.nodes.length; drop++) {
    if (tx.witness.nodes[drop][0] === SLOT_HINTS) continue
    const nodes = tx.witness.nodes.filter((_, i) => i !== drop)
    const outcome = await execute(tx.preStateRoot, nodes, bettors[0].address as Address, T0 + 3n, placeBet)
    t.same(outcome, { ok: false, error: 'MissingNode' }, `without node ${drop}`)
  }
})

t.test('placeBet_calledOnTheVerifierDirectly_revertsNotVerifierCall', async (t) => {
  t.same(await callVerifier(placeBet), { ok: false, error: 'NotVerifierCall' })
  t.same(await callVerifier(encodeFunctionData({ abi: betEngineAbi, functionName: 'balanceOf', args: [operator.address as Address] })), { ok: false, error: 'NotVerifierCall' })
})

t.test('execute_tooLittleGas_failsRatherThanReportingARevert', async (t) => {
  const tx = await l2.apply(bettors[0], placeBet, T0 + 4n)
  const full = await execute(tx.preStateRoot, tx.witness.nodes, bettors[0].address as Address, T0 + 4n, placeBet)
  if (!full.ok) throw new Error(full.error)
  for (const fraction of [2n, 3n, 5n]) {
    const starved = await execute(tx.preStateRoot, tx.witness.nodes, bettors[0].address as Address, T0 + 4n, placeBet, full.gas / fraction)
    t.notOk(starved.ok && starved.root !== full.root, `with ${fraction === 2n ? 'half' : `1/${fraction}`} the gas: no other root`)
  }
})

t.test('withdraw_wholeBalance_deletesTheSlot', async (t) => {
  const balance = await l2.slot(balanceSlot(bettors[1].address as Address))
  t.ok(balance > 0n)
  const data: Hex = encodeFunctionData({ abi: betEngineAbi, functionName: 'withdraw', args: [bettors[1].address as Address, balance] })
  const tx = await l2.apply(bettors[1], data, T0 + 5n)
  t.equal(tx.executed.status, 1)
  t.equal(await l2.slot(balanceSlot(bettors[1].address as Address)), 0n, 'the slot is empty')
  const outcome = await execute(tx.preStateRoot, tx.witness.nodes, bettors[1].address as Address, T0 + 5n, data)
  t.same(outcome.ok && outcome.root, tx.postStateRoot)
})

t.test('execute_slotHints_changeNoResult_andSpareReRuns', async (t) => {
  const tx = await l2.apply(bettors[0], placeBet, T0 + 5n)
  const hinted = tx.witness.nodes.filter((n) => n[0] === SLOT_HINTS)
  t.equal(hinted.length, 1, 'the builder appends one entry of slot hints')
  const plain = tx.witness.nodes.filter((n) => n[0] !== SLOT_HINTS)
  const withHints = await execute(tx.preStateRoot, tx.witness.nodes, bettors[0].address as Address, T0 + 5n, placeBet)
  const without = await execute(tx.preStateRoot, plain, bettors[0].address as Address, T0 + 5n, placeBet)
  t.same(withHints.ok && withHints.root, tx.postStateRoot, 'with hints: the chain\'s root')
  t.same(without.ok && without.root, tx.postStateRoot, 'without hints: the same root')
  if (withHints.ok && without.ok) {
    t.ok(withHints.gas < without.gas, `hints spare the re-runs: ${withHints.gas} against ${without.gas} gas`)
  }
  // hints that lie (a slot the call never touches, a slot twice, junk) change nothing either
  const junk = new Uint8Array(1 + 32 * 3)
  junk[0] = SLOT_HINTS
  junk.set(hinted[0].subarray(1, 33), 33)
  junk.fill(0xab, 65)
  const lying = await execute(tx.preStateRoot, [...tx.witness.nodes, junk], bettors[0].address as Address, T0 + 5n, placeBet)
  // a slot off the witness's paths either proves empty (an empty branch child on its way) or cannot
  // be proven (MissingNode): never another root
  t.ok(lying.ok ? lying.root === tx.postStateRoot : lying.error === 'MissingNode', `a hinted slot the call never touches: ${lying.ok ? 'the same root' : lying.error}`)
  const repeated = await execute(tx.preStateRoot, [...tx.witness.nodes, junk.subarray(0, 65)], bettors[0].address as Address, T0 + 5n, placeBet)
  t.same(repeated.ok && repeated.root, tx.postStateRoot, 'a slot hinted twice: the same root')
})

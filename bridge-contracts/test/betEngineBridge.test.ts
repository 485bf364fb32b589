/**
 * The bet engine's bridge functions (docs/decisions/0004): relayDeposit and relayForcedTx only from
 * the L1 messenger; withdraw debits exactly and writes the record the L1 bridge proves, at the
 * slot sdk/src/betEngine/layout.ts computes, with the hash RollbookBridge.hashWithdrawal computes.
 */
import t from 'tap'
import { decodeFunctionResult, encodeFunctionData, getAddress, zeroAddress, type Address, type Hex } from 'viem'
import { L1_MESSENGER_ADDRESS } from '../../sdk/src/constants.ts'
import { nextWithdrawalNonceSlot, withdrawalHash, withdrawalSlot, type Withdrawal } from '../../sdk/src/betEngine/layout.ts'
import { betEngineAbi, rollbookBridgeAbi, rollbookBridgeDeployedBytecode } from '../../sdk/src/generated/contracts.ts'
import type { BetEngineHarness } from './evmHarness.ts'
import { accounts, alice, balances, bob, carol, createEngine, expectRejected, genesisBalances, operator, USDC } from './fixtures.ts'
import { MemoryEvm } from './memoryEvm.ts'

const messenger: Address = getAddress(L1_MESSENGER_ADDRESS)
const l1Sender: Address = getAddress('0x00000000000000000000000000000000000011f1')
const l1Recipient: Address = getAddress('0x00000000000000000000000000000000000022f2')

/** Every piece of state a bridge call may touch, to check that a refused call moved none of it. */
async function bridgeState(engine: BetEngineHarness, hashes: Hex[] = []) {
  return {
    balances: await balances(engine),
    nonce: await engine.read('nextWithdrawalNonce'),
    records: await Promise.all(hashes.map((hash) => engine.storageAt(withdrawalSlot(hash)))),
  }
}

async function balancesExcept(engine: BetEngineHarness, skipped: Address): Promise<bigint[]> {
  return Promise.all(accounts.filter((a) => a !== skipped).map((a) => engine.read('balanceOf', [a])))
}

/** RollbookBridge's own pure functions, run on its deployed code in an in-memory EVM. */
async function l1Bridge() {
  const evm = await MemoryEvm.create()
  const address = getAddress('0x000000000000000000000000000000000000b71d')
  await evm.putCode(address, rollbookBridgeDeployedBytecode)
  async function call<N extends 'hashWithdrawal' | 'withdrawalSlot'>(functionName: N, args: readonly unknown[]): Promise<Hex> {
    const result = await evm.call(address, encodeFunctionData({ abi: rollbookBridgeAbi, functionName, args } as never))
    if (!result.ok) throw new Error(`${functionName} reverted`)
    return decodeFunctionResult({ abi: rollbookBridgeAbi, functionName, data: result.returnData } as never) as Hex
  }
  return {
    hashWithdrawal: (w: Withdrawal) => call('hashWithdrawal', [w]),
    withdrawalSlot: (hash: Hex) => call('withdrawalSlot', [hash]),
  }
}

t.test('l1Messenger_view_isTheSystemAccount', async (t) => {
  const engine = await createEngine()
  // l1Messenger is pure, which the harness's view-only read does not take.
  const raw = await engine.callRaw(alice, encodeFunctionData({ abi: betEngineAbi, functionName: 'l1Messenger' }))
  t.equal(decodeFunctionResult({ abi: betEngineAbi, functionName: 'l1Messenger', data: raw.returnData }), messenger)
  t.equal(await engine.read('nextWithdrawalNonce'), 0n)
})

t.test('relayDeposit', async (t) => {
  t.test('relayDeposit_fromMessenger_creditsExactlyAndEmits', async (t) => {
    const engine = await createEngine()
    const before = await engine.read('balanceOf', [carol])
    const othersBefore = await balancesExcept(engine, carol)
    const outcome = await engine.write(messenger, 'relayDeposit', [7n, l1Sender, carol, 123n * USDC + 45n])
    t.ok(outcome.ok)
    if (!outcome.ok) return
    t.same(outcome.logs, [{ eventName: 'DepositRelayed', args: { queueIndex: 7n, l1Sender, recipient: carol, amount: 123n * USDC + 45n } }])
    t.equal(await engine.read('balanceOf', [carol]), before + 123n * USDC + 45n, 'the recipient is credited the amount')
    t.same(await balancesExcept(engine, carol), othersBefore, 'no other balance moved')

    // A recipient with no balance yet, and a deposit of zero (a valid queue message: nothing to credit).
    const fresh = getAddress('0x0000000000000000000000000000000000000f00')
    t.ok((await engine.write(messenger, 'relayDeposit', [8n, l1Sender, fresh, 1n])).ok)
    t.equal(await engine.read('balanceOf', [fresh]), 1n)
    const zero = await engine.write(messenger, 'relayDeposit', [9n, l1Sender, fresh, 0n])
    t.ok(zero.ok)
    t.equal(await engine.read('balanceOf', [fresh]), 1n)
  })

  t.test('relayDeposit_notMessenger_reverts', async (t) => {
    for (const from of [operator, alice, carol, l1Sender]) {
      const engine = await createEngine()
      const before = await bridgeState(engine)
      await expectRejected(t, engine, from, (sender) => engine.write(sender, 'relayDeposit', [0n, l1Sender, from, 1_000n * USDC]), 'NotL1Messenger')
      t.same(await bridgeState(engine), before, `nothing changed (from ${from})`)
    }
  })
})

t.test('relayForcedTx', async (t) => {
  t.test('relayForcedTx_fromMessenger_emitsAndChangesNoBalance', async (t) => {
    const engine = await createEngine()
    const before = await bridgeState(engine)
    const txHash = `0x${'ab'.repeat(32)}` as Hex
    const outcome = await engine.write(messenger, 'relayForcedTx', [3n, l1Sender, txHash])
    t.ok(outcome.ok)
    if (!outcome.ok) return
    t.same(outcome.logs, [{ eventName: 'ForcedTxRelayed', args: { queueIndex: 3n, l1Sender, txHash } }])
    t.same(await bridgeState(engine), before)
  })

  t.test('relayForcedTx_notMessenger_reverts', async (t) => {
    const engine = await createEngine()
    for (const from of [operator, bob, l1Sender]) {
      await expectRejected(t, engine, from, (sender) => engine.write(sender, 'relayForcedTx', [0n, l1Sender, `0x${'cd'.repeat(32)}`]), 'NotL1Messenger')
    }
  })
})

t.test('withdraw', async (t) => {
  t.test('withdraw_withBalance_debitsRecordsAndEmits', async (t) => {
    const engine = await createEngine()
    const bridge = await l1Bridge()
    const amount = 250n * USDC + 1n
    const outcome = await engine.write(alice, 'withdraw', [l1Recipient, amount])
    t.ok(outcome.ok)
    if (!outcome.ok) return
    const withdrawal: Withdrawal = { l2Sender: alice, l1Recipient, amount, nonce: 0n }
    const hash = withdrawalHash(withdrawal)
    t.equal(outcome.result, hash, 'returns the hash layout.withdrawalHash computes')
    t.equal(await bridge.hashWithdrawal(withdrawal), hash, 'RollbookBridge.hashWithdrawal agrees')
    t.equal(await bridge.withdrawalSlot(hash), withdrawalSlot(hash), 'RollbookBridge.withdrawalSlot agrees with layout.withdrawalSlot')
    t.same(outcome.logs, [{ eventName: 'WithdrawalInitiated', args: { withdrawalHash: hash, l2Sender: alice, l1Recipient, amount, nonce: 0n } }])

    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice] - amount, 'debited exactly')
    t.equal(await engine.storageAt(withdrawalSlot(hash)), 1n, 'slot keccak256(abi.encode(hash, 7)) holds 1')
    t.equal(await engine.read('withdrawalInitiated', [hash]), true)
    t.equal(await engine.storageAt(nextWithdrawalNonceSlot), 1n, 'slot 8 holds the next nonce')
    t.equal(await engine.read('nextWithdrawalNonce'), 1n)

    // The nonce is the engine's, not the sender's: the same withdrawal twice gets two records.
    const again = await engine.write(bob, 'withdraw', [l1Recipient, amount])
    const twice = await engine.write(alice, 'withdraw', [l1Recipient, amount])
    t.ok(again.ok && twice.ok)
    const second: Withdrawal = { l2Sender: alice, l1Recipient, amount, nonce: 2n }
    t.equal(twice.ok && twice.result, withdrawalHash(second))
    t.not(withdrawalHash(second), hash)
    t.equal(await engine.storageAt(withdrawalSlot(hash)), 1n, 'the first record stays')
    t.equal(await engine.storageAt(withdrawalSlot(withdrawalHash(second))), 1n)
    t.equal(await engine.storageAt(withdrawalSlot(withdrawalHash({ l2Sender: bob, l1Recipient, amount, nonce: 1n }))), 1n)
    t.equal(await engine.read('nextWithdrawalNonce'), 3n)
    t.equal(await engine.read('balanceOf', [alice]), genesisBalances[alice] - 2n * amount)
    t.equal(await engine.read('balanceOf', [bob]), genesisBalances[bob] - amount)
    t.equal(await engine.read('withdrawalInitiated', [withdrawalHash({ ...second, nonce: 3n })]), false, 'no record for an unused nonce')
  })

  t.test('withdraw_wholeBalance_leavesZero', async (t) => {
    const engine = await createEngine()
    const outcome = await engine.write(carol, 'withdraw', [carol, genesisBalances[carol]])
    t.ok(outcome.ok)
    t.equal(await engine.read('balanceOf', [carol]), 0n)
  })

  t.test('withdraw_afterRelayedDeposit_spendsTheDeposit', async (t) => {
    const fresh = getAddress('0x0000000000000000000000000000000000000f01')
    const engine = await createEngine()
    t.ok((await engine.write(messenger, 'relayDeposit', [0n, l1Sender, fresh, 40n * USDC])).ok)
    t.ok((await engine.write(fresh, 'withdraw', [l1Sender, 40n * USDC])).ok)
    t.equal(await engine.read('balanceOf', [fresh]), 0n)
    t.equal(await engine.read('withdrawalInitiated', [withdrawalHash({ l2Sender: fresh, l1Recipient: l1Sender, amount: 40n * USDC, nonce: 0n })]), true)
  })

  t.test('withdraw_refused_changesNothing', async (t) => {
    const engine = await createEngine()
    t.ok((await engine.write(bob, 'withdraw', [l1Recipient, 1n])).ok, 'one withdrawal first, so the nonce is not zero')
    const cases: Array<{ name: string; from: Address; to: Address; amount: bigint; error: string }> = [
      { name: 'zero amount', from: alice, to: l1Recipient, amount: 0n, error: 'AmountZero' },
      { name: 'zero recipient', from: alice, to: zeroAddress, amount: 1n, error: 'RecipientZero' },
      { name: 'one unit more than the balance', from: carol, to: l1Recipient, amount: genesisBalances[carol] + 1n, error: 'InsufficientBalance' },
      { name: 'no balance at all', from: l1Sender, to: l1Recipient, amount: 1n, error: 'InsufficientBalance' },
      { name: 'the largest amount', from: operator, to: l1Recipient, amount: 2n ** 256n - 1n, error: 'InsufficientBalance' },
    ]
    for (const c of cases) {
      const wouldBe = withdrawalHash({ l2Sender: c.from, l1Recipient: c.to, amount: c.amount, nonce: 1n })
      const before = await bridgeState(engine, [wouldBe])
      await expectRejected(t, engine, c.from, (from) => engine.write(from, 'withdraw', [c.to, c.amount]), c.error)
      t.same(await bridgeState(engine, [wouldBe]), before, `${c.name}: no balance, nonce or record changed`)
    }
  })
})

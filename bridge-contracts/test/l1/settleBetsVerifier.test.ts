/**
 * settleBets (BetEngineExtension, the second half of the rules: docs/decisions/0008) through the L1
 * verifier's delegatecall: full batches of 4 bets from 4 bettors (the most slots one call touches:
 * each bet's two words and its bettor's balance), a batch with settled, unknown and repeated ids,
 * and a batch over the bound; each tx runs on a real L2Chain and the verifier re-executes it from
 * its witness, and its post-state root must be the chain's. Prints the verifier's gas, the figure
 * that bounds MAX_SETTLE_BATCH (a fraud proof of the call must stay under 1.5M L1 gas in all).
 */
import t from 'tap'
import { bytesToHex, encodeFunctionData, type Address, type ContractFunctionArgs, type ContractFunctionName } from 'viem'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { decodeBetEngineError } from '../../../sdk/src/betEngine/errors.ts'
import { testAccounts, type TestAccount } from '../../../node/chain/fastpath/testing.ts'
import { callVerifier, execute, messenger, operator, oracle, T0, VerifierChain } from './verifierFixture.ts'

type Write = ContractFunctionName<typeof betEngineAbi, 'nonpayable'>

const l2 = await VerifierChain.open()
t.teardown(() => l2.shut())
// eight bettors of their own (the fixture's accounts are the first six of the same list)
const bettors = testAccounts(16).slice(8)
const addr = (a: TestAccount) => a.address as Address
let time = T0
let queueIndex = 0n

async function step<N extends Write>(
  name: string,
  from: TestAccount,
  functionName: N,
  args: ContractFunctionArgs<typeof betEngineAbi, 'nonpayable', N>,
  expectError?: string,
): Promise<bigint> {
  time += 1n
  const data = encodeFunctionData({ abi: betEngineAbi, functionName, args } as never)
  const tx = await l2.apply(from, data, time)
  const outcome = await execute(tx.preStateRoot, tx.witness.nodes, addr(from), time, data)
  const error = tx.executed.status === 0 ? decodeBetEngineError(bytesToHex(tx.executed.revertData))?.name : undefined
  t.equal(error, expectError, `${name}: ${expectError ?? 'accepted'} on L2`)
  t.same(outcome.ok && outcome.root, tx.postStateRoot, `${name}: the verifier's root is the chain's${outcome.ok ? ` (${outcome.gas} gas, ${tx.witness.nodes.length} witness nodes)` : ` (${outcome.error})`}`)
  return outcome.ok ? outcome.gas : -1n
}

t.test('settleBets_throughTheVerifiersSecondHalf_rootEqualsChain', async (t) => {
  await step('open market 1', operator, 'createMarket', [2, [20_000, 18_000], T0 + 50n, 10n ** 9n, 10n ** 13n])
  for (const b of bettors) await step(`fund ${addr(b).slice(0, 8)}`, messenger, 'relayDeposit', [queueIndex++, addr(b), addr(b), 10n ** 8n])
  for (const [i, b] of bettors.entries()) await step(`bet ${i + 1}`, b, 'placeBet', [1n, i % 2, 1_000_000n + BigInt(i), 0])
  await step('settleBets before the result: nothing settles', bettors[0], 'settleBets', [[1n, 2n]])
  time = T0 + 50n
  await step('the oracle reports outcome 0', oracle, 'reportResult', [1n, 0])

  const full = await step('settleBets of 4 bets of 4 bettors (the bound)', bettors[0], 'settleBets', [[1n, 2n, 3n, 4n]])
  t.comment(`verifier execution gas of settleBets with 4 settling bets from 4 bettors: ${full}`)
  await step('settleBets of the other 4', bettors[0], 'settleBets', [[5n, 6n, 7n, 8n]])
  t.ok(full > 0n, 'the full batch verified')
  await step('settleBets again: all settled, skipped', bettors[1], 'settleBets', [[1n, 2n, 3n, 4n]])
  await step('a bet settled by its bettor meanwhile (none left), unknown and repeated ids', bettors[2], 'settleBets', [[8n, 99n, 0n, 8n]])
  await step('5 ids', bettors[3], 'settleBets', [[1n, 2n, 3n, 4n, 5n]], 'TooManyBets')
  await step('an empty list', bettors[3], 'settleBets', [[]])
})

t.test('settleBets_calledOnTheVerifierFromOutside_refused', async (t) => {
  // the fallback delegates only for the verifier's own inner frame
  const res = await callVerifier(encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBets', args: [[1n]] }))
  t.same(res, { ok: false, error: 'NotVerifierCall' })
})

/**
 * BetEngineVerifier on the oracle committee of docs/decisions/0007, call by call: a whole committee
 * lifecycle (seating, votes and a vote change, a proposal, a flag, a new round, finalizeResult, a
 * lazy finalization inside settleBet, a void, a shrinking committee whose members' slots are
 * deleted) and the refusals between, each tx run on a real L2Chain and re-executed by the verifier
 * from its witness: the verifier's post-state root is the chain's every time. The random
 * differential test (betEngineVerifier.test.ts) reaches the success paths of flag, finalize and
 * lazy settlement only rarely; this sequence reaches each of them.
 */
import t from 'tap'
import { bytesToHex, encodeFunctionData, type Address, type ContractFunctionArgs, type ContractFunctionName } from 'viem'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { decodeBetEngineError } from '../../../sdk/src/betEngine/errors.ts'
import { memberSlot } from '../../../sdk/src/betEngine/layout.ts'
import { RESULT_VOID } from '../../../sdk/src/constants.ts'
import type { TestAccount } from '../../../node/chain/fastpath/testing.ts'
import { bettors, execute, operator, oracle, T0, VerifierChain } from './verifierFixture.ts'

type Write = ContractFunctionName<typeof betEngineAbi, 'nonpayable'>

const l2 = await VerifierChain.open()
t.teardown(() => l2.shut())

const [m1, m2, m3] = [oracle, bettors[2], bettors[3]]
const addr = (a: TestAccount) => a.address as Address
let time = T0

/** Runs one call on the chain and through the verifier; checks the root and the expected revert. */
async function step<N extends Write>(
  name: string,
  from: TestAccount,
  functionName: N,
  args: ContractFunctionArgs<typeof betEngineAbi, 'nonpayable', N>,
  expectError?: string,
): Promise<void> {
  time += 1n
  const data = encodeFunctionData({ abi: betEngineAbi, functionName, args } as never)
  const tx = await l2.apply(from, data, time)
  const outcome = await execute(tx.preStateRoot, tx.witness.nodes, addr(from), time, data)
  const error = tx.executed.status === 0 ? decodeBetEngineError(bytesToHex(tx.executed.revertData))?.name : undefined
  t.equal(error, expectError, `${name}: ${expectError ?? 'accepted'} on L2`)
  t.same(outcome.ok && outcome.root, tx.postStateRoot, `${name}: the verifier's root is the chain's${outcome.ok ? ` (${outcome.gas} gas)` : ` (${outcome.error})`}`)
}

t.test('committee_lifecycle_verifierRootEqualsChainAtEveryCall', async () => {
  const WINDOW = 100
  await step('open market 1', operator, 'createMarket', [2, [20_000, 18_000], T0 + 50n, 10n ** 9n, 10n ** 12n])
  await step('open market 2', operator, 'createMarket', [3, [30_000, 25_000, 40_000], T0 + 50n, 10n ** 9n, 10n ** 12n])
  await step('bet on 1', bettors[0], 'placeBet', [1n, 0, 1_000_000n, 0])
  await step('bet on 2', bettors[1], 'placeBet', [2n, 1, 2_000_000n, 0])
  await step('a stranger seats a committee', bettors[0], 'setCommittee', [[addr(m1)], 1, 0], 'NotOperator')
  await step('a repeated member', operator, 'setCommittee', [[addr(m1), addr(m2), addr(m1)], 2, WINDOW], 'BadCommitteeMember')
  await step('seat 2 of 3', operator, 'setCommittee', [[addr(m1), addr(m2), addr(m3)], 2, WINDOW])
  await step('a vote before close', m1, 'voteResult', [1n, 0], 'MarketNotClosed')
  time = T0 + 50n
  await step('a non-member votes', bettors[0], 'voteResult', [1n, 0], 'NotOracle')
  await step('m1 votes 1', m1, 'voteResult', [1n, 1])
  await step('m1 changes to 0', m1, 'voteResult', [1n, 0])
  await step('m2 votes 1', m2, 'voteResult', [1n, 1])
  await step('m3 votes 1: proposed', m3, 'voteResult', [1n, 1])
  await step('a vote on a proposal', m1, 'voteResult', [1n, 0], 'ResultAlreadyProposed')
  await step('finalize inside the window', bettors[0], 'finalizeResult', [1n], 'ResultNotFinal')
  await step('settle inside the window', bettors[0], 'settleBet', [1n], 'MarketNotResolved')
  await step('a stranger flags', bettors[0], 'flagResult', [1n], 'NotOracleOrOperator')
  await step('m1 flags', m1, 'flagResult', [1n])
  await step('flag with nothing proposed', operator, 'flagResult', [1n], 'NoProposedResult')
  await step('round 1: m1 votes 0', m1, 'voteResult', [1n, 0])
  await step('round 1: m2 votes 0: proposed', m2, 'voteResult', [1n, 0])
  await step('the operator flags', operator, 'flagResult', [1n])
  await step('round 2: m3 votes 0', m3, 'voteResult', [1n, 0])
  await step('round 2: m1 votes 0: proposed', m1, 'voteResult', [1n, 0])
  time += BigInt(WINDOW)
  await step('a flag after the window', m2, 'flagResult', [1n], 'DisputeWindowOver')
  await step('settleBet finalizes lazily and pays', bettors[2], 'settleBet', [1n])
  await step('finalize a resolved market', bettors[2], 'finalizeResult', [1n], 'MarketNotOpen')

  await step('market 2: m2 votes void', m2, 'voteResult', [2n, RESULT_VOID])
  await step('market 2: m3 votes void: proposed', m3, 'voteResult', [2n, RESULT_VOID])
  await step('shrink to m3 alone, no window', operator, 'setCommittee', [[addr(m3)], 1, 0])
  t.equal(await l2.slot(memberSlot(1)), 0n, 'members[1] deleted')
  await step('the removed m1 votes', m1, 'voteResult', [2n, 0], 'NotOracle')
  time += BigInt(WINDOW)
  await step('finalize the void', bettors[3], 'finalizeResult', [2n])
  await step('settle the void: a refund', bettors[3], 'settleBet', [2n])
  await step('reseat 16 members', operator, 'setCommittee', [
    [...[m1, m2, m3, operator].map(addr), ...Array.from({ length: 12 }, (_, i) => `0x${(0x3000 + i).toString(16).padStart(40, '0')}` as Address)],
    16,
    0,
  ])
})

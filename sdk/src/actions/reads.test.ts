import t from 'tap'
import { decodeFunctionData, encodeFunctionResult, type Hex } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS, RESULT_VOID } from '../constants.ts'
import { answeringClient } from '../testing.ts'
import { getBalance } from './getBalance.ts'
import { getBet } from './getBet.ts'
import { getMarket } from './getMarket.ts'
import { getOperator } from './getOperator.ts'
import { getOracle } from './getOracle.ts'
import { getCommittee } from './getCommittee.ts'
import { getResultState } from './getResultState.ts'

const alice = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const emptyMarket = { status: 0, outcomeCount: 0, result: 0, closeTime: 0n, maxStake: 0n, maxLiability: 0n, odds: [], liability: [] }
const emptyBet = { bettor: '0x0000000000000000000000000000000000000000', marketId: 0n, outcome: 0, status: 0, stake: 0n, odds: 0, payout: 0n, kind: 0 } as const

/** A node whose eth_call runs the bet engine view `answer` gives a result for; calls are recorded. */
function engine(answer: (functionName: string, args: readonly unknown[]) => unknown) {
  const calls: Array<{ to: unknown; block: unknown }> = []
  const { client } = answeringClient({
    eth_call: ([request, block]) => {
      const { to, data } = request as { to: string; data: Hex }
      calls.push({ to, block })
      const { functionName, args } = decodeFunctionData({ abi: betEngineAbi, data })
      return encodeFunctionResult({ abi: betEngineAbi, functionName, result: answer(functionName, args ?? []) } as never)
    },
  })
  return { client, calls }
}

t.test('getMarket: open, resolved with an outcome, resolved void, missing', async (t) => {
  const market = { status: 1, outcomeCount: 2, result: 0, closeTime: 1_900_000_000n, maxStake: 5n, maxLiability: 9n, odds: [18_000, 21_000], liability: [3n, 0n] }
  const views: Record<string, typeof market> = {
    '1': market,
    '2': { ...market, status: 2, result: 1 },
    '3': { ...market, status: 2, result: RESULT_VOID },
  }
  const { client, calls } = engine((_fn, [id]) => views[String(id)] ?? emptyMarket)
  t.same(await getMarket(client, { marketId: 1n }), {
    id: 1n,
    status: 'open',
    result: null,
    outcomeCount: 2,
    closeTime: 1_900_000_000n,
    maxStake: 5n,
    maxLiability: 9n,
    odds: [18_000, 21_000],
    liability: [3n, 0n],
  })
  t.match(await getMarket(client, { marketId: 2n }), { status: 'resolved', result: 1 })
  t.match(await getMarket(client, { marketId: 3n }), { status: 'resolved', result: 'void' })
  await t.rejects(getMarket(client, { marketId: 4n }), { name: 'MarketNotFoundError', marketId: 4n })
  t.equal(String(calls[0].to).toLowerCase(), BET_ENGINE_ADDRESS.toLowerCase())
})

t.test('getBet: open, settled, cashed out, a parlay, missing', async (t) => {
  const bet = { bettor: alice, marketId: 1n, outcome: 1, status: 1, stake: 10n, odds: 25_000, payout: 25n, kind: 0 }
  const views: Record<string, typeof bet> = { '7': bet, '8': { ...bet, status: 2 }, '10': { ...bet, status: 3 }, '11': { ...bet, marketId: 0n, outcome: 3, kind: 1 } }
  const { client } = engine((_fn, [id]) => views[String(id)] ?? emptyBet)
  t.same(await getBet(client, { betId: 7n }), { id: 7n, kind: 'single', bettor: alice, marketId: 1n, outcome: 1, status: 'open', stake: 10n, odds: 25_000, payout: 25n })
  t.match(await getBet(client, { betId: 8n }), { status: 'settled' })
  t.match(await getBet(client, { betId: 10n }), { status: 'cashedOut' })
  t.match(await getBet(client, { betId: 11n }), { kind: 'parlay', marketId: 0n, outcome: 3 })
  await t.rejects(getBet(client, { betId: 9n }), { name: 'BetNotFoundError', betId: 9n })
})

t.test('getBalance, getOperator, getOracle; a block number is passed through', async (t) => {
  const operator = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
  const { client, calls } = engine((fn, args) =>
    fn === 'balanceOf' ? (args[0] === alice ? 42n : 0n) : fn === 'operator' ? operator : alice,
  )
  t.equal(await getBalance(client, { address: alice }), 42n)
  t.equal(await getOperator(client), operator)
  t.equal(await getOracle(client), alice)
  await getBalance(client, { address: alice, blockNumber: 5n })
  t.same(
    calls.map((c) => c.block),
    ['latest', 'latest', 'latest', '0x5'],
  )
})

t.test('getCommittee', async (t) => {
  const bob = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
  const { client } = engine(() => [[alice, bob], 2, 3_600])
  t.same(await getCommittee(client), { members: [alice, bob], threshold: 2, disputeWindowSeconds: 3_600 })
})

t.test('getResultState: voting, flagged, proposed, final with a void result', async (t) => {
  const base = { round: 0, proposed: false, proposedResult: 0, finalAt: 0n, isFinal: false, flagged: false, voters: [], votes: [] }
  const views: Record<string, unknown> = {
    '1': { ...base, voters: [alice], votes: [RESULT_VOID] },
    '2': { ...base, round: 1, flagged: true },
    '3': { ...base, round: 1, proposed: true, proposedResult: 2, finalAt: 1_900_000_600n, voters: [alice], votes: [2] },
    '4': { ...base, proposed: true, proposedResult: RESULT_VOID, finalAt: 1_900_000_000n, isFinal: true },
  }
  const { client } = engine((_fn, [id]) => views[String(id)])
  t.same(await getResultState(client, { marketId: 1n }), {
    marketId: 1n,
    round: 0,
    status: 'voting',
    proposedResult: null,
    finalAt: null,
    flagged: false,
    votes: [{ member: alice, result: 'void' }],
  })
  t.match(await getResultState(client, { marketId: 2n }), { round: 1, status: 'voting', flagged: true, votes: [] })
  t.match(await getResultState(client, { marketId: 3n }), { status: 'proposed', proposedResult: 2, finalAt: 1_900_000_600n, votes: [{ member: alice, result: 2 }] })
  t.match(await getResultState(client, { marketId: 4n }), { status: 'final', proposedResult: 'void' })
})

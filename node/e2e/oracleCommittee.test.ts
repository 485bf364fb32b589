/**
 * The oracle committee end to end (docs/decisions/0007): a dev sequencer, the operator seats three
 * members at 2 of 3 with a short dispute window, and each member's `rollbook oracle` runs as its
 * own process over real sockets. A runs on the right feed, B on a wrong one, C is offline at
 * first. The wrong result never becomes final: while only A and B vote no two agree, and when a
 * wrong result is proposed anyway (C's key votes it by hand, a member mistaken) A flags it inside
 * the window. Once C's process runs on the right feed, A and C agree, B flags that proposal once,
 * they sign it again in the next round, and it becomes final and the market resolves.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEventLogs, type Hex } from 'viem'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../../sdk/src/constants.ts'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { getReceipt } from '../../sdk/src/actions/getReceipt.ts'
import { getResultState } from '../../sdk/src/actions/getResultState.ts'
import { setCommittee } from '../../sdk/src/actions/setCommittee.ts'
import { voteResult } from '../../sdk/src/actions/voteResult.ts'
import { bettors, clients, operator, oracle } from '../testing/accounts.ts'
import { startTestNode, tempDatadir } from '../testing/testNode.ts'
import { keyOf, openMarket, sleep, startOracleProcess, until, type OracleProcess } from '../oracle/testing.ts'

const WINDOW = 3
const [A, B, C] = [oracle, bettors[0]!, bettors[1]!]

const node = await startTestNode({ blockTimeMs: 100 })
t.teardown(() => node.close())
const { publicClient, walletClient: opWallet } = clients(node.chainId, node.httpUrl, operator)
const cWallet = clients(node.chainId, node.httpUrl, C).walletClient
const dir = tempDatadir('rollbook-committee-')

function startOracle(name: string, key: Hex, feed: string): OracleProcess {
  const oracle = startOracleProcess(name, key, feed, node.httpUrl, 'debug')
  t.teardown(() => oracle.kill())
  return oracle
}

const stateOf = (marketId: bigint) => getResultState(publicClient, { marketId })
const resultOf = async (marketId: bigint) => (await getMarket(publicClient, { marketId })).result

t.test('2 of 3: the wrong result never becomes final, the right one does once two honest members agree', async (t) => {
  const seated = await getReceipt(opWallet, { hash: await setCommittee(opWallet, { members: [A.address, B.address, C.address], threshold: 2, disputeWindowSeconds: WINDOW }) })
  t.equal(seated.status, 'success', 'committee seated')
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 2)
  const m1 = await openMarket(opWallet, 2, closeTime)
  const m2 = await openMarket(opWallet, 3, closeTime)
  const right = join(dir, 'right.json')
  const wrong = join(dir, 'wrong.json')
  writeFileSync(right, JSON.stringify({ version: 1, events: [{ marketId: m1.toString(), status: 'final', result: 0 }, { marketId: m2.toString(), status: 'final', scores: { home: 0, away: 1 }, layout: 'home-draw-away' }] }))
  writeFileSync(wrong, JSON.stringify({ version: 1, events: [{ marketId: m1.toString(), status: 'final', result: 1 }, { marketId: m2.toString(), status: 'final', result: 1 }] }))

  const a = startOracle('A', keyOf(A), right)
  const b = startOracle('B', keyOf(B), wrong)

  // A and B vote as soon as the markets close; they disagree, so nothing is proposed
  await until('A and B voted on both markets', async () => (await stateOf(m1)).votes.length === 2 && (await stateOf(m2)).votes.length === 2, 20_000)
  t.same((await stateOf(m1)).votes.map((v) => [v.member, v.result]), [[A.address, 0], [B.address, 1]])
  await sleep(1_000)
  for (const m of [m1, m2]) {
    const state = await stateOf(m)
    t.equal(state.status, 'voting', `market ${m}: no two agree, nothing proposed`)
    t.equal(await resultOf(m), null)
  }

  // C's key votes B's wrong result on m2 by hand: proposed, and A flags it inside the window
  const mistaken = await getReceipt(cWallet, { hash: await voteResult(cWallet, { marketId: m2, result: 1 }) })
  t.ok(parseEventLogs({ abi: betEngineAbi, logs: mistaken.receipt.logs, eventName: 'ResultProposed' }).length === 1, 'the wrong result is proposed')
  await until('A flags the wrong proposal', async () => (await stateOf(m2)).round === 1, WINDOW * 1000)
  await until("A's log of its flag", () => a.lines.some((l) => l.msg === `flagged market ${m2}: proposed outcome 1, the feed says outcome 2`), 5_000)

  // C comes online on the right feed: A and C agree on each market; B flags that once; they sign again; final after the window
  const c = startOracle('C', keyOf(C), right)
  await until('both markets resolved', async () => (await resultOf(m1)) === 0 && (await resultOf(m2)) === 2, 40_000)

  // logs are read from sealed blocks: wait for the resolutions' block to seal
  const sealedLogs = async () => parseEventLogs({ abi: betEngineAbi, logs: await publicClient.getLogs({ address: BET_ENGINE_ADDRESS, fromBlock: 0n }) })
  await until('the resolutions sealed', async () => (await sealedLogs()).filter((l) => l.eventName === 'MarketResolved').length >= 2, 5_000)
  const logs = await sealedLogs()
  const of = (m: bigint) => logs.filter((l) => 'marketId' in l.args && l.args.marketId === m)
  for (const [m, good] of [[m1, 0], [m2, 2]] as const) {
    const resolved = of(m).filter((l) => l.eventName === 'MarketResolved')
    t.same(resolved.map((l) => (l.args as { result: number }).result), [good], `market ${m} resolved once, with ${good}`)
    const flags = of(m).filter((l) => l.eventName === 'ResultFlagged').map((l) => (l.args as { by: string }).by)
    const proposals = of(m).filter((l) => l.eventName === 'ResultProposed').map((l) => (l.args as { result: number }).result)
    t.ok(proposals.at(-1) === good, `market ${m}: the last proposal is the right result (${proposals.join(', ')})`)
    t.ok(flags.filter((by) => by === B.address).length <= 1, `market ${m}: the wrong feed flags the right result at most once`)
  }
  t.ok(of(m2).some((l) => l.eventName === 'ResultFlagged' && (l.args as { by: string }).by === A.address), 'A flagged the wrong proposal')
  t.ok(b.lines.some((l) => /again after this key flagged it/.test(l.msg)), 'B logs the re-signed result and does not flag it twice')

  for (const p of [a, b, c]) t.equal(await p.stop(), 0, 'oracle stops cleanly')
})

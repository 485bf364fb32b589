import t from 'tap'
import { renameSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { getReceipt } from '../../sdk/src/actions/getReceipt.ts'
import { getResultState } from '../../sdk/src/actions/getResultState.ts'
import { setCommittee } from '../../sdk/src/actions/setCommittee.ts'
import { bettors, clients, operator, oracle as oracleAccount } from '../testing/accounts.ts'
import { startTestNode, tempDatadir } from '../testing/testNode.ts'
import { JsonFileFeed, JsonUrlFeed } from './jsonFeed.ts'
import { L2Results } from './l2.ts'
import { Oracle } from './oracle.ts'
import { capturingLogger, keyOf, openMarket, sleep, until, type LogLine } from './testing.ts'

// One dev node for the file: markets that close within seconds, the oracle key is account 1.
const node = await startTestNode({ blockTimeMs: 100 })
t.teardown(() => node.close())
const { publicClient, walletClient: opWallet } = clients(node.chainId, node.httpUrl, operator)
const dir = tempDatadir('rollbook-oracle-')

const soon = BigInt(Math.floor(Date.now() / 1000) + 2)
const later = BigInt(Math.floor(Date.now() / 1000) + 3600)
const m = {
  two: await openMarket(opWallet, 2, soon),
  three: await openMarket(opWallet, 3, soon),
  postponed: await openMarket(opWallet, 2, soon),
  scores: await openMarket(opWallet, 2, soon),
  badA: await openMarket(opWallet, 2, soon),
  url: await openMarket(opWallet, 3, soon),
  restart: await openMarket(opWallet, 2, soon),
  far: await openMarket(opWallet, 2, later),
}
// every vote below needs its market closed on L2, whose next block opens at the sequencer's clock
await until('the markets to close', () => Date.now() / 1000 > Number(soon) + 1, 10_000)

let feedFiles = 0
/** Replaces the feed file at once (write, then rename), so the oracle never reads half a document. */
function writeFeed(path: string, content: unknown) {
  const tmp = join(dir, `.feed-${feedFiles++}`)
  writeFileSync(tmp, typeof content === 'string' ? content : JSON.stringify(content))
  renameSync(tmp, path)
}

async function startOracle(feedPath: string | JsonUrlFeed) {
  const { log, lines } = capturingLogger()
  const l2 = await L2Results.connect(node.httpUrl, keyOf(oracleAccount))
  const feed = typeof feedPath === 'string' ? new JsonFileFeed(feedPath) : feedPath
  const oracle = new Oracle({ feed, l2, pollMs: 100, log, retryMs: 60_000 })
  oracle.start()
  return { oracle, l2, lines }
}

const resultOf = async (marketId: bigint) => (await getMarket(publicClient, { marketId })).result

const refusal = (lines: LogLine[], pattern: RegExp) => lines.some((l) => l.refused === true && pattern.test(l.msg))

t.test('(a) a feed file with results for closed markets: each is voted once and the markets resolve', async (t) => {
  const path = join(dir, 'a.json')
  writeFeed(path, {
    version: 1,
    events: [
      { marketId: m.two.toString(), status: 'final', result: 1, name: 'Arsenal v Spurs' },
      { marketId: Number(m.three), status: 'final', scores: { home: 2, away: 2 }, layout: 'home-draw-away' },
      { marketId: m.postponed.toString(), status: 'postponed' },
      { marketId: m.far.toString(), status: 'in-play', scores: { home: 0, away: 0 }, layout: 'home-away' },
    ],
  })
  const { oracle, l2, lines } = await startOracle(path)
  t.teardown(() => oracle.stop())
  const nonce0 = await l2.nonce()
  await until('three markets resolved', async () => (await resultOf(m.two)) === 1 && (await resultOf(m.three)) === 1 && (await resultOf(m.postponed)) === 'void')
  await sleep(500) // a few more polls: nothing is voted twice
  t.equal(await l2.nonce(), nonce0 + 3, 'three votes, each once')
  t.equal(await resultOf(m.far), null, 'in play: nothing voted')
  t.ok(lines.some((l) => l.msg === 'feed document read' && l.version === 1))
  t.equal(lines.filter((l) => /^voted /.test(l.msg)).length, 3)

  // the file changes: the new version is read and its new result voted (a tie in a two-way market is void)
  writeFeed(path, {
    version: 2,
    events: [
      { marketId: m.two.toString(), status: 'final', result: 1 },
      { marketId: m.scores.toString(), status: 'final', scores: { home: 1, away: 1 }, layout: 'home-away' },
    ],
  })
  await until('the tie voided', async () => (await resultOf(m.scores)) === 'void')
  t.equal(await l2.nonce(), nonce0 + 4)
})

t.test('(b) bad feed input is logged and refused, and no tx is sent', async (t) => {
  const path = join(dir, 'b.json')
  writeFeed(path, { version: 1, events: [{ marketId: m.far.toString(), status: 'final', result: 0 }] })
  const { oracle, l2, lines } = await startOracle(path)
  t.teardown(() => oracle.stop())
  const nonce0 = await l2.nonce()
  const a = m.badA.toString()
  const cases: [string, unknown, RegExp][] = [
    ['a market not yet closed', null, /market not closed until/],
    ['malformed JSON', '{"version": 2, "events": [', /refused \(malformed-json\)/],
    ['a document that fails the schema', { version: 2, events: [{ marketId: a, status: 'won', result: 0 }] }, /refused \(schema\).*status/],
    ['a typo in a key', { version: 2, events: [{ marketId: a, status: 'final', reslt: 0 }] }, /refused \(schema\)/],
    ['an unknown market', { version: 2, events: [{ marketId: '999999', status: 'final', result: 0 }] }, /no market 999999 on L2/],
    ['a changed final result', { version: 3, events: [{ marketId: m.far.toString(), status: 'final', result: 1 }] }, /conflicting result: the feed changed its result from outcome 0 to outcome 1/],
    ['two entries that disagree', { version: 4, events: [{ marketId: a, status: 'final', result: 0 }, { marketId: a, status: 'final', result: 1 }] }, /two entries disagree: outcome 0 and outcome 1/],
    ['an outcome index out of range', { version: 5, events: [{ marketId: a, status: 'final', result: 5 }] }, /outcome 5 out of range \(the market has 2 outcomes\)/],
    ['a result and scores that disagree', { version: 6, events: [{ marketId: a, status: 'final', result: 1, scores: { home: 3, away: 0 }, layout: 'home-away' }] }, /result 1 but the scores 3-0 say outcome 0/],
    ['a void status with an outcome', { version: 7, events: [{ marketId: a, status: 'cancelled', result: 1 }] }, /status cancelled voids the market, yet it names outcome 1/],
    ['an older version', { version: 3, events: [{ marketId: a, status: 'final', result: 0 }] }, /version 3 is older than version 7/],
    ['the same version rewritten', { version: 7, events: [{ marketId: a, status: 'final', result: 0 }] }, /content changed but its version stayed 7/],
  ]
  for (const [what, content, pattern] of cases) {
    if (content !== null) writeFeed(path, content)
    await until(what, () => refusal(lines, pattern), 5_000)
    t.pass(`${what}: refused`)
  }
  await sleep(300)
  t.equal(await l2.nonce(), nonce0, 'no tx sent')
  t.equal(await resultOf(m.badA), null, 'the market is still open')
  t.notOk(lines.some((l) => /^voted /.test(l.msg)))
})

t.test('(c) a URL feed on a real http server: polled, voted; errors and timeouts are refused', async (t) => {
  let answer: { status: number; body: string; delayMs?: number } = { status: 500, body: 'down' }
  const server: Server = createServer((_req, res) => {
    const { status, body, delayMs } = answer
    setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs ?? 0)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  server.unref()
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/results.json`
  const { oracle, l2, lines } = await startOracle(new JsonUrlFeed(url, 300))
  t.teardown(() => oracle.stop())
  const nonce0 = await l2.nonce()
  await until('HTTP 500 refused', () => refusal(lines, /refused \(unreadable\): HTTP 500/), 5_000)
  answer = { status: 200, body: JSON.stringify({ version: 1, events: [{ marketId: m.url.toString(), status: 'final', result: 2 }] }), delayMs: 1_000 }
  await until('a slow answer refused', () => refusal(lines, /refused \(unreadable\): no answer in 300 ms/), 5_000)
  t.equal(await l2.nonce(), nonce0, 'nothing sent while the feed is unreadable')
  answer = { ...answer, delayMs: 0 }
  await until('the URL market resolved', async () => (await resultOf(m.url)) === 2)
  t.equal(await l2.nonce(), nonce0 + 1)
  server.closeAllConnections()
})

// last: it seats a 2-member committee, so a single vote no longer resolves a market
t.test('a restarted oracle takes its vote on L2 as the result its feed gave: a changed result is still a conflict', async (t) => {
  const seated = await getReceipt(opWallet, { hash: await setCommittee(opWallet, { members: [oracleAccount.address, bettors[0]!.address], threshold: 2, disputeWindowSeconds: 0 }) })
  t.equal(seated.status, 'success')
  const path = join(dir, 'restart.json')
  writeFeed(path, { version: 1, events: [{ marketId: m.restart.toString(), status: 'final', result: 0 }] })
  const first = await startOracle(path)
  await until('the vote', async () => (await getResultState(publicClient, { marketId: m.restart })).votes.length === 1)
  await first.oracle.stop()
  t.same((await getResultState(publicClient, { marketId: m.restart })).votes, [{ member: oracleAccount.address, result: 0 }])

  writeFeed(path, { version: 2, events: [{ marketId: m.restart.toString(), status: 'final', result: 1 }] })
  const second = await startOracle(path)
  t.teardown(() => second.oracle.stop())
  const nonce = await second.l2.nonce()
  await until('the conflict refused', () => refusal(second.lines, /conflicting result: the feed changed its result from outcome 0 to outcome 1/), 5_000)
  await sleep(300)
  t.equal(await second.l2.nonce(), nonce, 'no vote changed')
  t.same((await getResultState(publicClient, { marketId: m.restart })).votes, [{ member: oracleAccount.address, result: 0 }])
})

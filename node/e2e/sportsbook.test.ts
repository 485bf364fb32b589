/**
 * The sportsbook end to end (issue 5 "Must show"): a dev sequencer with its settlement service, 200
 * bettors and 50 markets, 10,000 bets (singles and parlays) sent as signed txs over HTTP JSON-RPC,
 * every bettor listening on the `account` WebSocket channel. Three `rollbook oracle` processes at
 * 2 of 3 with a dispute window: A reads the right feed, B a feed that is wrong on one market, C is
 * offline at first. The markets close early (closeMarket). A and B agree on 49 markets, which
 * become final and are settled by the service; on the disputed market C's key votes B's wrong
 * result by hand (a mistaken member), it is proposed, and A flags it inside the window; then C's
 * process comes online on the right feed and the market resolves with the right result.
 *
 * Checked: every bet's payout to the unit against an independent model (winners stake x odds,
 * parlays the product of their legs with void legs at 1.0 and lost at the first losing leg, voided
 * markets refunded), every bettor heard BetSettled for each of its bets on the WebSocket, each
 * bettor's final balance, and the money invariant: the balances of everyone sum to what genesis
 * credited once every bet is settled.
 *
 * ROLLBOOK_E2E_BETS (default 10,000) scales the run.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import { createPublicClient, decodeFunctionResult, encodeFunctionData, http, keccak256, toHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_CHAIN_ID, genesisToJson } from '../chain/genesis.ts'
import { RollbookNode } from '../rollbookNode.ts'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, RESULT_VOID } from '../../sdk/src/constants.ts'
import { createRollbookSocket, watchAccount, type RollbookSocket } from '../../sdk/src/watch.ts'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { benchAccounts, benchGenesis } from '../../scripts/bench/workload.ts'
import { signAll, type SignTask } from '../../scripts/bench/signing.ts'
import { tempDatadir } from '../testing/testNode.ts'
import { sleep, startOracleProcess, until, type OracleProcess } from '../oracle/testing.ts'

const BETS = Number(process.env.ROLLBOOK_E2E_BETS ?? 10_000)
const BETTORS = 200
const MARKETS = 50
const WINDOW = 6
const PARLAY_EVERY = 10 // one bet in ten is a parlay
const DISPUTED = 7n
const VOIDED = new Set([13n, 29n])

const dir = tempDatadir('rollbook-sportsbook-')
const accounts = benchAccounts(BETTORS)
const genesis = benchGenesis(accounts, Math.floor(Date.now() / 1000), DEV_CHAIN_ID)
const genesisFile = join(dir, 'genesis.json')
writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesis)))
const settlerKey = keccak256(toHex('rollbook/e2e/settler'))
const node = await RollbookNode.init({ datadir: join(dir, 'node'), genesis: genesisFile, port: 0, blockTimeMs: 100, settlerKey }, pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' }))
t.teardown(() => node.close())
const url = node.urls.httpUrl
const reader = createPublicClient({ transport: http(url) })

// committee members: the dev oracle (A) and two more dev accounts (B, C)
const devKeys = benchAccounts(0)
const memberKeys = [devKeys.oracle.privateKey, keccak256(toHex('rollbook/e2e/member-b')), keccak256(toHex('rollbook/e2e/member-c'))] as const
const members = memberKeys.map((k) => privateKeyToAccount(k).address)

let rpcId = 0
async function rpc<T = unknown>(method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }) })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

/** Sends signed txs over HTTP in JSON-RPC batches, several batches in flight; every one must be accepted. */
async function sendAll(raws: Hex[], batch = 50, inFlight = 4): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < raws.length) {
      const slice = raws.slice(next, next + batch)
      next += batch
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slice.map((raw, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [raw] }))),
      })
      const answers = (await res.json()) as { error?: { message: string } }[]
      const refused = answers.find((a) => a.error !== undefined)
      if (refused !== undefined) throw new Error(`a tx was refused: ${refused.error!.message}`)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
}

/** eth_call of each of `datas` on the bet engine at the latest state, in JSON-RPC batches. */
async function callMany(datas: Hex[], batch = 50): Promise<Hex[]> {
  const out: Hex[] = []
  for (let i = 0; i < datas.length; i += batch) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(datas.slice(i, i + batch).map((data, j) => ({ jsonrpc: '2.0', id: j, method: 'eth_call', params: [{ to: BET_ENGINE_ADDRESS, data }, 'latest'] }))),
    })
    const answers = (await res.json()) as { id: number; result?: Hex; error?: { message: string } }[]
    for (const a of answers.sort((x, y) => x.id - y.id)) {
      if (a.result === undefined) throw new Error(`eth_call: ${a.error?.message}`)
      out.push(a.result)
    }
  }
  return out
}

const balanceOf = async (account: Address) =>
  BigInt(await rpc<Hex>('eth_call', [{ to: BET_ENGINE_ADDRESS, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'balanceOf', args: [account] }) }, 'latest']))

async function operatorTxs(calls: Hex[]): Promise<void> {
  const nonce = Number(BigInt(await rpc<Hex>('eth_getTransactionCount', [accounts.operator.address, 'pending'])))
  const signed = await signAll(DEV_CHAIN_ID, calls.map((data, i) => ({ privateKey: accounts.operator.privateKey, nonce: nonce + i, data })), 1)
  for (const s of signed) {
    const receipt = await sendAndWait(s.raw)
    if (receipt.status !== '0x1') throw new Error('an operator tx reverted')
  }
}

async function sendAndWait(raw: Hex): Promise<{ status: Hex }> {
  const hash = await rpc<Hex>('eth_sendRawTransaction', [raw])
  // the receipt is readable once eth_sendRawTransaction answered (a preconfirmation)
  return rpc<{ status: Hex }>('eth_getTransactionReceipt', [hash])
}

function startOracle(name: string, key: Hex, feed: string): OracleProcess {
  const oracle = startOracleProcess(name, key, feed, url)
  t.teardown(() => oracle.kill())
  return oracle
}

// ---------------------------------------------------------------- the workload, decided up front

const outcomesOf = (m: bigint) => 2 + Number(m % 2n)
const oddsOf = (m: bigint, o: number) => 15_000 + Number((m * 7919n + BigInt(o) * 104_729n) % 30_000n)
/** the right result of each market: an outcome, or void */
const resultOf = (m: bigint): number => (VOIDED.has(m) ? RESULT_VOID : Number((m * 31n) % BigInt(outcomesOf(m))))

type Placed = { kind: 'single'; bettor: number; market: bigint; outcome: number; stake: bigint } | { kind: 'parlay'; bettor: number; legs: { market: bigint; outcome: number }[]; stake: bigint }

function workload(): Placed[] {
  const out: Placed[] = []
  for (let j = 0; j < BETS; j++) {
    const bettor = j % BETTORS
    const stake = 1_000_000n + BigInt((j * 7_919) % 2_000) * 1_000n
    if (j % PARLAY_EVERY === PARLAY_EVERY - 1) {
      const legCount = 2 + (j % 4)
      const first = BigInt(1 + (j % MARKETS))
      const legs = Array.from({ length: legCount }, (_, i) => {
        const market = 1n + ((first - 1n + BigInt(i * 11)) % BigInt(MARKETS))
        return { market, outcome: (j + i) % outcomesOf(market) }
      })
      out.push({ kind: 'parlay', bettor, legs, stake })
    } else {
      const market = BigInt(1 + ((j * 13) % MARKETS))
      out.push({ kind: 'single', bettor, market, outcome: (j >> 3) % outcomesOf(market), stake })
    }
  }
  return out
}

t.test('10,000 bets, 200 bettors, 50 markets, 2-of-3 oracles: every payout exact, every bettor told, money conserved', async (t) => {
  const bets = workload()
  const genesisTotal = Object.values(genesis.betEngine.balances).reduce((a, b) => a + BigInt(b), 0n)

  // the operator: committee 2 of 3 with a dispute window, then 50 markets
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)
  await operatorTxs([
    encodeFunctionData({ abi: betEngineAbi, functionName: 'setCommittee', args: [members, 2, WINDOW] }),
    ...Array.from({ length: MARKETS }, (_, i) => {
      const m = BigInt(i + 1)
      const odds = Array.from({ length: outcomesOf(m) }, (_, o) => oddsOf(m, o))
      return encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [outcomesOf(m), odds, closeTime, 10n ** 12n, 10n ** 18n] })
    }),
  ])

  // every bettor listens to its account channel (50 per socket)
  const heard = new Map<bigint, bigint>() // betId -> paid, from BetSettled on the WebSocket
  const heardBy = new Map<string, number>()
  const placedIds = new Map<string, bigint[]>() // bettor -> bet ids, from BetPlaced / ParlayPlaced on the WebSocket
  const sockets: RollbookSocket[] = []
  for (const [i, bettor] of accounts.bettors.entries()) {
    if (i % 50 === 0) sockets.push(await createRollbookSocket(node.urls.wsUrl))
    const key = bettor.address.toLowerCase()
    await watchAccount(sockets.at(-1)!, {
      address: bettor.address,
      onEvent: (e) => {
        if (e.event === 'BetSettled') {
          heard.set(e.args.betId, e.args.paid)
          heardBy.set(key, (heardBy.get(key) ?? 0) + 1)
        } else if (e.event === 'BetPlaced' || e.event === 'ParlayPlaced') {
          const ids = placedIds.get(key) ?? []
          ids.push(e.args.betId)
          placedIds.set(key, ids)
          const { betId, stake, payout } = e.args
          if (e.event === 'BetPlaced') {
            const { marketId, outcome, odds } = e.args
            records.set(betId, { kind: 'single', bettor: bettor.address, stake, payout, markets: [marketId], legs: [{ market: marketId, outcome, odds: BigInt(odds) }] })
          } else {
            // the legs' odds fixed at placement are read back from getParlay below
            const { marketIds, outcomes } = e.args
            records.set(betId, { kind: 'parlay', bettor: bettor.address, stake, payout, markets: [...marketIds], legs: marketIds.map((market, i) => ({ market, outcome: outcomes[i], odds: 0n })) })
          }
        }
      },
    })
  }
  t.teardown(async () => {
    for (const s of sockets) await s.close()
  })

  // the bets, signed up front, sent over HTTP
  const nonces = new Map<number, number>()
  const tasks: SignTask[] = bets.map((b) => {
    const nonce = nonces.get(b.bettor) ?? 0
    nonces.set(b.bettor, nonce + 1)
    const data =
      b.kind === 'single'
        ? encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [b.market, b.outcome, b.stake, 0] })
        : encodeFunctionData({ abi: betEngineAbi, functionName: 'placeParlay', args: [b.legs.map((l) => l.market), b.legs.map((l) => l.outcome), b.stake, 0] })
    return { privateKey: accounts.bettors[b.bettor].privateKey, nonce, data }
  })
  const signed = await signAll(DEV_CHAIN_ID, tasks)
  const sendStarted = Date.now()
  await sendAll(signed.map((s) => s.raw))
  t.comment(`${BETS} bets sent over HTTP in ${Date.now() - sendStarted} ms`)
  await until('every bet heard on the account channel', () => [...placedIds.values()].reduce((n, ids) => n + ids.length, 0) === BETS, 60_000)

  // every bet succeeded: read each bet back and model its payout
  const betIds = [...placedIds.values()].flat().sort((a, b) => (a < b ? -1 : 1))
  t.equal(betIds.length, BETS, 'every bet placed')
  const parlayIds = betIds.filter((id) => records.get(id)!.kind === 'parlay')
  const views = await callMany(parlayIds.map((betId) => encodeFunctionData({ abi: betEngineAbi, functionName: 'getParlay', args: [betId] })))
  parlayIds.forEach((betId, i) => {
    const view = decodeFunctionResult({ abi: betEngineAbi, functionName: 'getParlay', data: views[i] })
    const record = records.get(betId)!
    record.legs.forEach((leg, j) => {
      if (view.marketIds[j] !== leg.market || view.outcomes[j] !== leg.outcome) throw new Error(`parlay ${betId}: legs differ from ParlayPlaced`)
      leg.odds = BigInt(view.legOdds[j])
    })
  })
  t.ok(parlayIds.length >= BETS / PARLAY_EVERY, `${parlayIds.length} parlays among them, their legs read back`)

  // the markets close early; feeds: A right, B wrong on the disputed market, C offline
  await operatorTxs(Array.from({ length: MARKETS }, (_, i) => encodeFunctionData({ abi: betEngineAbi, functionName: 'closeMarket', args: [BigInt(i + 1)] })))
  const feed = (wrongOn?: bigint) =>
    JSON.stringify({
      version: 1,
      events: Array.from({ length: MARKETS }, (_, i) => {
        const m = BigInt(i + 1)
        if (VOIDED.has(m)) return { marketId: m.toString(), status: 'postponed' }
        const right = resultOf(m)
        return { marketId: m.toString(), status: 'final', result: m === wrongOn ? (right + 1) % outcomesOf(m) : right }
      }),
    })
  writeFileSync(join(dir, 'right.json'), feed())
  writeFileSync(join(dir, 'wrong.json'), feed(DISPUTED))
  const started = Date.now()
  const a = startOracle('A', memberKeys[0], join(dir, 'right.json'))
  const b = startOracle('B', memberKeys[1], join(dir, 'wrong.json'))

  // 49 markets: A and B agree, final after the window, settled by the service
  const undisputed = betIds.length - betsTouching(betIds, DISPUTED)
  await until('every bet off the disputed market settled', () => heard.size >= undisputed, 120_000)
  t.comment(`${undisputed} bets settled ${Date.now() - started} ms after the oracles started (window ${WINDOW} s)`)

  // the disputed market: a mistaken member (C's key, by hand) votes B's wrong result; A flags it
  const wrong = (resultOf(DISPUTED) + 1) % outcomesOf(DISPUTED)
  const cNonce = Number(BigInt(await rpc<Hex>('eth_getTransactionCount', [members[2], 'pending'])))
  const [mistake] = await signAll(DEV_CHAIN_ID, [{ privateKey: memberKeys[2], nonce: cNonce, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'voteResult', args: [DISPUTED, wrong] }) }], 1)
  t.equal((await sendAndWait(mistake.raw)).status, '0x1', 'the wrong result is proposed by B and a mistaken C')
  await until("A flags the wrong proposal", () => a.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith(`flagged market ${DISPUTED}`)), WINDOW * 1000 + 5_000)
  await sleep(WINDOW * 1000 + 500)
  t.equal(heard.size, undisputed, 'nothing on the disputed market settled on the flagged result')

  // C comes online on the right feed: A and C agree; the market resolves right and settles
  const c = startOracle('C', memberKeys[2], join(dir, 'right.json'))
  await until('every bet settled', () => heard.size === BETS, 120_000)

  // the model: each bet's payout from its own record (odds fixed at placement) and the results
  const paidByBettor = new Map<string, bigint>()
  let mismatches = 0
  for (const betId of betIds) {
    const expected = modelPayout(betId)
    const key = expected.bettor.toLowerCase()
    paidByBettor.set(key, (paidByBettor.get(key) ?? 0n) + expected.paid)
    if (heard.get(betId) !== expected.paid) mismatches++
  }
  t.equal(mismatches, 0, 'every BetSettled paid exactly what the model says, to the unit')
  let told = 0
  for (const bettor of accounts.bettors) {
    const key = bettor.address.toLowerCase()
    if ((heardBy.get(key) ?? 0) === (placedIds.get(key)?.length ?? -1)) told++
  }
  t.equal(told, BETTORS, 'every bettor heard BetSettled for each of its bets on the account channel')

  const staked = new Map<string, bigint>()
  for (const bet of bets) {
    const key = accounts.bettors[bet.bettor].address.toLowerCase()
    staked.set(key, (staked.get(key) ?? 0n) + bet.stake)
  }
  let wrongBalances = 0
  for (const bettor of accounts.bettors) {
    const key = bettor.address.toLowerCase()
    const expected = BigInt(genesis.betEngine.balances[bettor.address]) - staked.get(key)! + (paidByBettor.get(key) ?? 0n)
    if ((await balanceOf(bettor.address)) !== expected) wrongBalances++
  }
  t.equal(wrongBalances, 0, "every bettor's balance = genesis - stakes + payouts")

  let total = 0n
  for (const account of new Set([...Object.keys(genesis.betEngine.balances), ...members, privateKeyToAccount(settlerKey).address])) total += await balanceOf(account as Address)
  t.equal(total, genesisTotal, 'money invariant: with every bet settled, the balances sum to what genesis credited')

  t.equal((await getMarket(reader, { marketId: DISPUTED })).result, resultOf(DISPUTED), 'the disputed market resolved with the right result')
  t.equal((await getMarket(reader, { marketId: VOIDED.values().next().value! })).result, 'void', 'a postponed event voided its market')
  t.ok(a.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith(`flagged market ${DISPUTED}`)), 'A flagged the wrong proposal')
  for (const p of [a, b, c]) t.equal(await p.stop(), 0, 'oracle stops cleanly')
})

/** How many of the bets touch `market` (singles on it, parlays with a leg on it). */
function betsTouching(betIds: bigint[], market: bigint): number {
  return betIds.filter((betId) => records.get(betId)!.markets.includes(market)).length
}

interface BetRecord {
  kind: 'single' | 'parlay'
  bettor: Address
  stake: bigint
  payout: bigint
  markets: bigint[]
  legs: { market: bigint; outcome: number; odds: bigint }[]
}
const records = new Map<bigint, BetRecord>()

/** The model: a single pays stake x odds (the escrowed payout) when it wins, its stake when voided,
 *  nothing when it loses; a parlay as docs/decisions/0007 "As built (parlays and cash-out)" says. */
function modelPayout(betId: bigint): { bettor: Address; paid: bigint } {
  const r = records.get(betId)!
  if (r.kind === 'single') {
    const result = resultOf(r.legs[0].market)
    if (result === RESULT_VOID) return { bettor: r.bettor, paid: r.stake }
    return { bettor: r.bettor, paid: result === r.legs[0].outcome ? r.payout : 0n }
  }
  // a parlay: lost at a losing leg; else its won legs' odds multiplied exactly, divided by
  // 10^(4 (k - 1)) and rounded down once (1.0 when every leg is void), capped at 10,000x, times the
  // stake, rounded down, never above the escrowed payout
  const won: bigint[] = []
  for (const leg of r.legs) {
    const result = resultOf(leg.market)
    if (result === RESULT_VOID) continue
    if (result !== leg.outcome) return { bettor: r.bettor, paid: 0n }
    won.push(leg.odds)
  }
  let odds = 10_000n
  if (won.length > 0) {
    odds = won.reduce((a, b) => a * b, 1n) / 10_000n ** BigInt(won.length - 1)
    if (odds > 100_000_000n) odds = 100_000_000n
  }
  const paid = (r.stake * odds) / 10_000n
  return { bettor: r.bettor, paid: paid > r.payout ? r.payout : paid }
}

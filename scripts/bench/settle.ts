/**
 * Issue 5's measures on an in-process dev sequencer (real LevelDB, real WebSocket): odds changes to
 * WebSocket delivery (send of setOdds until the market channel's OddsChanged arrives), then bets
 * settled per second after a final result (BENCH_SETTLE_BETS on one market, default 10,000, from
 * BENCH_BETTORS bettors, default 200), and the time from the result to the last bettor's BetSettled
 * on the account channel (every bettor subscribed). The settlement service sends settleBets of 8
 * bets per tx through the sequencer's own path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { encodeFunctionData, hexToBytes, keccak256, toHex, type Hex } from 'viem'
import { DEV_CHAIN_ID, genesisToJson } from '../../node/chain/genesis.ts'
import { RollbookNode } from '../../node/rollbookNode.ts'
import { betEngineAbi } from '../../sdk/src/generated/contracts.ts'
import { createRollbookSocket, watchAccount, watchMarket } from '../../sdk/src/watch.ts'
import { signAll, type SignTask } from './signing.ts'
import { percentile } from './stats.ts'
import { benchAccounts, benchGenesis } from './workload.ts'

export interface SettleBenchResult {
  bets: number
  bettors: number
  settledPerS: number
  resultToLastServiceSettleMs: number
  resultToLastEventMs: number
  /** to the last BetSettled that paid something (a winner; the service settles winners first) */
  resultToLastWinnerMs: number
  oddsDeliveryMs: { samples: number; p50: number; p99: number }
}

const SETTLER_KEY = keccak256(toHex('rollbook/bench/settler'))

export async function runSettleBench(): Promise<SettleBenchResult> {
  const betCount = Number(process.env.BENCH_SETTLE_BETS ?? 10_000)
  const bettorCount = Number(process.env.BENCH_BETTORS ?? 200)
  const accounts = benchAccounts(bettorCount)
  const now = Math.floor(Date.now() / 1000)
  const genesis = benchGenesis(accounts, now, DEV_CHAIN_ID)
  const oddsChanges = 200
  // everything signed before the node starts: the market closes 40 s after it opens
  const closeTime = BigInt(now + 60)
  const market: SignTask = { privateKey: accounts.operator.privateKey, nonce: 0, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [2, [19_000, 21_000], closeTime, 10n ** 24n, 10n ** 30n] }) }
  const odds: SignTask[] = Array.from({ length: oddsChanges }, (_, i) => ({
    privateKey: accounts.operator.privateKey,
    nonce: 1 + i,
    data: encodeFunctionData({ abi: betEngineAbi, functionName: 'setOdds', args: [1n, [19_000 + (i % 50), 21_000 - (i % 50)]] }),
  }))
  const bets: SignTask[] = Array.from({ length: betCount }, (_, j) => ({
    privateKey: accounts.bettors[j % bettorCount].privateKey,
    nonce: Math.floor(j / bettorCount),
    data: encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [1n, j % 2, 1_000_000n + BigInt(j % 1000) * 1000n, 0] }),
  }))
  const result: SignTask = { privateKey: accounts.oracle.privateKey, nonce: 0, data: encodeFunctionData({ abi: betEngineAbi, functionName: 'reportResult', args: [1n, 0] }) }
  const signed = await signAll(genesis.chainId, [market, ...odds, ...bets, result])
  const raw = signed.map((s) => hexToBytes(s.raw))

  const dir = mkdtempSync(join(tmpdir(), 'rollbook-bench-settle-'))
  const genesisFile = join(dir, 'genesis.json')
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesis)))
  const node = await RollbookNode.init({ datadir: join(dir, 'node'), genesis: genesisFile, port: 0, settlerKey: SETTLER_KEY }, pino({ level: 'warn' }))
  try {
    const submit = async (bytes: Uint8Array) => {
      const r = await node.sequencer!.submitRawTx(bytes)
      if (r.status !== 'preconfirmed' || r.executed.status !== 1) throw new Error('a bench tx did not succeed')
    }
    await submit(raw[0])
    const socket = await createRollbookSocket(node.urls.wsUrl)

    // odds: one change at a time, send to delivery on the market channel
    const delivered = new Map<number, number>()
    const sentAt = new Map<number, number>()
    let seen = 0
    await watchMarket(socket, { marketId: 1n, onEvent: (e) => { if (e.event === 'OddsChanged') delivered.set(++seen, performance.now()) } })
    for (let i = 0; i < oddsChanges; i++) {
      sentAt.set(i + 1, performance.now())
      await submit(raw[1 + i])
      const deadline = Date.now() + 5_000
      while (!delivered.has(i + 1) && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
    }
    const latencies = [...delivered].map(([i, at]) => at - sentAt.get(i)!).sort((a, b) => a - b)

    // bets on one market, then every bettor listening
    let events = 0
    let lastEventAt = 0
    let lastWinnerAt = 0
    // one socket per 50 bettors, as many wallets would be (a connection holds at most 100 subscriptions)
    const sockets = [socket]
    for (const [i, bettor] of accounts.bettors.entries()) {
      if (i > 0 && i % 50 === 0) sockets.push(await createRollbookSocket(node.urls.wsUrl))
      await watchAccount(sockets.at(-1)!, { address: bettor.address, onEvent: (e) => { if (e.event === 'BetSettled') { events++; lastEventAt = performance.now(); if (e.args.paid > 0n) lastWinnerAt = lastEventAt } } })
    }
    const betsRaw = raw.slice(1 + oddsChanges, 1 + oddsChanges + betCount)
    for (let i = 0; i < betsRaw.length; i += 500) await Promise.all(betsRaw.slice(i, i + 500).map(submit))
    if (node.settlement!.openBets(1n) !== betCount) throw new Error(`the service knows ${node.settlement!.openBets(1n)} open bets, not ${betCount}`)
    while (BigInt(Math.floor(Date.now() / 1000)) <= closeTime) await new Promise((resolve) => setTimeout(resolve, 100))

    const resultAt = performance.now()
    await submit(raw.at(-1)!)
    while (node.settlement!.settled < betCount) await new Promise((resolve) => setTimeout(resolve, 5))
    const settledAt = performance.now()
    const deadline = Date.now() + 60_000
    while (events < betCount && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    for (const s of sockets) await s.close()
    return {
      bets: betCount,
      bettors: bettorCount,
      settledPerS: betCount / ((settledAt - resultAt) / 1000),
      resultToLastServiceSettleMs: settledAt - resultAt,
      resultToLastEventMs: events === betCount ? lastEventAt - resultAt : Number.NaN,
      resultToLastWinnerMs: events === betCount ? lastWinnerAt - resultAt : Number.NaN,
      oddsDeliveryMs: { samples: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    }
  } finally {
    await node.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export function printSettleBench(r: SettleBenchResult): void {
  console.log('\nSettlement and odds (issue 5; in-process dev sequencer, settlement service on)')
  console.log(`  odds change -> market channel delivery (${r.oddsDeliveryMs.samples} changes): p50 ${r.oddsDeliveryMs.p50.toFixed(1)} ms, p99 ${r.oddsDeliveryMs.p99.toFixed(1)} ms  (goal p99 < 20 ms)`)
  console.log(`  ${r.bets} bets on one market from ${r.bettors} bettors: settled at ${r.settledPerS.toFixed(0)} bets/s after the result  (goal >= 5,000/s)`)
  console.log(`  result -> last settlement by the service: ${r.resultToLastServiceSettleMs.toFixed(0)} ms; -> last bettor's BetSettled on the WebSocket: ${r.resultToLastEventMs.toFixed(0)} ms`)
  console.log(`  result -> last winner's BetSettled on the WebSocket (winners settled first): ${r.resultToLastWinnerMs.toFixed(0)} ms  (goal: every winner within 2 s)`)
}

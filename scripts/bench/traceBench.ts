/**
 * The trace's cost to the sequencer (issue 4): the same signed bets sequenced in process
 * (submitRawTx, BENCH_IN_FLIGHT in flight) by a fresh sequencer without and with the commitment
 * worker (node/trace, its own thread and DATADIR/trace), rounds interleaved and their order
 * alternated so a shared machine's load swings hit both alike. Goal: traced / untraced >= 0.8.
 * Env: BENCH_TRACE_BETS (default 4000), BENCH_TRACE_RUNS (rounds, default 3), BENCH_TRACE_NICE (the worker thread's nice
 * value, default the node's 10; 0 for an equal share), BENCH_BETTORS, BENCH_IN_FLIGHT.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import { DEV_CHAIN_ID, genesisToJson } from '../../node/chain/genesis.ts'
import { RollbookNode } from '../../node/rollbookNode.ts'
import { tempDatadir } from '../../node/testing/testNode.ts'
import { CommitmentWorker, defaultTraceOptions } from '../../node/trace/index.ts'
import { sequenceTimed, submitAll, waitSealed } from './postedBets.ts'
import { median } from './replicaSpeed.ts'
import { signAll, type SignedTx } from './signing.ts'
import { benchAccounts, benchGenesis, betTasks, marketTasks } from './workload.ts'

function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new Error(`${name}: expected a positive whole number, got '${raw}'`)
  return Number(raw)
}

export interface TraceRun {
  traced: boolean
  betsPerS: number
  /** to the last bet's block sealed */
  sealedSeconds: number
  /** traced runs: seconds after the last preconfirmation until the worker had executed the head block */
  workerLagSeconds?: number
  /** traced runs: bets / (first bet to the worker at the head) */
  workerBetsPerS?: number
}

export interface TraceBenchResult {
  bets: number
  runs: TraceRun[]
  untracedBetsPerS: number
  tracedBetsPerS: number
  /** traced / untraced of the medians */
  ratio: number
  /** median of each round's traced / untraced */
  roundRatio: number
  workerBetsPerS: number
  niceness: number
}

const silent = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

function log(msg: string): void {
  console.error(`[trace] ${msg}`)
}

async function runOnce(genesisJson: object, markets: SignedTx[], bets: SignedTx[], inFlight: number, traced: boolean, niceness: number): Promise<TraceRun> {
  const dir = tempDatadir('rollbook-bench-trace-')
  const genesisFile = join(dir, 'genesis.json')
  writeFileSync(genesisFile, JSON.stringify(genesisJson))
  const datadir = join(dir, 'sequencer')
  const node = await RollbookNode.init({ datadir, genesis: genesisFile, port: 0 }, silent)
  let worker: CommitmentWorker | undefined
  try {
    // the same component the node starts with its proposer, on the node's datadir
    if (traced) worker = await CommitmentWorker.start({ datadir, niceness }, { chain: node.chain, events: node.events, logger: silent })
    await submitAll(node, markets, 1)
    await waitSealed(node, markets[markets.length - 1].hash)
    const start = performance.now()
    const rate = await sequenceTimed(node, bets, inFlight)
    const run: TraceRun = { traced, betsPerS: rate.betsPerS, sealedSeconds: rate.sealedSeconds }
    if (worker !== undefined) {
      const head = node.chain.head.header.number
      while (worker.tracedHead < head) {
        if (worker.state !== 'running') throw worker.error ?? new Error(`the commitment worker is ${worker.state}`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const tracedAt = (performance.now() - start) / 1000
      run.workerLagSeconds = tracedAt - rate.preconfirmedSeconds
      run.workerBetsPerS = bets.length / tracedAt
    }
    return run
  } finally {
    await worker?.stop()
    await node.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function runTraceBench(): Promise<TraceBenchResult> {
  const betCount = envInt('BENCH_TRACE_BETS', 4_000)
  const rounds = envInt('BENCH_TRACE_RUNS', 3)
  const inFlight = envInt('BENCH_IN_FLIGHT', 64)
  const niceness = process.env.BENCH_TRACE_NICE === undefined ? defaultTraceOptions.niceness : Number(process.env.BENCH_TRACE_NICE)
  const marketCount = 50
  const accounts = benchAccounts(envInt('BENCH_BETTORS', 200))
  const now = Math.floor(Date.now() / 1000)
  const genesis = benchGenesis(accounts, now, DEV_CHAIN_ID)
  console.log(
    `\nTrace cost: ${betCount} bets over ${marketCount} markets sequenced in process (${inFlight} in flight, 250 ms blocks) by a fresh sequencer, ` +
      `without and with the commitment worker (its thread at nice ${niceness}), ${rounds} rounds interleaved`,
  )
  const signed = await signAll(genesis.chainId, [...marketTasks(accounts, marketCount, now), ...betTasks(accounts, marketCount, betCount)])
  const markets = signed.slice(0, marketCount)
  const bets = signed.slice(marketCount)
  const runs: TraceRun[] = []
  for (let round = 0; round < rounds; round++) {
    // alternate which goes first, so a drift in load does not favour one side
    for (const traced of round % 2 === 0 ? [false, true] : [true, false]) {
      const run = await runOnce(genesisToJson(genesis), markets, bets, inFlight, traced, niceness)
      runs.push(run)
      log(
        `round ${round + 1} ${traced ? 'traced  ' : 'untraced'}: ${run.betsPerS.toFixed(0)} bets/s` +
          (traced ? `; worker at the head ${run.workerLagSeconds!.toFixed(2)} s after the last preconfirmation (${run.workerBetsPerS!.toFixed(0)} bets/s)` : ''),
      )
    }
  }
  const rate = (traced: boolean) => runs.filter((r) => r.traced === traced)
  const untracedBetsPerS = median(rate(false).map((r) => r.betsPerS))
  const tracedBetsPerS = median(rate(true).map((r) => r.betsPerS))
  const roundRatio = median(Array.from({ length: rounds }, (_, i) => rate(true)[i].betsPerS / rate(false)[i].betsPerS))
  return {
    bets: betCount,
    runs,
    untracedBetsPerS,
    tracedBetsPerS,
    ratio: tracedBetsPerS / untracedBetsPerS,
    roundRatio,
    workerBetsPerS: median(rate(true).map((r) => r.workerBetsPerS!)),
    niceness,
  }
}

export function printTraceBench(r: TraceBenchResult): void {
  const list = (traced: boolean) =>
    r.runs
      .filter((x) => x.traced === traced)
      .map((x) => x.betsPerS.toFixed(0))
      .join(', ')
  console.log(`sequencer without the trace, median of ${list(false)}: ${r.untracedBetsPerS.toFixed(0)} bets/s`)
  console.log(`sequencer with the trace, median of ${list(true)}: ${r.tracedBetsPerS.toFixed(0)} bets/s`)
  console.log(`traced / untraced: ${r.ratio.toFixed(2)} of the medians, ${r.roundRatio.toFixed(2)} median of the rounds (goal >= 0.80: ${r.ratio >= 0.8 ? 'met' : 'not met'})`)
  console.log(`the worker itself: ${r.workerBetsPerS.toFixed(0)} bets/s first bet to head traced (median), lag at the end ${r.runs.filter((x) => x.traced).map((x) => x.workerLagSeconds!.toFixed(2)).join(', ')} s`)
}

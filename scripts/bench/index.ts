/**
 * `npm run bench`: the L2 workload of issue "The L2 betting chain" on a rollbook node and on anvil,
 * in one run, with the ratios. Prints a table; appends the figures to .rollbook/bench-results.json.
 * Env: BENCH_BETS (saturating run, default 12000), BENCH_PACED_BETS (default half of it),
 * BENCH_SECONDS (each run stops sending after this, default 25), BENCH_BETTORS (200),
 * BENCH_IN_FLIGHT (64). Then the L1 sections of issue 3 (L1 cost per bet, replica speed: see
 * l1Bench.ts), the trace's cost to the sequencer (traceBench.ts) and fraud proofs under load (fraud.ts:
 * gas and L1 blocks per record kind), and settlement and odds delivery (settle.ts, issue 5).
 * BENCH_ONLY=l2,l1cost,replica,trace,fraud,settle runs only the sections
 * named; BENCH_CHUNK_BYTES=24000,12000,8000 runs l1cost and fraud at each chunk size.
 */
import { availableParallelism, cpus, loadavg } from 'node:os'
import { DEV_CHAIN_ID } from '../../node/chain/genesis.ts'
import { l2Config } from './config.ts'
import { printFraudBench, runFraudBench, type FraudBenchResult } from './fraud.ts'
import { benchSections, chunkSizes, runL1Bench } from './l1Bench.ts'
import { runL2Bench, type SignedWorkload } from './l2Bench.ts'
import { l2Ratios, printL2Details, printL2Table, saveRun, type BenchRun } from './report.ts'
import { measureClientOverhead } from './clientOverhead.ts'
import { signAll } from './signing.ts'
import { printTraceBench, runTraceBench } from './traceBench.ts'
import { printSettleBench, runSettleBench, type SettleBenchResult } from './settle.ts'
import { startAnvil } from './anvilTarget.ts'
import { startRollbook } from './rollbookTarget.ts'
import { benchAccounts, benchGenesis, betTasks, marketTasks } from './workload.ts'

async function main(): Promise<void> {
  const cfg = l2Config()
  const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` }
  const load1 = loadavg()[0]
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load average ${load1.toFixed(2)} at start`)
  if (load1 > machine.cores / 2) console.log(`  note: the machine is busy (load ${load1.toFixed(2)}); absolute rates will be low and noisy`)
  const sections = benchSections()
  if (!sections.has('l2')) {
    const startedAt = new Date().toISOString()
    const l1 = sections.has('l1cost') || sections.has('replica') ? await runL1Bench(sections) : undefined
    const trace = await traceSection(sections)
    const fraud = await fraudSection(sections)
    const settle = await settleSection(sections)
    console.log(
      `\nresults appended to ${saveRun({ startedAt, machine, config: {}, loadAverage: { start: load1, end: loadavg()[0] }, l1, ...(trace === undefined ? {} : { trace }), ...(fraud === undefined ? {} : { fraud }), ...(settle === undefined ? {} : { settle }) })}`,
    )
    return
  }
  console.log(
    `workload: up to ${cfg.bets} bets saturating, then up to ${cfg.pacedBets} paced at half the measured rate; each run at most ${cfg.runSeconds} s;` +
      ` ${cfg.bettors} bettors, ${cfg.markets} markets, ${cfg.inFlight} in flight`,
  )
  const startedAt = new Date().toISOString()

  const accounts = benchAccounts(cfg.bettors)
  const now = Math.floor(Date.now() / 1000)
  const genesis = benchGenesis(accounts, now, DEV_CHAIN_ID)

  // every tx signed before any timer starts, in worker_threads over all cores; the same signed
  // txs go to both chains (same chain id, accounts, nonces and contract state)
  const tasks = [...marketTasks(accounts, cfg.markets, now), ...betTasks(accounts, cfg.markets, cfg.bets + cfg.pacedBets)]
  const signStart = performance.now()
  const signed = await signAll(genesis.chainId, tasks)
  const signSeconds = (performance.now() - signStart) / 1000
  console.log(`signed ${signed.length} txs in ${signSeconds.toFixed(1)} s with viem in ${machine.cores} worker_threads (before timing)`)
  const work: SignedWorkload = {
    markets: signed.slice(0, cfg.markets),
    bets: signed.slice(cfg.markets),
  }

  const client = await measureClientOverhead(cfg.inFlight)
  console.log(
    `client: ${client.echoPerS.toFixed(0)} req/s against an echo process with ${cfg.inFlight} in flight;` +
      ` ${client.clientCpuUsPerRequest.toFixed(0)} us of client CPU per request (one core: ~${client.clientCeilingPerS.toFixed(0)} req/s)`,
  )

  const rollbook = await runL2Bench(await startRollbook(genesis), work, cfg)
  const anvil = await runL2Bench(await startAnvil(genesis), work, cfg)
  const ratio = l2Ratios(rollbook, anvil)
  console.log(`load average ${loadavg()[0].toFixed(2)} at the end`)

  console.log('\nL2 betting workload')
  printL2Table(rollbook, anvil, ratio)
  console.log('')
  printL2Details([rollbook, anvil])
  const l1 = sections.has('l1cost') || sections.has('replica') ? await runL1Bench(sections, rollbook.saturating.ratePerS) : undefined
  const trace = await traceSection(sections)
  const fraud = await fraudSection(sections)
  const settle = await settleSection(sections)

  const run: BenchRun = {
    startedAt,
    machine,
    config: { ...cfg },
    loadAverage: { start: load1, end: loadavg()[0] },
    signing: { txs: signed.length, workers: machine.cores, seconds: signSeconds },
    client,
    l2: { rollbook, anvil, ratio },
    l1,
    ...(trace === undefined ? {} : { trace }),
    ...(fraud === undefined ? {} : { fraud }),
    ...(settle === undefined ? {} : { settle }),
  }
  console.log(`\nresults appended to ${saveRun(run)}`)
}

async function settleSection(sections: Set<string>): Promise<SettleBenchResult | undefined> {
  if (!sections.has('settle')) return undefined
  const settle = await runSettleBench()
  printSettleBench(settle)
  return settle
}

async function traceSection(sections: Set<string>) {
  if (!sections.has('trace')) return undefined
  const trace = await runTraceBench()
  console.log('\nTrace cost to the sequencer')
  printTraceBench(trace)
  return trace
}

async function fraudSection(sections: Set<string>): Promise<FraudBenchResult[] | undefined> {
  if (!sections.has('fraud')) return undefined
  const results: FraudBenchResult[] = []
  for (const maxChunkBytes of chunkSizes()) {
    const fraud = await runFraudBench(maxChunkBytes)
    console.log(`\nFraud proofs per record kind (${maxChunkBytes} B chunks)`)
    printFraudBench(fraud)
    results.push(fraud)
  }
  if (results.length > 1) {
    console.log('\nWorst-case fraud proof by chunk size')
    for (const r of results) {
      const late = r.kinds.find((k) => k.label === 'bet late in a full chunk')
      console.log(`  ${r.maxChunkBytes} B: a bet late in a full chunk ${late === undefined ? '-' : late.medianGas.toFixed(0)} gas (median), the largest proof ${r.maxGas} gas`)
    }
  }
  return results
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ClientOverhead } from './clientOverhead.ts'
import type { L1BenchResult } from './l1Bench.ts'
import type { ChainResult } from './l2Bench.ts'

export const RESULTS_FILE = fileURLToPath(new URL('../../.rollbook/bench-results.json', import.meta.url))

export interface BenchMachine {
  cores: number
  cpu: string
  node: string
  platform: string
}

export interface L2Ratios {
  betsPerS: number
  p50: number
  p99: number
  peakRss: number
}

export interface BenchRun {
  startedAt: string
  machine: BenchMachine
  config: Record<string, unknown>
  /** 1-minute load average when the run started and ended: the machine may be shared */
  loadAverage: { start: number; end: number }
  /** the L2 section's figures, absent when BENCH_ONLY leaves it out */
  signing?: { txs: number; workers: number; seconds: number }
  client?: ClientOverhead
  l2?: { rollbook: ChainResult; anvil: ChainResult; ratio: L2Ratios }
  l1?: L1BenchResult
}

export function l2Ratios(rollbook: ChainResult, anvil: ChainResult): L2Ratios {
  return {
    betsPerS: rollbook.saturating.ratePerS / anvil.saturating.ratePerS,
    p50: rollbook.paced.latencyMs.p50 / anvil.paced.latencyMs.p50,
    p99: rollbook.paced.latencyMs.p99 / anvil.paced.latencyMs.p99,
    peakRss: (rollbook.peakRssKb ?? Number.NaN) / (anvil.peakRssKb ?? Number.NaN),
  }
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits)
}

export function printL2Table(rollbook: ChainResult, anvil: ChainResult, ratio: L2Ratios): void {
  const rows: Array<[string, string, string, string]> = [
    ['', 'rollbook', 'anvil --block-time 1', 'rollbook / anvil'],
    ['bets/s (64 in flight)', fmt(rollbook.saturating.ratePerS, 1), fmt(anvil.saturating.ratePerS, 1), fmt(ratio.betsPerS, 3)],
    [
      'paced at half rate (bets/s)',
      fmt(rollbook.paced.targetRatePerS, 1),
      fmt(anvil.paced.targetRatePerS, 1),
      '',
    ],
    ['send to receipt p50 (ms)', fmt(rollbook.paced.latencyMs.p50, 1), fmt(anvil.paced.latencyMs.p50, 1), fmt(ratio.p50, 3)],
    ['send to receipt p99 (ms)', fmt(rollbook.paced.latencyMs.p99, 1), fmt(anvil.paced.latencyMs.p99, 1), fmt(ratio.p99, 3)],
    ['peak RSS, VmHWM (MB)', fmt((rollbook.peakRssKb ?? NaN) / 1024, 1), fmt((anvil.peakRssKb ?? NaN) / 1024, 1), fmt(ratio.peakRss, 2)],
  ]
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)))
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`
  console.log(line(rows[0]))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const r of rows.slice(1)) console.log(line(r))
}

export function printL2Details(results: ChainResult[]): void {
  for (const r of results) {
    const s = r.saturating
    const p = r.paced
    console.log(
      `${r.chain}: eth_chainId ${r.echoPerS.toFixed(0)} req/s; saturating ${s.receipts}/${s.sent} receipts in ${(s.durationMs / 1000).toFixed(2)} s` +
        ` (answer p50 ${s.answerMs.p50.toFixed(1)} ms, receipt p50/p99 ${s.latencyMs.p50.toFixed(1)}/${s.latencyMs.p99.toFixed(1)} ms);` +
        ` paced ${p.receipts}/${p.sent} receipts in ${(p.durationMs / 1000).toFixed(2)} s (answer p50/p99 ${p.answerMs.p50.toFixed(1)}/${p.answerMs.p99.toFixed(1)} ms, late sends ${p.lateSends});` +
        ` bets recorded by the contract ${r.betsRecorded}, reverted ${s.reverted + p.reverted}`,
    )
    const rejected = { ...s.rejected }
    for (const [k, v] of Object.entries(p.rejected)) rejected[k] = (rejected[k] ?? 0) + v
    if (Object.keys(rejected).length > 0) console.log(`  ${r.chain} rejected: ${JSON.stringify(rejected)}`)
  }
}

/** Appends the run to the results file (an array, oldest first) so later runs can be compared. */
export function saveRun(run: BenchRun): string {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true })
  let history: unknown[] = []
  if (existsSync(RESULTS_FILE)) {
    try {
      const parsed = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'))
      if (Array.isArray(parsed)) history = parsed
    } catch {
      // a damaged file is replaced
    }
  }
  history.push(run)
  writeFileSync(RESULTS_FILE, `${JSON.stringify(history, null, 2)}\n`)
  return RESULTS_FILE
}

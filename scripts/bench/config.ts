/** The L2 workload's knobs (issue "The L2 betting chain"); env overrides for quick or long runs. */
function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new Error(`${name}: expected a positive whole number, got '${raw}'`)
  return Number(raw)
}

export interface L2BenchConfig {
  /** bets of the saturating run (the bets/s figure) */
  bets: number
  /** bets of the paced run at half the measured rate (the latency figures) */
  pacedBets: number
  bettors: number
  markets: number
  /** each run stops sending after this long, so a slow chain still finishes in about a minute */
  runSeconds: number
  /** requests in flight at most */
  inFlight: number
  /** how long to wait for receipts after the last answer before giving up on the rest */
  receiptTimeoutMs: number
}

export function l2Config(): L2BenchConfig {
  // anvil mines once a second and takes ~1,500-2,800 bets/s here: 12,000 bets span enough of its
  // blocks for a figure not dominated by the last block's wait; the slower chain stops at runSeconds
  const bets = envInt('BENCH_BETS', 12_000)
  return {
    bets,
    pacedBets: envInt('BENCH_PACED_BETS', Math.ceil(bets / 2)),
    bettors: envInt('BENCH_BETTORS', 200),
    markets: 50,
    runSeconds: envInt('BENCH_SECONDS', 25),
    inFlight: envInt('BENCH_IN_FLIGHT', 64),
    receiptTimeoutMs: 30_000,
  }
}

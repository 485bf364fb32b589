/**
 * The L1 sections of `npm run bench` (issue 3): L1 cost per bet and replica derivation speed, on
 * one set of bets sequenced and posted once. BENCH_ONLY picks sections (l2, l1cost, replica, trace, fraud).
 * Env: BENCH_L1_BETS (default 1000), BENCH_BETTORS (200), BENCH_IN_FLIGHT (64), BENCH_REPLICA_RUNS (3),
 * BENCH_CHUNK_BYTES (the batcher's --max-chunk-bytes, a comma list: each size is sequenced and
 * posted again for l1cost; replica runs on the first; default DEFAULT_MAX_CHUNK_BYTES).
 */
import { NodeOptionsSchema } from '../../node/options.ts'
import { defaultBatcherOptions } from '../../sequencer/batcher/options.ts'
import { DEFAULT_MAX_CHUNK_BYTES } from '../../sdk/src/batch/index.ts'
import { measureL1Cost, printL1Cost, printL1CostBySize, type L1CostResult } from './l1Cost.ts'
import { sequenceAndPostBets, type PostedBetsConfig, type SequencingRate } from './postedBets.ts'
import { measureReplicaSpeed, printReplicaSpeed, type ReplicaSpeedResult } from './replicaSpeed.ts'

export const BENCH_SECTIONS = ['l2', 'l1cost', 'replica', 'trace', 'fraud', 'settle'] as const
export type BenchSection = (typeof BENCH_SECTIONS)[number]

/** BENCH_ONLY=l1cost,replica: the sections to run; every one when unset. */
export function benchSections(raw = process.env.BENCH_ONLY): Set<BenchSection> {
  if (raw === undefined || raw.trim() === '') return new Set(BENCH_SECTIONS)
  const picked = raw.split(',').map((s) => s.trim().toLowerCase())
  for (const s of picked) {
    if (!(BENCH_SECTIONS as readonly string[]).includes(s)) throw new Error(`BENCH_ONLY: unknown section '${s}' (sections: ${BENCH_SECTIONS.join(', ')})`)
  }
  return new Set(picked as BenchSection[])
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new Error(`${name}: expected a positive whole number, got '${raw}'`)
  return Number(raw)
}

export interface L1BenchConfig extends PostedBetsConfig {
  replicaRuns: number
  /** BENCH_CHUNK_BYTES: every size l1cost measures; maxChunkBytes is the first */
  chunkSizes: number[]
}

/** BENCH_CHUNK_BYTES=24000,12000,8000: the chunk sizes to measure, in order; DEFAULT_MAX_CHUNK_BYTES when unset. */
export function chunkSizes(raw = process.env.BENCH_CHUNK_BYTES): number[] {
  if (raw === undefined || raw.trim() === '') return [DEFAULT_MAX_CHUNK_BYTES]
  return raw.split(',').map((s) => {
    const v = s.trim()
    if (!/^\d+$/.test(v) || Number(v) < 200) throw new Error(`BENCH_CHUNK_BYTES: expected sizes of at least 200 bytes, got '${v}'`)
    return Number(v)
  })
}

export function l1Config(): L1BenchConfig {
  const sizes = chunkSizes()
  return {
    maxChunkBytes: sizes[0],
    chunkSizes: sizes,
    bets: envInt('BENCH_L1_BETS', 1_000),
    bettors: envInt('BENCH_BETTORS', 200),
    markets: 50,
    inFlight: envInt('BENCH_IN_FLIGHT', 64),
    replicaRuns: envInt('BENCH_REPLICA_RUNS', 3),
  }
}

export interface L1BenchResult {
  config: L1BenchConfig
  sequencing: SequencingRate
  /** at the first chunk size */
  l1Cost?: L1CostResult
  /** every chunk size of BENCH_CHUNK_BYTES, when more than one */
  l1CostBySize?: L1CostResult[]
  replica?: ReplicaSpeedResult
  /** replica bets/s over the L2 section's saturating rollbook rate (HTTP end to end), when both ran */
  replicaOverL2?: number
}

function log(msg: string): void {
  console.error(`[l1] ${msg}`)
}

/**
 * Sequences and posts the bets once, then runs the L1 sections picked; prints each. `l2BetsPerS`:
 * the L2 section's saturating rollbook rate of this run, to set the replica against.
 */
export async function runL1Bench(sections: Set<BenchSection>, l2BetsPerS?: number): Promise<L1BenchResult> {
  const cfg = l1Config()
  console.log(
    `\nL1 workload: ${cfg.bets} bets from ${cfg.bettors} bettors over ${cfg.markets} markets, sequenced in process (${cfg.inFlight} in flight; node defaults: ` +
      `${NodeOptionsSchema.parse({ datadir: '-' }).blockTimeMs} ms blocks, ${defaultBatcherOptions.batchIntervalMs} ms batches; ${cfg.chunkSizes.join(', ')} B chunks), ` +
      `posted by the node's batcher to the inbox on anvil (--hardfork prague, automine)`,
  )
  const posted = await sequenceAndPostBets(cfg, log)
  try {
    const result: L1BenchResult = { config: cfg, sequencing: posted.sequencing }
    if (sections.has('replica')) {
      // first, while L1 holds only the rollup's own txs
      result.replica = await measureReplicaSpeed(posted, cfg.replicaRuns, cfg.inFlight, log)
    }
    if (sections.has('l1cost')) {
      result.l1Cost = await measureL1Cost(posted)
      console.log(`\nL1 cost per bet (${cfg.bets} bets, ${cfg.maxChunkBytes} B chunks)`)
      printL1Cost(result.l1Cost)
      if (cfg.chunkSizes.length > 1) {
        result.l1CostBySize = [result.l1Cost]
        for (const maxChunkBytes of cfg.chunkSizes.slice(1)) {
          const again = await sequenceAndPostBets({ ...cfg, maxChunkBytes }, log)
          try {
            const cost = await measureL1Cost(again)
            result.l1CostBySize.push(cost)
            console.log(`\nL1 cost per bet (${cfg.bets} bets, ${maxChunkBytes} B chunks)`)
            printL1Cost(cost)
          } finally {
            await again.close()
          }
        }
        printL1CostBySize(result.l1CostBySize)
      }
    }
    if (result.replica !== undefined) {
      console.log('\nReplica derivation speed')
      printReplicaSpeed(result.replica)
      if (l2BetsPerS !== undefined) {
        result.replicaOverL2 = result.replica.betsPerS / l2BetsPerS
        console.log(`replica / the L2 section's rollbook (${l2BetsPerS.toFixed(0)} bets/s over HTTP): ${result.replicaOverL2.toFixed(2)}`)
      }
    }
    return result
  } finally {
    await posted.close()
  }
}

/**
 * Replica derivation speed (issue 3): a Replica on an empty datadir derives the posted chain from
 * L1 (anvil RPC, real LevelDB) until it holds the sequencer's head; wall clock from opening the
 * datadir to that head, median of fresh datadirs, next to the sequencer's rate on the same bets
 * measured in rounds interleaved with the replica's (a fresh sequencer each), so a shared machine's
 * load swings hit both alike.
 */
import { rmSync } from 'node:fs'
import { bytesToHex } from '@ethereumjs/util'
import { pino } from 'pino'
import { Replica } from '../../node/derive/replica.ts'
import { openLevel } from '../../node/storage/level.ts'
import { tempDatadir } from '../../node/testing/testNode.ts'
import { sequencingRate, type PostedBets, type SequencingRate } from './postedBets.ts'

export interface ReplicaSpeedResult {
  runs: number[]
  medianSeconds: number
  /** of each run: opening LevelDB and Replica.init (genesis state, the L1 start block) */
  initSeconds: number[]
  bets: number
  txs: number
  l2Blocks: number
  chunks: number
  betsPerS: number
  /** a fresh sequencer on the same bets before each replica run */
  sequencerRuns: SequencingRate[]
  /** median of the sequencer's rounds (to the last preconfirmation) */
  sequencerBetsPerS: number
  /** replica / sequencer of the medians: at least 1 and the replica never falls behind */
  ratio: number
  /** median of each round's replica / sequencer */
  roundRatio: number
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

const silent = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

/** One fresh datadir derived to the sequencer's head: seconds, and the chunks read. */
async function deriveOnce(posted: PostedBets): Promise<{ seconds: number; initSeconds: number; chunks: number }> {
  const datadir = tempDatadir('rollbook-bench-replica-')
  try {
    const start = performance.now()
    const db = await openLevel(datadir)
    const replica = await Replica.init({}, { config: posted.config, db, client: posted.client, logger: silent })
    const initSeconds = (performance.now() - start) / 1000
    try {
      await replica.syncToL1Head()
      const seconds = (performance.now() - start) / 1000
      const head = replica.chain.head
      if (replica.halted !== undefined) throw new Error(`the replica halted: ${String(replica.halted)}`)
      if (bytesToHex(head.hash()) !== posted.head.hash || head.header.number !== posted.head.number) {
        throw new Error(`the replica reached block ${head.header.number} ${bytesToHex(head.hash())}, the sequencer's head is ${posted.head.number} ${posted.head.hash}`)
      }
      if (replica.stats.skipped !== 0) throw new Error(`the replica skipped ${replica.stats.skipped} records`)
      return { seconds, initSeconds, chunks: replica.stats.chunks }
    } finally {
      await replica.stop()
      await db.close()
    }
  } finally {
    rmSync(datadir, { recursive: true, force: true })
  }
}

export async function measureReplicaSpeed(posted: PostedBets, runs: number, inFlight: number, log: (msg: string) => void): Promise<ReplicaSpeedResult> {
  const sequencerRuns: SequencingRate[] = []
  const seconds: number[] = []
  const initSeconds: number[] = []
  let chunks = 0
  for (let i = 0; i < runs; i++) {
    const sequenced = await sequencingRate(posted, inFlight)
    sequencerRuns.push(sequenced)
    log(`sequencer run ${i + 1}: ${posted.bets} bets, ${sequenced.betsPerS.toFixed(0)} bets/s to the last preconfirmation`)
    const run = await deriveOnce(posted)
    seconds.push(run.seconds)
    initSeconds.push(run.initSeconds)
    chunks = run.chunks
    log(`replica run ${i + 1}: ${posted.txs} txs (${posted.bets} bets) in ${run.seconds.toFixed(2)} s (init ${run.initSeconds.toFixed(2)} s) from ${run.chunks} chunks: ${(posted.bets / run.seconds).toFixed(0)} bets/s`)
  }
  const medianSeconds = median(seconds)
  const betsPerS = posted.bets / medianSeconds
  const sequencerBetsPerS = median(sequencerRuns.map((r) => r.betsPerS))
  return {
    runs: seconds,
    medianSeconds,
    initSeconds,
    bets: posted.bets,
    txs: posted.txs,
    l2Blocks: Number(posted.head.number),
    chunks,
    betsPerS,
    sequencerRuns,
    sequencerBetsPerS,
    ratio: betsPerS / sequencerBetsPerS,
    roundRatio: median(seconds.map((x, i) => posted.bets / x / sequencerRuns[i].betsPerS)),
  }
}

export function printReplicaSpeed(r: ReplicaSpeedResult): void {
  console.log(
    `replica, empty datadir to the sequencer's head (L2 block ${r.l2Blocks}, ${r.txs} txs of which ${r.bets} bets, ${r.chunks} chunks on L1), ` +
      `median of ${r.runs.length} (${r.runs.map((x) => x.toFixed(2)).join(', ')} s): ${r.medianSeconds.toFixed(2)} s, ${r.betsPerS.toFixed(0)} bets/s ` +
      `(${(r.txs / r.medianSeconds).toFixed(0)} txs/s; of it opening the datadir and Replica.init: median ${median(r.initSeconds).toFixed(2)} s)`,
  )
  const sealed = median(r.sequencerRuns.map((x) => r.bets / x.sealedSeconds))
  console.log(
    `sequencer, same bets in process on a fresh datadir before each replica run (submitRawTx), median of ${r.sequencerRuns.length} ` +
      `(${r.sequencerRuns.map((x) => x.betsPerS.toFixed(0)).join(', ')} bets/s): ${r.sequencerBetsPerS.toFixed(0)} bets/s to the last preconfirmation (${sealed.toFixed(0)} bets/s to its block sealed)`,
  )
  console.log(`replica / sequencer: ${r.ratio.toFixed(2)} of the medians, ${r.roundRatio.toFixed(2)} median of the rounds (${r.ratio >= 1 ? 'keeps up' : 'falls behind'})`)
}

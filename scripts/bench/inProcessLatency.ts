/**
 * In-process preconfirmation latency: a test node (RollbookNode in this process, no HTTP), bets
 * submitted through Sequencer.submitRawTx at a fixed rate, latency from submit to the
 * preconfirmation, and the event loop's delay meanwhile (monitorEventLoopDelay). It separates the
 * sequencer's own tail from what HTTP, WebSocket and the bench client add (docs/performance.md).
 *
 *   node --max-semi-space-size=64 --import tsx scripts/bench/inProcessLatency.ts [bets per second = 700] [bets = 8000]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { calldata, TestSigner } from '../../node/chain/fastpath/testing.ts'
import { startTestNode } from '../../node/testing/testNode.ts'
import { l2Accounts } from '../../sequencer/batcher/testing.ts'
import { percentile } from './stats.ts'

function positiveArg(index: number, name: string, fallback: number): number {
  const raw = process.argv[index]
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    console.error(`${name}: expected a positive whole number, got '${raw}'`)
    process.exit(2)
  }
  return Number(raw)
}

const RATE = positiveArg(2, 'bets per second', 700)
const BETS = positiveArg(3, 'bets', 8000)
const MARKETS = 50

const node = await startTestNode()
const sequencer = node.node.sequencer!
const signer = new TestSigner(node.chainId)
const [operator, , ...bettors] = l2Accounts
const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)
for (let m = 0; m < MARKETS; m++) {
  await sequencer.submitRawTx(signer.sign(operator, BigInt(m), calldata.createMarket(2, [19_000, 19_000], closeTime, 10n ** 9n, 10n ** 14n)))
}
const nonces = new Map<number, bigint>()
const raws = Array.from({ length: BETS }, (_, i) => {
  const b = i % bettors.length
  const nonce = nonces.get(b) ?? 0n
  nonces.set(b, nonce + 1n)
  return signer.sign(bettors[b], nonce, calldata.placeBet(BigInt(1 + (i % MARKETS)), i % 2, 1_000n + BigInt(i), 0))
})

const latencies: number[] = []
let refused = 0
const loopDelay = monitorEventLoopDelay({ resolution: 1 })
loopDelay.enable()
const t0 = performance.now()
await new Promise<void>((done) => {
  let sent = 0
  let open = 0
  const answered = () => {
    open--
    if (open === 0 && sent === BETS) done()
  }
  const tick = () => {
    // every bet due by now on the schedule of RATE per second
    const due = Math.min(BETS, Math.floor(((performance.now() - t0) / 1000) * RATE))
    while (sent < due) {
      const start = performance.now()
      open++
      sequencer.submitRawTx(raws[sent++]).then(
        () => (latencies.push(performance.now() - start), answered()),
        () => (refused++, answered()),
      )
    }
    if (sent < BETS) setTimeout(tick, 1)
  }
  tick()
})
loopDelay.disable()
latencies.sort((a, b) => a - b)
const ms = (x: number) => x.toFixed(1)
console.log(
  `${RATE}/s in-process, ${latencies.length} preconfirmed${refused > 0 ? `, ${refused} refused` : ''}: ` +
    `p50 ${ms(percentile(latencies, 50))} p99 ${ms(percentile(latencies, 99))} max ${ms(latencies.at(-1) ?? Number.NaN)} ms; ` +
    `event loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)} max ${ms(loopDelay.max / 1e6)} ms`,
)
await node.close()

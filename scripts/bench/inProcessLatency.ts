/**
 * In-process preconfirmation latency: a test node (RollbookNode in this process, no HTTP), bets
 * submitted through Sequencer.submitRawTx at a fixed rate, latency from submit to the
 * preconfirmation, and the event loop's delay meanwhile (monitorEventLoopDelay). It separates the
 * sequencer's own tail from what HTTP, WebSocket and the bench client add (docs/performance.md).
 *
 *   npx tsx scripts/bench/inProcessLatency.ts [bets per second = 700] [bets = 8000]
 */
import { calldata, TestSigner } from '../../node/chain/fastpath/testing.ts'
import { startTestNode } from '../../node/testing/testNode.ts'
import { l2Accounts } from '../../sequencer/batcher/testing.ts'
import { monitorEventLoopDelay } from 'node:perf_hooks'
const RATE = Number(process.argv[2] ?? 700), N = Number(process.argv[3] ?? 8000)
const node = await startTestNode()
const seq = node.node.sequencer!
const signer = new TestSigner(node.chainId)
const [op, , ...bettors] = l2Accounts
for (let m = 0; m < 50; m++) await seq.submitRawTx(signer.sign(op, BigInt(m), calldata.createMarket(2, [19_000, 19_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 10n ** 9n, 10n ** 14n)))
const nonces = new Map<number, bigint>()
const raws = Array.from({ length: N }, (_, i) => { const b = i % bettors.length; const n = nonces.get(b) ?? 0n; nonces.set(b, n + 1n); return signer.sign(bettors[b], n, calldata.placeBet(BigInt(1 + (i % 50)), i % 2, 1_000n + BigInt(i), 0)) })
const lat: number[] = []
const h = monitorEventLoopDelay({ resolution: 1 }); h.enable()
const t0 = performance.now()
await new Promise<void>((done) => {
  let i = 0, open = 0
  const tick = () => {
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE)
    while (i < Math.min(due, N)) { const s = performance.now(); open++; seq.submitRawTx(raws[i++]).then(() => { lat.push(performance.now() - s); if (--open === 0 && i === N) done() }) }
    if (i < N) setTimeout(tick, 1)
  }
  tick()
})
h.disable()
lat.sort((a, b) => a - b)
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))].toFixed(1)
console.log(`${RATE}/s in-process: p50 ${q(50)} p99 ${q(99)} max ${q(100)} ms; loop delay p99 ${(h.percentile(99) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)} ms`)
await node.close()

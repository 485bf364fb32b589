import type { HttpRpc } from './rpcClient.ts'
import type { SignedTx } from './signing.ts'
import { percentile } from './stats.ts'
import type { ReceiptTracker } from './tracker.ts'

export interface LoadOptions {
  inFlight: number
  /** paced: send tx i at start + i / rate; unpaced when absent */
  ratePerS?: number
  /** stop sending new txs this long after the first send (the rest stay unsent, their nonces unused) */
  maxSendMs?: number
  receiptTimeoutMs: number
}

export interface LoadResult {
  /** txs sent: a prefix of the txs given */
  sent: number
  /** answered with a hash */
  accepted: number
  /** answered with an error, by message */
  rejected: Record<string, number>
  /** accepted txs whose receipt arrived on the WebSocket */
  receipts: number
  /** receipts with status 0 (where the channel tells) */
  reverted: number
  /** first send until the last receipt arrived */
  durationMs: number
  /** receipts per second over durationMs */
  ratePerS: number
  /** send until the receipt arrived */
  latencyMs: { p50: number; p99: number; max: number }
  /** send until the HTTP answer */
  answerMs: { p50: number; p99: number }
  /** paced runs: sends that left more than 5 ms behind schedule (the in-flight cap was reached) */
  lateSends: number
  targetRatePerS?: number
}

/**
 * Sends pre-signed txs through eth_sendRawTransaction with at most `inFlight` requests open (a
 * request is done when the node answers it), optionally paced, then waits for their receipts.
 */
export async function runLoad(rpc: HttpRpc, tracker: ReceiptTracker, txs: SignedTx[], opts: LoadOptions): Promise<LoadResult> {
  const n = txs.length
  const sentAt = new Float64Array(n)
  const answeredAt = new Float64Array(n)
  const accepted: boolean[] = new Array(n).fill(false)
  const rejected: Record<string, number> = {}
  let next = 0
  let open = 0
  let done = 0
  let lateSends = 0
  let timer: NodeJS.Timeout | undefined
  const t0 = performance.now()
  const interval = opts.ratePerS === undefined ? 0 : 1000 / opts.ratePerS

  let limit = n
  await new Promise<void>((finish) => {
    if (n === 0) return finish()
    const pump = (): void => {
      while (next < limit && open < opts.inFlight) {
        const now = performance.now()
        if (opts.maxSendMs !== undefined && now - t0 > opts.maxSendMs) {
          limit = next
          if (done === limit) finish()
          return
        }
        if (interval > 0) {
          const due = t0 + next * interval
          if (due > now) {
            timer ??= setTimeout(() => {
              timer = undefined
              pump()
            }, due - now)
            return
          }
          if (now - due > 5) lateSends++
        }
        const i = next++
        open++
        sentAt[i] = now
        rpc.callRaw('eth_sendRawTransaction', `["${txs[i].raw}"]`).then(
          (hash) => {
            answeredAt[i] = performance.now()
            accepted[i] = true
            if (typeof hash === 'string' && hash.toLowerCase() !== txs[i].hash) {
              rejected[`answered another hash than keccak(raw)`] = (rejected[`answered another hash than keccak(raw)`] ?? 0) + 1
            }
            settle()
          },
          (e: Error) => {
            answeredAt[i] = performance.now()
            const key = e.message.replace(/0x[0-9a-fA-F]+|\d+/g, 'N').slice(0, 120)
            rejected[key] = (rejected[key] ?? 0) + 1
            settle()
          },
        )
      }
    }
    const settle = (): void => {
      open--
      if (++done === limit) finish()
      else pump()
    }
    pump()
  })

  const sent = limit
  const acceptedHashes = txs.slice(0, sent).filter((_, i) => accepted[i]).map((t) => t.hash)
  await tracker.waitFor(acceptedHashes, opts.receiptTimeoutMs)

  const latencies: number[] = []
  const answers: number[] = []
  let lastArrival = t0
  let reverted = 0
  for (let i = 0; i < sent; i++) {
    if (!accepted[i]) continue
    answers.push(answeredAt[i] - sentAt[i])
    const at = tracker.arrivals.get(txs[i].hash)
    if (at === undefined) continue
    latencies.push(at - sentAt[i])
    if (at > lastArrival) lastArrival = at
    if (tracker.reverted.has(txs[i].hash)) reverted++
  }
  latencies.sort((a, b) => a - b)
  answers.sort((a, b) => a - b)
  const durationMs = lastArrival - t0
  return {
    sent,
    accepted: acceptedHashes.length,
    rejected,
    receipts: latencies.length,
    reverted,
    durationMs,
    ratePerS: latencies.length / (durationMs / 1000),
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN },
    answerMs: { p50: percentile(answers, 50), p99: percentile(answers, 99) },
    lateSends,
    targetRatePerS: opts.ratePerS,
  }
}

/** Requests per second of a method that does no work (the client's and the RPC layer's ceiling). */
export async function echoRate(rpc: HttpRpc, method: string, requests: number, inFlight: number): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests) {
        next++
        await rpc.callRaw(method, '[]')
      }
    }),
  )
  return requests / ((performance.now() - t0) / 1000)
}

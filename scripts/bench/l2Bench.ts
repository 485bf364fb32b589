import { decodeFunctionResult, encodeFunctionData } from 'viem'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../../sdk/src/constants.ts'
import type { L2BenchConfig } from './config.ts'
import { echoRate, runLoad, type LoadResult } from './load.ts'
import { HttpRpc } from './rpcClient.ts'
import type { SignedTx } from './signing.ts'
import { peakRssKb } from './stats.ts'
import type { BenchTarget } from './target.ts'

export interface SignedWorkload {
  markets: SignedTx[]
  /** one gap-free sequence: the saturating run takes a prefix, the paced run goes on from there */
  bets: SignedTx[]
}

export interface ChainResult {
  chain: string
  /** eth_chainId answered per second with the bench's in-flight limit: client plus RPC layer ceiling */
  echoPerS: number
  saturating: LoadResult
  paced: LoadResult
  /** bets the contract recorded (nextBetId - 1) against bets sent */
  betsRecorded: number
  peakRssKb: number | undefined
}

async function nextBetId(rpc: HttpRpc): Promise<bigint> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'nextBetId' })
  const raw = await rpc.call<`0x${string}`>('eth_call', [{ to: BET_ENGINE_ADDRESS, data }, 'latest'])
  return decodeFunctionResult({ abi: betEngineAbi, functionName: 'nextBetId', data: raw })
}

function log(chain: string, msg: string): void {
  console.error(`[${chain}] ${msg}`)
}

/**
 * The L2 workload on one chain: markets first (untimed), then the saturating run (bets/s), then a
 * run paced at half that rate (latency), then the node's peak memory. The target is stopped after.
 */
export async function runL2Bench(target: BenchTarget, work: SignedWorkload, cfg: L2BenchConfig): Promise<ChainResult> {
  const rpc = new HttpRpc(target.httpUrl, cfg.inFlight)
  const tracker = await target.openTracker()
  try {
    const echoPerS = await echoRate(rpc, 'eth_chainId', 5_000, cfg.inFlight)
    log(target.name, `eth_chainId: ${echoPerS.toFixed(0)} req/s with ${cfg.inFlight} in flight`)

    // one request at a time: the operator's nonces must arrive in order
    const markets = await runLoad(rpc, tracker, work.markets, { inFlight: 1, receiptTimeoutMs: cfg.receiptTimeoutMs })
    if (markets.receipts !== work.markets.length || markets.reverted > 0) {
      throw new Error(`${target.name}: ${markets.receipts}/${work.markets.length} market receipts, ${markets.reverted} reverted, rejected ${JSON.stringify(markets.rejected)}`)
    }
    log(target.name, `${work.markets.length} markets created`)

    const budgetMs = cfg.runSeconds * 1000
    const saturating = await runLoad(rpc, tracker, work.bets.slice(0, cfg.bets), {
      inFlight: cfg.inFlight,
      maxSendMs: budgetMs,
      receiptTimeoutMs: cfg.receiptTimeoutMs,
    })
    log(target.name, `saturating: ${saturating.receipts}/${saturating.sent} receipts, ${saturating.ratePerS.toFixed(1)} bets/s, p50 ${saturating.latencyMs.p50.toFixed(0)} ms`)

    const pacedRate = saturating.ratePerS / 2
    const pacedCount = Math.min(cfg.pacedBets, Math.ceil(pacedRate * cfg.runSeconds))
    const paced = await runLoad(rpc, tracker, work.bets.slice(saturating.sent, saturating.sent + pacedCount), {
      inFlight: cfg.inFlight,
      ratePerS: pacedRate,
      maxSendMs: budgetMs,
      receiptTimeoutMs: cfg.receiptTimeoutMs,
    })
    log(target.name, `paced at ${pacedRate.toFixed(1)}/s: ${paced.receipts}/${paced.sent} receipts, p50 ${paced.latencyMs.p50.toFixed(1)} ms, p99 ${paced.latencyMs.p99.toFixed(1)} ms`)

    const betsRecorded = Number((await nextBetId(rpc)) - 1n)
    const peak = peakRssKb(target.pid)
    return { chain: target.name, echoPerS, saturating, paced, betsRecorded, peakRssKb: peak }
  } finally {
    tracker.close()
    rpc.close()
    await target.stop()
  }
}

import type { Address, Hash } from 'viem'
import { RollbookRpcError, type RollbookRpcErrorType } from './errors.ts'

/** What every operator write answers: the tx, once preconfirmed, and why it reverted if it did. */
export interface OperatorTxResult {
  txHash: Hash
  blockNumber: bigint
  status: 'success' | 'reverted'
  /** The decoded bet engine error, e.g. `MarketNotOpen()`, when `status` is 'reverted'. */
  error?: string
}

export type CreateMarketResult = OperatorTxResult & {
  /** The new market's id, when the call succeeded. */
  marketId?: bigint
}

/** A market's exposure as `rollbook_getExposure` reads it from the sequencer's live state. */
export interface MarketExposure {
  marketId: bigint
  status: 'open' | 'suspended' | 'resolved'
  result: number | 'void' | null
  /** Unix seconds. */
  closeTime: bigint
  marketType: number
  /** Tenths of a point. */
  line: number
  maxStake: bigint
  maxLiability: bigint
  limits: { maxStakePerBettor: bigint; maxMarketLiability: bigint } | null
  pricing: { probabilitiesBps: number[]; marginBps: number; slope: number; floorOdds: number } | null
  /** The odds a bet gets now (4 decimals) and what the house pays if the outcome wins. */
  outcomes: { outcome: number; odds: number; liability: bigint }[]
  totalLiability: bigint
  worstCaseLiability: bigint
}

export type OperatorClientErrorType = RollbookRpcErrorType

/**
 * A typed client of a sequencer's operator API (docs/operator-api.md): one function per
 * `rollbook_*` method, each sending the API key. A write resolves once its tx is preconfirmed, a
 * reverted one included (`status: 'reverted'`, `error`); a JSON-RPC error (-32004 without the
 * right key, -32602 for bad params) rejects with RollbookRpcError. Nothing is retried, so a write
 * is never sent twice.
 *
 * @example
 * const operator = operatorClient('http://127.0.0.1:8547', process.env.ROLLBOOK_API_KEY!)
 * const { marketId } = await operator.createMarket({ odds: [19_000, 21_000], closeTime: BigInt(kickoff), maxStake: 100_000_000n, maxLiability: 10_000_000_000n })
 * await operator.setOdds({ marketId: marketId!, odds: [18_500, 21_500] })
 */
export function operatorClient(url: string, apiKey: string) {
  let nextId = 1
  async function request<T>(method: string, params: object): Promise<T> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      // amounts and ids go as decimal strings, as the API takes them
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: [params] }, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)),
    })
    const answer = (await response.json()) as { result?: T; error?: { code: number; message: string; data?: unknown } }
    if (answer.error !== undefined) throw new RollbookRpcError(answer.error)
    return answer.result as T
  }
  const write = async (method: string, params: object): Promise<OperatorTxResult> => txResult(await request<WireTxResult>(method, params))

  return {
    createMarket: async (params: { outcomeCount?: number; odds: readonly number[]; closeTime: bigint; maxStake: bigint; maxLiability: bigint }): Promise<CreateMarketResult> => {
      const answer = await request<WireTxResult & { marketId?: string }>('rollbook_createMarket', params)
      return { ...txResult(answer), ...(answer.marketId === undefined ? {} : { marketId: BigInt(answer.marketId) }) }
    },
    setOdds: (params: { marketId: bigint; odds: readonly number[] }) => write('rollbook_setOdds', params),
    setCommittee: (params: { members: readonly Address[]; threshold: number; disputeWindowSeconds: number }) => write('rollbook_setCommittee', params),
    setMarketInfo: (params: { marketId: bigint; marketType: number; line: number }) => write('rollbook_setMarketInfo', params),
    suspendMarket: (params: { marketId: bigint }) => write('rollbook_suspendMarket', params),
    resumeMarket: (params: { marketId: bigint }) => write('rollbook_resumeMarket', params),
    closeMarket: (params: { marketId: bigint }) => write('rollbook_closeMarket', params),
    setLimits: (params: { marketId: bigint; maxStakePerBettor: bigint; maxMarketLiability: bigint }) => write('rollbook_setLimits', params),
    setPricing: (params: { marketId: bigint; probabilitiesBps: readonly number[]; marginBps: number; slope: number; floorOdds: number }) => write('rollbook_setPricing', params),
    getExposure: async (params: { marketId: bigint }): Promise<MarketExposure> => exposure(await request<WireExposure>('rollbook_getExposure', params)),
  }
}

export type OperatorClient = ReturnType<typeof operatorClient>

interface WireTxResult {
  txHash: Hash
  blockNumber: string
  status: 'success' | 'reverted'
  error?: string
}

type WireExposure = Omit<MarketExposure, 'marketId' | 'closeTime' | 'maxStake' | 'maxLiability' | 'limits' | 'outcomes' | 'totalLiability' | 'worstCaseLiability'> & {
  marketId: string
  closeTime: number
  maxStake: string
  maxLiability: string
  limits: { maxStakePerBettor: string; maxMarketLiability: string } | null
  outcomes: { outcome: number; odds: number; liability: string }[]
  totalLiability: string
  worstCaseLiability: string
}

function txResult({ txHash, blockNumber, status, error }: WireTxResult): OperatorTxResult {
  return { txHash, blockNumber: BigInt(blockNumber), status, ...(error === undefined ? {} : { error }) }
}

function exposure(wire: WireExposure): MarketExposure {
  return {
    ...wire,
    marketId: BigInt(wire.marketId),
    closeTime: BigInt(wire.closeTime),
    maxStake: BigInt(wire.maxStake),
    maxLiability: BigInt(wire.maxLiability),
    limits: wire.limits === null ? null : { maxStakePerBettor: BigInt(wire.limits.maxStakePerBettor), maxMarketLiability: BigInt(wire.limits.maxMarketLiability) },
    outcomes: wire.outcomes.map((o) => ({ ...o, liability: BigInt(o.liability) })),
    totalLiability: BigInt(wire.totalLiability),
    worstCaseLiability: BigInt(wire.worstCaseLiability),
  }
}

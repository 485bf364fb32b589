import { bytesToHex } from '@ethereumjs/util'
import { decodeEventLog, type Hex } from 'viem'
import { z } from 'zod'
import { betEngineAbi } from '../../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../../../sdk/src/constants.ts'
import type { ExecutedTx } from '../../chain/types.ts'
import { defineSubscription, type AnySubscriptionDefinition } from '../subscriptions.ts'
import { placeOf, type RpcBackend } from './backend.ts'
import { formatHeader, formatLog, formatReceipt } from './format.ts'
import { LogMatcher } from './logs.ts'
import { address, hash32 } from './schemas.ts'

const marketId = z
  .union([z.string().regex(/^(0x[0-9a-fA-F]{1,64}|\d{1,78})$/, 'market id as a decimal or hex number'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v))

const logsFilter = z
  .object({
    address: z.union([address, z.array(address)]).optional(),
    topics: z.array(z.union([hash32, z.null(), z.array(hash32.nullable())])).max(4).optional(),
  })
  .optional()

/** A bet engine event as the market and account channels send it: integers as decimal strings. */
export interface BetEngineNotification {
  event: string
  args: Record<string, unknown>
  transactionHash: Hex
  blockNumber: Hex
  logIndex: Hex
}

function jsonArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(args)) {
    out[k] = typeof v === 'bigint' || typeof v === 'number' ? v.toString() : Array.isArray(v) ? v.map((x) => x.toString()) : v
  }
  return out
}

/**
 * Decodes each bet engine log once per preconfirmed batch, and only while someone listens,
 * then routes it to the market's and the bettor's subscribers.
 */
class BetEventRouter {
  private readonly byMarket = new Map<bigint, Set<(n: BetEngineNotification) => void>>()
  private readonly byAccount = new Map<string, Set<(n: BetEngineNotification) => void>>()
  private listening = false

  constructor(private readonly backend: RpcBackend) {}

  subscribeMarket(id: bigint, emit: (n: BetEngineNotification) => void): () => void {
    return this.add(this.byMarket, id, emit)
  }

  subscribeAccount(account: string, emit: (n: BetEngineNotification) => void): () => void {
    return this.add(this.byAccount, account.toLowerCase(), emit)
  }

  private add<K>(map: Map<K, Set<(n: BetEngineNotification) => void>>, key: K, emit: (n: BetEngineNotification) => void): () => void {
    let set = map.get(key)
    if (set === undefined) map.set(key, (set = new Set()))
    set.add(emit)
    this.updateListener()
    return () => {
      set.delete(emit)
      if (set.size === 0) map.delete(key)
      this.updateListener()
    }
  }

  private readonly onPreconfirmed = (txs: ExecutedTx[]) => {
    const engine = BET_ENGINE_ADDRESS.toLowerCase()
    for (const executed of txs) {
      executed.logs.forEach((log, i) => {
        if (bytesToHex(log[0]) !== engine) return
        let decoded
        try {
          decoded = decodeEventLog({ abi: betEngineAbi, topics: log[1].map((t) => bytesToHex(t)) as [Hex, ...Hex[]], data: bytesToHex(log[2]) })
        } catch {
          return
        }
        const args = decoded.args as Record<string, unknown>
        const notification: BetEngineNotification = {
          event: decoded.eventName,
          args: jsonArgs(args),
          transactionHash: bytesToHex(executed.hash),
          blockNumber: `0x${executed.blockNumber.toString(16)}`,
          logIndex: `0x${(executed.logsBefore + i).toString(16)}`,
        }
        if (typeof args.marketId === 'bigint') for (const emit of this.byMarket.get(args.marketId) ?? []) emit(notification)
        // a parlay reaches the channel of each market it has a leg on
        if (Array.isArray(args.marketIds)) for (const m of new Set(args.marketIds as bigint[])) for (const emit of this.byMarket.get(m) ?? []) emit(notification)
        if (typeof args.bettor === 'string') for (const emit of this.byAccount.get(args.bettor.toLowerCase()) ?? []) emit(notification)
      })
    }
  }

  private updateListener(): void {
    const wanted = this.byMarket.size + this.byAccount.size > 0
    if (wanted && !this.listening) this.backend.events.on('preconfirmed', this.onPreconfirmed)
    if (!wanted && this.listening) this.backend.events.off('preconfirmed', this.onPreconfirmed)
    this.listening = wanted
  }
}

/** One listener on a chain event while anyone subscribes, its output sent to every subscriber. */
class FanOut<T> {
  private readonly subscribers = new Set<(item: T) => void>()
  private readonly listener = (txs: ExecutedTx[]) => this.produce(txs, (item) => {
    for (const emit of this.subscribers) emit(item)
  })

  constructor(
    private readonly events: RpcBackend['events'],
    private readonly event: 'preconfirmed',
    private readonly produce: (txs: ExecutedTx[], send: (item: T) => void) => void,
  ) {}

  add(emit: (item: T) => void): () => void {
    if (this.subscribers.size === 0) this.events.on(this.event, this.listener)
    this.subscribers.add(emit)
    return () => {
      this.subscribers.delete(emit)
      if (this.subscribers.size === 0) this.events.off(this.event, this.listener)
    }
  }
}

export function subscriptionKinds(backend: RpcBackend): AnySubscriptionDefinition[] {
  const { events } = backend
  const router = new BetEventRouter(backend)
  // each receipt is formatted once, however many sockets listen
  const preconfirmations = new FanOut<ReturnType<typeof formatReceipt>>(events, 'preconfirmed', (txs, send) => {
    for (const executed of txs) send(formatReceipt(executed.tx, executed, placeOf(executed), backend.chain.common))
  })
  return [
    defineSubscription({
      method: 'eth_subscribe',
      kind: 'newHeads',
      params: z.tuple([]),
      subscribe: (_params, emit) => {
        const listener = (sealed: { block: Parameters<typeof formatHeader>[0] }) => emit(formatHeader(sealed.block))
        events.on('sealed', listener)
        return () => events.off('sealed', listener)
      },
    }),
    defineSubscription({
      method: 'eth_subscribe',
      kind: 'logs',
      params: z.tuple([logsFilter]),
      subscribe: ([filter], emit) => {
        const matcher = new LogMatcher(filter ?? {})
        const listener = ({ txs }: { txs: ExecutedTx[] }) => {
          for (const executed of txs) {
            executed.logs.forEach((log, i) => {
              if (matcher.matches(log)) emit(formatLog(log, executed.hash, placeOf(executed), i))
            })
          }
        }
        events.on('sealed', listener)
        return () => events.off('sealed', listener)
      },
    }),
    defineSubscription({
      method: 'rollbook_subscribe',
      kind: 'preconfirmations',
      params: z.tuple([]),
      subscribe: (_params, emit) => preconfirmations.add(emit),
    }),
    defineSubscription({
      method: 'rollbook_subscribe',
      kind: 'market',
      params: z.tuple([marketId]),
      subscribe: ([id], emit) => router.subscribeMarket(id, emit),
    }),
    defineSubscription({
      method: 'rollbook_subscribe',
      kind: 'account',
      params: z.tuple([address]),
      subscribe: ([account], emit) => router.subscribeAccount(account, emit),
    }),
  ]
}

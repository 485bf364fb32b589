import { numberToHex, type Address } from 'viem'
import { z } from 'zod'
import {
  InvalidNotificationError,
  RollbookRpcError,
  SocketClosedError,
  type InvalidNotificationErrorType,
  type RollbookRpcErrorType,
  type SocketClosedErrorType,
} from './errors.ts'
import { parseEventNotification, type BetEngineEvent } from './events.ts'
import { parseBetEngineReceipt, type BetEngineReceipt, type RollbookRpcReceipt } from './receipt.ts'

/** The params of `rollbook_subscribe`: a channel name and its argument. */
export type RollbookChannel =
  | readonly ['preconfirmations']
  | readonly ['market', marketId: bigint]
  | readonly ['account', address: Address]

export type Unsubscribe = () => Promise<void>

export type WatchErrorType = SocketClosedErrorType | InvalidNotificationErrorType | RollbookRpcErrorType

export interface RollbookSocket {
  readonly url: string
  /** Subscribes to a channel; `onData` gets each notification's raw `result`. */
  subscribe(
    channel: RollbookChannel,
    onData: (result: unknown) => void,
    onError?: (error: WatchErrorType) => void,
  ): Promise<Unsubscribe>
  /** Closes the socket; pending requests fail with SocketClosedError, subscriptions end silently. */
  close(): Promise<void>
}

export interface CreateRollbookSocketOptions {
  /** How long a request (subscribe, unsubscribe) may wait for its answer. */
  requestTimeoutMs?: number
}

/** What the sdk needs of a WebSocket: the browser API, which the `ws` package also implements. */
interface MinimalWebSocket {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void): void
}
type WebSocketConstructor = new (url: string) => MinimalWebSocket

const OPEN = 1
const CLOSED = 3

// The error form first: z.unknown() would let `result` match an answer that has none.
const responseSchema = z.union([
  z.object({
    id: z.number().nullable(),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
  }),
  z.object({ id: z.number(), result: z.unknown() }),
])
const notificationSchema = z.object({
  method: z.literal('rollbook_subscription'),
  params: z.object({ subscription: z.string(), result: z.unknown() }),
})

interface PendingRequest {
  resolve(result: unknown): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout>
}

interface Subscription {
  onData(result: unknown): void
  onError?: (error: WatchErrorType) => void
}

async function webSocketConstructor(): Promise<WebSocketConstructor> {
  const native = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (native !== undefined) return native
  const { WebSocket } = await import('ws')
  return WebSocket as unknown as WebSocketConstructor
}

/**
 * Opens a WebSocket to a Rollbook node for its `rollbook_subscribe` channels.
 *
 * @example
 * const socket = await createRollbookSocket('ws://127.0.0.1:8547')
 * const unwatch = await watchAccount(socket, { address, onEvent: (e) => console.log(e.event, e.args) })
 */
export async function createRollbookSocket(url: string, options: CreateRollbookSocketOptions = {}): Promise<RollbookSocket> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000
  const WebSocket = await webSocketConstructor()
  const socket = new WebSocket(url)
  const pending = new Map<number, PendingRequest>()
  const subscriptions = new Map<string, Subscription>()
  let nextId = 1
  let closing = false

  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve())
    socket.addEventListener('error', (event) =>
      reject(new SocketClosedError({ url, reason: 'could not connect', cause: event?.error ?? event })),
    )
  })

  const closed = new Promise<void>((resolve) => {
    socket.addEventListener('close', (event) => {
      const error = new SocketClosedError({ url, reason: closing ? 'closed by the client' : `closed by the node (${event?.code})` })
      for (const request of pending.values()) {
        clearTimeout(request.timer)
        request.reject(error)
      }
      pending.clear()
      if (!closing) for (const subscription of subscriptions.values()) subscription.onError?.(error)
      subscriptions.clear()
      resolve()
    })
  })

  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return
    let message: unknown
    try {
      message = JSON.parse(event.data)
    } catch {
      return
    }
    const notification = notificationSchema.safeParse(message)
    if (notification.success) {
      subscriptions.get(notification.data.params.subscription)?.onData(notification.data.params.result)
      return
    }
    const response = responseSchema.safeParse(message)
    if (!response.success || response.data.id === null) return
    const request = pending.get(response.data.id)
    if (request === undefined) return
    pending.delete(response.data.id)
    clearTimeout(request.timer)
    if ('error' in response.data) request.reject(new RollbookRpcError(response.data.error))
    else request.resolve(response.data.result)
  })

  function request(method: string, params: readonly unknown[]): Promise<unknown> {
    if (socket.readyState !== OPEN) return Promise.reject(new SocketClosedError({ url, reason: 'not open' }))
    const id = nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new RollbookRpcError({ code: -32603, message: `${method} got no answer within ${requestTimeoutMs} ms` }))
      }, requestTimeoutMs)
      pending.set(id, { resolve, reject, timer })
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  return {
    url,
    async subscribe(channel, onData, onError) {
      const id = await request('rollbook_subscribe', channelParams(channel))
      if (typeof id !== 'string') {
        throw new InvalidNotificationError({ channel: channel[0], payload: id, cause: 'subscription id is not a string' })
      }
      // Registered before any later frame is read: the node sends the id before the first notification.
      subscriptions.set(id, { onData, onError })
      return async () => {
        if (!subscriptions.delete(id) || socket.readyState !== OPEN) return
        await request('rollbook_unsubscribe', [id])
      }
    },
    async close() {
      closing = true
      if (socket.readyState !== CLOSED) socket.close(1000)
      await closed
    },
  }
}

function channelParams(channel: RollbookChannel): unknown[] {
  if (channel[0] === 'market') return ['market', numberToHex(channel[1])]
  return [...channel]
}

export interface WatchPreconfirmationsParameters {
  /** Each executed transaction's receipt, as soon as it is durable. */
  onReceipt(receipt: BetEngineReceipt): void
  onError?: (error: WatchErrorType) => void
}

/**
 * Watches every transaction the node executes, receipt by receipt.
 *
 * @example
 * const unwatch = await watchPreconfirmations(socket, { onReceipt: (r) => console.log(r.transactionHash, r.status) })
 */
export function watchPreconfirmations(
  socket: RollbookSocket,
  { onReceipt, onError }: WatchPreconfirmationsParameters,
): Promise<Unsubscribe> {
  return socket.subscribe(
    ['preconfirmations'],
    (result) => {
      const receipt = parsePreconfirmation(result)
      if (receipt instanceof InvalidNotificationError) onError?.(receipt)
      else onReceipt(receipt)
    },
    onError,
  )
}

export interface WatchMarketParameters {
  marketId: bigint
  onEvent(event: BetEngineEvent): void
  onError?: (error: WatchErrorType) => void
}

/**
 * Watches one market's events: MarketCreated, OddsChanged, OddsMoved, BetPlaced, the operator's
 * MarketInfoSet, MarketSuspended, MarketReopened, MarketClosedEarly, LimitsSet and PricingSet, the
 * committee's ResultVoted, ResultProposed and ResultFlagged, MarketResolved, BetSettled.
 *
 * @example
 * const unwatch = await watchMarket(socket, {
 *   marketId: 1n,
 *   onEvent: (e) => { if (e.event === 'OddsChanged') console.log(e.args.odds) },
 * })
 */
export function watchMarket(socket: RollbookSocket, { marketId, onEvent, onError }: WatchMarketParameters): Promise<Unsubscribe> {
  return socket.subscribe(['market', marketId], eventHandler('market', onEvent, onError), onError)
}

export interface WatchMarketOddsParameters {
  marketId: bigint
  /**
   * Every odds change of the market, in the block it happens: OddsChanged (setOdds, setPricing:
   * every outcome's odds) and OddsMoved (the odds engine after a bet: one outcome's new odds).
   */
  onOdds(event: BetEngineEvent<'OddsChanged' | 'OddsMoved'>): void
  onError?: (error: WatchErrorType) => void
}

/**
 * Watches a market's odds: the `market` channel's OddsChanged and OddsMoved events.
 *
 * @example
 * const unwatch = await watchMarketOdds(socket, {
 *   marketId: 1n,
 *   onOdds: (e) => (e.event === 'OddsMoved' ? (odds[e.args.outcome] = e.args.odds) : (odds = [...e.args.odds])),
 * })
 */
export function watchMarketOdds(socket: RollbookSocket, { marketId, onOdds, onError }: WatchMarketOddsParameters): Promise<Unsubscribe> {
  const onEvent = (event: BetEngineEvent) => {
    if (event.event === 'OddsChanged' || event.event === 'OddsMoved') onOdds(event)
  }
  return socket.subscribe(['market', marketId], eventHandler('market', onEvent, onError), onError)
}

export interface WatchResultsParameters {
  marketId: bigint
  /**
   * The oracle committee's progress on the market's result (docs/decisions/0007): a member's vote
   * (ResultVoted), a result reaching the threshold (ResultProposed, with the time it becomes final),
   * a flag inside the dispute window (ResultFlagged), and the final result (MarketResolved; 255 is
   * void: every bet refunded).
   */
  onResult(event: BetEngineEvent<'ResultVoted' | 'ResultProposed' | 'ResultFlagged' | 'MarketResolved'>): void
  onError?: (error: WatchErrorType) => void
}

/**
 * Watches a market's result: the `market` channel's committee events.
 *
 * @example
 * const unwatch = await watchResults(socket, {
 *   marketId: 1n,
 *   onResult: (e) => { if (e.event === 'MarketResolved') console.log(`final: ${e.args.result}`) },
 * })
 */
export function watchResults(socket: RollbookSocket, { marketId, onResult, onError }: WatchResultsParameters): Promise<Unsubscribe> {
  const onEvent = (event: BetEngineEvent) => {
    if (event.event === 'ResultVoted' || event.event === 'ResultProposed' || event.event === 'ResultFlagged' || event.event === 'MarketResolved') onResult(event)
  }
  return socket.subscribe(['market', marketId], eventHandler('market', onEvent, onError), onError)
}

export interface WatchAccountParameters {
  address: Address
  onEvent(event: BetEngineEvent): void
  onError?: (error: WatchErrorType) => void
}

/**
 * Watches an account's bets: its BetPlaced, ParlayPlaced, BetSettled and BetCashedOut events.
 *
 * @example
 * const unwatch = await watchAccount(socket, {
 *   address: bettor.account.address,
 *   onEvent: (e) => { if (e.event === 'BetSettled') console.log(`paid ${e.args.paid}`) },
 * })
 */
export function watchAccount(socket: RollbookSocket, { address, onEvent, onError }: WatchAccountParameters): Promise<Unsubscribe> {
  return socket.subscribe(['account', address], eventHandler('account', onEvent, onError), onError)
}

function eventHandler(
  channel: string,
  onEvent: (event: BetEngineEvent) => void,
  onError: ((error: WatchErrorType) => void) | undefined,
): (result: unknown) => void {
  return (result) => {
    const parsed = parseEventNotification(result)
    if (parsed.success) onEvent(parsed.event)
    else onError?.(new InvalidNotificationError({ channel, payload: result, cause: parsed.error }))
  }
}

const preconfirmationSchema = z
  .object({
    transactionHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
    blockNumber: z.string().regex(/^0x[0-9a-fA-F]+$/),
    from: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    status: z.enum(['0x0', '0x1']),
    logs: z.array(z.object({ address: z.string(), topics: z.array(z.string()), data: z.string() }).passthrough()),
  })
  .passthrough()

/** Reads a `preconfirmations` notification's result (a standard RPC receipt). */
export function parsePreconfirmation(result: unknown): BetEngineReceipt | InvalidNotificationError {
  const checked = preconfirmationSchema.safeParse(result)
  if (!checked.success) return new InvalidNotificationError({ channel: 'preconfirmations', payload: result, cause: checked.error })
  try {
    return parseBetEngineReceipt(result as RollbookRpcReceipt)
  } catch (cause) {
    return new InvalidNotificationError({ channel: 'preconfirmations', payload: result, cause })
  }
}

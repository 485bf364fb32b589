import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { WebSocket, type RawData } from 'ws'
import { RpcError, RpcErrorCode, internalError, invalidParams, limitExceeded, parseError } from './errors.ts'
import type { RpcDispatcher } from './dispatcher.ts'
import { parseParams } from './params.ts'
import type { RequestContext } from './registry.ts'
import { bigintToQuantity, errorResponse, serializeResponse } from './response.ts'
import {
  subscriptionNamespaces,
  type SubscribeMethod,
  type SubscriptionRegistry,
  type Unsubscribe,
} from './subscriptions.ts'

export interface WsConnectionOptions {
  id: number
  maxSubscriptions: number
  /** More unsent bytes than this and the socket is closed with 1008. */
  maxBufferedBytes: number
  /** the API key the upgrade request presented: every call on this socket carries it */
  apiKey?: string
}

export interface WsConnectionModules {
  logger: Logger
  dispatcher: RpcDispatcher
  subscriptions: SubscriptionRegistry
}

interface ActiveSubscription {
  method: SubscribeMethod
  notification: string
  unsubscribe?: Unsubscribe
  /** Notifications emitted before the subscription id was sent wait here. */
  queued?: unknown[]
}

const CLOSE_POLICY_VIOLATION = 1008
const CLOSE_GOING_AWAY = 1001
const TERMINATE_AFTER_MS = 2_000

/** One WebSocket client: answers its messages and owns its subscriptions. */
export class WsConnection {
  readonly id: number
  private readonly log: Logger
  private readonly subscriptions = new Map<string, ActiveSubscription>()
  private closed = false

  constructor(
    private readonly socket: WebSocket,
    private readonly opts: WsConnectionOptions,
    private readonly modules: WsConnectionModules,
  ) {
    this.id = opts.id
    this.log = modules.logger.child({ connection: opts.id })
    socket.on('message', (data, isBinary) => void this.answerMessage(data, isBinary))
    socket.on('close', () => this.teardown())
    socket.on('error', (err) => this.log.debug({ err }, 'websocket error'))
  }

  get subscriptionCount(): number {
    return this.subscriptions.size
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN
  }

  /** Sends one text frame; a client that stopped reading is disconnected instead. */
  send(text: string): boolean {
    if (!this.isOpen) return false
    if (this.socket.bufferedAmount > this.opts.maxBufferedBytes) {
      this.disconnect(CLOSE_POLICY_VIOLATION, 'slow consumer')
      return false
    }
    this.socket.send(text)
    return true
  }

  /** Closes the socket and tears down its subscriptions; resolves once the socket is closed. */
  disconnect(code = CLOSE_GOING_AWAY, reason = ''): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    if (code === CLOSE_POLICY_VIOLATION) this.log.warn({ bufferedAmount: this.socket.bufferedAmount, reason }, 'disconnecting client')
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()))
    this.teardown()
    this.socket.close(code, reason)
    // A client that does not read will never answer the close frame.
    const timer = setTimeout(() => this.socket.terminate(), TERMINATE_AFTER_MS)
    timer.unref()
    void closed.then(() => clearTimeout(timer))
    return closed
  }

  /** eth_subscribe / rollbook_subscribe: params are [kind, ...kindParams]. */
  subscribe(method: SubscribeMethod, params: unknown[], ctx: RequestContext): string {
    const kind = params[0]
    if (kind === undefined) throw invalidParams('missing value for required argument 0')
    if (typeof kind !== 'string') throw invalidParams('invalid argument 0: expected a subscription kind string')
    const definition = this.modules.subscriptions.get(method, kind)
    if (definition === undefined) {
      throw new RpcError(RpcErrorCode.invalidParams, 'unknown subscription kind', { data: kind })
    }
    if (this.closed) throw internalError()
    if (this.subscriptions.size >= this.opts.maxSubscriptions) throw limitExceeded('too many subscriptions')
    const parsed = parseParams(definition.params, params.slice(1), 1)
    if (!parsed.ok) throw parsed.error

    const id = newSubscriptionId()
    const subscription: ActiveSubscription = {
      method,
      notification: subscriptionNamespaces[method].notification,
      queued: [],
    }
    this.subscriptions.set(id, subscription)
    try {
      subscription.unsubscribe = definition.subscribe(parsed.value, (result) => this.notify(id, subscription, result))
    } catch (err) {
      this.subscriptions.delete(id)
      throw err
    }
    const activate = (): void => this.activate(id, subscription)
    if (ctx.afterReply === undefined) activate()
    else ctx.afterReply(activate)
    return id
  }

  /** eth_unsubscribe / rollbook_unsubscribe: false for an id this socket does not hold. */
  unsubscribe(method: SubscribeMethod, params: unknown[]): boolean {
    const id = params[0]
    if (id === undefined) throw invalidParams('missing value for required argument 0')
    if (typeof id !== 'string') throw invalidParams('invalid argument 0: expected a subscription id string')
    const subscription = this.subscriptions.get(id)
    if (subscription === undefined || subscription.method !== method) return false
    this.subscriptions.delete(id)
    this.stop(subscription)
    return true
  }

  private async answerMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.send(serializeResponse(errorResponse(null, parseError('binary frames are not supported')), this.log))
      return
    }
    const deferred: Array<() => void> = []
    const ctx: RequestContext = { transport: 'ws', connection: this, afterReply: (run) => deferred.push(run), apiKey: this.opts.apiKey }
    let reply: string | undefined
    try {
      reply = await this.modules.dispatcher.handleMessage(rawDataToString(data), ctx)
    } catch (err) {
      this.log.error({ err }, 'websocket message failed')
      reply = serializeResponse(errorResponse(null, internalError()), this.log)
    }
    if (reply !== undefined) this.send(reply)
    for (const run of deferred) run()
  }

  private activate(id: string, subscription: ActiveSubscription): void {
    const queued = subscription.queued
    subscription.queued = undefined
    if (queued === undefined || this.subscriptions.get(id) !== subscription) return
    for (const result of queued) this.notify(id, subscription, result)
  }

  private notify(id: string, subscription: ActiveSubscription, result: unknown): void {
    if (this.subscriptions.get(id) !== subscription) return
    if (subscription.queued !== undefined) {
      subscription.queued.push(result)
      return
    }
    const message = { jsonrpc: '2.0', method: subscription.notification, params: { subscription: id, result } }
    let text: string
    try {
      text = JSON.stringify(message)
    } catch {
      try {
        text = JSON.stringify(message, bigintToQuantity)
      } catch (err) {
        this.log.error({ err, subscription: id }, 'notification is not serializable')
        return
      }
    }
    this.send(text)
  }

  private teardown(): void {
    if (this.closed) return
    this.closed = true
    for (const subscription of this.subscriptions.values()) this.stop(subscription)
    this.subscriptions.clear()
  }

  private stop(subscription: ActiveSubscription): void {
    try {
      subscription.unsubscribe?.()
    } catch (err) {
      this.log.error({ err }, 'unsubscribe failed')
    }
  }
}

function newSubscriptionId(): string {
  return `0x${randomBytes(16).toString('hex')}`
}

function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

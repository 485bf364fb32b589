import type { Logger } from 'pino'
import {
  RpcError,
  RpcErrorCode,
  internalError,
  invalidParams,
  invalidRequest,
  limitExceeded,
  methodNotFound,
  notificationsNotSupported,
  parseError,
} from './errors.ts'
import type { ApiOptions } from './options.ts'
import { parseParams } from './params.ts'
import type { MethodRegistry, RequestContext } from './registry.ts'
import { errorResponse, resultResponse, serializeResponse, type JsonRpcId, type RpcResponse } from './response.ts'
import type { SubscribeMethod } from './subscriptions.ts'

export interface RpcDispatcherModules {
  logger: Logger
  methods: MethodRegistry
}

const subscribeMethods: ReadonlyMap<string, SubscribeMethod> = new Map([
  ['eth_subscribe', 'eth_subscribe'],
  ['rollbook_subscribe', 'rollbook_subscribe'],
])
const unsubscribeMethods: ReadonlyMap<string, SubscribeMethod> = new Map([
  ['eth_unsubscribe', 'eth_subscribe'],
  ['rollbook_unsubscribe', 'rollbook_subscribe'],
])

/** Turns one HTTP body or WS text message into the text to answer, for either transport. */
export class RpcDispatcher {
  private readonly log: Logger

  constructor(
    private readonly opts: Pick<ApiOptions, 'maxBatch'>,
    private readonly modules: RpcDispatcherModules,
  ) {
    this.log = modules.logger
  }

  /** Resolves to undefined when nothing is to be sent (only notifications). */
  async handleMessage(text: string, ctx: RequestContext): Promise<string | undefined> {
    let payload: unknown
    try {
      payload = JSON.parse(text)
    } catch {
      return serializeResponse(errorResponse(null, parseError()), this.log)
    }
    if (Array.isArray(payload)) return this.handleBatch(payload, ctx)
    const response = await this.handleCall(payload, ctx)
    return response === undefined ? undefined : serializeResponse(response, this.log)
  }

  private async handleBatch(batch: unknown[], ctx: RequestContext): Promise<string | undefined> {
    if (batch.length === 0) return serializeResponse(errorResponse(null, invalidRequest('empty batch')), this.log)
    if (batch.length > this.opts.maxBatch) {
      return serializeResponse(errorResponse(null, limitExceeded('batch too large')), this.log)
    }
    const responses = await Promise.all(batch.map((call) => this.handleCall(call, ctx)))
    const answered = responses.filter((response): response is RpcResponse => response !== undefined)
    return answered.length === 0 ? undefined : serializeResponse(answered, this.log)
  }

  /** Cheap envelope checks; an envelope error is answered even without an id. */
  private async handleCall(raw: unknown, ctx: RequestContext): Promise<RpcResponse | undefined> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return errorResponse(null, invalidRequest('invalid request: expected a JSON-RPC object'))
    }
    const call = raw as Record<string, unknown>
    const id = call.id
    const isNotification = id === undefined
    if (!isNotification && id !== null && typeof id !== 'string' && typeof id !== 'number') {
      return errorResponse(null, invalidRequest('invalid request: id must be a string, a number or null'))
    }
    const replyId: JsonRpcId = isNotification ? null : (id as JsonRpcId)
    if (call.jsonrpc !== '2.0') {
      return errorResponse(replyId, invalidRequest('invalid request: jsonrpc must be "2.0"'))
    }
    const method = call.method
    if (typeof method !== 'string') {
      return errorResponse(replyId, invalidRequest('invalid request: method must be a string'))
    }
    const params = call.params === undefined || call.params === null ? [] : call.params
    let response: RpcResponse
    try {
      if (!Array.isArray(params)) throw invalidParams('invalid params: params must be an array')
      response = resultResponse(replyId, await this.invoke(method, params, ctx))
    } catch (err) {
      response = errorResponse(replyId, this.toRpcError(err, method))
    }
    return isNotification ? undefined : response
  }

  private async invoke(method: string, params: unknown[], ctx: RequestContext): Promise<unknown> {
    const subscribeMethod = subscribeMethods.get(method)
    if (subscribeMethod !== undefined) {
      if (ctx.connection === undefined) throw notificationsNotSupported()
      return ctx.connection.subscribe(subscribeMethod, params, ctx)
    }
    const unsubscribeFrom = unsubscribeMethods.get(method)
    if (unsubscribeFrom !== undefined) {
      if (ctx.connection === undefined) throw notificationsNotSupported()
      return ctx.connection.unsubscribe(unsubscribeFrom, params)
    }
    const definition = this.modules.methods.get(method)
    if (definition === undefined) throw methodNotFound(method)
    definition.guard?.(ctx)
    const parsed = parseParams(definition.params, params)
    if (!parsed.ok) throw parsed.error
    return await definition.handler(parsed.value, ctx)
  }

  private toRpcError(err: unknown, method: string): RpcError {
    // An RpcError that claims "internal" may still carry an internal message: log it, send the generic one.
    if (err instanceof RpcError && (err.code !== RpcErrorCode.internalError || err.message === 'internal error')) return err
    this.log.error({ err, method }, 'method failed')
    return internalError(err)
  }
}

import type { AddressInfo } from 'node:net'
import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { apiKeyOf } from './apiKey.ts'
import { RpcDispatcher } from './dispatcher.ts'
import { internalError, invalidRequest, limitExceeded, type RpcError } from './errors.ts'
import { resolveApiOptions, type ApiOptions } from './options.ts'
import type { MethodRegistry, RequestContext } from './registry.ts'
import { errorResponse, serializeResponse } from './response.ts'
import type { SubscriptionRegistry } from './subscriptions.ts'
import { WsConnection } from './wsConnection.ts'

export interface RpcServerModules {
  logger: Logger
  methods: MethodRegistry
  subscriptions: SubscriptionRegistry
}

export interface RpcServerUrls {
  httpUrl: string
  wsUrl: string
}

/** Geth's accepted types, plus text/plain and none for curl users. */
const JSON_CONTENT_TYPES = ['application/json', 'application/json-rpc', 'application/jsonrequest', 'text/plain']
const CLOSE_TRY_AGAIN_LATER = 1013

/** JSON-RPC 2.0 over HTTP POST and WebSocket on one port and path. */
export class RpcServer {
  private readonly opts: ApiOptions
  private readonly log: Logger
  private readonly dispatcher: RpcDispatcher
  private readonly app
  private readonly connections = new Set<WsConnection>()
  private nextConnectionId = 1

  constructor(
    opts: Partial<ApiOptions>,
    private readonly modules: RpcServerModules,
  ) {
    this.opts = resolveApiOptions(opts)
    this.log = modules.logger.child({ module: 'api' })
    this.dispatcher = new RpcDispatcher(this.opts, { logger: this.log, methods: modules.methods })
    this.app = this.buildApp()
  }

  async start(): Promise<RpcServerUrls> {
    await this.app.listen({ host: this.opts.host, port: this.opts.port })
    const { port } = this.app.server.address() as AddressInfo
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host
    const urls = { httpUrl: `http://${host}:${port}`, wsUrl: `ws://${host}:${port}` }
    this.log.info(urls, 'rpc server listening')
    return urls
  }

  /** Closes every socket (tearing down its subscriptions), then the HTTP server. */
  async close(): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.disconnect(1001, 'server shutting down')))
    await this.app.close()
  }

  private buildApp() {
    const app = Fastify({
      loggerInstance: this.log,
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: this.opts.bodyLimit,
      forceCloseConnections: true,
    })

    // Keep the body as text: the dispatcher parses it once and answers bad JSON with -32700.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser(JSON_CONTENT_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body))
    app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
      if (request.headers['content-type'] === undefined) done(null, body)
      else done(unsupportedMediaType(), undefined)
    })
    app.setErrorHandler((err: FastifyError, _request, reply) => this.answerHttpError(err, reply))
    app.setNotFoundHandler((_request, reply) => {
      this.sendRpcError(reply, 404, invalidRequest('not found: send JSON-RPC to POST / or a WebSocket to /'))
    })

    app.register(websocket, { options: { maxPayload: this.opts.wsMaxPayload } })
    app.register(async (routes) => {
      routes.get('/health', async () => ({ ok: true }))
      routes.post('/', (request, reply) => this.answerHttp(request, reply))
      routes.route({
        method: 'GET',
        url: '/',
        handler: (_request, reply) => {
          this.sendRpcError(reply, 400, invalidRequest('send JSON-RPC with POST, or upgrade to a WebSocket'))
        },
        wsHandler: (socket, request) => this.acceptWebSocket(socket, request),
      })
    })
    return app
  }

  private async answerHttp(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = typeof request.body === 'string' ? request.body : ''
    const ctx: RequestContext = { transport: 'http', apiKey: apiKeyOf(request.headers) }
    const text = await this.dispatcher.handleMessage(body, ctx)
    if (text === undefined) reply.code(204).send()
    else reply.header('content-type', 'application/json').send(text)
  }

  private acceptWebSocket(socket: WebSocket, request: FastifyRequest): void {
    if (this.connections.size >= this.opts.maxWsConnections) {
      this.log.warn({ remoteAddress: request.ip }, 'websocket refused: too many connections')
      socket.close(CLOSE_TRY_AGAIN_LATER, 'too many connections')
      return
    }
    const connection = new WsConnection(
      socket,
      {
        id: this.nextConnectionId++,
        maxSubscriptions: this.opts.maxSubscriptionsPerConnection,
        maxBufferedBytes: this.opts.wsMaxBufferedBytes,
        apiKey: apiKeyOf(request.headers),
      },
      { logger: this.log, dispatcher: this.dispatcher, subscriptions: this.modules.subscriptions },
    )
    this.connections.add(connection)
    socket.on('close', () => this.connections.delete(connection))
  }

  /** Fastify's own errors (body too large, bad content type) answered in JSON-RPC shape. */
  private answerHttpError(err: FastifyError, reply: FastifyReply): void {
    const status = err.statusCode ?? 500
    if (status === 413) this.sendRpcError(reply, 413, limitExceeded('request body too large'))
    else if (status === 415) this.sendRpcError(reply, 415, invalidRequest('invalid content type, only application/json is supported'))
    else if (status >= 400 && status < 500) this.sendRpcError(reply, status, invalidRequest())
    else {
      this.log.error({ err }, 'http request failed')
      this.sendRpcError(reply, 500, internalError())
    }
  }

  private sendRpcError(reply: FastifyReply, status: number, error: RpcError): void {
    reply.code(status).header('content-type', 'application/json').send(serializeResponse(errorResponse(null, error), this.log))
  }
}

function unsupportedMediaType(): Error & { statusCode: number } {
  return Object.assign(new Error('unsupported content type'), { statusCode: 415 })
}

import { EventEmitter } from 'node:events'
import pino from 'pino'
import WebSocket from 'ws'
import { z } from 'zod'
import { serverError } from './errors.ts'
import type { ApiOptions } from './options.ts'
import { MethodRegistry, defineMethod } from './registry.ts'
import { RpcServer } from './server.ts'
import { SubscriptionRegistry, defineSubscription } from './subscriptions.ts'

/** A feed tests push notifications into, counting live subscribers to check teardown. */
export class TestFeed extends EventEmitter {
  get subscribers(): number {
    return this.listenerCount('tick')
  }

  tick(value: unknown): void {
    this.emit('tick', value)
  }
}

export function testMethods(): MethodRegistry {
  return new MethodRegistry([
    defineMethod({ name: 'test_echo', params: z.array(z.unknown()), handler: (params) => params }),
    defineMethod({
      name: 'test_add',
      params: z.tuple([z.number(), z.number().optional()]),
      handler: ([a, b]) => a + (b ?? 0),
    }),
    defineMethod({
      name: 'test_throws',
      params: z.tuple([]),
      handler: () => {
        throw new Error('secret database path /var/lib/rollbook')
      },
    }),
    defineMethod({
      name: 'test_rpcError',
      params: z.tuple([]),
      handler: async () => {
        throw serverError('nonce too low')
      },
    }),
    defineMethod({ name: 'test_bigint', params: z.tuple([]), handler: () => ({ balance: 255n }) }),
    defineMethod({ name: 'test_undefined', params: z.tuple([]), handler: () => undefined }),
  ])
}

export function testSubscriptions(feed: TestFeed): SubscriptionRegistry {
  const subscribeToFeed = (emit: (result: unknown) => void, greeting?: string): (() => void) => {
    if (greeting !== undefined) emit(greeting)
    const listener = (value: unknown): void => emit(value)
    feed.on('tick', listener)
    return () => feed.off('tick', listener)
  }
  return new SubscriptionRegistry([
    defineSubscription({
      method: 'eth_subscribe',
      kind: 'testTicks',
      params: z.tuple([z.string().optional()]),
      subscribe: ([greeting], emit) => subscribeToFeed(emit, greeting),
    }),
    defineSubscription({
      method: 'rollbook_subscribe',
      kind: 'market',
      params: z.tuple([z.string().regex(/^0x[0-9a-f]+$/)]),
      subscribe: (_params, emit) => subscribeToFeed(emit),
    }),
  ])
}

export interface TestServer {
  server: RpcServer
  feed: TestFeed
  httpUrl: string
  wsUrl: string
}

export async function startTestServer(opts: Partial<ApiOptions> = {}): Promise<TestServer> {
  const feed = new TestFeed()
  const server = new RpcServer(
    { port: 0, ...opts },
    { logger: pino({ level: 'silent' }), methods: testMethods(), subscriptions: testSubscriptions(feed) },
  )
  const urls = await server.start()
  return { server, feed, ...urls }
}

export async function postRpc(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, text, json: text === '' ? undefined : JSON.parse(text) }
}

/** A `ws` client that queues every message it receives. */
export class TestWsClient {
  private readonly inbox: any[] = []
  private waiting: Array<(message: any) => void> = []
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString())
      const waiter = this.waiting.shift()
      if (waiter === undefined) this.inbox.push(message)
      else waiter(message)
    })
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
  }

  /** `headers` go on the upgrade request (e.g. the operator API's Authorization). */
  static async connect(url: string, headers?: Record<string, string>): Promise<TestWsClient> {
    const socket = new WebSocket(url, { headers })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new TestWsClient(socket)
  }

  /** The next message, or a rejection after `timeoutMs`. */
  next(timeoutMs = 2_000): Promise<any> {
    const queued = this.inbox.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((waiter) => waiter !== deliver)
        reject(new Error('no message within timeout'))
      }, timeoutMs)
      const deliver = (message: any): void => {
        clearTimeout(timer)
        resolve(message)
      }
      this.waiting.push(deliver)
    })
  }

  async call(body: unknown): Promise<any> {
    this.socket.send(typeof body === 'string' ? body : JSON.stringify(body))
    return this.next()
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close()
    return this.closed
  }
}

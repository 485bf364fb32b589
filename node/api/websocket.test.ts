import t from 'tap'
import WebSocket from 'ws'
import { TestWsClient, postRpc, startTestServer } from './testing.ts'

const rpc = (method: string, params?: unknown[], id: unknown = 1) => ({ jsonrpc: '2.0', id, method, params })

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('JSON-RPC over WebSocket', async (t) => {
  const { server, feed, httpUrl, wsUrl } = await startTestServer({ maxBatch: 3, maxSubscriptionsPerConnection: 3 })
  t.teardown(() => server.close())
  const client = await TestWsClient.connect(wsUrl)
  t.teardown(() => client.close())

  t.test('a single request and a batch are answered', async (t) => {
    t.same(await client.call(rpc('test_add', [1, 2], 7)), { jsonrpc: '2.0', id: 7, result: 3 })
    const batch = await client.call([rpc('test_add', [1], 1), { jsonrpc: '2.0', method: 'test_add' }, rpc('nope', [], 2)])
    t.equal(batch.length, 2)
    t.equal(batch[0].result, 1)
    t.equal(batch[1].error.code, -32601)
    t.same(await client.call(new Array(4).fill(rpc('test_add', [1]))), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32005, message: 'batch too large' },
    })
  })

  t.test('a malformed frame answers -32700 and the socket stays usable', async (t) => {
    t.same(await client.call('{"jsonrpc":'), { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    t.equal((await client.call(rpc('test_add', [5]))).result, 5)
  })

  t.test('a binary frame answers -32700 and the socket stays usable', async (t) => {
    client.socket.send(Buffer.from(JSON.stringify(rpc('test_add', [1]))), { binary: true })
    t.equal((await client.next()).error.code, -32700)
    t.equal((await client.call(rpc('test_add', [6]))).result, 6)
  })

  t.test('a plain Error over WS is "internal error" only', async (t) => {
    t.same((await client.call(rpc('test_throws', []))).error, { code: -32603, message: 'internal error' })
  })

  t.test('eth_subscribe sends the id first, then notifications, until eth_unsubscribe', async (t) => {
    const subscribed = await client.call(rpc('eth_subscribe', ['testTicks', 'hello'], 10))
    t.equal(subscribed.id, 10)
    t.match(subscribed.result, /^0x[0-9a-f]{32}$/)
    const id = subscribed.result as string
    t.same(await client.next(), { jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: id, result: 'hello' } })

    feed.tick({ number: '0x1', big: 16n })
    t.same(await client.next(), {
      jsonrpc: '2.0',
      method: 'eth_subscription',
      params: { subscription: id, result: { number: '0x1', big: '0x10' } },
    })

    t.same(await client.call(rpc('eth_unsubscribe', [id], 11)), { jsonrpc: '2.0', id: 11, result: true })
    feed.tick('after unsubscribe')
    // The next message must be the answer below, not a stray notification.
    t.same(await client.call(rpc('eth_unsubscribe', [id], 12)), { jsonrpc: '2.0', id: 12, result: false })
    t.equal(feed.subscribers, 0)
  })

  t.test('rollbook_subscribe notifies as rollbook_subscription in its own namespace', async (t) => {
    const { result: id } = await client.call(rpc('rollbook_subscribe', ['market', '0xab']))
    feed.tick('odds moved')
    t.same(await client.next(), {
      jsonrpc: '2.0',
      method: 'rollbook_subscription',
      params: { subscription: id, result: 'odds moved' },
    })
    t.equal((await client.call(rpc('eth_unsubscribe', [id]))).result, false)
    t.equal((await client.call(rpc('rollbook_unsubscribe', [id]))).result, true)
  })

  t.test('subscription errors: unknown kind, bad kind params, missing kind, unknown id', async (t) => {
    t.same((await client.call(rpc('eth_subscribe', ['nope']))).error, {
      code: -32602,
      message: 'unknown subscription kind',
      data: 'nope',
    })
    const badParam = await client.call(rpc('rollbook_subscribe', ['market', 'not hex']))
    t.equal(badParam.error.code, -32602)
    t.match(badParam.error.message, /^invalid argument 1: /)
    t.equal((await client.call(rpc('eth_subscribe', []))).error.message, 'missing value for required argument 0')
    t.equal((await client.call(rpc('eth_unsubscribe', ['0x1234']))).result, false)
    t.equal(feed.subscribers, 0)
  })

  t.test('subscriptions per connection are capped with -32005', async (t) => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await client.call(rpc('eth_subscribe', ['testTicks']))).result)
    const refused = await client.call(rpc('eth_subscribe', ['testTicks']))
    t.equal(refused.error.code, -32005)
    for (const id of ids) t.equal((await client.call(rpc('eth_unsubscribe', [id]))).result, true)
  })

  t.test('closing a socket tears down its subscriptions', async (t) => {
    const other = await TestWsClient.connect(wsUrl)
    await other.call(rpc('eth_subscribe', ['testTicks']))
    await other.call(rpc('rollbook_subscribe', ['market', '0x01']))
    t.equal(feed.subscribers, 2)
    await other.close()
    await waitFor(() => feed.subscribers === 0)
    t.equal(feed.subscribers, 0)
  })

  t.test('a message over wsMaxPayload closes only that socket (1009)', async (t) => {
    const other = await TestWsClient.connect(wsUrl)
    other.socket.send(JSON.stringify(rpc('test_echo', ['x'.repeat(6 * 1024 * 1024)])))
    t.equal((await other.closed).code, 1009)
  })

  t.test('after all that the server still answers over WS and HTTP', async (t) => {
    t.equal((await client.call(rpc('test_add', [40, 2]))).result, 42)
    t.equal((await postRpc(httpUrl, rpc('test_add', [40, 2]))).json.result, 42)
  })
})

t.test('a slow consumer is disconnected with 1008 and its subscriptions dropped', async (t) => {
  const { server, feed, wsUrl } = await startTestServer({ wsMaxBufferedBytes: 64 * 1024 })
  t.teardown(() => server.close())
  const client = await TestWsClient.connect(wsUrl)
  await client.call(rpc('eth_subscribe', ['testTicks']))
  client.socket.pause()
  const chunk = 'x'.repeat(64 * 1024)
  for (let i = 0; i < 1_000 && feed.subscribers > 0; i++) {
    feed.tick(chunk)
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.equal(feed.subscribers, 0)
  client.socket.resume()
  t.equal((await client.closed).code, 1008)
})

t.test('connections over maxWsConnections are closed with 1013', async (t) => {
  const { server, wsUrl } = await startTestServer({ maxWsConnections: 1 })
  t.teardown(() => server.close())
  const first = await TestWsClient.connect(wsUrl)
  const second = await TestWsClient.connect(wsUrl)
  t.equal((await second.closed).code, 1013)
  t.equal((await first.call(rpc('test_add', [1]))).result, 1)
  await first.close()
})

t.test('server close closes sockets with 1001 and ends their subscriptions', async (t) => {
  const { server, feed, wsUrl } = await startTestServer()
  const client = await TestWsClient.connect(wsUrl)
  await client.call(rpc('eth_subscribe', ['testTicks']))
  t.equal(feed.subscribers, 1)
  await server.close()
  t.equal((await client.closed).code, 1001)
  t.equal(feed.subscribers, 0)
  t.equal(client.socket.readyState, WebSocket.CLOSED)
})

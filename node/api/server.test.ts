import t from 'tap'
import { postRpc, startTestServer } from './testing.ts'

const rpc = (method: string, params?: unknown[], id: unknown = 1) => ({ jsonrpc: '2.0', id, method, params })

t.test('JSON-RPC over HTTP', async (t) => {
  const { server, httpUrl } = await startTestServer({ maxBatch: 6, bodyLimit: 64 * 1024 })
  t.teardown(() => server.close())

  t.test('a single request answers with its result and id', async (t) => {
    const { status, json } = await postRpc(httpUrl, rpc('test_add', [2, 3], 'a'))
    t.equal(status, 200)
    t.same(json, { jsonrpc: '2.0', id: 'a', result: 5 })
  })

  t.test('a missing trailing optional param is allowed', async (t) => {
    const { json } = await postRpc(httpUrl, rpc('test_add', [7]))
    t.equal(json.result, 7)
  })

  t.test('a body without content type, or as text/plain, is parsed as JSON', async (t) => {
    const body = JSON.stringify(rpc('test_add', [1, 1]))
    t.equal((await postRpc(httpUrl, body, {})).json.result, 2)
    t.equal((await postRpc(httpUrl, body, { 'content-type': 'text/plain' })).json.result, 2)
    t.equal((await postRpc(httpUrl, body, { 'content-type': 'application/json; charset=utf-8' })).json.result, 2)
  })

  t.test('another content type is refused with 415 in JSON-RPC shape', async (t) => {
    const { status, json } = await postRpc(httpUrl, rpc('test_add', [1]), { 'content-type': 'application/xml' })
    t.equal(status, 415)
    t.equal(json.error.code, -32600)
  })

  t.test('a batch answers every call in order', async (t) => {
    const { json } = await postRpc(httpUrl, [rpc('test_add', [1, 2], 1), rpc('test_echo', ['x'], 2)])
    t.same(json, [
      { jsonrpc: '2.0', id: 1, result: 3 },
      { jsonrpc: '2.0', id: 2, result: ['x'] },
    ])
  })

  t.test('a batch with invalid members and notifications keeps order and skips notifications', async (t) => {
    const { json } = await postRpc(httpUrl, [
      rpc('test_add', [1], 1),
      { jsonrpc: '2.0', method: 'test_add', params: [1] },
      42,
      { jsonrpc: '2.0', id: 3, method: 'nope_nope' },
      rpc('test_add', ['x'], 4),
      { jsonrpc: '2.0', method: 'nope_nope' },
    ])
    t.equal(json.length, 4)
    t.same(json[0], { jsonrpc: '2.0', id: 1, result: 1 })
    t.same(json[1], { jsonrpc: '2.0', id: null, error: json[1].error })
    t.equal(json[1].error.code, -32600)
    t.equal(json[2].id, 3)
    t.equal(json[2].error.code, -32601)
    t.equal(json[3].id, 4)
    t.equal(json[3].error.code, -32602)
  })

  t.test('a batch of only notifications gets no body', async (t) => {
    const { status, text } = await postRpc(httpUrl, [{ jsonrpc: '2.0', method: 'test_add', params: [1] }])
    t.equal(status, 204)
    t.equal(text, '')
  })

  t.test('a single notification gets no body', async (t) => {
    const { status, text } = await postRpc(httpUrl, { jsonrpc: '2.0', method: 'test_add', params: [1] })
    t.equal(status, 204)
    t.equal(text, '')
  })

  t.test('an empty batch is one -32600 "empty batch"', async (t) => {
    const { json } = await postRpc(httpUrl, [])
    t.same(json, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } })
  })

  t.test('a batch over the limit is one -32005 "batch too large"', async (t) => {
    const calls = Array.from({ length: 7 }, (_, i) => rpc('test_add', [i], i))
    const { status, json } = await postRpc(httpUrl, calls)
    t.equal(status, 200)
    t.same(json, { jsonrpc: '2.0', id: null, error: { code: -32005, message: 'batch too large' } })
  })

  t.test('malformed JSON is -32700 with HTTP 200, and the next request is served', async (t) => {
    for (const body of ['{"jsonrpc":"2.0",', '', 'not json', '\u0000\u00ff']) {
      const { status, json } = await postRpc(httpUrl, body)
      t.equal(status, 200)
      t.same(json, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    }
    t.equal((await postRpc(httpUrl, rpc('test_add', [4]))).json.result, 4)
  })

  t.test('an invalid envelope is -32600', async (t) => {
    const missingVersion = await postRpc(httpUrl, { id: 1, method: 'test_add', params: [1] })
    t.equal(missingVersion.json.error.code, -32600)
    t.equal(missingVersion.json.id, 1)
    const wrongVersion = await postRpc(httpUrl, { jsonrpc: '1.0', id: 1, method: 'test_add', params: [1] })
    t.equal(wrongVersion.json.error.code, -32600)
    const badId = await postRpc(httpUrl, { jsonrpc: '2.0', id: { x: 1 }, method: 'test_add', params: [1] })
    t.same(badId.json.id, null)
    t.equal(badId.json.error.code, -32600)
    const methodNotString = await postRpc(httpUrl, { jsonrpc: '2.0', id: 2, method: 7 })
    t.equal(methodNotString.json.error.code, -32600)
    const notObject = await postRpc(httpUrl, '"hello"')
    t.equal(notObject.json.error.code, -32600)
  })

  t.test('an unknown method is -32601 in geth words', async (t) => {
    const { json } = await postRpc(httpUrl, rpc('eth_nope', []))
    t.same(json.error, { code: -32601, message: 'the method eth_nope does not exist/is not available' })
  })

  t.test('bad params are -32602 with a reason naming the parameter', async (t) => {
    const wrongType = await postRpc(httpUrl, rpc('test_add', [1, 'two']))
    t.equal(wrongType.json.error.code, -32602)
    t.match(wrongType.json.error.message, /^invalid argument 1: /)
    const missing = await postRpc(httpUrl, rpc('test_add', []))
    t.equal(missing.json.error.message, 'missing value for required argument 0')
    const tooMany = await postRpc(httpUrl, rpc('test_add', [1, 2, 3]))
    t.equal(tooMany.json.error.message, 'too many arguments, want at most 2')
    const notArray = await postRpc(httpUrl, { jsonrpc: '2.0', id: 1, method: 'test_add', params: { a: 1 } })
    t.equal(notArray.json.error.code, -32602)
  })

  t.test('a plain Error is -32603 "internal error" without its message or stack', async (t) => {
    const { text, json } = await postRpc(httpUrl, rpc('test_throws', []))
    t.same(json.error, { code: -32603, message: 'internal error' })
    t.notMatch(text, /secret|rollbook|at /)
  })

  t.test('an RpcError goes out with its code and message', async (t) => {
    const { json } = await postRpc(httpUrl, rpc('test_rpcError', []))
    t.same(json.error, { code: -32000, message: 'nonce too low' })
  })

  t.test('a bigint in a result is sent as a hex quantity; undefined as null', async (t) => {
    t.same((await postRpc(httpUrl, rpc('test_bigint', []))).json.result, { balance: '0xff' })
    const { json } = await postRpc(httpUrl, rpc('test_undefined', []))
    t.ok('result' in json)
    t.equal(json.result, null)
  })

  t.test('a body over the limit is 413 with a JSON-RPC error', async (t) => {
    const { status, json } = await postRpc(httpUrl, rpc('test_echo', ['x'.repeat(70 * 1024)]))
    t.equal(status, 413)
    t.same(json, { jsonrpc: '2.0', id: null, error: { code: -32005, message: 'request body too large' } })
  })

  t.test('subscriptions over HTTP are -32601 "notifications not supported"', async (t) => {
    for (const method of ['eth_subscribe', 'eth_unsubscribe', 'rollbook_subscribe', 'rollbook_unsubscribe']) {
      const { json } = await postRpc(httpUrl, rpc(method, ['testTicks']))
      t.same(json.error, { code: -32601, message: 'notifications not supported' }, method)
    }
  })

  t.test('GET /health answers ok, and other paths a JSON 404', async (t) => {
    const health = await fetch(`${httpUrl}/health`)
    t.same(await health.json(), { ok: true })
    const missing = await fetch(`${httpUrl}/nowhere`, { method: 'POST' })
    t.equal(missing.status, 404)
    const body = (await missing.json()) as { error: { code: number } }
    t.equal(body.error.code, -32600)
  })

  t.test('after all that the server still answers', async (t) => {
    t.equal((await postRpc(httpUrl, rpc('test_add', [20, 22]))).json.result, 42)
  })
})

t.test('start reports the real port and close stops listening', async (t) => {
  const { server, httpUrl, wsUrl } = await startTestServer()
  t.match(httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(httpUrl.endsWith(':0'), true)
  t.equal(wsUrl, httpUrl.replace('http', 'ws'))
  await server.close()
  await t.rejects(fetch(`${httpUrl}/health`))
})

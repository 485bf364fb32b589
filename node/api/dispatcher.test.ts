import fc from 'fast-check'
import pino from 'pino'
import t from 'tap'
import { z } from 'zod'
import { RpcDispatcher } from './dispatcher.ts'
import { RpcError } from './errors.ts'
import { MethodRegistry, defineMethod } from './registry.ts'
import { testMethods } from './testing.ts'

const logger = pino({ level: 'silent' })
const httpContext = { transport: 'http' } as const

t.test('any input is answered with JSON and no stack trace', async (t) => {
  const dispatcher = new RpcDispatcher({ maxBatch: 10 }, { logger, methods: testMethods() })
  const method = fc.constantFrom('test_add', 'test_echo', 'test_throws', 'test_rpcError', 'eth_subscribe', 'x')
  const call = fc.record(
    { jsonrpc: fc.constantFrom('2.0', '1.0', 2), id: fc.jsonValue(), method: fc.oneof(method, fc.jsonValue()), params: fc.jsonValue() },
    { requiredKeys: [] },
  )
  const body = fc.oneof(
    fc.string(),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    call.map((value) => JSON.stringify(value)),
    fc.array(call, { maxLength: 12 }).map((value) => JSON.stringify(value)),
  )
  await fc.assert(
    fc.asyncProperty(body, async (text) => {
      const answer = await dispatcher.handleMessage(text, httpContext)
      if (answer === undefined) return
      JSON.parse(answer)
      if (/\n\s+at /.test(answer) || answer.includes('secret')) throw new Error(`leaked: ${answer}`)
    }),
    { numRuns: 2_000 },
  )
})

t.test('an RpcError claiming -32603 with its own message is sent as plain "internal error"', async (t) => {
  const methods = new MethodRegistry([
    defineMethod({
      name: 'test_leaky',
      params: z.tuple([]),
      handler: () => {
        throw new RpcError(-32603, 'leveldb: corrupt block at /data/000123.ldb')
      },
    }),
  ])
  const dispatcher = new RpcDispatcher({ maxBatch: 10 }, { logger, methods })
  const answer = await dispatcher.handleMessage('{"jsonrpc":"2.0","id":1,"method":"test_leaky"}', httpContext)
  t.same(JSON.parse(answer ?? ''), { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error' } })
})

t.test('execution reverted carries the revert data', async (t) => {
  const { executionReverted } = await import('./errors.ts')
  const methods = new MethodRegistry([
    defineMethod({
      name: 'test_revert',
      params: z.tuple([]),
      handler: () => {
        throw executionReverted('0x08c379a0', 'market closed')
      },
    }),
  ])
  const dispatcher = new RpcDispatcher({ maxBatch: 10 }, { logger, methods })
  const answer = await dispatcher.handleMessage('{"jsonrpc":"2.0","id":"r","method":"test_revert","params":[]}', httpContext)
  t.same(JSON.parse(answer ?? ''), {
    jsonrpc: '2.0',
    id: 'r',
    error: { code: 3, message: 'execution reverted: market closed', data: '0x08c379a0' },
  })
})

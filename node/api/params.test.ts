import t from 'tap'
import { z } from 'zod'
import { parseParams } from './params.ts'

const transfer = z.tuple([z.string(), z.object({ to: z.string().regex(/^0x/) }), z.boolean().optional()])

t.test('valid params pass, with missing trailing optionals as undefined', async (t) => {
  const result = parseParams(transfer, ['a', { to: '0x1' }])
  t.same(result, { ok: true, value: ['a', { to: '0x1' }, undefined] })
})

t.test('a nested bad field is named with its argument and path', async (t) => {
  const result = parseParams(transfer, ['a', { to: 'nope' }])
  t.equal(result.ok, false)
  if (!result.ok) {
    t.equal(result.error.code, -32602)
    t.equal(result.error.message, 'invalid argument 1 (to): Invalid')
  }
})

t.test('missing required and too many arguments are reported as geth does', async (t) => {
  const missing = parseParams(transfer, ['a'])
  t.equal(!missing.ok && missing.error.message, 'missing value for required argument 1')
  const tooMany = parseParams(transfer, ['a', { to: '0x' }, true, 4])
  t.equal(!tooMany.ok && tooMany.error.message, 'too many arguments, want at most 3')
})

t.test('argument numbers shift by firstIndex and tuples inside effects are padded', async (t) => {
  const schema = z.tuple([z.number(), z.number().optional()]).transform(([a, b]) => a + (b ?? 0))
  t.same(parseParams(schema, [2]), { ok: true, value: 2 })
  const bad = parseParams(schema, ['x'], 1)
  t.equal(!bad.ok && bad.error.message, 'invalid argument 1: Expected number, received string')
})

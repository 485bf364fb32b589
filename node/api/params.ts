import { z } from 'zod'
import { invalidParams, type RpcError } from './errors.ts'

export type ParamsResult<T> = { ok: true; value: T } | { ok: false; error: RpcError }

/**
 * Validates positional params against a tuple (or array) schema. Missing trailing
 * params are passed as undefined, so optional ones may be left out, as geth allows.
 * `firstIndex` shifts argument numbers in messages (eth_subscribe's kind is argument 0).
 */
export function parseParams<S extends z.ZodTypeAny>(
  schema: S,
  params: unknown[],
  firstIndex = 0,
): ParamsResult<z.output<S>> {
  const tuple = findTuple(schema)
  let input = params
  if (tuple !== undefined) {
    const arity = tuple._def.items.length
    if (tuple._def.rest === null && params.length > arity) {
      return { ok: false, error: invalidParams(`too many arguments, want at most ${arity + firstIndex}`) }
    }
    if (params.length < arity) {
      input = params.slice()
      while (input.length < arity) input.push(undefined)
    }
  }
  const parsed = schema.safeParse(input)
  if (parsed.success) return { ok: true, value: parsed.data }
  return { ok: false, error: invalidParams(describeIssue(parsed.error.issues[0], firstIndex)) }
}

function findTuple(schema: z.ZodTypeAny): z.ZodTuple | undefined {
  let current: z.ZodTypeAny = schema
  while (current instanceof z.ZodEffects) current = current._def.schema
  return current instanceof z.ZodTuple ? current : undefined
}

function describeIssue(issue: z.ZodIssue | undefined, firstIndex: number): string {
  if (issue === undefined) return 'invalid params'
  const [index, ...rest] = issue.path
  if (typeof index !== 'number') return `invalid params: ${issue.message}`
  const argument = index + firstIndex
  if (rest.length === 0 && issue.code === 'invalid_type' && issue.received === 'undefined') {
    return `missing value for required argument ${argument}`
  }
  const field = rest.length === 0 ? '' : ` (${rest.join('.')})`
  return `invalid argument ${argument}${field}: ${issue.message}`
}

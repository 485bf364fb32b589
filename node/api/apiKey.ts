import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { unauthorized } from './errors.ts'
import type { RequestContext } from './registry.ts'

/** The API key a request presents: `Authorization: Bearer KEY`, else `x-api-key: KEY`. */
export function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    if (match !== null) return match[1]
  }
  const header = headers['x-api-key']
  return typeof header === 'string' ? header.trim() : undefined
}

/**
 * A method guard that lets through only calls presenting `apiKey`. Both sides are hashed first, so
 * the comparison takes the same time whatever the length or the first wrong character.
 */
export function requireApiKey(apiKey: string): (ctx: RequestContext) => void {
  const expected = sha256(apiKey)
  return (ctx) => {
    if (ctx.apiKey === undefined || !timingSafeEqual(sha256(ctx.apiKey), expected)) throw unauthorized()
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

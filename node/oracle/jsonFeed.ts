import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { z } from 'zod'
import { MAX_OUTCOMES } from '../../sdk/src/constants.ts'
import { EVENT_STATUSES, FeedError, SCORE_LAYOUTS, type FeedDocument, type FeedRead, type ResultFeed } from './feed.ts'

/** A feed document larger than this is refused unread (a results list is a few KB). */
export const MAX_FEED_BYTES = 4 * 1024 * 1024

const uint = z.number().int().nonnegative()
const marketId = z.union([
  z.string().regex(/^(0|[1-9]\d{0,77})$/, 'a decimal market id').transform((s) => BigInt(s)),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).transform((n) => BigInt(n)),
])

// Strict objects: an unknown key is most likely a typo ("reslt"), and a typo must not vote.
const eventSchema = z
  .object({
    marketId,
    status: z.enum(EVENT_STATUSES),
    result: uint.max(MAX_OUTCOMES - 1).optional(),
    scores: z.object({ home: uint, away: uint }).strict().optional(),
    layout: z.enum(SCORE_LAYOUTS).optional(),
    name: z.string().max(200).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.scores !== undefined && e.layout === undefined) ctx.addIssue({ code: 'custom', message: 'scores need a layout (home-draw-away or home-away)' })
    if (e.status === 'final' && e.result === undefined && e.scores === undefined) ctx.addIssue({ code: 'custom', message: 'a final event needs a result or scores' })
  })

export const feedDocumentSchema = z
  .object({
    version: uint.max(Number.MAX_SAFE_INTEGER),
    events: z.array(eventSchema).max(10_000),
  })
  .strict()

/** Parses the JSON results document of docs/oracle-feed.md. */
export function parseFeedDocument(text: string): FeedRead {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { ok: false, error: new FeedError('malformed-json', `not JSON: ${(e as Error).message}`) }
  }
  const parsed = feedDocumentSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
    return { ok: false, error: new FeedError('schema', `not a results document: ${issues.slice(0, 5).join('; ')}`) }
  }
  const document: FeedDocument = {
    version: parsed.data.version,
    events: parsed.data.events.map((e) => ({
      marketId: e.marketId,
      status: e.status,
      result: e.result,
      scores: e.scores === undefined ? undefined : { ...e.scores, layout: e.layout! },
      name: e.name,
    })),
  }
  return { ok: true, document }
}

/** A JSON file, read at every poll and as soon as it changes on disk. */
export class JsonFileFeed implements ResultFeed {
  readonly source: string
  private watcher: FSWatcher | undefined

  constructor(path: string) {
    this.source = resolve(path)
  }

  async read(): Promise<FeedRead> {
    let text: string
    try {
      const bytes = await readFile(this.source)
      if (bytes.length > MAX_FEED_BYTES) return { ok: false, error: new FeedError('unreadable', `${bytes.length} bytes, more than ${MAX_FEED_BYTES}`) }
      text = bytes.toString('utf8')
    } catch (e) {
      return { ok: false, error: new FeedError('unreadable', (e as Error).message) }
    }
    return parseFeedDocument(text)
  }

  watch(listener: () => void): void {
    try {
      // A watch is only a hint to read early: the poll still reads, so a missed or failed watch
      // (the file replaced by a rename, a filesystem without inotify) costs one poll interval.
      // the directory, not the file: a feed replaced by a rename (an atomic write) is a new inode
      const name = basename(this.source)
      this.watcher = watch(dirname(this.source), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) listener()
      })
      this.watcher.on('error', () => this.watcher?.close())
    } catch {
      this.watcher = undefined
    }
  }

  close(): void {
    this.watcher?.close()
  }
}

/** An http(s) URL, fetched at every poll with a timeout. */
export class JsonUrlFeed implements ResultFeed {
  constructor(
    readonly source: string,
    private readonly timeoutMs: number,
  ) {}

  async read(): Promise<FeedRead> {
    let text: string
    try {
      const response = await fetch(this.source, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } })
      if (!response.ok) {
        await response.body?.cancel()
        return { ok: false, error: new FeedError('unreadable', `HTTP ${response.status} ${response.statusText}`) }
      }
      const length = Number(response.headers.get('content-length') ?? 0)
      if (length > MAX_FEED_BYTES) {
        await response.body?.cancel()
        return { ok: false, error: new FeedError('unreadable', `${length} bytes, more than ${MAX_FEED_BYTES}`) }
      }
      text = await response.text()
      if (text.length > MAX_FEED_BYTES) return { ok: false, error: new FeedError('unreadable', `more than ${MAX_FEED_BYTES} bytes`) }
    } catch (e) {
      const error = e as Error
      const why = error.name === 'TimeoutError' ? `no answer in ${this.timeoutMs} ms` : (error.cause as Error | undefined)?.message ?? error.message
      return { ok: false, error: new FeedError('unreadable', why) }
    }
    return parseFeedDocument(text)
  }
}

/** The feed for a --feed value: an http(s) URL or a file path. */
export function openJsonFeed(source: string, timeoutMs: number): ResultFeed {
  return /^https?:\/\//i.test(source) ? new JsonUrlFeed(source, timeoutMs) : new JsonFileFeed(source)
}


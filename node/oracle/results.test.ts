import t from 'tap'
import { RESULT_VOID } from '../../sdk/src/constants.ts'
import { parseFeedDocument } from './jsonFeed.ts'
import { entriesByMarket, intentOf } from './results.ts'
import type { FeedDocument } from './feed.ts'

const doc = (events: unknown[], version = 1) => JSON.stringify({ version, events })
const parsed = (text: string): FeedDocument => {
  const read = parseFeedDocument(text)
  if (!read.ok) throw read.error
  return read.document
}

t.test('the JSON format: market ids as decimal strings or safe integers, strict keys', async (t) => {
  const { events } = parsed(doc([{ marketId: '123456789012345678901234567890', status: 'final', result: 3 }, { marketId: 7, status: 'postponed', name: 'x' }]))
  t.same(events.map((e) => [e.marketId, e.status, e.result]), [[123456789012345678901234567890n, 'final', 3], [7n, 'postponed', undefined]])
  for (const [what, text, kind, message] of [
    ['not JSON', '{"version": 1,', 'malformed-json', /not JSON/],
    ['an array', '[]', 'schema', /\(document\)/],
    ['no version', JSON.stringify({ events: [] }), 'schema', /version: Required/],
    ['a negative version', doc([], -1), 'schema', /version/],
    ['an unknown status', doc([{ marketId: '1', status: 'won' }]), 'schema', /events\.0\.status/],
    ['a final without a result', doc([{ marketId: '1', status: 'final' }]), 'schema', /a final event needs a result or scores/],
    ['scores without a layout', doc([{ marketId: '1', status: 'final', scores: { home: 1, away: 0 } }]), 'schema', /scores need a layout/],
    ['an outcome past 15', doc([{ marketId: '1', status: 'final', result: 16 }]), 'schema', /result/],
    ['a market id with a sign', doc([{ marketId: '-1', status: 'final', result: 0 }]), 'schema', /marketId/],
    ['a market id as an unsafe number', doc([{ marketId: 2 ** 60, status: 'final', result: 0 }]), 'schema', /marketId/],
    ['an unknown key', doc([{ marketId: '1', status: 'final', result: 0, winner: 'home' }]), 'schema', /winner/],
  ] as const) {
    const read = parseFeedDocument(text)
    t.notOk(read.ok, what)
    if (!read.ok) {
      t.equal(read.error.kind, kind, what)
      t.match(read.error.message, message, what)
    }
  }
})

t.test('what an entry asks for: void statuses, scores by layout, contradictions', async (t) => {
  const e = (fields: object) => intentOf({ marketId: 1n, status: 'final', ...fields })
  t.same(e({ status: 'cancelled' }), { kind: 'result', result: RESULT_VOID })
  t.same(e({ status: 'abandoned' }), { kind: 'result', result: RESULT_VOID })
  t.same(e({ status: 'in-play', result: 1 }), { kind: 'pending' })
  t.same(e({ result: 2 }), { kind: 'result', result: 2 })
  const score = (home: number, away: number, layout: 'home-draw-away' | 'home-away') => e({ scores: { home, away, layout } })
  t.same([score(2, 1, 'home-draw-away'), score(1, 1, 'home-draw-away'), score(0, 3, 'home-draw-away')].map((i) => (i as { result: number }).result), [0, 1, 2])
  t.same([score(2, 1, 'home-away'), score(1, 1, 'home-away'), score(0, 3, 'home-away')].map((i) => (i as { result: number }).result), [0, RESULT_VOID, 1])
  t.same(e({ result: 0, scores: { home: 2, away: 0, layout: 'home-away' } }), { kind: 'result', result: 0 }, 'result and scores that agree')
  t.match(e({ result: 1, scores: { home: 2, away: 0, layout: 'home-away' } }), { kind: 'refused', reason: /scores 2-0 say outcome 0/ })
  t.match(e({ status: 'postponed', result: 1 }), { kind: 'refused' })
})

t.test('entries per market: agreeing duplicates merge, disagreeing ones are refused together', async (t) => {
  const entries = entriesByMarket(
    parsed(
      doc([
        { marketId: '1', status: 'final', result: 1 },
        { marketId: 1, status: 'final', scores: { home: 0, away: 0 }, layout: 'home-draw-away' },
        { marketId: '2', status: 'final', result: 0 },
        { marketId: '2', status: 'in-play' },
        { marketId: '3', status: 'postponed' },
        { marketId: '3', status: 'cancelled' },
      ]),
    ),
  )
  t.same(entries.map((x) => [x.marketId, x.intent.kind]), [[1n, 'result'], [2n, 'refused'], [3n, 'result']])
  t.match(entries[1]!.intent, { reason: 'two entries disagree: outcome 0 and in play' })
})

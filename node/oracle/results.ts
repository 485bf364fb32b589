import { RESULT_VOID } from '../../sdk/src/constants.ts'
import type { FeedDocument, FeedEvent } from './feed.ts'

/**
 * What one feed entry asks for, before anything on L2 is looked at: a result to vote (an outcome
 * index or RESULT_VOID), nothing yet (in play), or a refusal (the entry contradicts itself).
 */
export type Intent = { kind: 'result'; result: number } | { kind: 'pending' } | { kind: 'refused'; reason: string }

export function describeResult(result: number): string {
  return result === RESULT_VOID ? 'void' : `outcome ${result}`
}

function fromScores(scores: NonNullable<FeedEvent['scores']>): number {
  const { home, away, layout } = scores
  if (layout === 'home-draw-away') return home > away ? 0 : home === away ? 1 : 2
  // a two-way market has no draw outcome: a tie is a push and every bet is refunded
  return home > away ? 0 : home < away ? 1 : RESULT_VOID
}

export function intentOf(event: FeedEvent): Intent {
  if (event.status === 'in-play') return { kind: 'pending' }
  if (event.status !== 'final') {
    if (event.result !== undefined) return { kind: 'refused', reason: `status ${event.status} voids the market, yet it names outcome ${event.result}` }
    return { kind: 'result', result: RESULT_VOID }
  }
  const byScores = event.scores === undefined ? undefined : fromScores(event.scores)
  if (event.result !== undefined && byScores !== undefined && event.result !== byScores) {
    return { kind: 'refused', reason: `result ${event.result} but the scores ${event.scores!.home}-${event.scores!.away} say ${describeResult(byScores)}` }
  }
  return { kind: 'result', result: event.result ?? byScores! }
}

function sameIntent(a: Intent, b: Intent): boolean {
  if (a.kind === 'result' && b.kind === 'result') return a.result === b.result
  return a.kind === b.kind && a.kind !== 'refused'
}

function intentText(i: Intent): string {
  return i.kind === 'result' ? describeResult(i.result) : i.kind === 'pending' ? 'in play' : 'a refused entry'
}

/** One market's entries in a document, merged: agreeing duplicates are one, disagreeing ones are refused together. */
export interface MarketEntry {
  marketId: bigint
  name: string | undefined
  intent: Intent
}

export function entriesByMarket(document: FeedDocument): MarketEntry[] {
  const byMarket = new Map<bigint, MarketEntry>()
  for (const event of document.events) {
    const intent = intentOf(event)
    const seen = byMarket.get(event.marketId)
    if (seen === undefined) {
      byMarket.set(event.marketId, { marketId: event.marketId, name: event.name, intent })
    } else if (seen.intent.kind !== 'refused' && !sameIntent(seen.intent, intent)) {
      seen.intent = { kind: 'refused', reason: `two entries disagree: ${intentText(seen.intent)} and ${intentText(intent)}` }
    }
  }
  return [...byMarket.values()]
}

/** A stable text of a document, to tell a changed document from the same one read again. */
export function fingerprint(document: FeedDocument): string {
  return JSON.stringify(document, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))
}

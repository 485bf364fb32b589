/**
 * What the oracle reads results from. A feed only fetches and parses its source into a
 * FeedDocument; every rule about what may be voted (market exists and is closed, outcome in range,
 * no conflicting results) is the oracle's, so each adapter (this JSON file or URL, a
 * Chainlink-style aggregator, a vendor's API) gets the same checks.
 */

/** final: the result is known. postponed, cancelled, abandoned: the market is void (every bet refunded). in-play: nothing to vote yet. */
export const EVENT_STATUSES = ['final', 'postponed', 'cancelled', 'abandoned', 'in-play'] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]

/**
 * How a score maps to the L2 market's outcome indexes: home-draw-away (1X2: 0 home, 1 draw,
 * 2 away) or home-away (moneyline: 0 home, 1 away, a draw is a push and voids the market).
 */
export const SCORE_LAYOUTS = ['home-draw-away', 'home-away'] as const
export type ScoreLayout = (typeof SCORE_LAYOUTS)[number]

export interface FeedEvent {
  /** The L2 market the event settles. */
  marketId: bigint
  status: EventStatus
  /** The winning outcome's index. */
  result?: number | undefined
  /** The final score; with `layout` it names the winning outcome. */
  scores?: { home: number; away: number; layout: ScoreLayout } | undefined
  /** A name for logs only ("Arsenal v Spurs"). */
  name?: string | undefined
}

export interface FeedDocument {
  /** The feed's revision: it grows whenever the document changes. */
  version: number
  events: FeedEvent[]
}

export type FeedRead = { ok: true; document: FeedDocument } | { ok: false; error: FeedError }

export interface ResultFeed {
  /** Where it reads from, for logs. */
  readonly source: string
  /** The current document; a source that cannot be read or parsed is an error, never a throw. */
  read(): Promise<FeedRead>
  /** Calls `listener` when the source may have changed (a file watch), so the oracle need not wait for its next poll. */
  watch?(listener: () => void): void
  close?(): void
}

export type FeedErrorKind = 'unreadable' | 'malformed-json' | 'schema'

/** A feed document that cannot be used at all: nothing is voted from it. */
export class FeedError extends Error {
  override readonly name = 'FeedError'
  constructor(
    readonly kind: FeedErrorKind,
    message: string,
  ) {
    super(message)
  }
}

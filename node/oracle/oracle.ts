import type { Logger } from 'pino'
import { RESULT_VOID } from '../../sdk/src/constants.ts'
import type { FeedDocument, ResultFeed } from './feed.ts'
import type { L2Results, MarketResultView } from './l2.ts'
import { describeResult, entriesByMarket, fingerprint, type MarketEntry } from './results.ts'

export interface OracleOptions {
  feed: ResultFeed
  l2: L2Results
  /** How often the feed and L2 are read (ms). */
  pollMs: number
  log: Logger
  /** After a vote or flag fails on L2, wait this long before sending it again (ms); a revert still costs a nonce. */
  retryMs?: number
}

/**
 * The oracle process (docs/decisions/0007): reads results from a feed and votes each one once
 * for a market that is closed on L2 and not yet final; flags a proposed result its own feed
 * contradicts while the dispute window is open. Everything it refuses is logged with the reason
 * and nothing is sent for it: the checks run before a tx, since even a reverted tx is included
 * (and spends the key's nonce).
 */
export class Oracle {
  private readonly feed: ResultFeed
  private readonly l2: L2Results
  private readonly log: Logger
  private readonly pollMs: number
  private readonly retryMs: number

  /** The last document accepted, and what it was, to refuse a stale or silently rewritten one. */
  private document: FeedDocument | undefined
  private documentPrint: string | undefined
  /** The result the feed gave for a market, the first time it gave one: a different one later is a conflict. */
  private readonly given = new Map<bigint, number>()
  /** What this key voted (market → round and result), so each result is sent once per round. */
  private readonly voted = new Map<bigint, { round: number; result: number }>()
  /** The proposed results this key flagged (market → result → the round of the flag). */
  private readonly flagged = new Map<bigint, Map<number, number>>()
  /** When a failed send may be tried again (key → ms since epoch). */
  private readonly retryAt = new Map<string, number>()
  /** The last refusal logged per subject, so a poll does not repeat the same line. */
  private readonly refusals = new Map<string, string>()
  /** The next L2 block to scan for ResultProposed. */
  private nextBlock: bigint | undefined

  private stopped = false
  private wake: (() => void) | undefined
  private readAgain = false
  private loop: Promise<void> | undefined

  constructor(opts: OracleOptions) {
    this.feed = opts.feed
    this.l2 = opts.l2
    this.log = opts.log
    this.pollMs = opts.pollMs
    this.retryMs = opts.retryMs ?? 30_000
  }

  start(): void {
    this.log.info({ feed: this.feed.source, l2: this.l2.rpcUrl, account: this.l2.address, pollMs: this.pollMs }, 'oracle started')
    this.feed.watch?.(() => {
      this.readAgain = true
      this.wake?.()
    })
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.loop
    this.feed.close?.()
    this.log.info('oracle stopped')
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.readAgain = false
      try {
        await this.tick()
      } catch (e) {
        // L2 unreachable, a timeout: nothing was decided, the next poll tries again
        this.log.error({ err: (e as Error).message }, 'oracle poll failed; trying again at the next poll')
      }
      if (this.stopped || this.readAgain) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollMs)
        function done() {
          clearTimeout(timer)
          resolve()
        }
        this.wake = done
      })
      this.wake = undefined
    }
  }

  /** One poll: read the feed, vote what is due, judge proposals. */
  async tick(): Promise<void> {
    await this.readFeed()
    const head = await this.l2.head()
    const role = await this.l2.role()
    if (!role.member && !role.mayFlag) this.refuse('role', {}, `account ${this.l2.address} is not a committee member: it votes nothing`)
    else this.clearRefusal('role')

    for (const entry of this.document === undefined ? [] : entriesByMarket(this.document)) {
      await this.handleEntry(entry, role)
    }
    await this.scanResultEvents(head.number, role)
  }

  private async readFeed(): Promise<void> {
    const read = await this.feed.read()
    if (!read.ok) {
      this.refuse('document', { kind: read.error.kind, feed: this.feed.source }, `feed document refused (${read.error.kind}): ${read.error.message}`)
      return
    }
    const { document } = read
    const print = fingerprint(document)
    if (print === this.documentPrint) return
    if (this.document !== undefined && document.version < this.document.version) {
      this.refuse('document', { version: document.version, accepted: this.document.version }, `feed document refused: version ${document.version} is older than version ${this.document.version} already read`)
      return
    }
    if (this.document !== undefined && document.version === this.document.version) {
      this.refuse('document', { version: document.version }, `feed document refused: its content changed but its version stayed ${document.version}`)
      return
    }
    this.clearRefusal('document')
    this.document = document
    this.documentPrint = print
    this.log.info({ version: document.version, events: document.events.length, feed: this.feed.source }, 'feed document read')
  }

  private async handleEntry(entry: MarketEntry, role: { member: boolean; mayFlag: boolean }): Promise<void> {
    const subject = `market ${entry.marketId}`
    const fields = { marketId: entry.marketId.toString(), event: entry.name }
    const { intent } = entry
    if (intent.kind === 'refused') return this.refuse(subject, fields, `entry refused: ${intent.reason}`)

    const market = await this.l2.market(entry.marketId)
    if (market === null) return this.refuse(subject, fields, `entry refused: no market ${entry.marketId} on L2`)

    // After a restart, this key's vote of the round on L2 is the result the feed gave before
    const given = this.given.get(entry.marketId) ?? market.myVote ?? undefined
    if (intent.kind === 'pending') {
      if (given !== undefined) return this.refuse(subject, fields, `entry refused: conflicting result: the feed now says in play after giving ${describeResult(given)}`)
      this.clearRefusal(subject)
      return
    }
    const { result } = intent
    if (result !== RESULT_VOID && result >= market.outcomeCount) {
      return this.refuse(subject, { ...fields, result }, `entry refused: outcome ${result} out of range (the market has ${market.outcomeCount} outcomes)`)
    }
    if (given !== undefined && given !== result) {
      return this.refuse(subject, { ...fields, result, given }, `entry refused: conflicting result: the feed changed its result from ${describeResult(given)} to ${describeResult(result)}; ${describeResult(given)} stands`)
    }
    this.given.set(entry.marketId, result)

    if (market.final !== null) {
      if (market.final !== result) this.refuse(subject, { ...fields, result, final: market.final }, `market is final with ${describeResult(market.final)}, the feed says ${describeResult(result)}: too late to dispute`)
      else if (!market.resolved) await this.finalize(subject, entry)
      else this.clearRefusal(subject)
      return
    }
    if (market.proposed !== null) await this.judgeProposal(entry.marketId, market.round, market.proposed.result, market.proposed.finalAt, role)
    if (role.member) await this.voteIfDue(subject, entry, market, result)
    else this.clearRefusal(subject)
  }

  private async voteIfDue(subject: string, entry: MarketEntry, market: MarketResultView, result: number): Promise<void> {
    const done = this.voted.get(entry.marketId)
    // Once per round (L2 also keeps this key's vote of the round, which a restarted oracle reads).
    // While a result is proposed no vote counts: one the feed contradicts is flagged above, and the flag's new round votes again.
    if ((done !== undefined && done.round === market.round && done.result === result) || market.myVote === result || market.proposed !== null) {
      this.clearRefusal(subject)
      return
    }
    const retryKey = `vote ${entry.marketId} ${market.round} ${result}`
    if ((this.retryAt.get(retryKey) ?? 0) > Date.now()) return
    const fields = { marketId: entry.marketId.toString(), event: entry.name, round: market.round, result }
    const sent = await this.l2.vote(entry.marketId, result)
    if (sent.ok) {
      this.voted.set(entry.marketId, { round: market.round, result })
      this.retryAt.delete(retryKey)
      this.clearRefusal(subject)
      this.log.info({ ...fields, tx: sent.hash }, `voted ${describeResult(result)} for market ${entry.marketId}`)
    } else if (sent.hash === undefined && sent.revert !== undefined) {
      // L2 itself says no (its open block's time is what closes a market): nothing sent, asked again at the next poll
      const closes = new Date(Number(market.closeTime) * 1000).toISOString()
      this.refuse(subject, { ...fields, revert: sent.revert, closeTime: market.closeTime.toString() }, sent.revert === 'MarketNotClosed' ? `entry refused: market not closed until ${closes}` : `entry refused: the vote would revert on L2 (${sent.revert})`)
    } else {
      this.retryAt.set(retryKey, Date.now() + this.retryMs)
      this.log.error({ ...fields, tx: sent.hash, reason: sent.reason }, `vote for market ${entry.marketId} failed: ${sent.reason}`)
    }
  }

  /** A proposed result the feed contradicts is flagged while its window is open; the flag starts a new round, in which this key votes again. */
  private async judgeProposal(marketId: bigint, round: number, proposed: number, finalAt: bigint, role: { mayFlag: boolean }): Promise<void> {
    const ours = this.given.get(marketId)
    const fields = { marketId: marketId.toString(), round, proposed, ours, finalAt: finalAt.toString() }
    if (ours === undefined || ours === proposed) return
    // One flag per proposed result: proposed again after a flag, the committee has signed it anew,
    // and flagging each round would hold the market's settlement forever. A person must look.
    const flaggedIn = this.flagged.get(marketId)?.get(proposed)
    if (flaggedIn === round) return // this very proposal (seen both in the market's state and as an event)
    if (flaggedIn !== undefined) {
      return this.refuse(`proposal ${marketId}`, fields, `proposed ${describeResult(proposed)} for market ${marketId} again after this key flagged it; the feed says ${describeResult(ours)}; not flagging twice`)
    }
    if (!role.mayFlag) return this.refuse(`proposal ${marketId}`, fields, `proposed ${describeResult(proposed)} for market ${marketId} differs from the feed's ${describeResult(ours)}; this key may not flag it`)
    const retryKey = `flag ${marketId} ${round}`
    if ((this.retryAt.get(retryKey) ?? 0) > Date.now()) return
    const sent = await this.l2.flag(marketId)
    if (sent.ok) {
      this.flagged.set(marketId, (this.flagged.get(marketId) ?? new Map()).set(proposed, round))
      this.log.warn({ ...fields, tx: sent.hash }, `flagged market ${marketId}: proposed ${describeResult(proposed)}, the feed says ${describeResult(ours)}`)
    } else if (sent.revert === 'NoProposedResult') {
      // flagged already (by another member or the operator) since it was read: nothing left to dispute
      this.log.debug(fields, `proposal of market ${marketId} in round ${round} is no longer there to flag`)
    } else if (sent.hash === undefined && sent.revert !== undefined) {
      this.refuse(`proposal ${marketId}`, { ...fields, revert: sent.revert }, `proposed ${describeResult(proposed)} for market ${marketId} differs from the feed's ${describeResult(ours)}, but a flag would revert on L2 (${sent.revert})`)
    } else {
      this.retryAt.set(retryKey, Date.now() + this.retryMs)
      this.log.error({ ...fields, tx: sent.hash, reason: sent.reason }, `flag of market ${marketId} failed: ${sent.reason}`)
    }
  }

  /** Watches ResultProposed (each proposal logged and judged against the feed at once) and ResultFlagged. */
  private async scanResultEvents(headNumber: bigint, role: { mayFlag: boolean }): Promise<void> {
    // Proposals made before the oracle started are judged from each market's state instead (handleEntry).
    const from = this.nextBlock ?? headNumber + 1n
    this.nextBlock = headNumber + 1n
    if (from > headNumber) return
    for (const e of await this.l2.resultEvents(from, headNumber)) {
      const fields = { marketId: e.marketId.toString(), round: e.round, block: e.blockNumber.toString() }
      if (e.kind === 'flagged') {
        this.log.info({ ...fields, by: e.by }, `result of market ${e.marketId} flagged in round ${e.round}: round ${e.round + 1} votes again`)
        continue
      }
      this.log.info({ ...fields, result: e.result, finalAt: e.finalAt.toString() }, `result proposed for market ${e.marketId}: ${describeResult(e.result)}`)
      await this.judgeProposal(e.marketId, e.round, e.result, e.finalAt, role)
    }
  }

  /** A final result the feed agrees with, not yet applied: finalizeResult (anyone may) resolves the market so bets settle. */
  private async finalize(subject: string, entry: MarketEntry): Promise<void> {
    const retryKey = `finalize ${entry.marketId}`
    if ((this.retryAt.get(retryKey) ?? 0) > Date.now()) return
    const fields = { marketId: entry.marketId.toString(), event: entry.name }
    const sent = await this.l2.finalize(entry.marketId)
    if (sent.ok) {
      this.clearRefusal(subject)
      this.log.info({ ...fields, tx: sent.hash }, `finalized market ${entry.marketId}`)
    } else if (sent.hash === undefined && sent.revert !== undefined) {
      this.refuse(subject, { ...fields, revert: sent.revert }, `finalizeResult would revert on L2 (${sent.revert})`)
    } else {
      this.retryAt.set(retryKey, Date.now() + this.retryMs)
      this.log.error({ ...fields, tx: sent.hash, reason: sent.reason }, `finalize of market ${entry.marketId} failed: ${sent.reason}`)
    }
  }

  private refuse(subject: string, fields: Record<string, unknown>, message: string): void {
    if (this.refusals.get(subject) === message) return
    this.refusals.set(subject, message)
    this.log.warn({ ...fields, refused: true }, message)
  }

  private clearRefusal(subject: string): void {
    this.refusals.delete(subject)
  }
}

/**
 * Arrival times of receipts, keyed by lowercase tx hash (performance.now() of the WebSocket message
 * that made the tx known), and a way to wait until a set of hashes has arrived.
 */
export abstract class ReceiptTracker {
  readonly arrivals = new Map<string, number>()
  /** txs whose receipt says status 0 (only where the channel carries the status) */
  readonly reverted = new Set<string>()
  private waiters: Array<{ missing: Set<string>; done: () => void }> = []

  protected arrived(hash: string, at: number, ok = true): void {
    const key = hash.toLowerCase()
    if (this.arrivals.has(key)) return
    this.arrivals.set(key, at)
    if (!ok) this.reverted.add(key)
    for (const w of this.waiters) {
      w.missing.delete(key)
      if (w.missing.size === 0) w.done()
    }
  }

  /** Resolves when every hash has arrived, or after `timeoutMs` with whatever arrived by then. */
  waitFor(hashes: Iterable<string>, timeoutMs: number): Promise<void> {
    const missing = new Set<string>()
    for (const h of hashes) if (!this.arrivals.has(h.toLowerCase())) missing.add(h.toLowerCase())
    if (missing.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const waiter = { missing, done: () => finish() }
      const timer = setTimeout(() => finish(), timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve()
      }
      this.waiters.push(waiter)
    })
  }

  abstract close(): void
}

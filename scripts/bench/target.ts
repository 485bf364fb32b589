import type { ReceiptTracker } from './tracker.ts'

/** A chain under test, running as its own process. */
export interface BenchTarget {
  name: string
  httpUrl: string
  wsUrl: string
  pid: number | undefined
  /** how the chain's receipts are followed */
  openTracker(): Promise<ReceiptTracker>
  stop(): Promise<void>
}

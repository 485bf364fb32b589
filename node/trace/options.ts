export interface TraceOptions {
  /**
   * How long a batch's step states stay after its trace root was last handed to the proposer: at
   * least the challenge window plus the time a proposal can take to land on L1. Default 8 days
   * (a 7-day window and a day to spare); devnet's 60 s window keeps far more than it needs.
   */
  retainSeconds: number
  /** the worker's log level; the node logger's by default */
  logLevel?: string
  /**
   * The worker thread's nice value (Linux; elsewhere ignored): the trace is needed seconds later,
   * not now, so it takes the CPU the sequencer leaves. 0 shares it equally.
   */
  niceness: number
  /**
   * TESTS ONLY (no CLI flag reaches it; RollbookNode.init's `testing`): lies the commitment worker
   * tells the proposer, in order, each once. A lie is told in the first batch handed out (from
   * `fromBatch` on) that has a step it matches: every state root from that step's post leaf on is
   * replaced by a made-up one, so that step is the first wrong one and the output's state root is
   * wrong too. Asked again, the batch's trace is the honest one. The issue 4 fraud-proof tests use it.
   */
  dishonest?: DishonestLie[]
}

/**
 * Which step to lie about: its record kind, for a tx the 4-byte selector of its calldata; the nth
 * match (default the first; negative counts from the last). `minChunkBytes`: only records in a
 * chunk of at least this many bytes (a full chunk: the proof's largest calldata).
 */
export interface DishonestLie {
  kind: 'blockStart' | 'tx' | 'message' | 'any'
  selector?: `0x${string}`
  fromBatch?: bigint
  nth?: number
  minChunkBytes?: number
}

/** A lie told: the batch, the step whose post leaf is the first wrong one, and what the step was. */
export interface ToldLie {
  batchIndex: bigint
  step: number
  kind: 'blockStart' | 'tx' | 'message' | 'skip'
}

export const defaultTraceOptions: TraceOptions = {
  retainSeconds: 8 * 24 * 3600,
  niceness: 10,
}

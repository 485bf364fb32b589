/**
 * What the proposer's loop does about an error (STYLE.md: loop errors say what to do): retry after
 * a backoff (temporary), rewind: read the outputs on L1 again and go on from there (reset), or stop
 * and alert (critical).
 */
export type ProposerErrorAction = 'retry' | 'rewind' | 'stop'

export class ProposerConfigError extends Error {
  override readonly name = 'ProposerConfigError'
  readonly shortMessage: string
  constructor(message: string) {
    super(`invalid proposer options: ${message}`)
    this.shortMessage = message
  }
}

/** L1's outputs are not where the proposer thought (already proposed, a reverted tx, a reorg): read outputCount again. */
export class ProposerRewindError extends Error {
  override readonly name = 'ProposerRewindError'
  readonly action = 'rewind' as const
  constructor(
    readonly shortMessage: string,
    options?: { cause?: unknown },
  ) {
    super(shortMessage, options)
  }
}

/** Something the proposer cannot fix by waiting or re-reading; it stops proposing and says why. */
export class ProposerCriticalError extends Error {
  override readonly name = 'ProposerCriticalError'
  readonly action = 'stop' as const
  constructor(
    readonly shortMessage: string,
    options?: { cause?: unknown },
  ) {
    super(shortMessage, options)
  }
}

/** Anything else (the L1 RPC down, a timeout) is temporary: the loop retries with backoff. */
export function proposerErrorAction(error: unknown): ProposerErrorAction {
  if (error instanceof ProposerRewindError) return 'rewind'
  if (error instanceof ProposerCriticalError || error instanceof ProposerConfigError) return 'stop'
  return 'retry'
}

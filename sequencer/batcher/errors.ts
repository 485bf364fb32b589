import { RecordTooLargeError, UnbatchableTransactionError } from '../../sdk/src/batch/index.ts'
/**
 * What the batcher's loop does about an error (STYLE.md: loop errors say what to do):
 * retry after a backoff (temporary), rewind to what L1 holds (reset), or stop and alert (critical).
 */
export type BatcherErrorAction = 'retry' | 'rewind' | 'stop'

export class BatcherConfigError extends Error {
  override readonly name = 'BatcherConfigError'
  readonly shortMessage: string
  constructor(message: string) {
    super(`invalid batcher options: ${message}`)
    this.shortMessage = message
  }
}

/** L1 no longer holds what the batcher recorded (a reorg dropped a chunk, or a chunk tx reverted): rewind to the inbox. */
export class BatcherRewindError extends Error {
  override readonly name = 'BatcherRewindError'
  readonly action = 'rewind' as const
  constructor(
    readonly shortMessage: string,
    options?: { cause?: unknown },
  ) {
    super(shortMessage, options)
  }
}

/** Something the batcher cannot fix by waiting or rewinding; it stops posting and says why. */
export class BatcherCriticalError extends Error {
  override readonly name = 'BatcherCriticalError'
  readonly action = 'stop' as const
  constructor(
    readonly shortMessage: string,
    options?: { cause?: unknown },
  ) {
    super(shortMessage, options)
  }
}

/** Anything else (the L1 RPC down, a timeout) is temporary: the loop retries with backoff. */
export function batcherErrorAction(error: unknown): BatcherErrorAction {
  if (error instanceof BatcherRewindError) return 'rewind'
  if (error instanceof BatcherCriticalError || error instanceof BatcherConfigError) return 'stop'
  // a block whose records cannot be cut into chunks will not be cut by trying again
  if (error instanceof RecordTooLargeError || error instanceof UnbatchableTransactionError) return 'stop'
  return 'retry'
}

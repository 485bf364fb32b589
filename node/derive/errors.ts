/** What the derivation loop does with an error: retry it (temporary), rewind (reset the pipeline), or stop and alert. */
export type DerivationErrorAction = 'retry' | 'rewind' | 'stop'

/** L1's chain changed under the blocks already traversed: rewind to a block that is still canonical. */
export class L1ReorgError extends Error {
  override readonly name = 'L1ReorgError'
  readonly action: DerivationErrorAction = 'rewind'
  readonly shortMessage: string
  constructor(readonly l1Number: bigint, expectedParent: string, actualParent: string) {
    super(`L1 reorg at block ${l1Number}: L1 has ${actualParent} where derivation read ${expectedParent}`)
    this.shortMessage = `L1 reorg at block ${l1Number}`
  }
}

/** Derivation cannot go on without giving a wrong answer (unreadable chunk data, a broken local store): stop and alert. */
export class DerivationHaltedError extends Error {
  override readonly name = 'DerivationHaltedError'
  readonly action: DerivationErrorAction = 'stop'
  constructor(readonly shortMessage: string, options?: { cause?: unknown }) {
    super(shortMessage, options)
  }
}

/** A chunk the inbox counts has no ChunkPosted event where it was looked for (L1 moving under the read): read again. */
export class ChunkNotFoundError extends Error {
  override readonly name = 'ChunkNotFoundError'
  readonly action: DerivationErrorAction = 'retry'
}

export function errorAction(error: unknown): DerivationErrorAction {
  if (error instanceof L1ReorgError || error instanceof DerivationHaltedError) return error.action
  // RPC and network errors are temporary: the same request is asked again
  return 'retry'
}

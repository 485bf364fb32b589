/** The re-executed chain is not the sealed one (or a sealed block did not re-execute): no trace root can be trusted from that block on. */
export class TraceDivergedError extends Error {
  override readonly name = 'TraceDivergedError'
  readonly shortMessage: string
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.shortMessage = message
  }
}

/** The commitment worker is gone (crashed, diverged, stopped): the caller cannot get trace roots from it. */
export class TraceWorkerError extends Error {
  override readonly name = 'TraceWorkerError'
  readonly shortMessage: string
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.shortMessage = message
  }
}

/** A step proof asked for a batch the worker holds no trace of (never traced, or pruned), or a step outside it. */
export class TraceNotFoundError extends Error {
  override readonly name = 'TraceNotFoundError'
  readonly shortMessage: string
  constructor(message: string) {
    super(message)
    this.shortMessage = message
  }
}

/** The chunks handed in for a batch do not carry exactly the records of its blocks. */
export class TraceMismatchError extends Error {
  override readonly name = 'TraceMismatchError'
  readonly shortMessage: string
  constructor(message: string) {
    super(message)
    this.shortMessage = message
  }
}

/** An error of the batch encoder: a person-readable `shortMessage` and the `cause`. Decoding never throws. */
abstract class BatchError extends Error {
  abstract override readonly name: string
  readonly shortMessage: string

  constructor(shortMessage: string, options: { cause?: unknown } = {}) {
    super(shortMessage, { cause: options.cause })
    this.shortMessage = shortMessage
  }
}

export type UnbatchableTransactionErrorType = UnbatchableTransactionError
/** A raw transaction that no batch record can carry (unparseable, another chain, a type the chain does not accept). */
export class UnbatchableTransactionError extends BatchError {
  override readonly name = 'UnbatchableTransactionError' as const
  readonly reason: string

  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`The transaction cannot go in a batch: ${reason}`, options)
    this.reason = reason
  }
}

export type InvalidBatchRecordErrorType = InvalidBatchRecordError
/** A record with a field out of its range (a negative or too large number, a signature part of the wrong length). */
export class InvalidBatchRecordError extends BatchError {
  override readonly name = 'InvalidBatchRecordError' as const

  constructor(reason: string) {
    super(`Invalid batch record: ${reason}`)
  }
}

export type RecordTooLargeErrorType = RecordTooLargeError
/** One record is larger than a whole chunk may be, so no split can carry it. */
export class RecordTooLargeError extends BatchError {
  override readonly name = 'RecordTooLargeError' as const
  readonly recordBytes: number
  readonly maxChunkBytes: number

  constructor({ recordBytes, maxChunkBytes }: { recordBytes: number; maxChunkBytes: number }) {
    super(`A ${recordBytes}-byte record does not fit a chunk of at most ${maxChunkBytes} bytes (1 of them the version)`)
    this.recordBytes = recordBytes
    this.maxChunkBytes = maxChunkBytes
  }
}

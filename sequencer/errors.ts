/** Why the sequencer refused a transaction. Codes and messages follow geth's where it has one. */
export type TxRejectionReason =
  | 'decode'
  | 'unsupportedType'
  | 'chainId'
  | 'signature'
  | 'target'
  | 'value'
  | 'fees'
  | 'gasLimit'
  | 'nonceTooLow'
  | 'nonceTooHigh'
  | 'alreadyKnown'
  | 'poolFull'
  | 'oversized'
  | 'unavailable'

export class TxRejectedError extends Error {
  override readonly name = 'TxRejectedError'
  /** JSON-RPC error code: -32000 as geth uses for every tx pool rejection */
  readonly code = -32000
  constructor(
    readonly reason: TxRejectionReason,
    message: string,
  ) {
    super(message)
  }
}

export class SequencerStoppedError extends Error {
  override readonly name = 'SequencerStoppedError'
  constructor(message = 'sequencer is stopped') {
    super(message)
  }
}

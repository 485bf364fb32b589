export { TxRejectedError, type TxRejectionReason } from '../node/chain/txValidation.ts'

export class SequencerStoppedError extends Error {
  override readonly name = 'SequencerStoppedError'
  constructor(message = 'sequencer is stopped') {
    super(message)
  }
}

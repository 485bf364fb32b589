export { deposit, type DepositParameters, type DepositReturnType, type DepositErrorType } from './deposit.ts'
export {
  initiateWithdrawal,
  type InitiateWithdrawalParameters,
  type InitiateWithdrawalReturnType,
  type InitiateWithdrawalErrorType,
} from './initiateWithdrawal.ts'
export {
  getWithdrawalStatus,
  type GetWithdrawalStatusParameters,
  type GetWithdrawalStatusReturnType,
  type GetWithdrawalStatusErrorType,
  type WithdrawalStatus,
} from './getWithdrawalStatus.ts'
export {
  proveWithdrawal,
  type ProveWithdrawalParameters,
  type ProveWithdrawalReturnType,
  type ProveWithdrawalErrorType,
  type WithdrawalProof,
} from './proveWithdrawal.ts'
export { verifyWithdrawalProof, type VerifyWithdrawalProofParameters } from './verifyWithdrawalProof.ts'
export {
  finalizeWithdrawal,
  type FinalizeWithdrawalParameters,
  type FinalizeWithdrawalReturnType,
  type FinalizeWithdrawalErrorType,
} from './finalizeWithdrawal.ts'
export {
  withdrawWhenReady,
  type WithdrawWhenReadyParameters,
  type WithdrawWhenReadyReturnType,
  type WithdrawWhenReadyErrorType,
} from './withdrawWhenReady.ts'
export type { L2Output } from './outputs.ts'
export {
  BridgeCallRevertedError,
  InsufficientTokenBalanceError,
  InvalidBridgeParameterError,
  InvalidWithdrawalProofError,
  OutputNotFinalizedError,
  OutputNotProposedError,
  OutputRootMismatchError,
  WithdrawalAlreadyFinalizedError,
  WithdrawalNotInStateError,
  WithdrawalRevertedError,
  WithdrawalWaitTimeoutError,
  type BridgeCallRevertedErrorType,
  type BridgeErrorType,
  type InsufficientTokenBalanceErrorType,
  type InvalidBridgeParameterErrorType,
  type InvalidWithdrawalProofErrorType,
  type OutputNotFinalizedErrorType,
  type OutputNotProposedErrorType,
  type OutputRootMismatchErrorType,
  type WithdrawalAlreadyFinalizedErrorType,
  type WithdrawalNotInStateErrorType,
  type WithdrawalRevertedErrorType,
  type WithdrawalWaitTimeoutErrorType,
} from './errors.ts'

import type { Address, Hash, Hex } from 'viem'
import type { BetEngineRevert } from '../betEngine/index.ts'

/** An error of the bridge actions: a person-readable `shortMessage` and the `cause`; narrow on `name`. */
abstract class BridgeError extends Error {
  abstract override readonly name: string
  readonly shortMessage: string

  constructor(shortMessage: string, options: { cause?: unknown } = {}) {
    super(shortMessage, { cause: options.cause })
    this.shortMessage = shortMessage
  }
}

export type InvalidBridgeParameterErrorType = InvalidBridgeParameterError
/** A parameter the contracts would refuse (a zero amount, the zero address), caught before anything is sent. */
export class InvalidBridgeParameterError extends BridgeError {
  override readonly name = 'InvalidBridgeParameterError' as const
  readonly parameter: string

  constructor({ parameter, reason }: { parameter: string; reason: string }) {
    super(`Invalid ${parameter}: ${reason}.`)
    this.parameter = parameter
  }
}

export type InsufficientTokenBalanceErrorType = InsufficientTokenBalanceError
/** The L1 account holds fewer tokens than it wants to deposit. */
export class InsufficientTokenBalanceError extends BridgeError {
  override readonly name = 'InsufficientTokenBalanceError' as const
  readonly balance: bigint
  readonly amount: bigint

  constructor({ owner, balance, amount }: { owner: Address; balance: bigint; amount: bigint }) {
    super(`${owner} holds ${balance} token base units on L1, fewer than the ${amount} to deposit.`)
    this.balance = balance
    this.amount = amount
  }
}

export type BridgeCallRevertedErrorType = BridgeCallRevertedError
/** An L1 contract call reverted; `errorName` is the contract's custom error, e.g. `OutputNotFinalized`. */
export class BridgeCallRevertedError extends BridgeError {
  override readonly name = 'BridgeCallRevertedError' as const
  readonly functionName: string
  readonly errorName: string
  readonly args: readonly unknown[]

  constructor({ functionName, errorName, args, cause }: { functionName: string; errorName: string; args: readonly unknown[]; cause?: unknown }) {
    super(`${functionName} reverted on L1: ${errorName}`, { cause })
    this.functionName = functionName
    this.errorName = errorName
    this.args = args
  }
}

export type WithdrawalRevertedErrorType = WithdrawalRevertedError
/** The L2 withdraw transaction was executed and reverted (e.g. `InsufficientBalance`); nothing was debited. */
export class WithdrawalRevertedError extends BridgeError {
  override readonly name = 'WithdrawalRevertedError' as const
  readonly transactionHash: Hash
  readonly revert: BetEngineRevert | undefined

  constructor({ transactionHash, revert }: { transactionHash: Hash; revert: BetEngineRevert | undefined }) {
    super(`The withdrawal reverted on L2: ${revert?.name ?? 'no reason given'} (tx ${transactionHash}).`)
    this.transactionHash = transactionHash
    this.revert = revert
  }
}

export type OutputNotProposedErrorType = OutputNotProposedError
/** No output root on L1 covers the withdrawal's L2 block yet: the proposer has not reached it. */
export class OutputNotProposedError extends BridgeError {
  override readonly name = 'OutputNotProposedError' as const
  readonly l2BlockNumber: bigint
  readonly outputCount: bigint

  constructor({ l2BlockNumber, outputCount }: { l2BlockNumber: bigint; outputCount: bigint }) {
    super(`No output root covers L2 block ${l2BlockNumber} yet (${outputCount} outputs proposed); wait for the proposer.`)
    this.l2BlockNumber = l2BlockNumber
    this.outputCount = outputCount
  }
}

export type OutputNotFinalizedErrorType = OutputNotFinalizedError
/** The output holding the withdrawal is still in its challenge window. */
export class OutputNotFinalizedError extends BridgeError {
  override readonly name = 'OutputNotFinalizedError' as const
  readonly outputIndex: bigint
  /** Seconds of L1 time until the output is final. */
  readonly secondsLeft: bigint

  constructor({ outputIndex, secondsLeft }: { outputIndex: bigint; secondsLeft: bigint }) {
    super(`Output ${outputIndex} is in its challenge window for ${secondsLeft} more seconds.`)
    this.outputIndex = outputIndex
    this.secondsLeft = secondsLeft
  }
}

export type OutputRootMismatchErrorType = OutputRootMismatchError
/** The L2 node's block does not hash to the output root posted on L1: the node and the proposer disagree. */
export class OutputRootMismatchError extends BridgeError {
  override readonly name = 'OutputRootMismatchError' as const
  readonly outputIndex: bigint
  readonly l2BlockNumber: bigint
  readonly proposed: Hex
  readonly computed: Hex

  constructor({ outputIndex, l2BlockNumber, proposed, computed }: { outputIndex: bigint; l2BlockNumber: bigint; proposed: Hex; computed: Hex }) {
    super(`Output ${outputIndex} (L2 block ${l2BlockNumber}) is ${proposed} on L1, but the L2 node's block gives ${computed}.`)
    this.outputIndex = outputIndex
    this.l2BlockNumber = l2BlockNumber
    this.proposed = proposed
    this.computed = computed
  }
}

export type InvalidWithdrawalProofErrorType = InvalidWithdrawalProofError
/** The MPT proof does not verify against the state root; the L1 bridge would refuse it. */
export class InvalidWithdrawalProofError extends BridgeError {
  override readonly name = 'InvalidWithdrawalProofError' as const
  readonly reason: string

  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super(`The withdrawal proof does not verify: ${reason}.`, { cause })
    this.reason = reason
  }
}

export type WithdrawalNotInStateErrorType = WithdrawalNotInStateError
/** The L2 state holds no record of this withdrawal (wrong fields, or a block before it). */
export class WithdrawalNotInStateError extends BridgeError {
  override readonly name = 'WithdrawalNotInStateError' as const
  readonly withdrawalHash: Hex

  constructor({ withdrawalHash, where }: { withdrawalHash: Hex; where: string }) {
    super(`Withdrawal ${withdrawalHash} is not recorded in the L2 state ${where}.`)
    this.withdrawalHash = withdrawalHash
  }
}

export type WithdrawalAlreadyFinalizedErrorType = WithdrawalAlreadyFinalizedError
/** The bridge has already paid this withdrawal; it pays each once. */
export class WithdrawalAlreadyFinalizedError extends BridgeError {
  override readonly name = 'WithdrawalAlreadyFinalizedError' as const
  readonly withdrawalHash: Hex

  constructor({ withdrawalHash }: { withdrawalHash: Hex }) {
    super(`Withdrawal ${withdrawalHash} is already finalized: the bridge paid it.`)
    this.withdrawalHash = withdrawalHash
  }
}

export type WithdrawalWaitTimeoutErrorType = WithdrawalWaitTimeoutError
/** `withdrawWhenReady` gave up before the withdrawal could be finalized. */
export class WithdrawalWaitTimeoutError extends BridgeError {
  override readonly name = 'WithdrawalWaitTimeoutError' as const
  readonly lastStatus: string

  constructor({ timeoutMs, lastStatus }: { timeoutMs: number; lastStatus: string }) {
    super(`The withdrawal was not ready to finalize within ${timeoutMs} ms (last status: ${lastStatus}).`)
    this.lastStatus = lastStatus
  }
}

export type BridgeErrorType =
  | InvalidBridgeParameterError
  | InsufficientTokenBalanceError
  | BridgeCallRevertedError
  | WithdrawalRevertedError
  | OutputNotProposedError
  | OutputNotFinalizedError
  | OutputRootMismatchError
  | InvalidWithdrawalProofError
  | WithdrawalNotInStateError
  | WithdrawalAlreadyFinalizedError
  | WithdrawalWaitTimeoutError

import { BaseError, type Hex } from 'viem'
import { decodeBetEngineError, type BetEngineRevert } from './betEngine/index.ts'

/** What every sdk error carries: a sentence a person can read and the error underneath. */
abstract class RollbookError extends Error {
  abstract override readonly name: string
  readonly shortMessage: string

  constructor(shortMessage: string, options: { cause?: unknown; details?: string } = {}) {
    super(options.details === undefined ? shortMessage : `${shortMessage}\n\nDetails: ${options.details}`, {
      cause: options.cause,
    })
    this.shortMessage = shortMessage
  }
}

export type RollbookRpcErrorType = RollbookRpcError
/** The node answered a request with a JSON-RPC error. */
export class RollbookRpcError extends RollbookError {
  override readonly name = 'RollbookRpcError' as const
  readonly code: number
  readonly data: unknown

  constructor({ code, message, data, cause }: { code: number; message: string; data?: unknown; cause?: unknown }) {
    super(message, { cause, details: `JSON-RPC error ${code}` })
    this.code = code
    this.data = data
  }
}

export type BetRejectedErrorType = BetRejectedError
/**
 * The node refused a transaction before executing it (bad nonce, wrong fields, pool full...).
 * A transaction the node executed but reverted is not this: its receipt has status 'reverted'.
 */
export class BetRejectedError extends RollbookError {
  override readonly name = 'BetRejectedError' as const
  /** JSON-RPC error code; -32000 for every sequencer rejection, 3 for a revert. */
  readonly code: number
  /** The node's reason, e.g. "nonce too low: next nonce 3, tx nonce 2". */
  readonly reason: string
  /** The decoded bet engine error, when the node sent revert data. */
  readonly revert: BetEngineRevert | undefined

  constructor({ code, reason, revert, cause }: { code: number; reason: string; revert?: BetEngineRevert; cause?: unknown }) {
    super(`The node rejected the transaction: ${revert?.name ?? reason}`, { cause })
    this.code = code
    this.reason = reason
    this.revert = revert
  }
}

export type AccountNotFoundErrorType = AccountNotFoundError
export class AccountNotFoundError extends RollbookError {
  override readonly name = 'AccountNotFoundError' as const

  constructor() {
    super('No account to send from: pass `account`, or use a client created with one.')
  }
}

export type ReceiptNotFoundErrorType = ReceiptNotFoundError
/** The node has no receipt for a hash; it answers every executed transaction's at once. */
export class ReceiptNotFoundError extends RollbookError {
  override readonly name = 'ReceiptNotFoundError' as const
  readonly hash: Hex

  constructor({ hash }: { hash: Hex }) {
    super(`No receipt for transaction ${hash}: the node never executed it.`)
    this.hash = hash
  }
}

export type MarketNotFoundErrorType = MarketNotFoundError
export class MarketNotFoundError extends RollbookError {
  override readonly name = 'MarketNotFoundError' as const
  readonly marketId: bigint

  constructor({ marketId }: { marketId: bigint }) {
    super(`Market ${marketId} does not exist.`)
    this.marketId = marketId
  }
}

export type BetNotFoundErrorType = BetNotFoundError
export class BetNotFoundError extends RollbookError {
  override readonly name = 'BetNotFoundError' as const
  readonly betId: bigint

  constructor({ betId }: { betId: bigint }) {
    super(`Bet ${betId} does not exist.`)
    this.betId = betId
  }
}

export type SocketClosedErrorType = SocketClosedError
/** The WebSocket closed (or never opened) while a request or subscription needed it. */
export class SocketClosedError extends RollbookError {
  override readonly name = 'SocketClosedError' as const
  readonly url: string

  constructor({ url, reason, cause }: { url: string; reason: string; cause?: unknown }) {
    super(`WebSocket ${url} is closed: ${reason}`, { cause })
    this.url = url
  }
}

export type InvalidNotificationErrorType = InvalidNotificationError
/** A notification from the node did not have the shape its channel promises. */
export class InvalidNotificationError extends RollbookError {
  override readonly name = 'InvalidNotificationError' as const
  readonly payload: unknown

  constructor({ channel, payload, cause }: { channel: string; payload: unknown; cause?: unknown }) {
    super(`The node sent a malformed ${channel} notification.`, { cause })
    this.payload = payload
  }
}

export type RollbookErrorType =
  | RollbookRpcError
  | BetRejectedError
  | AccountNotFoundError
  | ReceiptNotFoundError
  | MarketNotFoundError
  | BetNotFoundError
  | SocketClosedError
  | InvalidNotificationError

/**
 * Turns viem's error for a JSON-RPC error answer into a BetRejectedError; undefined for any other
 * failure (transport down, timeout), which the caller rethrows as viem raised it.
 */
export function toBetRejectedError(error: unknown): BetRejectedError | undefined {
  const rpc = findRpcError(error)
  if (rpc === undefined) return undefined
  const revert = typeof rpc.data === 'string' && rpc.data.startsWith('0x') ? decodeBetEngineError(rpc.data as Hex) : undefined
  return new BetRejectedError({ code: rpc.code, reason: rpc.message, revert, cause: error })
}

/** The code, message and data of the node's JSON-RPC error, wherever viem nested it. */
function findRpcError(error: unknown): { code: number; message: string; data: unknown } | undefined {
  if (!(error instanceof BaseError)) return undefined
  // viem gives -1 to failures that carried no JSON-RPC error (a transport down): not the node's answer.
  const hit = error.walk((e) => {
    const code = (e as { code?: unknown }).code
    return typeof code === 'number' && code !== -1
  }) as
    | { code: number; message?: unknown; details?: unknown }
    | null
  if (hit === null) return undefined
  const message = typeof hit.details === 'string' ? hit.details : typeof hit.message === 'string' ? hit.message : ''
  return { code: hit.code, message, data: findData(hit) }
}

/** viem keeps the error's `data` on the request error beneath the coded one. */
function findData(error: unknown): unknown {
  for (let e = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    const data = (e as { data?: unknown }).data
    if (data !== undefined) return data
  }
  return undefined
}

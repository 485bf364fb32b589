/** JSON-RPC error codes, as geth answers them. */
export const RpcErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  serverError: -32000,
  /** the operator API's methods without the right API key (docs/operator-api.md) */
  unauthorized: -32004,
  limitExceeded: -32005,
  executionReverted: 3,
} as const

export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode]

export interface RpcErrorOptions {
  data?: unknown
  cause?: unknown
}

/**
 * An error a caller sees: its `code`, `message` and `data` go on the wire as they are.
 * Anything else a handler throws is answered as "internal error" and logged.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError' as const
  readonly code: number
  readonly data?: unknown
  readonly shortMessage: string

  constructor(code: number, message: string, options: RpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.shortMessage = message
    if (options.data !== undefined) this.data = options.data
  }
}

export function parseError(reason = 'parse error'): RpcError {
  return new RpcError(RpcErrorCode.parseError, reason)
}

export function invalidRequest(reason = 'invalid request'): RpcError {
  return new RpcError(RpcErrorCode.invalidRequest, reason)
}

export function methodNotFound(method: string): RpcError {
  return new RpcError(RpcErrorCode.methodNotFound, `the method ${method} does not exist/is not available`)
}

/** Geth answers subscription methods over HTTP with this code and message. */
export function notificationsNotSupported(): RpcError {
  return new RpcError(RpcErrorCode.methodNotFound, 'notifications not supported')
}

/** `reason` names the bad parameter, e.g. "invalid argument 0: expected string". */
export function invalidParams(reason: string): RpcError {
  return new RpcError(RpcErrorCode.invalidParams, reason)
}

/** The cause is kept for the log only; the wire sees "internal error". */
export function internalError(cause?: unknown): RpcError {
  return new RpcError(RpcErrorCode.internalError, 'internal error', { cause })
}

/** For "nonce too low", "already known" and the like. */
export function serverError(message: string, data?: unknown): RpcError {
  return new RpcError(RpcErrorCode.serverError, message, { data })
}

/** `revertData` is the revert hex; `reason` the decoded Error(string), if any. */
export function executionReverted(revertData: string, reason?: string): RpcError {
  const message = reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`
  return new RpcError(RpcErrorCode.executionReverted, message, { data: revertData })
}

/** A guarded method called without the right API key: nothing was done. */
export function unauthorized(): RpcError {
  return new RpcError(RpcErrorCode.unauthorized, 'unauthorized: this method needs the API key (Authorization: Bearer KEY or x-api-key: KEY)')
}

export function limitExceeded(message: string): RpcError {
  return new RpcError(RpcErrorCode.limitExceeded, message)
}

export function isRpcError(error: unknown): error is RpcError {
  return error instanceof RpcError
}

import type { Logger } from 'pino'
import { internalError, type RpcError } from './errors.ts'

export type JsonRpcId = string | number | null

export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

export type RpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: RpcErrorObject }

export function resultResponse(id: JsonRpcId, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, result: result === undefined ? null : result }
}

export function errorResponse(id: JsonRpcId, error: RpcError): RpcResponse {
  const body: RpcErrorObject = { code: error.code, message: error.message }
  if (error.data !== undefined) body.data = error.data
  return { jsonrpc: '2.0', id, error: body }
}

/**
 * One JSON.stringify on the hot path. A bigint that slipped into a result is sent as
 * a hex quantity; a result that cannot be serialized at all becomes "internal error".
 */
export function serializeResponse(payload: RpcResponse | RpcResponse[], log: Logger): string {
  try {
    return JSON.stringify(payload)
  } catch {
    return Array.isArray(payload)
      ? `[${payload.map((response) => serializeOne(response, log)).join(',')}]`
      : serializeOne(payload, log)
  }
}

function serializeOne(response: RpcResponse, log: Logger): string {
  try {
    const text = JSON.stringify(response, bigintToQuantity)
    log.warn({ id: response.id }, 'result held a bigint; sent as hex quantity')
    return text
  } catch (err) {
    log.error({ err, id: response.id }, 'result is not serializable')
    return JSON.stringify(errorResponse(response.id, internalError()))
  }
}

export function bigintToQuantity(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value
  return value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`
}

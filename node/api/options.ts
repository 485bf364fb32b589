export interface ApiOptions {
  host: string
  /** 0 picks a free port; `RpcServer.start()` reports the real one. */
  port: number
  /** Largest HTTP body, in bytes. */
  bodyLimit: number
  /** Largest batch; geth allows 1000, a larger batch gets one -32005 "batch too large". */
  maxBatch: number
  maxWsConnections: number
  maxSubscriptionsPerConnection: number
  /** Largest WebSocket message, in bytes. */
  wsMaxPayload: number
  /** A socket with more than this many bytes unsent is a slow consumer and is closed with 1008. */
  wsMaxBufferedBytes: number
}

const MiB = 1024 * 1024

export const defaultApiOptions: ApiOptions = {
  host: '127.0.0.1',
  port: 8547,
  bodyLimit: 5 * MiB,
  maxBatch: 100,
  maxWsConnections: 1000,
  maxSubscriptionsPerConnection: 100,
  wsMaxPayload: 5 * MiB,
  wsMaxBufferedBytes: 16 * MiB,
}

/** Fills in defaults; wsMaxPayload follows bodyLimit unless given. */
export function resolveApiOptions(partial: Partial<ApiOptions> = {}): ApiOptions {
  const bodyLimit = partial.bodyLimit ?? defaultApiOptions.bodyLimit
  return { ...defaultApiOptions, wsMaxPayload: bodyLimit, ...partial, bodyLimit }
}

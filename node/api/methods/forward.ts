import { RpcError, serverError } from '../errors.ts'

/**
 * A replica's eth_sendRawTransaction: the raw tx goes to the sequencer's JSON-RPC as it is, and the
 * sequencer's answer comes back as it is (its result, or its error's code, message and data).
 */
export function forwardRawTxTo(sequencerRpc: string, timeoutMs = 10_000): (raw: string) => Promise<unknown> {
  let id = 0
  return async (raw) => {
    let response: Response
    try {
      response = await fetch(sequencerRpc, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'eth_sendRawTransaction', params: [raw] }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (e) {
      throw serverError(`the sequencer at ${sequencerRpc} did not answer: ${(e as Error).message}`)
    }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      throw serverError(`the sequencer at ${sequencerRpc} answered HTTP ${response.status} without JSON-RPC`)
    }
    if (typeof body === 'object' && body !== null) {
      const answer = body as { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } }
      if (answer.error !== undefined && answer.error !== null) {
        const { code, message, data } = answer.error
        throw new RpcError(typeof code === 'number' ? code : -32000, typeof message === 'string' ? message : 'the sequencer refused the transaction', { data })
      }
      // the sequencer is outside this process too: pass on only what eth_sendRawTransaction may answer
      if (typeof answer.result === 'string' && /^0x[0-9a-fA-F]{64}$/.test(answer.result)) return answer.result
    }
    throw serverError(`the sequencer at ${sequencerRpc} answered HTTP ${response.status} without a transaction hash`)
  }
}

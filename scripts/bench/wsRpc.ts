import WebSocket from 'ws'

/** JSON-RPC over one WebSocket: calls, plus subscription notifications routed by subscription id. */
export class WsRpc {
  private nextId = 1
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private readonly handlers = new Map<string, (result: unknown, receivedAt: number) => void>()
  /** notifications that arrived before their subscribe call answered */
  private readonly early = new Map<string, Array<[unknown, number]>>()

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const receivedAt = performance.now()
      const msg = JSON.parse(data.toString())
      if (msg.id !== undefined && msg.id !== null) {
        const call = this.calls.get(msg.id)
        this.calls.delete(msg.id)
        if (msg.error !== undefined) call?.reject(new Error(`${msg.error.code}: ${msg.error.message}`))
        else call?.resolve(msg.result)
        return
      }
      const sub = msg.params?.subscription
      if (sub === undefined) return
      const handler = this.handlers.get(sub)
      if (handler !== undefined) handler(msg.params.result, receivedAt)
      else {
        const list = this.early.get(sub) ?? []
        list.push([msg.params.result, receivedAt])
        this.early.set(sub, list)
      }
    })
    ws.on('close', () => {
      for (const c of this.calls.values()) c.reject(new Error('WebSocket closed'))
      this.calls.clear()
    })
  }

  static connect(url: string): Promise<WsRpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 })
      ws.once('open', () => resolve(new WsRpc(ws)))
      ws.once('error', reject)
    })
  }

  call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    })
  }

  async subscribe(method: string, params: unknown[], onResult: (result: unknown, receivedAt: number) => void): Promise<string> {
    const id = await this.call<string>(method, params)
    this.handlers.set(id, onResult)
    for (const [result, at] of this.early.get(id) ?? []) onResult(result, at)
    this.early.delete(id)
    return id
  }

  close(): void {
    this.ws.close()
  }
}

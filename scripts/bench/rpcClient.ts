import http from 'node:http'

export class RpcError extends Error {
  override readonly name = 'RpcError'
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * A lean JSON-RPC client over keep-alive HTTP (node:http, one socket per request in flight), so the
 * benchmark measures the server and not the client. Bodies are built as strings, no per-call objects.
 */
export class HttpRpc {
  private readonly agent: http.Agent
  private readonly url: URL
  private nextId = 1

  constructor(url: string, maxSockets: number) {
    this.url = new URL(url)
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' })
  }

  /** Sends a request whose params are already JSON text; resolves with the parsed `result`. */
  callRaw(method: string, paramsJson: string): Promise<unknown> {
    const body = `{"jsonrpc":"2.0","id":${this.nextId++},"method":"${method}","params":${paramsJson}}`
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            let parsed: { result?: unknown; error?: { code: number; message: string } }
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            } catch {
              return reject(new RpcError(-1, `HTTP ${res.statusCode}: not JSON`))
            }
            if (parsed.error !== undefined) reject(new RpcError(parsed.error.code, parsed.error.message))
            else resolve(parsed.result)
          })
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return this.callRaw(method, JSON.stringify(params)) as Promise<T>
  }

  close(): void {
    this.agent.destroy()
  }
}

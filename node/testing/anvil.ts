/**
 * A real anvil (npm @foundry-rs/anvil) on a free loopback port, for tests and the devnet:
 * `const anvil = await startAnvil(); ...; await anvil.stop()`.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const ANVIL_BIN = fileURLToPath(new URL('../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil', import.meta.url))

export interface StartAnvilOptions {
  /** Seconds between blocks (interval mining); omitted, anvil mines a block per transaction. */
  blockTime?: number
  chainId?: number
  /** further anvil flags, e.g. ['--base-fee', '0'] */
  extraArgs?: string[]
}

export interface AnvilInstance {
  rpcUrl: string
  wsUrl: string
  port: number
  pid: number | undefined
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    return response.ok
  } catch {
    return false
  }
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const port = await freePort()
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent', '--hardfork', 'prague']
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId))
  args.push(...(options.extraArgs ?? []))
  const child = spawn(ANVIL_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const rpcUrl = `http://127.0.0.1:${port}`

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    await exited
    clearTimeout(timer)
  }

  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`anvil exited with code ${child.exitCode}: ${stderr.trim()}`)
    if (await answers(rpcUrl)) break
    if (attempt >= 300) {
      await stop()
      throw new Error(`anvil did not answer on ${rpcUrl} within 30 s: ${stderr.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { rpcUrl, wsUrl: `ws://127.0.0.1:${port}`, port, pid: child.pid, stop }
}

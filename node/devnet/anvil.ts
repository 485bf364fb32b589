/**
 * A real anvil (npm @foundry-rs/anvil) on a loopback port, for the devnet and the tests:
 * `const anvil = await startAnvil(); ...; await anvil.stop()`.
 */
import { spawn } from 'node:child_process'
import { renameSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const ANVIL_BIN = fileURLToPath(new URL('../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil', import.meta.url))
const HOST = '127.0.0.1'

export interface StartAnvilOptions {
  /** A fixed port; a free one when omitted. */
  port?: number
  /** Seconds between blocks (interval mining); omitted, anvil mines a block per transaction. */
  blockTime?: number
  chainId?: number
  /** Loaded at start when it exists, dumped on exit (anvil's --state). */
  stateFile?: string
  /** With stateFile: also dump every this many seconds, so a kill -9 loses at most that much. */
  stateIntervalSeconds?: number
  /** further anvil flags, e.g. ['--base-fee', '0'] */
  extraArgs?: string[]
}

export interface AnvilInstance {
  rpcUrl: string
  wsUrl: string
  port: number
  pid: number | undefined
  /** SIGTERM, then waits for the exit (anvil dumps its --state file then). */
  stop(): Promise<void>
}

/** A port the OS hands out as free on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Whether nothing listens on `port` of the loopback interface (so a bind would succeed). */
export function portIsFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
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

/**
 * Writes anvil's state now, in the form `--state` loads (anvil_dumpState answers it gzipped), so
 * a caller need not wait for the next --state-interval dump. Renamed into place: never half a file.
 */
export async function saveAnvilState(rpcUrl: string, file: string): Promise<void> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_dumpState', params: [] }),
  })
  const body = (await response.json()) as { result?: string; error?: { message: string } }
  if (typeof body.result !== 'string') throw new Error(`anvil_dumpState: ${body.error?.message ?? 'no result'}`)
  writeFileSync(`${file}.tmp`, gunzipSync(Buffer.from(body.result.slice(2), 'hex')))
  renameSync(`${file}.tmp`, file)
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const port = options.port ?? (await freePort())
  const args = ['--host', HOST, '--port', String(port), '--silent', '--hardfork', 'prague']
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId))
  if (options.stateFile !== undefined) {
    args.push('--state', options.stateFile)
    if (options.stateIntervalSeconds !== undefined) args.push('--state-interval', String(options.stateIntervalSeconds))
  }
  args.push(...(options.extraArgs ?? []))
  const child = spawn(ANVIL_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const rpcUrl = `http://${HOST}:${port}`

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    // a large --state dump takes a moment; only a hung anvil is killed
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
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
  return { rpcUrl, wsUrl: `ws://${HOST}:${port}`, port, pid: child.pid, stop }
}

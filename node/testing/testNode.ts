import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { RollbookNode } from '../rollbookNode.ts'
import { DEV_CHAIN_ID } from '../chain/genesis.ts'

export interface TestNode {
  httpUrl: string
  wsUrl: string
  chainId: number
  datadir: string
  node: RollbookNode
  close(): Promise<void>
}

export function tempDatadir(prefix = 'rollbook-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A real dev sequencer in this process on a free port, with its own LevelDB in a temp dir. */
export async function startTestNode(opts: { datadir?: string; blockTimeMs?: number; keep?: boolean } = {}): Promise<TestNode> {
  const datadir = opts.datadir ?? tempDatadir()
  const node = await RollbookNode.init(
    { datadir, dev: true, port: 0, blockTimeMs: opts.blockTimeMs ?? 100 },
    pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' }),
  )
  return {
    ...node.urls,
    chainId: DEV_CHAIN_ID,
    datadir,
    node,
    close: async () => {
      await node.close()
      if (opts.keep !== true && opts.datadir === undefined) rmSync(datadir, { recursive: true, force: true })
    },
  }
}

export interface NodeProcess {
  httpUrl: string
  wsUrl: string
  child: ChildProcess
  /** SIGKILL, no goodbye */
  kill(): Promise<void>
  /** SIGTERM and wait for a clean exit */
  stop(): Promise<number | null>
}

const BIN = fileURLToPath(new URL('../../bin/rollbook.js', import.meta.url))
const YOUNG_GENERATION_FLAG = '--max-semi-space-size=64'

/** The real `rollbook node --dev` as a child process (for crash tests); resolves when it serves RPC. */
export async function startNodeProcess(datadir: string, extraArgs: string[] = []): Promise<NodeProcess> {
  // as bin/rollbook.js's shebang and npm start run it (docs/decisions/0009); ROLLBOOK_NODE_FLAGS adds
  // flags to the node process, e.g. --cpu-prof for profiling under the bench
  const nodeFlags = [YOUNG_GENERATION_FLAG, ...(process.env.ROLLBOOK_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])]
  const child = spawn(process.execPath, [...nodeFlags, BIN, 'node', '--dev', '--datadir', datadir, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const urls = await new Promise<{ httpUrl: string; wsUrl: string }>((resolve, reject) => {
    let buffered = ''
    let stderr = ''
    const timer = setTimeout(() => reject(new Error(`node did not start in 30 s: ${stderr}`)), 30_000)
    child.stderr!.on('data', (d) => (stderr += d))
    child.stdout!.on('data', (chunk) => {
      buffered += chunk
      for (const line of buffered.split('\n')) {
        if (!line.includes('rollbook node ready')) continue
        clearTimeout(timer)
        const { httpUrl, wsUrl } = JSON.parse(line)
        resolve({ httpUrl, wsUrl })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node exited with ${code} before it was ready: ${stderr}`))
    })
  })
  return {
    ...urls,
    child,
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

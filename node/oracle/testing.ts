import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { pino, type Logger } from 'pino'
import { toHex, type Hex, type HDAccount } from 'viem'
import { createMarket } from '../../sdk/src/actions/createMarket.ts'
import { getReceipt } from '../../sdk/src/actions/getReceipt.ts'
import { findEvent } from '../../sdk/src/events.ts'
import type { WalletClient, Transport, Chain, Account } from 'viem'

export interface LogLine {
  level: number
  msg: string
  refused?: boolean
  [key: string]: unknown
}

/** A pino logger whose lines land in an array (and on stderr with ROLLBOOK_TEST_LOG set). */
export function capturingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        lines.push(JSON.parse(text))
        if (process.env.ROLLBOOK_TEST_LOG) process.stderr.write(`${text}\n`)
      }
      done()
    },
  })
  return { log: pino({ level: 'debug' }, stream), lines }
}

export const keyOf = (account: HDAccount): Hex => toHex(account.getHdKey().privateKey!)

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** Opens a market as the operator and returns its id. */
export async function openMarket(operator: WalletClient<Transport, Chain, Account>, outcomes: number, closeTime: bigint): Promise<bigint> {
  const odds = Array.from({ length: outcomes }, () => 20_000)
  const hash = await createMarket(operator, { odds, closeTime, maxStake: 100_000_000n, maxLiability: 10_000_000_000n })
  const receipt = await getReceipt(operator, { hash })
  if (receipt.status !== 'success') throw new Error(`createMarket reverted: ${receipt.error?.name}`)
  return findEvent(receipt.events, 'MarketCreated')!.args.marketId
}

export interface OracleProcess {
  /** its stdout's JSON log lines, as they arrive */
  lines: Array<Record<string, unknown> & { msg: string }>
  /** SIGTERM, then its exit code */
  stop(): Promise<number | null>
  /** SIGKILL, for a test's teardown */
  kill(): void
}

const BIN = fileURLToPath(new URL('../../bin/rollbook.js', import.meta.url))

/** The real `rollbook oracle` as a child process on `feed`, voting from `key` on the node at `l2Rpc`. */
export function startOracleProcess(name: string, key: Hex, feed: string, l2Rpc: string, logLevel = 'info'): OracleProcess {
  const child = spawn(process.execPath, [BIN, 'oracle', '--feed', feed, '--l2-rpc', l2Rpc, '--poll', '200', '--retry', '2000'], {
    env: { ...process.env, ROLLBOOK_ORACLE_KEY: key, ROLLBOOK_LOG_LEVEL: logLevel },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: OracleProcess['lines'] = []
  let buffered = ''
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    const parts = buffered.split('\n')
    buffered = parts.pop()!
    for (const part of parts.filter(Boolean)) {
      lines.push(JSON.parse(part))
      if (process.env.ROLLBOOK_TEST_LOG) process.stderr.write(`${name} ${part}\n`)
    }
  })
  child.stderr.on('data', (d) => process.stderr.write(`${name} stderr: ${d}`))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { lines, stop: () => (child.kill('SIGTERM'), exited), kill: () => child.kill('SIGKILL') }
}

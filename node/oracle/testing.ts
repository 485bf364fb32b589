import { Writable } from 'node:stream'
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

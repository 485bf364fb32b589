import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { z } from 'zod'
import { UsageError } from '../cli/cli.ts'

export const ORACLE_USAGE = `Usage: rollbook oracle --feed <file-or-url> --key <hex> --l2-rpc <url> [options]

Reads match results from a feed (docs/oracle-feed.md) and, from its key, votes each result of a
market that is closed on L2 and not yet final (voteResult), once per round; flags a proposed
result its feed contradicts while the dispute window is open. Bad feed input is logged and
refused, and nothing is voted from it.

Options:
  --feed <file|url>     the results document: a JSON file (read at every poll  env ROLLBOOK_ORACLE_FEED
                        and when it changes) or an http(s) URL (polled)
  --key <hex>           the committee member's L2 private key              env ROLLBOOK_ORACLE_KEY
                        (prefer the environment: flags show in ps)
  --l2-rpc <url>        the L2 node's JSON-RPC endpoint                    env ROLLBOOK_L2_RPC
  --poll <ms>           read the feed and L2 this often (default 2000)     env ROLLBOOK_ORACLE_POLL
  --feed-timeout <ms>   a URL feed's answer time limit (default 5000)      env ROLLBOOK_ORACLE_FEED_TIMEOUT
  --retry <ms>          wait before resending a vote or flag that failed   env ROLLBOOK_ORACLE_RETRY
                        on L2 (default 30000)
  --log-level <level>   fatal|error|warn|info|debug|trace|silent           env ROLLBOOK_LOG_LEVEL
  -h, --help            this help`

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const ms = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${name}: expected a whole number of milliseconds`)
    .transform(Number)
    .pipe(z.number().min(min, `--${name}: at least ${min} ms`).max(86_400_000, `--${name}: at most a day`))

const optionsSchema = z.object({
  feed: z.string({ required_error: '--feed is required (a results file or an http(s) URL)' }).min(1, '--feed is required (a results file or an http(s) URL)'),
  key: z
    .string({ required_error: '--key is required (or ROLLBOOK_ORACLE_KEY)' })
    .regex(/^0x[0-9a-fA-F]{64}$/, '--key: expected a 32-byte private key as 0x and 64 hex digits'),
  l2Rpc: z
    .string({ required_error: '--l2-rpc is required' })
    .refine((url) => /^https?:\/\/[^\s]+$/i.test(url), '--l2-rpc: expected an http(s) URL'),
  pollMs: ms('poll', 50).default('2000'),
  feedTimeoutMs: ms('feed-timeout', 100).default('5000'),
  retryMs: ms('retry', 0).default('30000'),
  logLevel: z.enum(LOG_LEVELS, { errorMap: () => ({ message: `--log-level: expected one of ${LOG_LEVELS.join('|')}` }) }).default('info'),
})

export type OracleCliOptions = z.output<typeof optionsSchema>

/** Flags win over ROLLBOOK_* environment, which wins over the defaults. */
export function oracleOptionsFromArgs(args: string[], env: NodeJS.ProcessEnv): OracleCliOptions | 'help' {
  let values
  try {
    ;({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        feed: { type: 'string' },
        key: { type: 'string' },
        'l2-rpc': { type: 'string' },
        poll: { type: 'string' },
        'feed-timeout': { type: 'string' },
        retry: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (values.help) return 'help'
  const parsed = optionsSchema.safeParse({
    feed: values.feed ?? env.ROLLBOOK_ORACLE_FEED,
    key: values.key ?? env.ROLLBOOK_ORACLE_KEY,
    l2Rpc: values['l2-rpc'] ?? env.ROLLBOOK_L2_RPC,
    pollMs: values.poll ?? env.ROLLBOOK_ORACLE_POLL,
    feedTimeoutMs: values['feed-timeout'] ?? env.ROLLBOOK_ORACLE_FEED_TIMEOUT,
    retryMs: values.retry ?? env.ROLLBOOK_ORACLE_RETRY,
    logLevel: values['log-level'] ?? env.ROLLBOOK_LOG_LEVEL,
  })
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '))
  return parsed.data
}

/** `rollbook oracle`: runs until SIGINT or SIGTERM. */
export async function runOracle(args: string[]): Promise<number> {
  const opts = oracleOptionsFromArgs(args, process.env)
  if (opts === 'help') {
    process.stdout.write(`${ORACLE_USAGE}\n`)
    return 0
  }
  const { Oracle } = await import('./oracle.ts')
  const { L2Results } = await import('./l2.ts')
  const { openJsonFeed } = await import('./jsonFeed.ts')
  const log = pino({ level: opts.logLevel, base: { pid: process.pid, mode: 'oracle' } })
  let l2
  try {
    l2 = await L2Results.connect(opts.l2Rpc, opts.key as `0x${string}`)
  } catch (e) {
    process.stderr.write(`rollbook oracle: cannot reach L2 at ${opts.l2Rpc}: ${(e as { shortMessage?: string }).shortMessage ?? (e as Error).message}\n`)
    return 1
  }
  const oracle = new Oracle({ feed: openJsonFeed(opts.feed, opts.feedTimeoutMs), l2, pollMs: opts.pollMs, retryMs: opts.retryMs, log })
  oracle.start()
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await oracle.stop()
  return 0
}

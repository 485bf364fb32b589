import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { clients, operator, oracle } from '../testing/accounts.ts'
import { startTestNode, tempDatadir } from '../testing/testNode.ts'
import { oracleOptionsFromArgs } from './cli.ts'
import { keyOf, openMarket, until } from './testing.ts'

const BIN = fileURLToPath(new URL('../../bin/rollbook.js', import.meta.url))
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ROLLBOOK_ORACLE_KEY: '' } })
const KEY = `0x${'ab'.repeat(32)}`

t.test('flags win over the environment, the environment over defaults', async (t) => {
  t.match(oracleOptionsFromArgs(['--feed', 'f.json', '--key', KEY, '--l2-rpc', 'http://127.0.0.1:8547'], {}), {
    feed: 'f.json',
    key: KEY,
    l2Rpc: 'http://127.0.0.1:8547',
    pollMs: 2000,
    feedTimeoutMs: 5000,
    retryMs: 30_000,
    logLevel: 'info',
  })
  const env = { ROLLBOOK_ORACLE_FEED: 'https://feed.example/r.json', ROLLBOOK_ORACLE_KEY: KEY, ROLLBOOK_L2_RPC: 'http://l2:1', ROLLBOOK_ORACLE_POLL: '500', ROLLBOOK_LOG_LEVEL: 'debug' }
  t.match(oracleOptionsFromArgs([], env), { feed: 'https://feed.example/r.json', key: KEY, l2Rpc: 'http://l2:1', pollMs: 500, logLevel: 'debug' })
  t.match(oracleOptionsFromArgs(['--poll', '250', '--feed', 'x.json'], env), { feed: 'x.json', pollMs: 250 })
  t.equal(oracleOptionsFromArgs(['--help'], {}), 'help')
  t.equal(oracleOptionsFromArgs(['-h'], {}), 'help')
})

t.test('missing and bad flags are usage errors that say why', async (t) => {
  const ok = ['--feed', 'f.json', '--key', KEY, '--l2-rpc', 'http://127.0.0.1:8547']
  for (const [args, message] of [
    [['--bogus'], /Unknown option '--bogus'/],
    [[], /--feed is required.*--key is required.*--l2-rpc is required/],
    [['--feed', 'f.json', '--l2-rpc', 'http://x'], /--key is required/],
    [[...ok, '--key', '0x1234'], /--key: expected a 32-byte private key/],
    [[...ok, '--l2-rpc', 'ws://127.0.0.1:8547'], /--l2-rpc: expected an http\(s\) URL/],
    [[...ok, '--poll', 'fast'], /--poll: expected a whole number of milliseconds/],
    [[...ok, '--poll', '10'], /--poll: at least 50 ms/],
    [[...ok, '--feed-timeout=-1'], /--feed-timeout: expected a whole number/],
    [[...ok, '--log-level', 'loud'], /--log-level: expected one of/],
    [[...ok, 'positional'], /Unexpected argument 'positional'/],
    [['--feed'], /argument missing/],
  ] as const) {
    t.throws(() => oracleOptionsFromArgs([...args], {}), { name: 'UsageError', message }, args.join(' ') || '(none)')
  }
})

t.test('the real command: help exits 0, bad or missing flags exit 2, an unreachable L2 exits 1', async (t) => {
  const help = run('oracle', '--help')
  t.equal(help.status, 0)
  t.match(help.stdout, /--feed <file\|url>/)
  t.match(run('--help').stdout, /oracle\s+a result committee member/)
  const missing = run('oracle')
  t.equal(missing.status, 2)
  t.match(missing.stderr, /--feed is required/)
  t.notMatch(missing.stderr, /\n\s+at /, 'no stack trace')
  const bad = run('oracle', '--feed', 'f.json', '--key', 'nothex', '--l2-rpc', 'http://127.0.0.1:1')
  t.equal(bad.status, 2)
  t.match(bad.stderr, /--key: expected a 32-byte private key/)
  const down = run('oracle', '--feed', 'f.json', '--key', KEY, '--l2-rpc', 'http://127.0.0.1:1')
  t.equal(down.status, 1)
  t.match(down.stderr, /cannot reach L2 at http:\/\/127\.0\.0\.1:1/)
})

t.test('the real command votes a closed market from a feed file and stops on SIGTERM', async (t) => {
  const node = await startTestNode({ blockTimeMs: 100 })
  t.teardown(() => node.close())
  const { publicClient, walletClient } = clients(node.chainId, node.httpUrl, operator)
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 2)
  const marketId = await openMarket(walletClient, 2, closeTime)
  const feed = join(tempDatadir('rollbook-oracle-cli-'), 'results.json')
  writeFileSync(feed, JSON.stringify({ version: 1, events: [{ marketId: marketId.toString(), status: 'abandoned' }] }))
  const child = spawn(process.execPath, [BIN, 'oracle', '--feed', feed, '--l2-rpc', node.httpUrl, '--poll', '200'], {
    env: { ...process.env, ROLLBOOK_ORACLE_KEY: keyOf(oracle) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.teardown(() => child.kill('SIGKILL'))
  await until('the market voided', async () => (await getMarket(publicClient, { marketId })).result === 'void', 30_000)
  child.kill('SIGTERM')
  t.equal(await exited, 0)
  const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  t.ok(lines.some((l) => l.msg === 'oracle started' && l.account === oracle.address))
  t.ok(lines.some((l) => l.msg === `voted void for market ${marketId}`))
  t.ok(lines.some((l) => l.msg === 'oracle stopped'))
})

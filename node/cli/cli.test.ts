import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { UsageError, main, nodeOptionsFromArgs } from './cli.ts'

const BIN = fileURLToPath(new URL('../../bin/rollbook.js', import.meta.url))
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 })

t.test('flags win over environment, environment over defaults', async (t) => {
  const opts = nodeOptionsFromArgs(['--datadir', 'd', '--port', '9000'], { ROLLBOOK_PORT: '8000', ROLLBOOK_BLOCK_TIME: '500' })
  t.match(opts, { datadir: 'd', port: 9000, blockTimeMs: 500 })
  t.match(nodeOptionsFromArgs([], { ROLLBOOK_DATADIR: 'e' }), { datadir: 'e' })
  t.equal(nodeOptionsFromArgs(['--help'], {}), 'help')
})

t.test('L1 flags and their ROLLBOOK_* environment map to the node options', async (t) => {
  const key = `0x${'ab'.repeat(32)}`
  t.match(
    nodeOptionsFromArgs(['--datadir', 'd', '--mode', 'replica', '--l1-rpc', 'http://l1:8545', '--rollup', 'r.json', '--sequencer-rpc', 'http://seq:8547', '--l1-confirmations', '2'], {}),
    { mode: 'replica', l1Rpc: 'http://l1:8545', rollup: 'r.json', sequencerRpc: 'http://seq:8547', l1Confirmations: 2 },
  )
  t.match(
    nodeOptionsFromArgs(['--datadir', 'd'], { ROLLBOOK_L1_RPC: 'http://e:1', ROLLBOOK_ROLLUP: 'e.json', ROLLBOOK_BATCHER_KEY: key, ROLLBOOK_SEQUENCER_RPC: 'http://s:2', ROLLBOOK_L1_CONFIRMATIONS: '3' }),
    { l1Rpc: 'http://e:1', rollup: 'e.json', batcherKey: key, sequencerRpc: 'http://s:2', l1Confirmations: 3 },
  )
  t.throws(() => nodeOptionsFromArgs(['--datadir', 'd', '--l1-confirmations', 'x'], {}), { name: 'UsageError', message: /--l1-confirmations/ })
})

t.test('bad flags are usage errors that say why', async (t) => {
  for (const [args, message] of [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--datadir', 'x', '--port', 'abc'], /--port: expected a whole number/],
    [[], /--datadir is required/],
    [['--datadir'], /argument missing/],
  ] as const) {
    t.throws(() => nodeOptionsFromArgs([...args], {}), { name: 'UsageError', message }, args.join(' '))
  }
  t.type(new UsageError('x'), Error)
})

t.test('main answers option errors with exit code 2 and no stack trace', async (t) => {
  const stderr: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write
  try {
    t.equal(await main(['node', '--datadir', '/tmp/rollbook-cli-x', '--port', '70000']), 2)
    t.equal(await main(['node', '--datadir', '/tmp/rollbook-cli-nogenesis']), 2)
    t.equal(await main(['node', '--datadir', '/tmp/rollbook-cli-x', '--mode', 'oracle']), 2)
    t.equal(await main(['frobnicate']), 2)
    const keys = ['--batcher-key', `0x${'11'.repeat(32)}`, '--proposer-key', `0x${'22'.repeat(32)}`]
    t.equal(await main(['node', '--datadir', '/tmp/rollbook-cli-x', '--rollup', 'x.json', '--l1-rpc', 'http://127.0.0.1:1', ...keys, '--no-trace']), 2)
  } finally {
    process.stderr.write = write
  }
  const text = stderr.join('')
  t.match(text, /--port: Number must be less than or equal to 65535/)
  t.match(text, /--genesis FILE is required/)
  t.match(text, /--mode: Invalid enum value/)
  t.match(text, /unknown command 'frobnicate'/)
  t.match(text, /--no-trace: not with --proposer-key/)
  t.notMatch(text, /\n\s+at /, 'no stack trace')
})

t.test('the real command: help exits 0, a bad flag exits 2', async (t) => {
  const help = run('node', '--help')
  t.equal(help.status, 0)
  t.match(help.stdout, /--datadir/)
  const bad = run('node', '--bogus')
  t.equal(bad.status, 2)
  t.match(bad.stderr, /Unknown option '--bogus'/)
})

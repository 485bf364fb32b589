import { parseArgs } from 'node:util'
import type { NodeOptionsInput } from '../options.ts'

const USAGE = `Usage: rollbook <command> [options]

Commands:
  node        run a Rollbook node (sequencer by default)
  devnet      a whole local rollup: anvil L1, contracts, sequencer, replica, funded accounts
  oracle      a result committee member: votes match results from a feed on L2

Run 'rollbook <command> --help' for a command's options.`

const NODE_USAGE = `Usage: rollbook node [options]

Options:
  --mode <m>            sequencer (default), replica (derives the chain  env ROLLBOOK_MODE
                        from L1) or challenger (a replica that checks
                        every output root on L1 against its own chain)
  --datadir <dir>       where the chain is stored (required)          env ROLLBOOK_DATADIR
  --dev                 a local dev chain: the ten test-mnemonic accounts hold 1,000,000 tokens
  --genesis <file>      the chain's genesis JSON (protocol config)    env ROLLBOOK_GENESIS
  --host <host>         RPC and WebSocket host (default 127.0.0.1)     env ROLLBOOK_HOST
  --port <port>         RPC and WebSocket port (default 8547)          env ROLLBOOK_PORT
  --block-time <ms>     seal a block this often (default 250)          env ROLLBOOK_BLOCK_TIME
  --seal-txs <n>        also seal as soon as a block holds n txs       env ROLLBOOK_SEAL_TXS
                        (0: only the genesis block limit; default 0)
  --l1-rpc <url>        L1 JSON-RPC endpoint                           env ROLLBOOK_L1_RPC
  --rollup <file>       the rollup config JSON (genesis + L1 contracts) env ROLLBOOK_ROLLUP
                        its genesis replaces --genesis / --dev
  --batcher-key <hex>   sequencer: post sealed blocks to the L1 inbox  env ROLLBOOK_BATCHER_KEY
                        with this key (needs --l1-rpc and --rollup)
  --proposer-key <hex>  sequencer: post an output root per posted batch env ROLLBOOK_PROPOSER_KEY
                        with this L1 key and a bond (needs --batcher-key;
                        must be another key)
  --proposer-bond <wei> bond per output (default: the contract's minBond) env ROLLBOOK_PROPOSER_BOND
  --no-trace            no commitment worker (<datadir>/trace): a         env ROLLBOOK_TRACE=0
                        challenger then checks output roots only; not
                        with --proposer-key (outputs need their trace)
  --l1-poll <ms>        how often L1 is read for deposits, forced txs    env ROLLBOOK_L1_POLL
                        and (replica) new blocks (default 500)
  --challenger-key <hex> challenger: the L1 key for fraud proofs       env ROLLBOOK_CHALLENGER_KEY
  --settler-key <hex>    sequencer: settle every bet of a market as soon as its result is final,
                         from this L2 key                                  env ROLLBOOK_SETTLER_KEY
                        (outputs are checked; proofs come with issue 4)
  --operator-key <hex>  sequencer: the bet engine operator's L2 key;   env ROLLBOOK_OPERATOR_KEY
                        serves the rollbook_* operator API, signing
                        with it (needs --api-key; docs/operator-api.md)
  --api-key <key>       the key operator API callers send as            env ROLLBOOK_API_KEY
                        'Authorization: Bearer KEY' (16+ characters;
                        prefer the env: flags show in the process list)
  --sequencer-rpc <url> replica: forward eth_sendRawTransaction here   env ROLLBOOK_SEQUENCER_RPC
  --l1-confirmations <n>
                        L1 blocks deep before a chunk counts as posted env ROLLBOOK_L1_CONFIRMATIONS
                        or an L1 block is derived (default 0)
  --batch-interval <ms> batcher: take sealed blocks as a batch this often env ROLLBOOK_BATCH_INTERVAL
                        (default 2000)
  --max-chunk-bytes <n> batcher: largest chunk posted in one L1 call     env ROLLBOOK_MAX_CHUNK_BYTES
                        (default 12000)
  --log-level <level>   fatal|error|warn|info|debug|trace|silent      env ROLLBOOK_LOG_LEVEL
  -h, --help            this help`

const DEVNET_USAGE = `Usage: rollbook devnet --datadir <dir> [options]

Starts anvil (L1), deploys the L1 contracts, funds the ten test-mnemonic accounts with test
stablecoin on L1 and deposits half of it to L2, starts a sequencer and a replica, opens demo
markets and writes <dir>/devnet.json. Ctrl-C or SIGTERM stops everything; a second start on the
same datadir resumes.

Options:
  --datadir <dir>        where the devnet lives (required)
  --port <port>          L2 sequencer HTTP/WS port (default 8547; the replica takes the next);
                         0 picks free ports. A resumed devnet keeps its ports when they are free
  --l1-port <port>       anvil's port (default: a free one, the previous one when resuming)
  --block-time <s>       L1 seconds per block (default 1)
  --deposit-wait <s>     first start: wait this long for the deposits to show on L2 (default 30; 0: do not wait)
  --log-level <level>    fatal|error|warn|info|debug|trace|silent, into <dir>/devnet.log (default info)
  --api-key <key>        the sequencer's operator API key (16+ characters of A-Z a-z 0-9 . _ ~ + / = -;
                         default: a random one at each start, printed with an example curl line)
  -h, --help             this help`

/** Errors whose message is the whole story for the user: no stack, exit code 2. */
const USER_ERRORS = new Set(['UsageError', 'OptionsError', 'GenesisError', 'RollupConfigError', 'BatcherConfigError'])

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name}: expected a whole number, got '${value}'`)
  return Number(value)
}

/** Defaults live in the options schema; environment (ROLLBOOK_*) comes next; flags win. */
export function nodeOptionsFromArgs(args: string[], env: NodeJS.ProcessEnv): NodeOptionsInput | 'help' {
  let values
  try {
    ;({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        mode: { type: 'string' },
        datadir: { type: 'string' },
        dev: { type: 'boolean' },
        genesis: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'block-time': { type: 'string' },
        'seal-txs': { type: 'string' },
        'l1-rpc': { type: 'string' },
        rollup: { type: 'string' },
        'batcher-key': { type: 'string' },
        'proposer-key': { type: 'string' },
        'proposer-bond': { type: 'string' },
        'no-trace': { type: 'boolean' },
        'l1-poll': { type: 'string' },
        'sequencer-rpc': { type: 'string' },
        'challenger-key': { type: 'string' },
        'settler-key': { type: 'string' },
        'operator-key': { type: 'string' },
        'api-key': { type: 'string' },
        'l1-confirmations': { type: 'string' },
        'batch-interval': { type: 'string' },
        'max-chunk-bytes': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (values.help) return 'help'
  const datadir = values.datadir ?? env.ROLLBOOK_DATADIR
  if (datadir === undefined) throw new UsageError('--datadir is required')
  return {
    mode: (values.mode ?? env.ROLLBOOK_MODE) as NodeOptionsInput['mode'],
    datadir,
    dev: values.dev ?? env.ROLLBOOK_DEV === '1',
    genesis: values.genesis ?? env.ROLLBOOK_GENESIS,
    host: values.host ?? env.ROLLBOOK_HOST,
    port: intOption('port', values.port ?? env.ROLLBOOK_PORT),
    blockTimeMs: intOption('block-time', values['block-time'] ?? env.ROLLBOOK_BLOCK_TIME),
    sealAtTxs: intOption('seal-txs', values['seal-txs'] ?? env.ROLLBOOK_SEAL_TXS),
    l1Rpc: values['l1-rpc'] ?? env.ROLLBOOK_L1_RPC,
    rollup: values.rollup ?? env.ROLLBOOK_ROLLUP,
    batcherKey: values['batcher-key'] ?? env.ROLLBOOK_BATCHER_KEY,
    proposerKey: values['proposer-key'] ?? env.ROLLBOOK_PROPOSER_KEY,
    proposerBond: values['proposer-bond'] ?? env.ROLLBOOK_PROPOSER_BOND,
    trace: values['no-trace'] === true ? false : env.ROLLBOOK_TRACE === undefined ? undefined : env.ROLLBOOK_TRACE !== '0',
    l1PollMs: intOption('l1-poll', values['l1-poll'] ?? env.ROLLBOOK_L1_POLL),
    sequencerRpc: values['sequencer-rpc'] ?? env.ROLLBOOK_SEQUENCER_RPC,
    challengerKey: values['challenger-key'] ?? env.ROLLBOOK_CHALLENGER_KEY,
    settlerKey: values['settler-key'] ?? env.ROLLBOOK_SETTLER_KEY,
    operatorKey: values['operator-key'] ?? env.ROLLBOOK_OPERATOR_KEY,
    apiKey: values['api-key'] ?? env.ROLLBOOK_API_KEY,
    l1Confirmations: intOption('l1-confirmations', values['l1-confirmations'] ?? env.ROLLBOOK_L1_CONFIRMATIONS),
    batchIntervalMs: intOption('batch-interval', values['batch-interval'] ?? env.ROLLBOOK_BATCH_INTERVAL),
    maxChunkBytes: intOption('max-chunk-bytes', values['max-chunk-bytes'] ?? env.ROLLBOOK_MAX_CHUNK_BYTES),
    logLevel: (values['log-level'] ?? env.ROLLBOOK_LOG_LEVEL) as NodeOptionsInput['logLevel'],
  }
}

export interface DevnetCliOptions {
  datadir: string
  port: number | undefined
  l1Port: number | undefined
  blockTimeSeconds: number
  depositWaitSeconds: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  apiKey: string | undefined
}

/** As the node's --api-key (node/options.ts). */
const API_KEY = /^[A-Za-z0-9._~+/=-]{16,256}$/
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export function devnetOptionsFromArgs(args: string[]): DevnetCliOptions | 'help' {
  let values
  try {
    ;({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        datadir: { type: 'string' },
        port: { type: 'string' },
        'l1-port': { type: 'string' },
        'block-time': { type: 'string' },
        'deposit-wait': { type: 'string' },
        'log-level': { type: 'string' },
        'api-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (values.help) return 'help'
  if (values.datadir === undefined || values.datadir === '') throw new UsageError('--datadir is required')
  const port = (name: string, value: string | undefined) => {
    const n = intOption(name, value)
    if (n !== undefined && n > 65535) throw new UsageError(`--${name}: ${n} is not a port (0 to 65535)`)
    return n
  }
  const blockTimeSeconds = intOption('block-time', values['block-time']) ?? 1
  if (blockTimeSeconds < 1) throw new UsageError('--block-time: at least 1 second')
  const logLevel = values['log-level'] ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join('|')}, got '${logLevel}'`)
  const apiKey = values['api-key']
  if (apiKey !== undefined && !API_KEY.test(apiKey)) throw new UsageError('--api-key: expected 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -')
  return {
    datadir: values.datadir,
    port: port('port', values.port),
    l1Port: port('l1-port', values['l1-port']),
    blockTimeSeconds,
    depositWaitSeconds: intOption('deposit-wait', values['deposit-wait']) ?? 30,
    logLevel: logLevel as DevnetCliOptions['logLevel'],
    apiKey: values['api-key'],
  }
}

/** Resolves on the first SIGINT or SIGTERM; listening from the start keeps a signal during start-up from killing the process before it cleans up. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

async function runDevnet(args: string[]): Promise<number> {
  const opts = devnetOptionsFromArgs(args)
  if (opts === 'help') {
    process.stdout.write(`${DEVNET_USAGE}\n`)
    return 0
  }
  const { Devnet, DevnetError, DevnetStartStopped, formatSummary, readBalances } = await import('../devnet/index.ts')
  const startUp = new AbortController()
  const stopSignal = nextStopSignal().then((signal) => {
    process.stdout.write(`rollbook devnet: ${signal}, stopping ...\n`)
    startUp.abort()
    return signal
  })
  process.stdout.write(`rollbook devnet: starting in ${opts.datadir} ...\n`)
  let devnet
  try {
    devnet = await Devnet.start(opts, startUp.signal)
  } catch (e) {
    if (e instanceof DevnetStartStopped) {
      process.stdout.write('rollbook devnet: stopped\n')
      return 0
    }
    if (!(e instanceof DevnetError)) throw e
    process.stderr.write(`rollbook devnet: ${e.message}\n`)
    return 1
  }
  try {
    process.stdout.write(`${formatSummary(devnet.file, devnet.status, await readBalances(devnet.file), opts.datadir)}\n`)
    await stopSignal
  } finally {
    await devnet.stop()
  }
  process.stdout.write('rollbook devnet: stopped\n')
  return 0
}

async function runNode(args: string[]): Promise<number> {
  const opts = nodeOptionsFromArgs(args, process.env)
  if (opts === 'help') {
    process.stdout.write(`${NODE_USAGE}\n`)
    return 0
  }
  // loaded only when a node runs, so `--help` and usage errors answer at once
  const { RollbookNode } = await import('../rollbookNode.ts')
  const node = await RollbookNode.init(opts)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await node.close()
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`)
      return command === undefined ? 1 : 0
    }
    if (command === 'node') return await runNode(rest)
    if (command === 'devnet') return await runDevnet(rest)
    // loaded only for this command: node/oracle imports UsageError from here
    if (command === 'oracle') return await (await import('../oracle/cli.ts')).runOracle(rest)
    throw new UsageError(`unknown command '${command}'`)
  } catch (e) {
    if (e instanceof Error && USER_ERRORS.has(e.name)) {
      process.stderr.write(`rollbook: ${e.message}\n${e instanceof UsageError ? "Run 'rollbook --help' for usage.\n" : ''}`)
      return 2
    }
    process.stderr.write(`rollbook: fatal: ${(e as Error).message}\n`)
    return 1
  }
}


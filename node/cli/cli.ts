import { parseArgs } from 'node:util'
import type { NodeOptionsInput } from '../options.ts'

const USAGE = `Usage: rollbook <command> [options]

Commands:
  node        run a Rollbook node (sequencer by default)

Run 'rollbook <command> --help' for a command's options.`

const NODE_USAGE = `Usage: rollbook node [options]

Options:
  --mode <m>            sequencer (default) or replica (derives the chain from L1);
                        challenger comes later                         env ROLLBOOK_MODE
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
  --sequencer-rpc <url> replica: forward eth_sendRawTransaction here   env ROLLBOOK_SEQUENCER_RPC
  --l1-confirmations <n>
                        L1 blocks deep before a chunk counts as posted env ROLLBOOK_L1_CONFIRMATIONS
                        or an L1 block is derived (default 0)
  --batch-interval <ms> batcher: take sealed blocks as a batch this often env ROLLBOOK_BATCH_INTERVAL
                        (default 2000)
  --max-chunk-bytes <n> batcher: largest chunk posted in one L1 call     env ROLLBOOK_MAX_CHUNK_BYTES
                        (default 120000)
  --log-level <level>   fatal|error|warn|info|debug|trace|silent      env ROLLBOOK_LOG_LEVEL
  -h, --help            this help`

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
        'sequencer-rpc': { type: 'string' },
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
    sequencerRpc: values['sequencer-rpc'] ?? env.ROLLBOOK_SEQUENCER_RPC,
    l1Confirmations: intOption('l1-confirmations', values['l1-confirmations'] ?? env.ROLLBOOK_L1_CONFIRMATIONS),
    batchIntervalMs: intOption('batch-interval', values['batch-interval'] ?? env.ROLLBOOK_BATCH_INTERVAL),
    maxChunkBytes: intOption('max-chunk-bytes', values['max-chunk-bytes'] ?? env.ROLLBOOK_MAX_CHUNK_BYTES),
    logLevel: (values['log-level'] ?? env.ROLLBOOK_LOG_LEVEL) as NodeOptionsInput['logLevel'],
  }
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


import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { PreconfLog } from '../sequencer/preconfLog.ts'
import { Sequencer } from '../sequencer/sequencer.ts'
import { MethodRegistry, RpcServer, SubscriptionRegistry } from './api/index.ts'
import { RpcBackend } from './api/methods/backend.ts'
import { ethMethods } from './api/methods/eth.ts'
import { subscriptionKinds } from './api/methods/subscriptions.ts'
import { L2Chain } from './chain/chain.ts'
import { nativeCrypto } from './chain/crypto.ts'
import { ChainEvents } from './chain/events.ts'
import { devGenesis, genesisToJson, parseGenesis, type Genesis } from './chain/genesis.ts'
import { parseNodeOptions, OptionsError, type NodeOptions, type NodeOptionsInput } from './options.ts'
import { openLevel, type RollbookLevel } from './storage/level.ts'

export const CLIENT_VERSION = 'rollbook/v0.1.0'

export interface NodeUrls {
  httpUrl: string
  wsUrl: string
}

/**
 * The composition root: builds storage, chain, sequencer and API in order for the chosen mode,
 * and closes them in reverse.
 */
export class RollbookNode {
  private constructor(
    readonly opts: NodeOptions,
    readonly logger: Logger,
    readonly db: RollbookLevel,
    readonly chain: L2Chain,
    readonly events: ChainEvents,
    readonly sequencer: Sequencer | undefined,
    readonly server: RpcServer,
    readonly urls: NodeUrls,
  ) {}

  static async init(input: NodeOptionsInput, logger?: Logger): Promise<RollbookNode> {
    const opts = parseNodeOptions(input)
    const log = logger ?? pino({ level: opts.logLevel, base: { pid: process.pid } })
    if (opts.mode !== 'sequencer') throw new OptionsError(`--mode ${opts.mode} needs the L1 pipeline, which this build does not have yet`)
    mkdirSync(opts.datadir, { recursive: true })
    const genesis = loadGenesis(opts)
    const db = await openLevel(join(opts.datadir, 'chaindata')).catch((e: Error) => {
      throw new OptionsError(`cannot open ${opts.datadir}: ${e.message}${String(e.cause ?? '').includes('lock') ? ' (is another node running on it?)' : ''}`)
    })
    try {
      const chain = await L2Chain.init(genesis, { db, logger: log })
      const events = new ChainEvents()
      const preconfLog = await PreconfLog.open(join(opts.datadir, 'preconf'))
      const sequencer = new Sequencer({ blockTimeMs: opts.blockTimeMs, sealAtTxs: opts.sealAtTxs }, { chain, events, preconfLog, logger: log })
      await sequencer.start()
      const backend = new RpcBackend({ chain, events, sequencer })
      const server = new RpcServer(
        { host: opts.host, port: opts.port },
        {
          logger: log,
          methods: new MethodRegistry(ethMethods(backend, { clientVersion: CLIENT_VERSION })),
          subscriptions: new SubscriptionRegistry(subscriptionKinds(backend)),
        },
      )
      const urls = await server.start()
      log.info({ ...urls, chainId: genesis.chainId, mode: opts.mode, nativeCrypto }, 'rollbook node ready')
      return new RollbookNode(opts, log, db, chain, events, sequencer, server, urls)
    } catch (e) {
      await db.close()
      throw e
    }
  }

  async close(): Promise<void> {
    await this.server.close()
    await this.sequencer?.stop()
    await this.db.close()
    this.logger.info('rollbook node stopped')
  }
}

/** --genesis FILE, or in --dev mode the datadir's genesis.json, written on first start. */
function loadGenesis(opts: NodeOptions): Genesis {
  const devFile = join(opts.datadir, 'genesis.json')
  const file = opts.genesis ?? (opts.dev ? devFile : undefined)
  if (file === undefined) throw new OptionsError('--genesis FILE is required (or --dev for a local dev chain)')
  if (!existsSync(file)) {
    if (!opts.dev || opts.genesis !== undefined) throw new OptionsError(`genesis file ${file} does not exist`)
    const genesis = parseGenesis(devGenesis(Math.floor(Date.now() / 1000)))
    writeFileSync(devFile, JSON.stringify(genesisToJson(genesis), null, 2))
    return genesis
  }
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new OptionsError(`genesis file ${file} is not valid JSON: ${(e as Error).message}`)
  }
  return parseGenesis(json)
}

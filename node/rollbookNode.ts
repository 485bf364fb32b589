import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { createPublicClient, createWalletClient, defineChain, http, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { Batcher } from '../sequencer/batcher/index.ts'
import { Proposer, ProposerCriticalError, type BatchTraceFn } from '../sequencer/proposer/index.ts'
import { PreconfLog } from '../sequencer/preconfLog.ts'
import { SenderRecovery } from './chain/senderRecovery.ts'
import { Sequencer } from '../sequencer/sequencer.ts'
import { MethodRegistry, RpcServer, SubscriptionRegistry } from './api/index.ts'
import { RpcBackend } from './api/methods/backend.ts'
import { ethMethods } from './api/methods/eth.ts'
import { forwardRawTxTo } from './api/methods/forward.ts'
import { subscriptionKinds } from './api/methods/subscriptions.ts'
import { operatorMethods } from './api/methods/operator.ts'
import { L2Chain } from './chain/chain.ts'
import { nativeCrypto } from './chain/crypto.ts'
import { ChainEvents } from './chain/events.ts'
import { devGenesis, genesisToJson, parseGenesis, type Genesis } from './chain/genesis.ts'
import { Replica } from './derive/index.ts'
import { parseRollupConfig, type RollupConfig } from './rollup/config.ts'
import { parseNodeOptions, OptionsError, type NodeOptions, type NodeOptionsInput } from './options.ts'
import { openLevel, type RollbookLevel } from './storage/level.ts'
import { QueueWatcher } from './l1/queueWatcher.ts'
import { CommitmentWorker, TraceDivergedError, TraceWorkerError } from './trace/index.ts'
import type { DishonestLie } from './trace/options.ts'
import { Challenger } from '../prover-fraud/challenger.ts'
import { SettlementService } from '../sequencer/settlement/settlementService.ts'
import { OperatorSender } from '../sequencer/operator/operatorSender.ts'
import { maxTxBytesForChunks } from '../sequencer/batcher/txLimit.ts'
import { Address as EthAddress } from '@ethereumjs/util'

export const CLIENT_VERSION = 'rollbook/v0.1.0'

export interface NodeUrls {
  httpUrl: string
  wsUrl: string
}

/**
 * The composition root: builds storage, chain, sequencer and API in order for the chosen mode,
 * and closes them in reverse.
 */
export interface RollbookNodeParts {
  db: RollbookLevel
  events: ChainEvents
  backend: RpcBackend
  sequencer?: Sequencer
  /** the sequencer's sender recovery thread */
  senderRecovery?: SenderRecovery
  batcher?: Batcher
  proposer?: Proposer
  trace?: CommitmentWorker
  queueWatcher?: QueueWatcher
  replica?: Replica
  challenger?: Challenger
  settlement?: SettlementService
  /** the operator API's signer (--operator-key with --api-key) */
  operator?: OperatorSender
  server: RpcServer
  urls: NodeUrls
}

/**
 * The composition root: builds storage, chain, sequencer (or replica) and API in order for the
 * chosen mode, and closes them in reverse.
 *
 * - sequencer: storage -> chain -> sequencer -> batcher (with --batcher-key, --l1-rpc, --rollup) -> API
 * - replica: storage -> Replica (derives the chain from L1) -> API (no sequencer; raw txs are
 *   forwarded to --sequencer-rpc)
 */
export class RollbookNode {
  readonly db: RollbookLevel
  readonly events: ChainEvents
  readonly backend: RpcBackend
  readonly sequencer: Sequencer | undefined
  private readonly senderRecovery: SenderRecovery | undefined
  readonly batcher: Batcher | undefined
  readonly proposer: Proposer | undefined
  /** the commitment worker: batch traces for the proposer (with --proposer-key), the challenger's own trace (unless --no-trace) */
  readonly trace: CommitmentWorker | undefined
  readonly queueWatcher: QueueWatcher | undefined
  readonly replica: Replica | undefined
  readonly challenger: Challenger | undefined
  readonly settlement: SettlementService | undefined
  readonly operator: OperatorSender | undefined
  readonly server: RpcServer
  readonly urls: NodeUrls

  private constructor(
    readonly opts: NodeOptions,
    readonly logger: Logger,
    parts: RollbookNodeParts,
  ) {
    this.db = parts.db
    this.events = parts.events
    this.backend = parts.backend
    this.sequencer = parts.sequencer
    this.senderRecovery = parts.senderRecovery
    this.batcher = parts.batcher
    this.proposer = parts.proposer
    this.trace = parts.trace
    this.queueWatcher = parts.queueWatcher
    this.replica = parts.replica
    this.challenger = parts.challenger
    this.settlement = parts.settlement
    this.operator = parts.operator
    this.server = parts.server
    this.urls = parts.urls
  }

  /** The chain served (on a replica, replaced by a rewind: read it again, never keep it). */
  get chain(): L2Chain {
    return this.backend.chain
  }

  /**
   * `testing` holds switches that no CLI flag reaches: `relayL1Messages: false` makes a sequencer
   * that ignores the L1 queue (a censoring sequencer, for the forced-inclusion tests);
   * `dishonestTrace` makes the proposer's commitment worker hand out wrong traces (the fraud
   * proof tests, node/trace/options.ts).
   */
  static async init(input: NodeOptionsInput, logger?: Logger, testing: { relayL1Messages?: boolean; dishonestTrace?: DishonestLie[] } = {}): Promise<RollbookNode> {
    const opts = parseNodeOptions(input)
    const log = logger ?? pino({ level: opts.logLevel, base: { pid: process.pid } })
    mkdirSync(opts.datadir, { recursive: true })
    const rollup = opts.rollup === undefined ? undefined : loadRollupConfig(opts.rollup)
    const genesis = rollup?.genesis ?? loadGenesis(opts)
    checkOperatorKey(opts, genesis)
    const db = await openLevel(join(opts.datadir, 'chaindata')).catch((e: Error) => {
      throw new OptionsError(`cannot open ${opts.datadir}: ${e.message}${String(e.cause ?? '').includes('lock') ? ' (is another node running on it?)' : ''}`)
    })
    const started: { stop(): Promise<void> }[] = []
    try {
      const events = new ChainEvents()
      let parts: Omit<RollbookNodeParts, 'server' | 'urls'>
      if (opts.mode === 'replica' || opts.mode === 'challenger') {
        const config = rollup!
        const client = createPublicClient({ transport: http(opts.l1Rpc!), pollingInterval: opts.l1PollMs }) as PublicClient
        let backend: RpcBackend | undefined
        const replica = await Replica.init(
          { l1Confirmations: opts.l1Confirmations, pollMs: opts.l1PollMs },
          {
            config,
            db,
            client,
            logger: log,
            onChainReplaced: (chain) => backend?.setChain(chain),
            events,
          },
        )
        backend = new RpcBackend({ chain: replica.chain, events, forwardRawTx: opts.sequencerRpc === undefined ? undefined : forwardRawTxTo(opts.sequencerRpc) })
        replica.start()
        started.push(replica)
        let challenger: Challenger | undefined
        let trace: CommitmentWorker | undefined
        if (opts.mode === 'challenger') {
          // its own trace of the derived chain, to compare leaf by leaf and to build proofs from
          trace = opts.trace ? await CommitmentWorker.start({ datadir: opts.datadir }, { chain: replica.chain, events, logger: log }) : undefined
          if (trace !== undefined) started.push(trace)
          const contracts = config.l1.contracts
          const wallet =
            opts.challengerKey === undefined
              ? undefined
              : createWalletClient({ account: privateKeyToAccount(opts.challengerKey as Hex), chain: l1Chain(config.l1.chainId, opts.l1Rpc!), transport: http(opts.l1Rpc!) })
          if (wallet !== undefined && contracts.fraudVerifier === undefined) log.warn('--challenger-key given but the rollup config names no fraudVerifier: wrong outputs are reported, not proven')
          challenger = new Challenger(
            { outputRoots: contracts.outputRoots, inbox: contracts.inbox, messageQueue: contracts.messageQueue, startBlock: BigInt(config.l1.startBlock), fraudVerifier: contracts.fraudVerifier, pollMs: opts.l1PollMs },
            { client, chain: () => replica.chain, trace, wallet, logger: log },
          )
          challenger.start()
          started.push(challenger)
        }
        parts = { db, events, backend, replica, challenger, trace }
      } else {
        const chain = await L2Chain.init(genesis, { db, logger: log })
        const preconfLog = await PreconfLog.open(join(opts.datadir, 'preconf'))
        const senderRecovery = await SenderRecovery.start(genesis.chainId, log)
        started.push(senderRecovery)
        const posts = opts.batcherKey !== undefined && rollup !== undefined && opts.l1Rpc !== undefined
        // a sequencer that posts accepts only txs whose record fits a chunk: else the batcher would stall on it
        const sequencer = new Sequencer(
          { blockTimeMs: opts.blockTimeMs, sealAtTxs: opts.sealAtTxs, ...(posts ? { maxTxBytes: maxTxBytesForChunks(opts.maxChunkBytes) } : {}) },
          { chain, events, preconfLog, logger: log, senderRecovery },
        )
        await sequencer.start()
        started.push(sequencer)
        let batcher: Batcher | undefined
        if (opts.batcherKey !== undefined && rollup !== undefined && opts.l1Rpc !== undefined) {
          batcher = new Batcher(
            {
              l1RpcUrl: opts.l1Rpc,
              inbox: rollup.l1.contracts.inbox,
              l1ChainId: rollup.l1.chainId,
              privateKey: opts.batcherKey as Hex,
              l1Confirmations: opts.l1Confirmations,
              ...(opts.batchIntervalMs === undefined ? {} : { batchIntervalMs: opts.batchIntervalMs }),
              ...(opts.maxChunkBytes === undefined ? {} : { maxChunkBytes: opts.maxChunkBytes }),
            },
            { chain, store: chain.store, logger: log },
          )
          await batcher.start()
          started.push(batcher)
        }
        let proposer: Proposer | undefined
        let trace: CommitmentWorker | undefined
        if (opts.proposerKey !== undefined && batcher !== undefined) {
          // options refuse --no-trace with a proposer: an output carries its batch's trace
          trace = await CommitmentWorker.start({ datadir: opts.datadir, ...(testing.dishonestTrace === undefined ? {} : { dishonest: testing.dishonestTrace }) }, { chain, events, logger: log })
          started.push(trace)
          proposer = new Proposer(
            {
              l1RpcUrl: opts.l1Rpc!,
              outputRoots: rollup!.l1.contracts.outputRoots,
              inbox: rollup!.l1.contracts.inbox,
              l1ChainId: rollup!.l1.chainId,
              l1StartBlock: rollup!.l1.startBlock,
              privateKey: opts.proposerKey as Hex,
              l1Confirmations: opts.l1Confirmations,
              ...(opts.proposerBond !== undefined ? { bond: opts.proposerBond } : {}),
            },
            { store: chain.store, logger: log, batchTrace: batchTraceFrom(trace) },
          )
          await proposer.start()
          started.push(proposer)
        }
        let queueWatcher: QueueWatcher | undefined
        if (rollup !== undefined && opts.l1Rpc !== undefined && testing.relayL1Messages !== false) {
          // deposits and forced txs: relayed into the open block as soon as L1 has them
          queueWatcher = new QueueWatcher(
            { queue: rollup.l1.contracts.messageQueue, startBlock: BigInt(rollup.l1.startBlock), confirmations: opts.l1Confirmations, pollMs: opts.l1PollMs },
            { client: createPublicClient({ transport: http(opts.l1Rpc, { retryCount: 0 }) }) as PublicClient, logger: log, onMessages: (messages) => sequencer.relayL1Messages(messages) },
          )
          queueWatcher.start()
          started.push(queueWatcher)
        }
        let settlement: SettlementService | undefined
        if (opts.settlerKey !== undefined) {
          // winners are paid as soon as a result is final, without anyone asking
          settlement = new SettlementService({ privateKey: opts.settlerKey as Hex, chunkSize: 256 }, {
              chain,
              events,
              submitRawTx: (raw) => sequencer.submitRawTx(raw),
              nonceOf: (address) => sequencer.readPending(async () => (await chain.liveState.getAccount(new EthAddress(address)))?.nonce ?? 0n),
              logger: log,
            },
          )
          await settlement.start()
          started.push(settlement)
        }
        let operator: OperatorSender | undefined
        if (opts.operatorKey !== undefined) {
          operator = new OperatorSender({ privateKey: opts.operatorKey as Hex }, {
            chain,
            submitRawTx: (raw) => sequencer.submitRawTx(raw),
            nonceOf: (address) => sequencer.readPending(async () => (await chain.liveState.getAccount(new EthAddress(address)))?.nonce ?? 0n),
            logger: log,
          })
        }
        parts = { db, events, backend: new RpcBackend({ chain, events, sequencer }), sequencer, senderRecovery, batcher, proposer, trace, queueWatcher, settlement, operator }
      }
      const server = new RpcServer(
        { host: opts.host, port: opts.port },
        {
          logger: log,
          methods: new MethodRegistry([
            ...ethMethods(parts.backend, { clientVersion: CLIENT_VERSION }),
            ...(parts.operator === undefined ? [] : operatorMethods({ backend: parts.backend, send: (data) => parts.operator!.send(data), apiKey: opts.apiKey!, logger: log })),
          ]),
          subscriptions: new SubscriptionRegistry(subscriptionKinds(parts.backend)),
        },
      )
      const urls = await server.start()
      if (opts.mode === 'sequencer' && !youngGenerationSized()) {
        log.warn(
          'V8 young generation at its default size: under load a sequencer pauses 100-300 ms in GC (docs/decisions/0009); start it with `node --max-semi-space-size=64` (./bin/rollbook.js and npm start do)',
        )
      }
      log.info(
        { ...urls, chainId: genesis.chainId, mode: opts.mode, nativeCrypto, batcher: parts.batcher !== undefined, proposer: parts.proposer !== undefined, operatorApi: parts.operator?.address, l1Rpc: opts.l1Rpc, forwardsTo: opts.sequencerRpc },
        'rollbook node ready',
      )
      return new RollbookNode(opts, log, { ...parts, server, urls })
    } catch (e) {
      for (const part of started.reverse()) await part.stop().catch(() => undefined)
      await db.close()
      throw e
    }
  }

  async close(): Promise<void> {
    // the batcher first: it reads the sealed blocks the sequencer writes
    await this.settlement?.stop()
    await this.queueWatcher?.stop()
    await this.proposer?.stop()
    await this.trace?.stop()
    await this.batcher?.stop()
    await this.server.close()
    await this.challenger?.stop()
    await this.replica?.stop()
    await this.sequencer?.stop()
    await this.senderRecovery?.stop()
    await this.db.close()
    this.logger.info('rollbook node stopped')
  }
}

/** The proposer's batch traces from the commitment worker; a worker that diverged or died stops the proposer (a wrong trace loses the bond). */
function batchTraceFrom(trace: CommitmentWorker): BatchTraceFn {
  return async (batch, chunks, l1Timestamps) => {
    try {
      const { leaves, lastLeaf } = await trace.traceBatch(batch, chunks, l1Timestamps)
      return { leaves, lastLeaf }
    } catch (e) {
      if (e instanceof TraceDivergedError || e instanceof TraceWorkerError) throw new ProposerCriticalError(`no trace for batch ${batch.batchIndex}: ${e.message}`, { cause: e })
      throw e
    }
  }
}

/** The L1 chain as viem's wallet client needs it. */
function l1Chain(id: number, rpc: string) {
  return defineChain({ id, name: `L1 ${id}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpc] } } })
}

/** The bet engine takes operator calls from the genesis operator only: any other --operator-key would make every call revert. */
function checkOperatorKey(opts: NodeOptions, genesis: Genesis): void {
  if (opts.operatorKey === undefined) return
  const address = privateKeyToAccount(opts.operatorKey as Hex).address
  if (address.toLowerCase() !== genesis.betEngine.operator.toLowerCase()) {
    throw new OptionsError(`--operator-key: its address ${address} is not the bet engine operator ${genesis.betEngine.operator} of this chain's genesis`)
  }
}

/** --rollup FILE: the rollup config (genesis and L1 contracts). */
function loadRollupConfig(file: string): RollupConfig {
  if (!existsSync(file)) throw new OptionsError(`--rollup: file ${file} does not exist`)
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new OptionsError(`--rollup: ${file} is not valid JSON: ${(e as Error).message}`)
  }
  return parseRollupConfig(json)
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

/** Whether the process was started with a young generation sized for the sequencer (docs/decisions/0009). */
function youngGenerationSized(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) => flag.startsWith('--max-semi-space-size'))
}

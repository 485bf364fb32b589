/**
 * `rollbook devnet`: a whole rollup on one machine. The first start on a datadir runs anvil,
 * deploys the L1 contracts, funds the ten test accounts on L1 and deposits half to L2, starts a
 * sequencer (batcher on) and a replica, opens demo markets and writes DIR/devnet.json. A later
 * start finds devnet.json and resumes: anvil from its saved state, the nodes from their datadirs.
 * `stop()` closes the nodes, then anvil (which dumps its state), then frees the datadir.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pino, type Logger } from 'pino'
import { createPublicClient, http, keccak256, toHex, type Address } from 'viem'
import { BET_ENGINE_ADDRESS } from '../../sdk/src/constants.ts'
import { defineRollbookChain } from '../../sdk/src/chain.ts'
import { getBalance } from '../../sdk/src/actions/getBalance.ts'
import { DEV_CHAIN_ID, genesisToJson, parseGenesis, type Genesis } from '../chain/genesis.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'
import { RollbookNode } from '../rollbookNode.ts'
import type { RollupConfigInput } from '../rollup/config.ts'
import { accountWithRole, devnetAccounts } from './accounts.ts'
import { saveAnvilState, startAnvil, type AnvilInstance } from './anvil.ts'
import { devnetPaths, lockDatadir, PortChooser, removeUnfinishedSetup, stopLeftoverAnvil } from './datadir.ts'
import { readDevnetFile, writeDevnetFile, type DevnetFile } from './devnetFile.ts'
import { DevnetError, DevnetStartStopped } from './errors.ts'
import { DEVNET_CHALLENGE_WINDOW_SECONDS, DEVNET_MIN_BOND, L1_CHAIN_ID, setUpL1 } from './l1Setup.ts'
import { createDemoMarkets } from './markets.ts'

/** The devnet sequencer's settlement key: public and fixed (an L2 sender only; fees are zero). */
const DEVNET_SETTLER_KEY = keccak256(toHex('rollbook/devnet/settler'))

export const DEFAULT_L2_PORT = 8547

export interface DevnetOptions {
  datadir: string
  /** the sequencer's HTTP/WS port (the replica's is the next one); 0 picks free ports */
  port?: number
  /** anvil's port; a free one when omitted */
  l1Port?: number
  /** L1 seconds per block */
  blockTimeSeconds: number
  /** first start: how long to wait for the deposits to show as L2 balances (0: do not wait) */
  depositWaitSeconds: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** the sequencer's operator API key (docs/operator-api.md); a random one at each start when omitted */
  apiKey?: string
}

export interface DevnetStatus {
  resumed: boolean
  /** first start only: whether every deposit showed on L2 within the wait; undefined when not waited for */
  depositsCredited: boolean | undefined
  devnetFile: string
  logFile: string
  /** the operator API's key (the sequencer signs with the operator, account 0); kept out of devnet.json */
  operatorApi?: { apiKey: string; random: boolean }
}

/** Anvil dumps its state this often besides on exit, so a kill -9 loses at most this much L1. */
const STATE_INTERVAL_SECONDS = 10

export class Devnet {
  private stopping: Promise<void> | undefined

  private constructor(
    readonly file: DevnetFile,
    readonly status: DevnetStatus,
    readonly sequencer: RollbookNode,
    readonly replica: RollbookNode,
    private readonly anvil: AnvilInstance,
    private readonly anvilPidFile: string,
    private readonly releaseLock: () => void,
    private readonly log: Logger,
  ) {}

  /** `stop` aborted: start stops what it has started at the next step and throws DevnetStartStopped. */
  static async start(opts: DevnetOptions, stop?: AbortSignal): Promise<Devnet> {
    const stopIfAsked = () => {
      if (stop?.aborted) throw new DevnetStartStopped('stopped during start-up')
    }
    const datadir = resolve(opts.datadir)
    const paths = devnetPaths(datadir)
    try {
      mkdirSync(datadir, { recursive: true })
    } catch (e) {
      throw new DevnetError(`cannot create the datadir ${datadir}: ${(e as Error).message}`)
    }
    const lock = lockDatadir(datadir)
    const undo: Array<() => Promise<void> | void> = [() => lock.release()]
    try {
      await stopLeftoverAnvil(datadir)
      const saved = readDevnetFile(paths.devnetFile)
      if (saved === undefined) removeUnfinishedSetup(datadir)
      mkdirSync(resolve(paths.anvilState, '..'), { recursive: true })
      const log = pino({ level: opts.logLevel, base: { pid: process.pid } }, pino.destination({ dest: paths.logFile, sync: true, append: true }))

      const ports = new PortChooser()
      const sequencerPort = await ports.choose({ requested: opts.port, saved: saved?.l2.sequencer.port, fallback: DEFAULT_L2_PORT, flag: '--port', what: 'L2 sequencer' })
      const replicaPort = await ports.choose({
        requested: opts.port === undefined || opts.port === 0 ? undefined : opts.port + 1,
        saved: saved?.l2.replica.port,
        fallback: opts.port === 0 ? undefined : sequencerPort + 1,
        flag: '--port',
        what: 'L2 replica, the sequencer port + 1',
      })
      const l1Port = await ports.choose({ requested: opts.l1Port, saved: saved?.l1.port, flag: '--l1-port', what: 'L1 anvil' })

      const anvil = await startAnvil({
        port: l1Port,
        chainId: L1_CHAIN_ID,
        blockTime: opts.blockTimeSeconds,
        stateFile: paths.anvilState,
        stateIntervalSeconds: STATE_INTERVAL_SECONDS,
      }).catch((e: Error) => {
        throw new DevnetError(`anvil did not start on port ${l1Port}: ${e.message}`)
      })
      writeFileSync(paths.anvilPid, String(anvil.pid))
      undo.push(async () => {
        await anvil.stop()
        rmSync(paths.anvilPid, { force: true })
      })
      stopIfAsked()
      log.info({ rpcUrl: anvil.rpcUrl, resumed: saved !== undefined }, 'devnet: anvil running')

      const { accounts, signers } = devnetAccounts()
      let l1: { contracts: DevnetFile['l1']['contracts']; startBlock: number }
      if (saved === undefined) {
        const genesis = devnetGenesis(accounts)
        const { addresses, startBlock } = await setUpL1(anvil.rpcUrl, await genesisLeaf(genesis), { chainId: genesis.chainId, maxTxsPerBlock: genesis.maxTxsPerBlock })
        l1 = {
          contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token, fraudVerifier: addresses.fraudVerifier },
          startBlock,
        }
        writeRollupConfig(paths.rollupFile, genesis, l1)
        log.info({ ...l1.contracts, startBlock }, 'devnet: L1 contracts deployed, accounts funded, deposits queued')
      } else {
        l1 = { contracts: saved.l1.contracts, startBlock: saved.l1.startBlock }
        await checkL1StateKept(anvil.rpcUrl, l1.contracts.bridge, paths.anvilState)
      }
      stopIfAsked()

      const apiKey = opts.apiKey ?? randomBytes(24).toString('base64url')
      const sequencer = await RollbookNode.init(
        {
          datadir: paths.sequencer,
          port: sequencerPort,
          rollup: paths.rollupFile,
          l1Rpc: anvil.rpcUrl,
          batcherKey: accountWithRole(accounts, 'batcher').privateKey,
          proposerKey: accountWithRole(accounts, 'proposer').privateKey,
          // the settlement service pays winners as soon as a result is final (its txs cost no fee)
          settlerKey: DEVNET_SETTLER_KEY,
          // the operator API: market management over JSON-RPC, signed by the operator account
          operatorKey: accountWithRole(accounts, 'operator').privateKey,
          apiKey,
          logLevel: opts.logLevel,
        },
        log.child({ node: 'sequencer' }),
      ).catch(nodeDidNotStart('sequencer', paths.sequencer))
      undo.push(() => sequencer.close())
      stopIfAsked()
      const replica = await RollbookNode.init(
        { mode: 'replica', datadir: paths.replica, port: replicaPort, rollup: paths.rollupFile, l1Rpc: anvil.rpcUrl, sequencerRpc: sequencer.urls.httpUrl, logLevel: opts.logLevel },
        log.child({ node: 'replica' }),
      ).catch(nodeDidNotStart('replica', paths.replica))
      undo.push(() => replica.close())
      stopIfAsked()

      let depositsCredited: boolean | undefined
      let markets = saved?.markets
      if (markets === undefined) {
        markets = await createDemoMarkets(sequencer.urls.httpUrl, DEV_CHAIN_ID, signers[accountWithRole(accounts, 'operator').index])
        stopIfAsked()
        if (opts.depositWaitSeconds > 0) depositsCredited = await waitForDeposits(sequencer.urls.httpUrl, accounts, opts.depositWaitSeconds * 1000, stop)
        stopIfAsked()
        // devnet.json means "resumable": the L1 it describes must be on disk before it is written
        await saveAnvilState(anvil.rpcUrl, paths.anvilState)
      }

      const file = writeDevnetFile(paths.devnetFile, {
        version: 1,
        createdAt: saved?.createdAt ?? new Date().toISOString(),
        rollupConfig: paths.rollupFile,
        l1: {
          chainId: L1_CHAIN_ID,
          httpUrl: anvil.rpcUrl,
          wsUrl: anvil.wsUrl,
          port: anvil.port,
          blockTimeSeconds: opts.blockTimeSeconds,
          startBlock: l1.startBlock,
          challengeWindowSeconds: saved?.l1.challengeWindowSeconds ?? DEVNET_CHALLENGE_WINDOW_SECONDS,
          minBond: saved?.l1.minBond ?? DEVNET_MIN_BOND.toString(),
          contracts: l1.contracts,
        },
        l2: {
          chainId: DEV_CHAIN_ID,
          betEngine: BET_ENGINE_ADDRESS,
          sequencer: { ...sequencer.urls, port: sequencerPort },
          replica: { ...replica.urls, port: replicaPort },
        },
        accounts: accounts.map((a) => ({ ...a, l1Minted: a.l1Minted.toString(), l2Deposit: a.l2Deposit.toString() })),
        markets,
      })
      log.info({ file: paths.devnetFile }, 'devnet ready')
      const status: DevnetStatus = { resumed: saved !== undefined, depositsCredited, devnetFile: paths.devnetFile, logFile: paths.logFile, operatorApi: { apiKey, random: opts.apiKey === undefined } }
      return new Devnet(file, status, sequencer, replica, anvil, paths.anvilPid, lock.release, log)
    } catch (e) {
      for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined)
      throw e
    }
  }

  /** Nodes first, then anvil (it dumps its state on exit), then the datadir lock. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.replica.close()
      await this.sequencer.close()
      await this.anvil.stop()
      rmSync(this.anvilPidFile, { force: true })
      this.releaseLock()
      this.log.info('devnet stopped')
    })()
    return this.stopping
  }
}

/** No balances at genesis: every L2 balance comes from a bridge deposit, so L1 and L2 money agree. */
function devnetGenesis(accounts: ReturnType<typeof devnetAccounts>['accounts']): Genesis {
  return parseGenesis({
    chainId: DEV_CHAIN_ID,
    timestamp: Math.floor(Date.now() / 1000),
    betEngine: { operator: accountWithRole(accounts, 'operator').address, oracle: accountWithRole(accounts, 'oracle').address },
  })
}

function writeRollupConfig(file: string, genesis: Genesis, l1: { contracts: DevnetFile['l1']['contracts']; startBlock: number }): void {
  const config: RollupConfigInput = { genesis: genesisToJson(genesis), l1: { chainId: L1_CHAIN_ID, startBlock: l1.startBlock, contracts: l1.contracts } }
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`)
}

/** A node's start-up error (e.g. its datadir held by another process) as a DevnetError: exit code 1, no stack. */
function nodeDidNotStart(which: string, datadir: string) {
  return (e: Error): never => {
    throw new DevnetError(`the ${which} did not start (${datadir}): ${e.message}`)
  }
}

/** A resumed devnet needs anvil's saved state: without it the L1 contracts are gone. */
async function checkL1StateKept(rpcUrl: string, bridge: Address, stateFile: string): Promise<void> {
  const code = await createPublicClient({ transport: http(rpcUrl) }).getCode({ address: bridge })
  if (code === undefined || code === '0x') {
    throw new DevnetError(`the L1 state was lost (${stateFile} does not hold the deployed contracts); remove the datadir to start a fresh devnet`)
  }
}

/** Polls the sequencer until each account's bet engine balance shows its deposit; false on timeout. */
async function waitForDeposits(l2HttpUrl: string, accounts: ReadonlyArray<{ address: Address; l2Deposit: bigint }>, timeoutMs: number, stop?: AbortSignal): Promise<boolean> {
  const client = createPublicClient({ chain: defineRollbookChain({ id: DEV_CHAIN_ID, rpcUrl: l2HttpUrl }), transport: http(l2HttpUrl) })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const balances = await Promise.all(accounts.map((a) => getBalance(client, { address: a.address })))
    if (balances.every((balance, i) => balance >= accounts[i].l2Deposit)) return true
    if (Date.now() >= deadline || stop?.aborted) return false
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

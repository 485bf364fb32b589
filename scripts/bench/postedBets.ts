/**
 * The setup the L1 sections share: the bench's bets sequenced by a real in-process sequencer
 * (RollbookNode with --rollup, --l1-rpc and --batcher-key, so its own batcher posts) on a real
 * anvil with the L1 contracts; markets are posted first, so the bets' chunks hold bets only.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { pino } from 'pino'
import { hexToBytes, type Hex, type PublicClient } from 'viem'
import { deployContracts, startL1, type Deployment, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'
import { DEV_CHAIN_ID, genesisToJson, type Genesis } from '../../node/chain/genesis.ts'
import { RollbookNode } from '../../node/rollbookNode.ts'
import { parseRollupConfig, type RollupConfig } from '../../node/rollup/config.ts'
import { genesisLeaf } from '../../node/rollup/genesisLeaf.ts'
import { tempDatadir } from '../../node/testing/testNode.ts'
import { sequencerKey } from '../../sequencer/batcher/testing.ts'
import { signAll, type SignedTx } from './signing.ts'
import { benchAccounts, benchGenesis, betTasks, marketTasks } from './workload.ts'

export interface PostedBetsConfig {
  bets: number
  bettors: number
  markets: number
  /** bets submitted to the sequencer at once (each waits for its preconfirmation) */
  inFlight: number
  /** the batcher's --max-chunk-bytes */
  maxChunkBytes: number
}

export interface SequencingRate {
  /** first submit to the last preconfirmation */
  preconfirmedSeconds: number
  /** first submit until the last bet's block is sealed */
  sealedSeconds: number
  betsPerS: number
}

export interface PostedBets {
  l1: L1
  /** a viem client on L1 for the replica */
  client: PublicClient
  deployment: Deployment
  config: RollupConfig
  genesis: Genesis
  /** the markets and the bets as signed (EIP-1559, RLP), in the order sequenced */
  signedMarkets: SignedTx[]
  signedBets: SignedTx[]
  bets: number
  /** txs of the whole chain: markets and bets */
  txs: number
  /** the inbox's first chunk number holding bets (everything before it holds the markets) */
  firstBetChunk: bigint
  maxChunkBytes: number
  head: { number: bigint; hash: Hex; stateRoot: Hex }
  sequencing: SequencingRate
  close(): Promise<void>
}

const silent = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Submits in order, at most `inFlight` open; resolves when every tx is preconfirmed and succeeded. */
export async function submitAll(node: RollbookNode, txs: SignedTx[], inFlight: number): Promise<void> {
  const sequencer = node.sequencer!
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(inFlight, txs.length) }, async () => {
      while (next < txs.length) {
        const tx = txs[next++]
        const result = await sequencer.submitRawTx(hexToBytes(tx.raw))
        if (result.status !== 'preconfirmed' || result.executed.status !== 1) throw new Error(`tx ${tx.hash} was ${result.status === 'preconfirmed' ? 'reverted' : result.status}`)
      }
    }),
  )
}

/** Waits until the tx is in a sealed block: no longer in the open or sealing block, and indexed by the store. */
export async function waitSealed(node: RollbookNode, hash: Hex): Promise<void> {
  const store = node.chain.store
  await waitFor(`tx ${hash} sealed`, async () => node.sequencer!.findPreconfirmed(hash) === undefined && (await store.getTxLocation(hexToBytes(hash))) !== undefined)
}

/** Waits until the node's batcher has posted every sealed block. */
async function waitPosted(node: RollbookNode): Promise<bigint> {
  const head = node.chain.head.header.number
  const batcher = node.batcher!
  await waitFor(`batcher to post up to L2 block ${head} (state ${batcher.state})`, () => {
    const posted = batcher.posted
    return batcher.state === 'running' && posted !== undefined && posted.lastPostedBlock >= head && posted.batch === undefined
  })
  return batcher.posted!.chunksPosted
}

/** Submits the bets and times them: to the last preconfirmation (the rate), and to its block sealed. */
export async function sequenceTimed(node: RollbookNode, bets: SignedTx[], inFlight: number): Promise<SequencingRate> {
  const start = performance.now()
  await submitAll(node, bets, inFlight)
  const preconfirmedAt = performance.now()
  await waitSealed(node, bets[bets.length - 1].hash)
  const sealedAt = performance.now()
  return {
    preconfirmedSeconds: (preconfirmedAt - start) / 1000,
    sealedSeconds: (sealedAt - start) / 1000,
    betsPerS: bets.length / ((preconfirmedAt - start) / 1000),
  }
}

/**
 * The sequencer's rate on the same bets again: a fresh in-process node on an empty datadir with
 * the same genesis and no batcher, markets first (untimed), then the bets timed.
 */
export async function sequencingRate(posted: Pick<PostedBets, 'genesis' | 'signedMarkets' | 'signedBets'>, inFlight: number): Promise<SequencingRate> {
  const datadir = tempDatadir('rollbook-bench-sequencer-')
  const genesisFile = join(datadir, 'genesis.json')
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(posted.genesis), null, 2))
  const node = await RollbookNode.init({ datadir: join(datadir, 'sequencer'), genesis: genesisFile, port: 0 }, silent)
  try {
    await submitAll(node, posted.signedMarkets, 1)
    await waitSealed(node, posted.signedMarkets[posted.signedMarkets.length - 1].hash)
    return await sequenceTimed(node, posted.signedBets, inFlight)
  } finally {
    await node.close()
    rmSync(datadir, { recursive: true, force: true })
  }
}

export async function sequenceAndPostBets(cfg: PostedBetsConfig, log: (msg: string) => void): Promise<PostedBets> {
  const accounts = benchAccounts(cfg.bettors)
  const now = Math.floor(Date.now() / 1000)
  const genesis = benchGenesis(accounts, now, DEV_CHAIN_ID)
  const signed = await signAll(genesis.chainId, [...marketTasks(accounts, cfg.markets, now), ...betTasks(accounts, cfg.markets, cfg.bets)])
  const markets = signed.slice(0, cfg.markets)
  const signedBets = signed.slice(cfg.markets)

  const l1 = await startL1()
  const datadir = tempDatadir('rollbook-bench-l1-')
  let node: RollbookNode | undefined
  const close = async (): Promise<void> => {
    await node?.close()
    node = undefined
    await l1.anvil.stop()
    rmSync(datadir, { recursive: true, force: true })
  }
  try {
    const deployment = await deployContracts(l1, { genesisLeaf: await genesisLeaf(genesis) })
    const rollupJson = {
      genesis: genesisToJson(genesis),
      l1: {
        chainId: l1.chain.id,
        startBlock: Number(deployment.deployedAtBlock),
        contracts: { inbox: deployment.inbox, outputRoots: deployment.outputRoots, bridge: deployment.bridge, messageQueue: deployment.messageQueue, stablecoin: deployment.token },
      },
    }
    const config = parseRollupConfig(rollupJson)
    const rollupFile = join(datadir, 'rollup.json')
    writeFileSync(rollupFile, JSON.stringify(rollupJson, null, 2))
    // the node's defaults (block time, batch interval) but the chunk size and a silent log
    node = await RollbookNode.init({ datadir: join(datadir, 'sequencer'), rollup: rollupFile, l1Rpc: l1.anvil.rpcUrl, batcherKey: sequencerKey, port: 0, maxChunkBytes: cfg.maxChunkBytes }, silent)

    await submitAll(node, markets, 1)
    await waitSealed(node, markets[markets.length - 1].hash)
    const firstBetChunk = await waitPosted(node)
    log(`${markets.length} markets sequenced and posted in ${firstBetChunk} chunk(s)`)

    const sequencing = await sequenceTimed(node, signedBets, cfg.inFlight)
    log(`${signedBets.length} bets sequenced in process: ${sequencing.betsPerS.toFixed(0)} bets/s to the last preconfirmation, ${sequencing.sealedSeconds.toFixed(2)} s to its block sealed`)

    const chunks = await waitPosted(node)
    await node.chain.flushWrites()
    const headBlock = node.chain.head
    const head = { number: headBlock.header.number, hash: bytesToHex(headBlock.hash()) as Hex, stateRoot: bytesToHex(headBlock.header.stateRoot) as Hex }
    log(`the batcher posted L2 blocks 1..${head.number} in ${chunks} chunks`)
    await node.close()
    node = undefined
    return {
      l1,
      client: l1.publicClient as PublicClient,
      deployment,
      config,
      genesis,
      signedMarkets: markets,
      signedBets,
      bets: signedBets.length,
      txs: signed.length,
      firstBetChunk,
      maxChunkBytes: cfg.maxChunkBytes,
      head,
      sequencing,
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

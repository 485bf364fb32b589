import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { pino, type Logger } from 'pino'
import { encodeFunctionData, type Hex, type LocalAccount } from 'viem'
import { encodeChunk, recordsFromTxs, splitIntoChunks, type BatchRecord } from '../../sdk/src/batch/index.ts'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { postRpc } from '../api/testing.ts'
import { L2Chain } from '../chain/chain.ts'
import type { Genesis } from '../chain/genesis.ts'
import { openLevel, type RollbookLevel } from '../storage/level.ts'
import { bettors, operator } from '../testing/accounts.ts'
import { startTestNode } from '../testing/testNode.ts'

export const silentLogger = (): Logger => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

/** One sealed sequencer block: its timestamp and raw txs, in order. */
export interface SequencedBlock {
  timestamp: bigint
  txs: Uint8Array[]
}

export interface SequencedChain {
  genesis: Genesis
  blocks: SequencedBlock[]
  headHash: Hex
  stateRoot: Hex
  headNumber: bigint
  bets: number
}

async function rpc(url: string, method: string, params: unknown[]): Promise<any> {
  const { json } = await postRpc(url, { jsonrpc: '2.0', id: 1, method, params })
  if (json.error !== undefined) throw new Error(`${method}: ${json.error.code} ${json.error.message}`)
  return json.result
}

function signBetEngineCall(account: LocalAccount, chainId: number, nonce: number, data: Hex): Promise<Hex> {
  return account.signTransaction({ chainId, type: 'eip1559', to: BET_ENGINE_ADDRESS, nonce, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data })
}

/**
 * A real sequencer (startTestNode) takes a market and `betsPerBettor` bets from each of `bettorCount`
 * bettors (some too large, so they revert), and gives back its sealed blocks.
 */
export async function sequenceBets({ bettorCount = 4, betsPerBettor = 10 } = {}): Promise<SequencedChain> {
  const node = await startTestNode({ blockTimeMs: 20 })
  try {
    const { chainId, httpUrl } = node
    const market = encodeFunctionData({
      abi: betEngineAbi,
      functionName: 'createMarket',
      args: [2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 100_000_000_000n],
    })
    await rpc(httpUrl, 'eth_sendRawTransaction', [await signBetEngineCall(operator, chainId, 0, market)])
    let sent = 1
    for (let i = 0; i < betsPerBettor; i++) {
      const raws = await Promise.all(
        bettors.slice(0, bettorCount).map((bettor, b) => {
          // every seventh bet stakes more than the market allows: a failed bet is a receipt with status 0
          const stake = (i * bettorCount + b) % 7 === 6 ? 10n ** 27n : 1_000_000n + BigInt(i)
          const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [1n, (i + b) % 2, stake, 1] })
          return signBetEngineCall(bettor, chainId, i, data)
        }),
      )
      await Promise.all(raws.map((raw) => rpc(httpUrl, 'eth_sendRawTransaction', [raw])))
      sent += raws.length
    }
    const chain = node.node.chain
    await node.node.sequencer?.stop()
    await chain.flushWrites()
    const blocks: SequencedBlock[] = []
    let included = 0
    for (let n = 1n; n <= chain.head.header.number; n++) {
      const block = await chain.store.getBlockByNumber(n)
      if (block === undefined) throw new Error(`sequencer block ${n} missing`)
      blocks.push({ timestamp: block.header.timestamp, txs: block.transactions.map((tx) => tx.serialize()) })
      included += block.transactions.length
    }
    if (included !== sent) throw new Error(`sequencer sealed ${included} of ${sent} txs`)
    return {
      genesis: chain.genesis,
      blocks,
      headHash: bytesToHex(chain.head.hash()) as Hex,
      stateRoot: bytesToHex(chain.head.header.stateRoot) as Hex,
      headNumber: chain.head.header.number,
      bets: sent - 1,
    }
  } finally {
    await node.close()
  }
}

/** The records the batcher posts for these blocks: a block start, then each tx. */
export function recordsOfBlocks(blocks: readonly SequencedBlock[], chainId: number): BatchRecord[] {
  return blocks.flatMap((block) => [{ type: 'blockStart' as const, timestamp: block.timestamp }, ...recordsFromTxs(block.txs, { chainId })])
}

/** One batch of these blocks split into chunks of at most `maxChunkBytes`, ended by a block start that opens no block. */
export function batchChunks(blocks: readonly SequencedBlock[], chainId: number, maxChunkBytes = 2_000): Uint8Array[] {
  const last = blocks[blocks.length - 1]
  return splitIntoChunks([...recordsOfBlocks(blocks, chainId), { type: 'blockStart', timestamp: last.timestamp }], { maxChunkBytes })
}

export { encodeChunk }

/** A fresh L2 chain at genesis on its own LevelDB in a temp dir. */
export async function freshChain(genesis: Genesis): Promise<{ chain: L2Chain; db: RollbookLevel; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'rollbook-derive-'))
  const db = await openLevel(dir)
  const chain = await L2Chain.init(genesis, { db, logger: silentLogger() })
  return {
    chain,
    db,
    dir,
    close: async () => {
      await chain.flushWrites().catch(() => undefined)
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Test support for the batcher: a real anvil with the L1 contracts, a real in-process sequencer,
 * bets signed fast, and a reader that takes every posted chunk back from L1 calldata.
 */
import { bytesToHex, decodeFunctionData, encodeAbiParameters, hexToBytes, keccak256, type Hex } from 'viem'
import { pino } from 'pino'
import { decodeChunk, rebuildTx, type TxRecord } from '../../sdk/src/batch/index.ts'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { devAccounts } from '../../node/chain/genesis.ts'
import { genesisLeaf } from '../../node/rollup/genesisLeaf.ts'
import { calldata, TestSigner, type TestAccount } from '../../node/chain/fastpath/testing.ts'
import { startTestNode, type TestNode } from '../../node/testing/testNode.ts'
import { deployContracts, sequencer, type Deployment, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'
import { Batcher } from './batcher.ts'
import type { BatcherOptionsInput } from './options.ts'

export const sequencerKey: Hex = bytesToHex(sequencer.getHdKey().privateKey!)

export const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

/** The L2 dev accounts with their keys: [0] operates the bet engine, the rest bet. */
export const l2Accounts: TestAccount[] = devAccounts().map((a) => ({ address: a.address, privateKey: a.getHdKey().privateKey! }))

export interface Rig {
  l1: L1
  deployment: Deployment
  node: TestNode
  batcher(opts?: Partial<BatcherOptionsInput>): Batcher
  /** Creates market 1 and places `count` bets spread over the bettors, `perBlock` at a time with a pause so they land in several blocks. */
  placeBets(count: number, perBlock?: number): Promise<void>
  close(): Promise<void>
}

export async function startRig(l1: L1): Promise<Rig> {
  const node = await startTestNode({ blockTimeMs: 50 })
  const deployment = await deployContracts(l1, { genesisLeaf: await genesisLeaf(node.node.chain.genesis) })
  const signer = new TestSigner(node.chainId)
  const nonces = new Map<string, bigint>()
  const batchers: Batcher[] = []
  const submit = async (account: TestAccount, data: Hex) => {
    const nonce = nonces.get(account.address) ?? 0n
    nonces.set(account.address, nonce + 1n)
    const result = await node.node.sequencer!.submitRawTx(signer.sign(account, nonce, data))
    if (result.status !== 'preconfirmed' || result.executed.status !== 1) throw new Error(`tx of ${account.address} nonce ${nonce} did not succeed`)
  }
  let marketCreated = false
  return {
    l1,
    deployment,
    node,
    batcher: (opts = {}) => {
      const batcher = new Batcher(
        { l1RpcUrl: l1.anvil.rpcUrl, inbox: deployment.inbox, privateKey: sequencerKey, l1ChainId: 31337, batchIntervalMs: 100, pollIntervalMs: 20, retryMinMs: 20, ...opts },
        { chain: node.node.chain, store: node.node.chain.store, logger },
      )
      batchers.push(batcher)
      return batcher
    },
    placeBets: async (count, perBlock = 25) => {
      const [operator, , ...bettors] = l2Accounts
      if (!marketCreated) {
        await submit(operator, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 1_000_000_000_000n))
        marketCreated = true
      }
      for (let i = 0; i < count; i++) {
        await submit(bettors[i % bettors.length], calldata.placeBet(1n, i % 2, 1_000_000n + BigInt(i), 1))
        if ((i + 1) % perBlock === 0) await new Promise((resolve) => setTimeout(resolve, 120))
      }
    },
    close: async () => {
      for (const batcher of batchers) await batcher.stop()
      await node.close()
    },
  }
}

export interface PostedChunkTx {
  n: bigint
  batchIndex: bigint
  chunkIndex: number
  isLast: boolean
  data: Hex
  /** ChunkPosted's dataHash */
  hash: Hex
  l1BlockNumber: bigint
  l1Timestamp: bigint
  /** ChunkPosted's commitment */
  commitment: Hex
  txHash: Hex
  gasUsed: bigint
}

/** Every chunk the inbox holds now, read back from the postChunk calldata of the txs that emitted ChunkPosted. */
export async function readPostedChunks(l1: L1, inbox: Hex): Promise<PostedChunkTx[]> {
  const events = await l1.publicClient.getContractEvents({ address: inbox, abi: rollbookInboxAbi, eventName: 'ChunkPosted', fromBlock: 0n })
  const out: PostedChunkTx[] = []
  for (const event of events) {
    const tx = await l1.publicClient.getTransaction({ hash: event.transactionHash })
    const receipt = await l1.publicClient.getTransactionReceipt({ hash: event.transactionHash })
    const { functionName, args } = decodeFunctionData({ abi: rollbookInboxAbi, data: tx.input })
    if (functionName !== 'postChunk') throw new Error(`ChunkPosted from a ${functionName} call`)
    const [batchIndex, chunkIndex, isLast, data] = args
    const { n, dataHash, l1BlockNumber, l1Timestamp, commitment } = event.args
    out.push({ n: n!, batchIndex, chunkIndex, isLast, data, hash: dataHash!, l1BlockNumber: l1BlockNumber!, l1Timestamp: l1Timestamp!, commitment: commitment!, txHash: event.transactionHash, gasUsed: receipt.gasUsed })
  }
  return out
}

/** chunkCommitment as docs/decisions/0006 defines it, from a chunk's fields. */
export function chunkCommitmentOf(c: { batchIndex: bigint; chunkIndex: number; isLast: boolean; hash: Hex; l1BlockNumber: bigint; l1Timestamp: bigint }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint64' }, { type: 'uint32' }, { type: 'bool' }, { type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }],
      [c.batchIndex, c.chunkIndex, c.isLast, c.hash, c.l1BlockNumber, c.l1Timestamp],
    ),
  )
}

export interface BlockContent {
  timestamp: bigint
  txs: Hex[]
}

/**
 * The blocks the chunks carry, read as derivation reads them: each block start opens a block,
 * each tx record is its signed tx again, and a block with no tx is no block.
 */
export function blocksFromChunks(chunks: readonly Hex[], chainId: number): { blocks: BlockContent[]; skipped: number } {
  const blocks: BlockContent[] = []
  let skipped = 0
  for (const chunk of chunks) {
    const decoded = decodeChunk(hexToBytes(chunk), { chainId })
    skipped += decoded.skipped.length + (decoded.end === 'complete' ? 0 : 1)
    for (const { record } of decoded.records) {
      if (record.type === 'blockStart') blocks.push({ timestamp: record.timestamp, txs: [] })
      else if (record.type === 'deposit') throw new Error('no deposits expected')
      else blocks.at(-1)!.txs.push(bytesToHex(rebuildTx(record as TxRecord, { chainId })))
    }
  }
  return { blocks: blocks.filter((b) => b.txs.length > 0), skipped }
}

/** The sealed blocks 1..to as the chain store holds them. */
export async function sealedBlocks(node: TestNode, to: bigint): Promise<BlockContent[]> {
  const out: BlockContent[] = []
  for (let number = 1n; number <= to; number++) {
    const block = await node.node.chain.store.getBlockByNumber(number)
    out.push({ timestamp: block!.header.timestamp, txs: block!.transactions.map((tx) => bytesToHex(tx.serialize())) })
  }
  return out
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Waits until the batcher has posted every sealed block (the sequencer idle first). */
export async function waitUntilAllPosted(rig: Rig, batcher: Batcher, timeoutMs = 30_000): Promise<bigint> {
  await new Promise((resolve) => setTimeout(resolve, 150))
  const head = rig.node.node.chain.head.header.number
  await waitFor(`batcher to post up to block ${head} (state ${batcher.state}: ${batcher.error?.message ?? ''})`, () => batcher.state === 'running' && (batcher.posted?.lastPostedBlock ?? 0n) >= head && batcher.posted?.batch === undefined, timeoutMs)
  return head
}

export function chunkKeccakMatches(chunks: readonly PostedChunkTx[]): boolean {
  return chunks.every((c) => keccak256(c.data) === c.hash)
}

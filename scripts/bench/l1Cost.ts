/**
 * L1 cost per bet (issue 3): the compact-record chunks the batcher posted for the bench's bets,
 * next to the same signed txs as an OP Stack batcher would post them (an RLP list, brotli-11,
 * in a frame), both posted to an inbox on the same anvil so the same gas rules price them.
 */
import { randomBytes } from 'node:crypto'
import { constants, brotliCompressSync } from 'node:zlib'
import { RLP } from '@ethereumjs/rlp'
import { decodeFunctionData, hexToBytes, type Hex } from 'viem'
import { deployContracts, sequencer, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'
import { decodeChunk } from '../../sdk/src/batch/index.ts'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { FLOOR_GAS_PER_TOKEN, splitCalldataGas, STANDARD_GAS_PER_TOKEN } from './calldataGas.ts'
import type { PostedBets } from './postedBets.ts'

/** op-batcher's brotli-11: andybalholm/brotli NewWriterLevel(11), whose window is brotli's default, 2^22 */
export const BROTLI_QUALITY = 11
export const BROTLI_LGWIN = 22
/** op-node's channel version byte for a brotli channel */
const CHANNEL_VERSION_BROTLI = 0x01
/** op-node's derivation version byte, the first byte of a batcher tx's calldata */
const DERIVATION_VERSION_0 = 0x00

export interface PostedTx {
  /** the bytes argument of postChunk */
  data: Uint8Array
  /** the whole tx input: selector and ABI encoding included */
  input: Uint8Array
  gasUsed: bigint
}

export interface PostingCost {
  txs: number
  dataBytes: number
  inputBytes: number
  /** numbers, not bigints: the results file is JSON, and these stay far below 2^53 */
  gasUsed: number
  /** EIP-7623 tokens of every input (zero byte 1, other byte 4) */
  tokens: number
  /** txs whose gasUsed is the EIP-7623 floor (21,000 + 10 per token): the bytes alone set their price */
  floorTxs: number
  perBet: { dataBytes: number; inputBytes: number; gas: number; calldataFloorGas: number; calldataStandardGas: number }
}

export interface L1CostResult {
  bets: number
  /** the batcher's --max-chunk-bytes (and the brotli frames' size) */
  maxChunkBytes: number
  compact: PostingCost & { blockStarts: number; compactBets: number; signedTxRecords: number }
  brotli: PostingCost & { rlpBytes: number; quality: number; lgwin: number }
  /** compact / brotli */
  ratio: { dataBytes: number; inputBytes: number; gas: number }
}

/** Sums a set of postChunk txs; the gas split is exact under Prague's pricing (checked per tx). */
export function postingCost(txs: readonly PostedTx[], bets: number): PostingCost {
  let dataBytes = 0
  let inputBytes = 0
  let gasUsed = 0n
  let tokens = 0n
  let floorTxs = 0
  for (const tx of txs) {
    const split = splitCalldataGas(tx.input, tx.gasUsed)
    dataBytes += tx.data.length
    inputBytes += tx.input.length
    gasUsed += tx.gasUsed
    tokens += split.tokens
    if (split.floorApplies) floorTxs++
  }
  return {
    txs: txs.length,
    dataBytes,
    inputBytes,
    gasUsed: Number(gasUsed),
    tokens: Number(tokens),
    floorTxs,
    perBet: {
      dataBytes: dataBytes / bets,
      inputBytes: inputBytes / bets,
      gas: Number(gasUsed) / bets,
      calldataFloorGas: Number(FLOOR_GAS_PER_TOKEN * tokens) / bets,
      calldataStandardGas: Number(STANDARD_GAS_PER_TOKEN * tokens) / bets,
    },
  }
}

/** Every postChunk tx of the inbox from chunk number `from` on, in order: its data, input and gasUsed. */
async function readPostChunkTxs(l1: L1, inbox: Hex, fromBlock: bigint, from = 0n): Promise<PostedTx[]> {
  const events = await l1.publicClient.getContractEvents({ address: inbox, abi: rollbookInboxAbi, eventName: 'ChunkPosted', fromBlock, strict: true })
  const out: PostedTx[] = []
  for (const event of events) {
    if (event.args.n < from) continue
    const tx = await l1.publicClient.getTransaction({ hash: event.transactionHash })
    const receipt = await l1.publicClient.getTransactionReceipt({ hash: event.transactionHash })
    const { functionName, args } = decodeFunctionData({ abi: rollbookInboxAbi, data: tx.input })
    if (functionName !== 'postChunk') throw new Error(`ChunkPosted from a ${functionName} call`)
    out.push({ data: hexToBytes(args[3]), input: hexToBytes(tx.input), gasUsed: receipt.gasUsed })
  }
  return out
}

/** The signed txs as one OP Stack channel: a version byte, then brotli of their RLP list. */
export function brotliChannel(signedTxs: readonly Uint8Array[]): { rlpBytes: number; channel: Uint8Array } {
  const rlp = RLP.encode(signedTxs as Uint8Array[])
  const compressed = brotliCompressSync(rlp, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: BROTLI_LGWIN,
      [constants.BROTLI_PARAM_SIZE_HINT]: rlp.length,
    },
  })
  const channel = new Uint8Array(1 + compressed.length)
  channel[0] = CHANNEL_VERSION_BROTLI
  channel.set(compressed, 1)
  return { rlpBytes: rlp.length, channel }
}

/**
 * The channel cut into op-node frames of at most `maxTxBytes` of calldata each: derivation version
 * byte, channel id (16), frame number (u16), length (u32), data, is_last (1).
 */
export function framesOf(channel: Uint8Array, maxTxBytes: number): Uint8Array[] {
  const overhead = 1 + 16 + 2 + 4 + 1
  const perFrame = maxTxBytes - overhead
  const channelId = randomBytes(16)
  const frames: Uint8Array[] = []
  for (let offset = 0, number = 0; offset < channel.length; offset += perFrame, number++) {
    const data = channel.subarray(offset, offset + perFrame)
    const frame = Buffer.alloc(overhead + data.length)
    frame[0] = DERIVATION_VERSION_0
    channelId.copy(frame, 1)
    frame.writeUInt16BE(number, 17)
    frame.writeUInt32BE(data.length, 19)
    frame.set(data, 23)
    frame[23 + data.length] = offset + perFrame >= channel.length ? 1 : 0
    frames.push(new Uint8Array(frame))
  }
  return frames
}

/** Posts the frames, in order, as the chunks of one batch to a fresh inbox on the same L1. */
async function postFrames(l1: L1, frames: readonly Uint8Array[]): Promise<PostedTx[]> {
  const deployment = await deployContracts(l1)
  const wallet = l1.wallet(sequencer)
  for (const [chunkIndex, frame] of frames.entries()) {
    const hash = await wallet.writeContract({ address: deployment.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, chunkIndex, chunkIndex === frames.length - 1, `0x${Buffer.from(frame).toString('hex')}`], chain: l1.chain })
    const receipt = await l1.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`posting frame ${chunkIndex} reverted`)
  }
  return readPostChunkTxs(l1, deployment.inbox, deployment.deployedAtBlock)
}

export async function measureL1Cost(posted: PostedBets): Promise<L1CostResult> {
  const { l1, deployment, bets } = posted
  const compactTxs = await readPostChunkTxs(l1, deployment.inbox, deployment.deployedAtBlock, posted.firstBetChunk)
  const counts = { blockStarts: 0, compactBets: 0, signedTxRecords: 0 }
  for (const tx of compactTxs) {
    const decoded = decodeChunk(tx.data, { chainId: posted.genesis.chainId })
    if (decoded.end !== 'complete' || decoded.skipped.length > 0) throw new Error(`a posted chunk decodes with ${decoded.skipped.length} skipped records, end ${decoded.end}`)
    for (const { record } of decoded.records) {
      if (record.type === 'blockStart') counts.blockStarts++
      else if (record.type === 'compactBet') counts.compactBets++
      else if (record.type === 'signedTx') counts.signedTxRecords++
      else throw new Error(`unexpected ${record.type} record among the bets`)
    }
  }
  if (counts.compactBets + counts.signedTxRecords !== bets) throw new Error(`the bets' chunks hold ${counts.compactBets + counts.signedTxRecords} tx records, not ${bets}`)
  const compact = { ...postingCost(compactTxs, bets), ...counts }

  const { rlpBytes, channel } = brotliChannel(posted.signedBets.map((tx) => hexToBytes(tx.raw)))
  // frames no larger than the batcher's chunks, so both pay the per-tx costs alike
  const brotliTxs = await postFrames(l1, framesOf(channel, posted.maxChunkBytes))
  const brotli = { ...postingCost(brotliTxs, bets), rlpBytes, quality: BROTLI_QUALITY, lgwin: BROTLI_LGWIN }

  return {
    bets,
    maxChunkBytes: posted.maxChunkBytes,
    compact,
    brotli,
    ratio: {
      dataBytes: compact.dataBytes / brotli.dataBytes,
      inputBytes: compact.inputBytes / brotli.inputBytes,
      gas: compact.gasUsed / brotli.gasUsed,
    },
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
}

export function printL1Cost(r: L1CostResult): void {
  const widths = [44, 16, 18, 16]
  const f1 = (v: number) => v.toFixed(1)
  console.log(row(['per bet', 'compact records', 'RLP brotli-11', 'compact/brotli'], widths))
  console.log(row(['data bytes (chunk / frame)', f1(r.compact.perBet.dataBytes), f1(r.brotli.perBet.dataBytes), r.ratio.dataBytes.toFixed(3)], widths))
  console.log(row(['L1 tx input bytes (postChunk call)', f1(r.compact.perBet.inputBytes), f1(r.brotli.perBet.inputBytes), r.ratio.inputBytes.toFixed(3)], widths))
  console.log(row(['L1 gas (gasUsed of the postChunk txs)', r.compact.perBet.gas.toFixed(0), r.brotli.perBet.gas.toFixed(0), r.ratio.gas.toFixed(3)], widths))
  console.log(row(['  calldata at the EIP-7623 floor (10/token)', r.compact.perBet.calldataFloorGas.toFixed(0), r.brotli.perBet.calldataFloorGas.toFixed(0), ''], widths))
  console.log(row(['  calldata at the standard rate (4/token)', r.compact.perBet.calldataStandardGas.toFixed(0), r.brotli.perBet.calldataStandardGas.toFixed(0), ''], widths))
  console.log(
    `  compact: ${r.compact.txs} chunk tx(s), ${r.compact.dataBytes} B: ${r.compact.compactBets} compact bet records, ${r.compact.signedTxRecords} RLP tx records, ${r.compact.blockStarts} block starts; ` +
      `floor-priced txs ${r.compact.floorTxs}/${r.compact.txs}`,
  )
  console.log(
    `  brotli: ${r.bets} signed EIP-1559 txs, RLP list ${r.brotli.rlpBytes} B (${(r.brotli.rlpBytes / r.bets).toFixed(1)}/bet) -> ${r.brotli.dataBytes} B in ${r.brotli.txs} frame(s) ` +
      `(quality ${r.brotli.quality}, window 2^${r.brotli.lgwin}, channel version and frame header included); floor-priced txs ${r.brotli.floorTxs}/${r.brotli.txs}`,
  )
}

/** One line per chunk size: L1 gas per bet of posting the same bets, and chunk txs. */
export function printL1CostBySize(results: readonly L1CostResult[]): void {
  const widths = [20, 14, 16, 18, 12]
  console.log('\nL1 cost per bet by chunk size (the same bets)')
  console.log(row(['max chunk bytes', 'chunk txs', 'data B per bet', 'L1 gas per bet', 'vs first'], widths))
  for (const r of results) {
    console.log(row([String(r.maxChunkBytes), String(r.compact.txs), r.compact.perBet.dataBytes.toFixed(1), r.compact.perBet.gas.toFixed(0), (r.compact.perBet.gas / results[0].compact.perBet.gas).toFixed(3)], widths))
  }
}

import t from 'tap'
import { hexToBytes, type Hex } from 'viem'
import { ODDS_SCALE, STAKE_DECIMALS } from '../constants.ts'
import { decodeChunk } from './decode.ts'
import { encodeChunk, splitIntoChunks } from './encode.ts'
import { DEFAULT_MAX_CHUNK_BYTES } from './options.ts'
import type { BatchRecord } from './records.ts'
import { placeBetTx, testAccount } from './testing.ts'
import { recordsFromTxs } from './txs.ts'

const chainId = 42069
const BETS = 1_000
const BETTORS = 200
const MARKETS = 50
const BETS_PER_BLOCK = 100

/** A seeded generator (mulberry32), so the figure is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** 1,000 bets from 200 bettors on 50 markets: stakes 1-1,000 tokens (to the cent), odds 1.20-10.00, nonces counted per bettor. */
async function realisticBets(): Promise<Hex[]> {
  const next = random(20260101)
  const accounts = Array.from({ length: BETTORS }, (_, i) => testAccount(100 + i))
  const nonces = new Array<number>(BETTORS).fill(0)
  const raws: Hex[] = []
  for (let i = 0; i < BETS; i++) {
    const bettor = Math.floor(next() * BETTORS)
    const marketId = BigInt(1 + Math.floor(next() * MARKETS))
    const stake = BigInt(100 + Math.floor(next() * 99_901)) * 10n ** BigInt(STAKE_DECIMALS - 2)
    const minOdds = Number(ODDS_SCALE / 100n) * (120 + Math.floor(next() * 881))
    const tx = placeBetTx({ chainId, nonce: nonces[bettor]++, marketId, outcome: Math.floor(next() * (2 + (Number(marketId) % 2))), stake, minOdds })
    raws.push(await accounts[bettor].signTransaction(tx as never))
  }
  return raws
}

t.test('L1 bytes per bet for a realistic mix: compact records against signed EIP-1559 txs', async (t) => {
  const raws = await realisticBets()
  const bets = recordsFromTxs(raws, { chainId })
  t.ok(bets.every((r) => r.type === 'compactBet'), 'every bet takes the compact form')

  const recordBytes = bets.map((bet) => encodeChunk([bet]).length - 1)
  const blockStart = (i: number): BatchRecord => ({ type: 'blockStart', timestamp: 1_767_225_600n + BigInt(i / BETS_PER_BLOCK) })
  const records = bets.flatMap((bet, i): BatchRecord[] => (i % BETS_PER_BLOCK === 0 ? [blockStart(i), bet] : [bet]))
  const chunks = splitIntoChunks(records)
  const chunkBytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  const rawBytes = raws.reduce((sum, raw) => sum + hexToBytes(raw).length, 0)
  const perRecord = recordBytes.reduce((a, b) => a + b, 0) / BETS
  const counts = new Map<number, number>()
  for (const n of recordBytes) counts.set(n, (counts.get(n) ?? 0) + 1)
  const histogram = [...counts].sort(([a], [b]) => a - b).map(([n, count]) => `${n} B: ${count}`)

  t.comment(`signed EIP-1559 placeBet RLP: ${(rawBytes / BETS).toFixed(1)} bytes per bet`)
  t.comment(`compact bet record: ${perRecord.toFixed(2)} bytes per bet (65 of them the signature); sizes ${histogram.join(', ')}`)
  const perBatch = (chunkBytes / BETS).toFixed(2)
  t.comment(`whole batch (${chunks.length} chunk(s) of at most ${DEFAULT_MAX_CHUNK_BYTES} bytes, a version byte each and a block start per ${BETS_PER_BLOCK} bets included): ${perBatch} L1 bytes per bet`)
  t.ok(perRecord <= 80, 'at most 80 bytes per compact bet')
  t.equal(chunks.reduce((sum, chunk) => sum + decodeChunk(chunk, { chainId }).records.length, 0), records.length, 'the batch decodes whole, chunk by chunk')
})

/** The L1 cost section's arithmetic: calldata tokens and the Prague gas split, per-bet sums, the OP-style channel and frames. */
import { brotliDecompressSync } from 'node:zlib'
import { RLP } from '@ethereumjs/rlp'
import t from 'tap'
import { calldataTokens, splitCalldataGas } from './calldataGas.ts'
import { brotliChannel, framesOf, postingCost } from './l1Cost.ts'

t.test('calldataTokens_zeroAndNonZeroBytes_oneAndFourEach', async (t) => {
  t.equal(calldataTokens(Uint8Array.from([])), 0n)
  t.equal(calldataTokens(Uint8Array.from([0, 1, 0, 255])), 2n + 8n)
})

t.test('splitCalldataGas_atTheFloor_floorApplies', async (t) => {
  const input = Uint8Array.from([0, 7, 7]) // 1 + 8 = 9 tokens
  const split = splitCalldataGas(input, 21_000n + 90n)
  t.same(split, { tokens: 9n, floorGas: 21_090n, standardCalldataGas: 36n, executionGas: 54n, floorApplies: true })
})

t.test('splitCalldataGas_aboveTheFloor_executionIsTheRest', async (t) => {
  const split = splitCalldataGas(Uint8Array.from([7, 7]), 21_000n + 32n + 50_000n)
  t.equal(split.floorApplies, false)
  t.equal(split.executionGas, 50_000n)
})

t.test('splitCalldataGas_belowTheFloor_throws', async (t) => {
  t.throws(() => splitCalldataGas(Uint8Array.from([7]), 21_039n))
})

t.test('postingCost_twoTxs_sumsAndDividesByBets', async (t) => {
  const a = { data: new Uint8Array(10).fill(1), input: new Uint8Array(20).fill(1), gasUsed: 21_000n + 800n } // 80 tokens, at the floor
  const b = { data: new Uint8Array(30).fill(1), input: Uint8Array.from([...new Uint8Array(36).fill(1), 0, 0, 0, 0]), gasUsed: 100_000n } // 148 tokens
  const cost = postingCost([a, b], 4)
  t.same(cost, {
    txs: 2,
    dataBytes: 40,
    inputBytes: 60,
    gasUsed: 121_800,
    tokens: 228,
    floorTxs: 1,
    perBet: { dataBytes: 10, inputBytes: 15, gas: 30_450, calldataFloorGas: 570, calldataStandardGas: 228 },
  })
})

t.test('brotliChannel_decompressed_isTheRlpListOfTheTxs', async (t) => {
  const txs = Array.from({ length: 50 }, (_, i) => Uint8Array.from([2, 0xf8, i, ...new Uint8Array(100).fill(i % 3)]))
  const { rlpBytes, channel } = brotliChannel(txs)
  t.equal(channel[0], 1, 'brotli channel version')
  const rlp = brotliDecompressSync(channel.subarray(1))
  t.equal(rlp.length, rlpBytes)
  const hex = (xs: Uint8Array[]) => xs.map((x) => Buffer.from(x).toString('hex'))
  t.same(hex(RLP.decode(rlp) as Uint8Array[]), hex(txs))
})

t.test('framesOf_channel_headersAndDataReassemble', async (t) => {
  const channel = Uint8Array.from({ length: 250 }, (_, i) => i)
  const frames = framesOf(channel, 124) // 100 bytes of channel per frame
  t.same(
    frames.map((f) => f.length),
    [124, 124, 74],
  )
  const id = Buffer.from(frames[0].subarray(1, 17))
  const data: number[] = []
  for (const [i, frame] of frames.entries()) {
    const view = Buffer.from(frame)
    t.equal(view[0], 0, 'derivation version 0')
    t.ok(view.subarray(1, 17).equals(id), 'one channel id')
    t.equal(view.readUInt16BE(17), i, 'frame number')
    const length = view.readUInt32BE(19)
    data.push(...view.subarray(23, 23 + length))
    t.equal(view[23 + length], i === frames.length - 1 ? 1 : 0, 'is_last on the last frame only')
  }
  t.same(Uint8Array.from(data), channel)
})

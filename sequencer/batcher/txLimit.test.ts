/**
 * A sequencer that posts never accepts a tx whose record cannot fit a chunk: the largest tx it
 * accepts makes a record that splitIntoChunks places, and one byte more would not.
 */
import t from 'tap'
import type { Hex } from 'viem'
import { RecordTooLargeError, splitIntoChunks, recordFromTx } from '../../sdk/src/batch/index.ts'
import { TestSigner } from '../../node/chain/fastpath/testing.ts'
import { accounts } from '../../node/trace/testing.ts'
import { maxTxBytesForChunks } from './txLimit.ts'

const chainId = 42069
const signer = new TestSigner(chainId)

/** A signed tx calling the bet engine with `n` bytes of calldata. */
function txWithCalldata(n: number): Uint8Array {
  return signer.sign(accounts[2], 0n, `0x${'ab'.repeat(n)}` as Hex, { type: 2 })
}

t.test('largestAcceptedTx_fitsOneChunk_andOneMoreByteWouldNot', async (t) => {
  for (const maxChunkBytes of [1_200, 12_000, 24_000]) {
    const limit = maxTxBytesForChunks(maxChunkBytes)
    // find calldata sizes whose signed tx is exactly at and just over the limit
    let n = limit - 200
    while (txWithCalldata(n + 1).length <= limit) n++
    const atLimit = txWithCalldata(n)
    t.ok(atLimit.length <= limit && txWithCalldata(n + 1).length > limit, `${maxChunkBytes} B chunks: a ${atLimit.length}-byte tx at the ${limit}-byte limit`)
    t.equal(splitIntoChunks([recordFromTx(atLimit, { chainId })], { maxChunkBytes }).length, 1, 'its record fits a chunk')
    const tooBig = txWithCalldata(n + (maxChunkBytes - limit))
    t.throws(() => splitIntoChunks([recordFromTx(tooBig, { chainId })], { maxChunkBytes }), RecordTooLargeError, 'a tx the limit refuses would not fit')
  }
  t.equal(maxTxBytesForChunks(1_000_000), 32 * 1024, 'never above the sequencer limit')
})

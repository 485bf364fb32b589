import { Address, bytesToHex } from '@ethereumjs/util'
import fc from 'fast-check'
import t from 'tap'
import { encodeFunctionData, keccak256, type Hex } from 'viem'
import { recordsFromTxs } from '../../sdk/src/batch/index.ts'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, MAX_TIMESTAMP_DRIFT_SECONDS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { bettors } from '../testing/accounts.ts'
import { Deriver } from './deriver.ts'
import { batchChunks, encodeChunk, freshChain, recordsOfBlocks, sequenceBets, silentLogger } from './testing.ts'

const sequenced = await sequenceBets({ bettorCount: 4, betsPerBettor: 10 })
const chainId = sequenced.genesis.chainId

t.test('deriveChunk_sequencerBlocks_sameHeadAndStateRoot', async (t) => {
  const l2 = await freshChain(sequenced.genesis)
  t.teardown(l2.close)
  const deriver = new Deriver({}, { chain: l2.chain, logger: silentLogger() })
  const chunks = batchChunks(sequenced.blocks, chainId, 1_500)
  t.ok(chunks.length > 2, `${chunks.length} chunks: blocks span chunks`)
  const started = performance.now()
  for (const [chunkIndex, chunk] of chunks.entries()) await deriver.deriveChunk(chunk, { batchIndex: 0n, chunkIndex })
  await l2.chain.flushWrites()
  const seconds = (performance.now() - started) / 1000
  t.comment(`derived ${sequenced.bets} bets in ${(seconds * 1000).toFixed(0)} ms: ${Math.round(sequenced.bets / seconds)} bets/s (no L1)`)
  t.equal(l2.chain.head.header.number, sequenced.headNumber)
  t.equal(bytesToHex(l2.chain.head.hash()), sequenced.headHash, 'same head hash')
  t.equal(bytesToHex(l2.chain.head.header.stateRoot), sequenced.stateRoot, 'same state root')
  t.equal(deriver.stats.skipped, 0)
})

t.test('deriveChunk_blockPerBatch_newBatchSealsTheOpenBlock', async (t) => {
  const l2 = await freshChain(sequenced.genesis)
  t.teardown(l2.close)
  const deriver = new Deriver({}, { chain: l2.chain, logger: silentLogger() })
  for (const [i, block] of sequenced.blocks.entries()) {
    await deriver.deriveChunk(encodeChunk(recordsOfBlocks([block], chainId)), { batchIndex: BigInt(i), chunkIndex: 0 })
  }
  t.equal(l2.chain.head.header.number, sequenced.headNumber - 1n, 'the last block stays open until its batch ends')
  t.notOk(deriver.atBlockBoundary)
  await deriver.deriveChunk(encodeChunk([{ type: 'blockStart', timestamp: 0n }]), { batchIndex: BigInt(sequenced.blocks.length), chunkIndex: 0 })
  t.equal(bytesToHex(l2.chain.head.hash()), sequenced.headHash, 'the next batch seals it')
  t.ok(deriver.atBlockBoundary)
})

t.test('deriveChunk_replayedAndForeignTxs_skippedNotApplied', async (t) => {
  const l2 = await freshChain(sequenced.genesis)
  t.teardown(l2.close)
  const deriver = new Deriver({}, { chain: l2.chain, logger: silentLogger() })
  const [first, second] = sequenced.blocks
  const foreign = await bettors[5].signTransaction({ chainId: chainId + 1, type: 'eip1559', to: BET_ENGINE_ADDRESS, nonce: 0, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data: '0x' })
  const wrongGas = await bettors[5].signTransaction({ chainId, type: 'eip1559', to: BET_ENGINE_ADDRESS, nonce: 0, gas: 21_000n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data: '0x' })
  const records = [
    ...recordsOfBlocks([first], chainId),
    // the same txs again: their nonces are used
    ...recordsFromTxs(first.txs, { chainId }),
    { type: 'signedTx' as const, raw: foreign },
    { type: 'signedTx' as const, raw: wrongGas },
    { type: 'deposit' as const, queueIndex: 0n },
    ...recordsOfBlocks([second], chainId),
    { type: 'blockStart' as const, timestamp: second.timestamp },
  ]
  await deriver.deriveChunk(encodeChunk(records), { batchIndex: 0n, chunkIndex: 0 })
  t.equal(deriver.stats.skipped, first.txs.length + 3)
  t.equal(l2.chain.head.header.number, 2n)
  t.equal(deriver.stats.txs, first.txs.length + second.txs.length)
})

t.test('deriveChunk_anyBytes_neverThrowsAndAValidChunkStillDerives', async (t) => {
  const l2 = await freshChain(sequenced.genesis)
  t.teardown(l2.close)
  const deriver = new Deriver({}, { chain: l2.chain, logger: silentLogger() })
  const valid = batchChunks(sequenced.blocks, chainId, 1_500)
  const probe = bettors[bettors.length - 1]
  let batchIndex = 0n
  // a tx from an account no garbage can sign for, at its current nonce, after each garbage chunk
  const probeChunk = async (): Promise<{ chunk: Uint8Array; hash: Hex }> => {
    const account = await l2.chain.liveState.getAccount(new Address(Buffer.from(probe.address.slice(2), 'hex')))
    const nonce = Number(account?.nonce ?? 0n)
    const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [1n, 0, 1_000n, 1] })
    const raw = await probe.signTransaction({ chainId, type: 'eip1559', to: BET_ENGINE_ADDRESS, nonce, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data })
    const timestamp = l2.chain.head.header.timestamp + 1n
    const chunk = encodeChunk([{ type: 'blockStart', timestamp }, ...recordsFromTxs([raw], { chainId }), { type: 'blockStart', timestamp }])
    return { chunk, hash: keccak256(raw) }
  }
  const mutated = fc
    .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'truncate')), { minLength: 1, maxLength: 6 }))
    .map(([chunk, edits]) => {
      const bytes = [...chunk]
      for (const [at, value, kind] of edits) {
        const i = at % (bytes.length + 1)
        if (kind === 'set' && i < bytes.length) bytes[i] = value
        else if (kind === 'insert') bytes.splice(i, 0, value)
        else if (kind === 'delete') bytes.splice(i, 1)
        else if (kind === 'truncate') bytes.length = Math.min(bytes.length, i)
      }
      return Uint8Array.from(bytes)
    })
  const garbage = fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([1, ...b])), mutated)
  await fc.assert(
    fc.asyncProperty(fc.array(garbage, { minLength: 1, maxLength: 3 }), fc.boolean(), async (chunks, sameBatch) => {
      for (const [chunkIndex, chunk] of chunks.entries()) await deriver.deriveChunk(chunk, { batchIndex, chunkIndex })
      if (!sameBatch) batchIndex++
      const { chunk, hash } = await probeChunk()
      await deriver.deriveChunk(chunk, { batchIndex, chunkIndex: chunks.length })
      batchIndex++
      const head = l2.chain.head
      return head.transactions.some((tx) => bytesToHex(tx.hash()) === hash)
    }),
    { numRuns: Number(process.env.ROLLBOOK_FUZZ_RUNS ?? 150) },
  )
  await l2.chain.flushWrites()
  t.pass('no chunk threw, and the probe tx after each was derived')
})

t.test('deriveChunk_blockStartFarAheadOfL1_skippedWithItsTxs', async (t) => {
  const l2 = await freshChain(sequenced.genesis)
  t.teardown(l2.close)
  const deriver = new Deriver({}, { chain: l2.chain, logger: silentLogger() })
  const [first, second] = sequenced.blocks
  const l1Timestamp = first.timestamp
  // block 1 within the drift; block 2 claims a time an hour and a second past the L1 block's
  const ahead = { ...second, timestamp: l1Timestamp + MAX_TIMESTAMP_DRIFT_SECONDS + 1n }
  const closing = { type: 'blockStart' as const, timestamp: ahead.timestamp }
  await deriver.deriveChunk(encodeChunk([...recordsOfBlocks([first, ahead], chainId), closing]), { batchIndex: 0n, chunkIndex: 0, l1Timestamp })
  await l2.chain.flushWrites()
  t.equal(l2.chain.head.header.number, 1n, 'only the block within the drift is derived')
  t.equal(l2.chain.head.header.timestamp, first.timestamp)
  t.equal(deriver.stats.skipped, 2 + second.txs.length, 'the block starts (its own and the closing one) and each of its txs are skipped')

  // the same block at the bound itself is fine
  const l2b = await freshChain(sequenced.genesis)
  t.teardown(l2b.close)
  const atBound = new Deriver({}, { chain: l2b.chain, logger: silentLogger() })
  const edge = { ...second, timestamp: l1Timestamp + MAX_TIMESTAMP_DRIFT_SECONDS }
  await atBound.deriveChunk(encodeChunk([...recordsOfBlocks([first, edge], chainId), { type: 'blockStart' as const, timestamp: edge.timestamp }]), { batchIndex: 0n, chunkIndex: 0, l1Timestamp })
  await l2b.chain.flushWrites()
  t.equal(l2b.chain.head.header.number, 2n)
  t.equal(l2b.chain.head.header.timestamp, edge.timestamp)
  t.equal(atBound.stats.skipped, 0)
})

import fc from 'fast-check'
import t from 'tap'
import { bytesToHex, encodeFunctionData, serializeTransaction, type Hex, type TransactionSerializable } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../constants.ts'
import { decodeChunk } from './decode.ts'
import { encodeChunk } from './encode.ts'
import { UnbatchableTransactionError } from './errors.ts'
import { placeBetTx, testAccount } from './testing.ts'
import { rebuildTx, recordFromTx, recordsFromTxs, txFromRecord } from './txs.ts'

const chainId = 42069
const word = (bytes: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bytes * 8)) - 1n })
/** r and s of any value, small ones too (their RLP drops leading zeros; the record keeps 32 bytes). */
const signature = fc.record({
  r: fc.oneof(word(32), word(2)).map((v) => `0x${v.toString(16).padStart(64, '0')}` as Hex),
  s: fc.oneof(word(32), word(1)).map((v) => `0x${v.toString(16).padStart(64, '0')}` as Hex),
  yParity: fc.constantFrom(0, 1),
})
const placeBetArgs = fc.record({
  nonce: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  marketId: fc.oneof(word(1), word(32)),
  outcome: fc.integer({ min: 0, max: 255 }),
  stake: fc.oneof(word(4), word(12)),
  minOdds: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
})
const compactShaped = placeBetArgs.map((args) => placeBetTx({ chainId, ...args }))

/** Txs the chain accepts in batches but not in compact form: other types, fields, functions. */
const otherTx: fc.Arbitrary<TransactionSerializable> = fc.oneof(
  compactShaped.chain((tx) =>
    fc.constantFrom(
      ...([
        { ...tx, value: 1n },
        { ...tx, gas: TX_GAS_LIMIT - 1n },
        { ...tx, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n },
        { ...tx, to: '0x4200000000000000000000000000000000000b38' },
        { ...tx, data: `${tx.data}00` as Hex },
        { ...tx, accessList: [{ address: BET_ENGINE_ADDRESS, storageKeys: [] }] },
        { ...tx, type: 'legacy', gasPrice: 0n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined },
        { ...tx, type: 'eip2930', gasPrice: 0n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined, accessList: [] },
      ] as TransactionSerializable[]),
    ),
  ),
  fc.record({ betId: word(32), nonce: fc.nat() }).map(({ betId, nonce }) => ({
    ...placeBetTx({ chainId, nonce, marketId: 0n, outcome: 0, stake: 0n, minOdds: 0 }),
    data: encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBet', args: [betId] }),
  })),
  fc.uint8Array({ maxLength: 300 }).map((data) => ({
    ...placeBetTx({ chainId, nonce: 1, marketId: 0n, outcome: 0, stake: 0n, minOdds: 0 }),
    data: bytesToHex(data),
  })),
)

function sign(tx: TransactionSerializable, sig: { r: Hex; s: Hex; yParity: number }): Hex {
  return tx.type === 'legacy' ? serializeTransaction(tx, { r: sig.r, s: sig.s, v: BigInt(chainId * 2 + 35 + sig.yParity) }) : serializeTransaction(tx, sig)
}

t.test('a placeBet tx of the compact shape becomes a compact bet that rebuilds to the same bytes', async (t) => {
  fc.assert(
    fc.property(compactShaped, signature, (tx, sig) => {
      const raw = sign(tx, sig)
      const record = recordFromTx(raw, { chainId })
      return record.type === 'compactBet' && bytesToHex(rebuildTx(record, { chainId })) === raw
    }),
    { numRuns: 500 },
  )
  t.pass('500 random txs')
})

t.test('any other accepted tx becomes a generic record that rebuilds to the same bytes', async (t) => {
  fc.assert(
    fc.property(otherTx, signature, (tx, sig) => {
      const raw = sign(tx, sig)
      const record = recordFromTx(raw, { chainId })
      return record.type === 'signedTx' && bytesToHex(rebuildTx(record, { chainId })) === raw
    }),
    { numRuns: 500 },
  )
  t.pass('500 random txs')
})

t.test('txs survive records, a chunk and decoding byte for byte', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.oneof(compactShaped, otherTx), signature), { maxLength: 20 }), (txs) => {
      const raws = txs.map(([tx, sig]) => sign(tx, sig))
      const decoded = decodeChunk(encodeChunk(recordsFromTxs(raws, { chainId })), { chainId })
      if (decoded.skipped.length > 0 || decoded.end !== 'complete') return false
      return decoded.records.every(
        ({ record }, i) => (record.type === 'compactBet' || record.type === 'signedTx') && bytesToHex(rebuildTx(record, { chainId })) === raws[i],
      )
    }),
    { numRuns: 200 },
  )
  t.pass('200 random tx lists')
})

t.test('a really signed bet recovers its sender from the rebuilt tx', async (t) => {
  const account = testAccount(3)
  const raw = await account.signTransaction(placeBetTx({ chainId, nonce: 4, marketId: 9n, outcome: 2, stake: 5_000_000n, minOdds: 21_000 }) as never)
  const record = recordFromTx(raw, { chainId })
  t.equal(record.type, 'compactBet')
  const tx = txFromRecord(record, { chainId })
  t.match(tx, { type: 'eip1559', chainId, nonce: 4, to: BET_ENGINE_ADDRESS, gas: TX_GAS_LIMIT })
  const { recoverTransactionAddress } = await import('viem')
  t.equal(await recoverTransactionAddress({ serializedTransaction: bytesToHex(rebuildTx(record, { chainId })) as never }), account.address)
})

t.test('txs no record may carry are refused with a reason', async (t) => {
  const sig = { r: `0x${'11'.repeat(32)}` as Hex, s: `0x${'22'.repeat(32)}` as Hex, yParity: 0 }
  const tx = placeBetTx({ chainId: 1, nonce: 0, marketId: 1n, outcome: 0, stake: 1n, minOdds: 1 })
  const refused: [string, Hex][] = [
    ['another chain', serializeTransaction(tx, sig)],
    ['unsigned', serializeTransaction({ ...tx, chainId })],
    ['not a tx', '0x02c0'],
    [
      'pre-EIP-155 legacy',
      serializeTransaction({ type: 'legacy', nonce: 0, to: tx.to, gas: tx.gas, gasPrice: 0n, data: tx.data }, { ...sig, v: 27n }),
    ],
    ['EIP-4844 and later types', `0x03${'c0'}`],
  ]
  for (const [name, raw] of refused) t.throws(() => recordFromTx(raw, { chainId }), UnbatchableTransactionError, name)
})

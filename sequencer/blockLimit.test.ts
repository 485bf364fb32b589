/**
 * The sequencer's block limit: a block holds at most MAX_TXS_PER_POSTABLE_BLOCK txs (3,581) even
 * when the genesis allows more (4,000 by default), so a block's records with the batch's closing
 * block start fit one batch's trace (MAX_BATCH_RECORDS, docs/decisions/0006).
 */
import t from 'tap'
import { MAX_BATCH_RECORDS } from '../sdk/src/constants.ts'
import { calldata, TestSigner } from '../node/chain/fastpath/testing.ts'
import { startTestNode } from '../node/testing/testNode.ts'
import { l2Accounts } from './batcher/testing.ts'
import { MAX_TXS_PER_POSTABLE_BLOCK } from './sequencer.ts'

t.test('fullBlock_sealsAtTheTraceLimit_notTheGenesisLimit', async (t) => {
  // a block time far longer than the test: only the tx count seals
  const node = await startTestNode({ blockTimeMs: 60_000 })
  t.teardown(() => node.close())
  const chain = node.node.chain
  t.ok(chain.genesis.maxTxsPerBlock > MAX_TXS_PER_POSTABLE_BLOCK, `the genesis allows ${chain.genesis.maxTxsPerBlock} txs a block`)
  t.equal(MAX_TXS_PER_POSTABLE_BLOCK + 2, MAX_BATCH_RECORDS, "a full block's records (block start, one per tx) and the closing block start make a whole batch")
  const signer = new TestSigner(node.chainId)
  const [operator, , ...bettors] = l2Accounts
  const sequencer = node.node.sequencer!
  await sequencer.submitRawTx(signer.sign(operator, 0n, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 10n ** 9n, 10n ** 12n)))
  const count = MAX_TXS_PER_POSTABLE_BLOCK + 100
  const nonces = new Map<string, bigint>()
  const raws = Array.from({ length: count }, (_, i) => {
    const bettor = bettors[i % bettors.length]
    const nonce = nonces.get(bettor.address) ?? 0n
    nonces.set(bettor.address, nonce + 1n)
    return signer.sign(bettor, nonce, calldata.placeBet(1n, i % 2, 1_000_000n + BigInt(i), 1))
  })
  const results = await Promise.all(raws.map((raw) => sequencer.submitRawTx(raw)))
  t.ok(results.every((r) => r.status === 'preconfirmed'), `${count} bets preconfirmed`)
  // a full block seals while the next one runs: wait for its seal to finish
  await chain.flushWrites()
  const sealed = await chain.store.getBlockByNumber(1n)
  t.equal(sealed?.transactions.length, MAX_TXS_PER_POSTABLE_BLOCK, 'block 1 sealed full at the trace limit: the market and the first bets')
})

import t from 'tap'
import { pino } from 'pino'
import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { l2Accounts } from '../../sequencer/batcher/testing.ts'
import { startTestNode } from '../testing/testNode.ts'
import { calldata, testAccounts, TestSigner } from './fastpath/testing.ts'
import { SenderRecovery } from './senderRecovery.ts'
import type { SubmitResult } from '../../sequencer/sequencer.ts'
import { createSharedTxCommon } from './txCommon.ts'

const CHAIN_ID = 901
const logger = pino({ level: 'silent' })
const common = createSharedTxCommon(CHAIN_ID)
const signer = new TestSigner(CHAIN_ID)
const accounts = testAccounts(5)

/** What the main thread computes for a raw tx without the recovery thread. */
function onMainThread(raw: Uint8Array) {
  const tx = createTxFromRLP(raw, { common })
  return { publicKey: bytesToHex(tx.getSenderPublicKey()), hash: bytesToHex(tx.hash()) }
}

t.test('recover_signedTxsOfEachType_sameKeyAndHashAsTheMainThread_inCallOrder', async (t) => {
  const recovery = await SenderRecovery.start(CHAIN_ID, logger)
  t.teardown(() => recovery.stop())
  const raws: Uint8Array[] = []
  for (let i = 0; i < 300; i++) {
    const type = ([0, 1, 2] as const)[i % 3]
    raws.push(signer.sign(accounts[i % accounts.length], BigInt(i), calldata.placeBet(1n, i % 3, BigInt(1 + i), 0), { type }))
  }
  // all at once: several batches may be in flight, and answers must still come in call order
  const order: number[] = []
  const answers = await Promise.all(raws.map((raw, i) => recovery.recover(raw).then((r) => (order.push(i), r))))
  t.same(order, raws.map((_, i) => i), 'answers resolve in the order the txs were given')
  let same = 0
  for (const [i, raw] of raws.entries()) {
    const want = onMainThread(raw)
    const got = answers[i]
    if (got !== undefined && bytesToHex(got.publicKey) === want.publicKey && bytesToHex(got.hash) === want.hash) same++
  }
  t.equal(same, raws.length, 'every public key and hash equals the main thread\'s (legacy, EIP-2930, EIP-1559)')
})

t.test('recover_garbageOrForeignChain_undefined_soTheCallerChecksItself', async (t) => {
  const recovery = await SenderRecovery.start(CHAIN_ID, logger)
  t.teardown(() => recovery.stop())
  const good = signer.sign(accounts[0], 0n, calldata.placeBet(1n, 0, 5n, 0))
  const badSignature = Uint8Array.from(good)
  badSignature[badSignature.length - 2] ^= 0xff
  const foreign = new TestSigner(902).sign(accounts[0], 0n, calldata.placeBet(1n, 0, 5n, 0))
  const answers = await Promise.all([new Uint8Array(), Uint8Array.of(0x02, 0xc0), foreign, good].map((raw) => recovery.recover(raw)))
  t.equal(answers[0], undefined, 'empty input')
  t.equal(answers[1], undefined, 'a tx that does not decode')
  t.equal(answers[2], undefined, 'another chain id (refused by decoding)')
  t.ok(answers[3] !== undefined, 'a good tx in the same batch is still recovered')
  const tampered = await recovery.recover(badSignature)
  if (tampered !== undefined) {
    // a changed s may still recover, to another key: never to the signer's
    t.not(bytesToHex(tampered.publicKey), onMainThread(good).publicKey, 'a tampered signature does not recover the signer')
  } else t.pass('a tampered signature does not recover')
})

t.test('recover_afterStop_undefined_andNothingWaitsForever', async (t) => {
  const recovery = await SenderRecovery.start(CHAIN_ID, logger)
  const raw = signer.sign(accounts[0], 0n, calldata.placeBet(1n, 0, 5n, 0))
  const pending = recovery.recover(raw)
  await recovery.stop()
  const answer = await pending
  t.ok(answer === undefined || answer.publicKey.length === 64, 'a request in flight at stop is answered')
  t.equal(await recovery.recover(raw), undefined, 'after stop every request goes back to the caller')
})

t.test('sequencer_manyTxsFromOneSenderAtOnce_eachPreconfirmedInArrivalOrder_noneHeldForAGap', async (t) => {
  const node = await startTestNode({ blockTimeMs: 60_000 })
  t.teardown(() => node.close())
  const sequencer = node.node.sequencer!
  const signer = new TestSigner(node.chainId)
  const [operator, , bettor] = l2Accounts
  await sequencer.submitRawTx(signer.sign(operator, 0n, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 10n ** 9n, 10n ** 12n)))
  const raws = Array.from({ length: 300 }, (_, nonce) => signer.sign(bettor, BigInt(nonce), calldata.placeBet(1n, nonce % 2, 1_000n + BigInt(nonce), 1)))
  // garbage among them, refused with its own error, must not disturb the order of the rest
  const garbage = Uint8Array.of(0x02, 0xc0)
  const submitted = raws.flatMap((raw, i) => (i % 50 === 25 ? [garbage, raw] : [raw])).map((raw) => sequencer.submitRawTx(raw).catch((e: Error) => e))
  const results = await Promise.all(submitted)
  const refused = results.filter((r) => r instanceof Error)
  t.equal(refused.length, 6, 'each garbage tx refused')
  t.ok(refused.every((e) => (e as Error).name === 'TxRejectedError'), 'with a typed error')
  const answers = results.filter((r): r is SubmitResult => !(r instanceof Error))
  t.ok(answers.every((r) => r.status === 'preconfirmed'), 'every tx preconfirmed at once: none arrived ahead of its nonce')
  const indexes = answers.map((r) => (r.status === 'preconfirmed' ? r.executed.index : -1))
  t.ok(indexes.every((index, i) => i === 0 || index === indexes[i - 1] + 1), 'executed one after the other in the order sent')
})

/**
 * TraceExecutor on real LevelDBs: per-record roots of sealed blocks end at the sealed root, they
 * survive a reopen, and a block whose sealed root the re-execution does not reach stops the trace
 * (TraceDivergedError, then every later block refused).
 */
import { rmSync } from 'node:fs'
import t from 'tap'
import { pino } from 'pino'
import type { Block } from '@ethereumjs/block'
import { calldata, openTestChain, testAccounts, testGenesis, TestSigner } from '../chain/fastpath/testing.ts'
import { openLevel } from '../storage/level.ts'
import { tempDatadir } from '../testing/testNode.ts'
import { TraceDivergedError } from './errors.ts'
import { equalBytes } from './merkle.ts'
import { TraceExecutor, type TraceBlockInput } from './traceExecutor.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const accounts = testAccounts(12)
const genesis = testGenesis(42069, Math.floor(Date.now() / 1000), accounts[0].address, accounts[1].address, new Map(accounts.map((a) => [a.address, 10n ** 15n] as const)))

function inputOf(block: Block): TraceBlockInput {
  return { number: block.header.number, hash: block.hash(), parentHash: block.header.parentHash, timestamp: block.header.timestamp, stateRoot: block.header.stateRoot, txs: block.transactions.map((tx) => tx.serialize()) }
}

t.test('perRecordRoots_endAtTheSealedRoot_andADivergenceStopsTheTrace', async (t) => {
  const { chain, close } = await openTestChain(genesis, { fastPath: true }, { logger })
  t.teardown(close)
  const signer = new TestSigner(42069)
  const nonces = new Map<string, bigint>()
  const sign = (i: number, data: `0x${string}`) => {
    const n = nonces.get(accounts[i].address) ?? 0n
    nonces.set(accounts[i].address, n + 1n)
    return chain.decodeTx(signer.sign(accounts[i], n, data))
  }
  const blocks: Block[] = []
  for (let b = 0; b < 4; b++) {
    const pending = await chain.openBlock(BigInt(genesis.timestamp + b))
    if (b === 0) await chain.applyTx(pending, sign(0, calldata.createMarket(2, [20_000, 18_000], BigInt(genesis.timestamp + 3600), 10n ** 9n, 10n ** 12n)))
    for (let i = 0; i < 20; i++) await chain.applyTx(pending, sign(2 + (i % 10), calldata.placeBet(1n, i % 3, 1_000_000n, 1)))
    blocks.push((await chain.sealBlock(pending)).block)
  }

  const dir = tempDatadir('rollbook-trace-executor-')
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  let db = await openLevel(dir)
  let executor = await TraceExecutor.init(genesis, { db, logger })
  for (const block of blocks.slice(0, 2)) {
    const traced = await executor.executeBlock(inputOf(block))
    t.equal(traced.records.length, block.transactions.length, `block ${block.header.number}: one record per tx`)
    t.ok(equalBytes(traced.records.at(-1)!.stateRoot, block.header.stateRoot), 'the last record ends at the sealed root')
    t.equal(new Set(traced.records.map((r) => Buffer.from(r.stateRoot).toString('hex'))).size, traced.records.length, 'every tx moves the root (reverts bump the nonce)')
  }
  await t.rejects(executor.executeBlock(inputOf(blocks[3])), /fed after block 2/, 'blocks come in order')
  await db.close()

  // reopened: the head and the traced blocks are on disk
  db = await openLevel(dir)
  t.teardown(() => db.close())
  executor = await TraceExecutor.init(genesis, { db, logger })
  t.equal(executor.head.number, 2n)
  t.ok(equalBytes((await executor.store.block(1n))!.stateRoot, blocks[0].header.stateRoot))

  const wrong = { ...inputOf(blocks[2]), stateRoot: new Uint8Array(32).fill(7) }
  await t.rejects(executor.executeBlock(wrong), TraceDivergedError, 'a root other than the sealed one is fatal')
  t.ok(executor.error instanceof TraceDivergedError)
  await t.rejects(executor.executeBlock(inputOf(blocks[3])), TraceDivergedError, 'nothing is traced after a divergence')
  t.equal(executor.head.number, 2n, 'the diverged block is not recorded')
})

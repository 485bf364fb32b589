/**
 * FraudVerifier (docs/decisions/0006 "One step") on anvil against the TypeScript node. Two batches
 * of hand-made chunks hold every record kind and every rule's edge: block starts (one past the L1
 * time drift, one skipped by the decoder), compact bets, generic txs (createMarket, setOdds,
 * reportResult, settleBet), a reverting bet, a wrong nonce, a bad signature, the L1 messenger as
 * sender, a full block, txs with no block open, queue messages (deposits, a deposit whose payload
 * does not decode, a valid forced tx, a forced tx with a wrong nonce, a message not due, a message
 * queued after its chunk's L1 block), a chunk that ends early and one of an unknown version. The
 * chunks go to a real inbox; the node's Deriver derives them (the ground truth), the TraceExecutor
 * re-executes the derived blocks (per-record roots and every trie node, for the witnesses), and
 * node/trace's step rules (v2) give the honest step states from which the outputs are proposed.
 *
 * For every step: the verifier's computed state is the honest one, the honest leaf is NoFraud,
 * a changed leaf (each field in turn) is proven and slashes; the trace ending early or running long
 * is proven; false proofs are refused (forged witness, wrong chunk, wrong chunk index, wrong step,
 * stale pre-root, missing or extra chunks, a forged queue message, a final output). Gas of a proof
 * per record kind is printed (t.comment).
 */
import { rmSync } from 'node:fs'
import t, { type Test } from 'tap'
import { pino } from 'pino'
import type { Block } from '@ethereumjs/block'
import {
  bytesToHex,
  decodeEventLog,
  encodeAbiParameters,
  encodeFunctionData,
  hexToBytes,
  keccak256,
  parseEther,
  zeroAddress,
  zeroHash,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { decodeChunk, DEFAULT_MAX_CHUNK_BYTES, encodeChunk, rebuildTx, recordFromTx, type BatchRecord, type CompactBetRecord, type TxRecord } from '../../../sdk/src/batch/index.ts'
import { writeVarint } from '../../../sdk/src/batch/varint.ts'
import { L1_MESSENGER_PRIVATE_KEY } from '../../../sdk/src/constants.ts'
import { calldata, openTestChain, testAccounts, testGenesis, TestSigner, type TestAccount } from '../../../node/chain/fastpath/testing.ts'
import { checkRawTx } from '../../../node/chain/txValidation.ts'
import { Deriver } from '../../../node/derive/deriver.ts'
import { MESSAGE_KIND_FORCED_TX, relayCalldata, relayInfo, type QueueMessage } from '../../../node/l1/messages.ts'
import { openLevel } from '../../../node/storage/level.ts'
import { tempDatadir } from '../../../node/testing/testNode.ts'
import { buildTree, merkleProof } from '../../../node/trace/merkle.ts'
import { batchStart, encodeStepState, stepLeaf, type StepState } from '../../../node/trace/stepState.ts'
import { applyStep, batchStepStates, closeBlock, genesisStepState, recordFits, type RecordAt, type Step } from '../../../node/trace/steps.ts'
import { TraceExecutor } from '../../../node/trace/traceExecutor.ts'
import { buildBetEngineWitness, levelReadNode } from '../../../prover-fraud/witness.ts'
import { compileEntries } from '../compileEntries.ts'
import { deployer, proposer, sequencer, startL1, alice, bob, carol, type L1 } from './fixtures.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const CHAIN_ID = 901
/** small, so the block-full rules are reached */
const MAX_TXS = 5
const CHALLENGE_WINDOW = 3_600n
const BOND = parseEther('0.1')
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const challenger = carol

// two calls: compileEntries caches by the sources an entry list pulls in, not by the entries
const { MessageQueue, RollbookInbox, OutputRoots } = await compileEntries(['src/L1/OutputRoots.sol', 'src/L1/RollbookInbox.sol', 'src/L1/MessageQueue.sol'])
const { BetEngineVerifier, FraudVerifier } = await compileEntries(['src/L1/fraud/FraudVerifier.sol', 'src/L1/fraud/BetEngineVerifier.sol'])
const seen = new Set<string>()
/** FraudVerifier's ABI with every error the contracts it calls may bubble up, for decoding reverts. */
const fvAbi = [...FraudVerifier.abi, ...[BetEngineVerifier, OutputRoots, RollbookInbox, MessageQueue].flatMap((c) => c.abi.filter((e) => e.type === 'error'))].filter((e) => {
  const key = e.type === 'error' || e.type === 'function' || e.type === 'event' ? `${e.type}:${(e as { name: string }).name}` : e.type
  if (seen.has(key)) return false
  seen.add(key)
  return true
}) as Abi

// ---------------------------------------------------------------- L2 accounts and txs

const [operator, oracle, b2, b3, b4, b5, forcer, ...crowd] = testAccounts(11)
/** the batch planner's default chunk (sdk/src/batch/options.ts, decision 0006 "Chunk size") */
const FULL_CHUNK_BYTES = DEFAULT_MAX_CHUNK_BYTES
const messenger: TestAccount = { privateKey: hexToBytes(L1_MESSENGER_PRIVATE_KEY), address: privateKeyToAddress(L1_MESSENGER_PRIVATE_KEY) }
const signer = new TestSigner(CHAIN_ID)
const sign = (a: TestAccount, nonce: bigint, data: Hex, type?: 0 | 1 | 2) => signer.sign(a, nonce, data, { type })
const compact = (raw: Uint8Array) => recordFromTx(raw, { chainId: CHAIN_ID }) as CompactBetRecord
const generic = (raw: Uint8Array): TxRecord => ({ type: 'signedTx', raw: bytesToHex(raw) })
const bs = (timestamp: bigint): BatchRecord => ({ type: 'blockStart', timestamp })
const msg = (queueIndex: bigint): BatchRecord => ({ type: 'deposit', queueIndex })

/** One record of a hand-made chunk: a record, or raw record bytes (a malformed one). */
interface Item {
  record?: BatchRecord
  raw?: Uint8Array
  /** what the step is, for the gas table */
  label: string
  /** raw bytes that end the chunk: no step */
  noStep?: boolean
}

/** Encodes items as one chunk; block start deltas from the chunk's previous block start. */
function chunkOf(items: Item[], version = 1): Uint8Array {
  const out: number[] = [version]
  let previous: bigint | undefined
  for (const item of items) {
    if (item.raw !== undefined) out.push(...item.raw)
    else if (item.record!.type === 'blockStart') {
      out.push(1)
      writeVarint(out, previous === undefined ? item.record!.timestamp : item.record!.timestamp - previous)
      previous = item.record!.timestamp
    } else out.push(...encodeChunk([item.record!]).slice(1))
  }
  return Uint8Array.from(out)
}

// ---------------------------------------------------------------- L1

async function deploy(l1: L1, contract: { abi: Abi; bytecode: Hex }, args: unknown[]): Promise<Address> {
  const hash = await l1.wallet(deployer).deployContract({ abi: contract.abi, bytecode: contract.bytecode, args } as never)
  const receipt = await l1.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.contractAddress == null) throw new Error('no contract deployed')
  return receipt.contractAddress
}

async function sendTx(l1: L1, from: typeof deployer, address: Address, abi: Abi, functionName: string, args: unknown[], value?: bigint) {
  const hash = await l1.wallet(from).writeContract({ address, abi, functionName, args, value, chain: l1.chain, account: from } as never)
  const receipt = await l1.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`${functionName} reverted (tx ${hash})`)
  return receipt
}

interface PostedChunk {
  n: bigint
  batchIndex: bigint
  chunkIndex: number
  isLast: boolean
  data: Uint8Array
  l1BlockNumber: bigint
  l1Timestamp: bigint
}

type SolChunk = { n: bigint; data: Hex; isLast: boolean; l1BlockNumber: bigint; l1Timestamp: bigint }
type SolMessage = { kind: number; sender: Address; payload: Hex; l1BlockNumber: bigint; timestamp: bigint; previousHash: Hex }
interface SolStepProof {
  outputIndex: bigint
  step: bigint
  preState: Hex
  preProof: Hex[]
  postLeaf: Hex
  postProof: Hex[]
  chunks: SolChunk[]
  message: SolMessage
  witness: Hex[]
  forcedWitness: Hex[]
}
const NO_MESSAGE: SolMessage = { kind: 0, sender: zeroAddress, payload: '0x', l1BlockNumber: 0n, timestamp: 0n, previousHash: zeroHash }

/** The error name a promise rejects with (viem's decoded custom error), undefined if it resolves. */
async function revertName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    const e = error as { walk?: (f: (e: unknown) => boolean) => unknown }
    const reverted = e.walk?.((x) => (x as { name?: string }).name === 'ContractFunctionRevertedError') as { data?: { errorName?: string }; reason?: string; signature?: string } | undefined
    if (reverted !== undefined && reverted !== null) return reverted.data?.errorName ?? reverted.reason ?? reverted.signature ?? 'unknown revert'
    throw error
  }
}

// ---------------------------------------------------------------- the test

t.test('fraudVerifier_everyStepOfEveryRecordKind_honestIsNoFraud_changedIsProven_falseProofsRefused', async (t) => {
  const l1 = await startL1()
  t.teardown(() => l1.anvil.stop())
  const l1Now = (await l1.publicClient.getBlock()).timestamp
  const G = l1Now - 600n
  const balances = new Map<Address, bigint>([operator, b2, b3, b4, b5, forcer, ...crowd].map((a) => [a.address as Address, 10n ** 12n] as const))
  const genesis = { ...testGenesis(CHAIN_ID, Number(G), operator.address as Address, oracle.address as Address, balances), maxTxsPerBlock: MAX_TXS }

  // ---- L1 contracts
  const derived = await openTestChain(genesis, { fastPath: true }, { logger })
  t.teardown(derived.close)
  const genesisState = genesisStepState((await derived.chain.store.getBlockByNumber(0n))!.header.stateRoot, G)
  const queue = await deploy(l1, MessageQueue, [deployer.address])
  const inbox = await deploy(l1, RollbookInbox, [sequencer.address, queue])
  // alice stands in for the bridge, so a deposit's payload can be anything
  await sendTx(l1, deployer, queue, MessageQueue.abi, 'setEnqueuers', [alice.address, inbox])
  const outputs = await deploy(l1, OutputRoots, [deployer.address, proposer.address, CHALLENGE_WINDOW, BOND, inbox, bytesToHex(stepLeaf(genesisState))])
  const engineVerifier = await deploy(l1, BetEngineVerifier, [])
  const fv = await deploy(l1, FraudVerifier, [outputs, inbox, engineVerifier, BigInt(CHAIN_ID), BigInt(MAX_TXS)])
  await sendTx(l1, deployer, outputs, OutputRoots.abi, 'setFraudVerifier', [fv])

  // ---- queue messages: parsed back from MessageQueued
  const messages: QueueMessage[] = []
  const queued = async (receipt: Awaited<ReturnType<typeof sendTx>>) => {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== queue.toLowerCase()) continue
      const { args } = decodeEventLog({ abi: MessageQueue.abi, data: log.data, topics: log.topics }) as unknown as { args: { index: bigint; kind: number; sender: Address; payload: Hex; l1BlockNumber: bigint; timestamp: bigint; queueHash: Hex } }
      messages.push({ index: args.index, kind: args.kind, sender: args.sender, payload: args.payload, l1BlockNumber: args.l1BlockNumber, timestamp: args.timestamp, queueHash: args.queueHash })
    }
  }
  const deposit = (to: TestAccount, amount: bigint) => encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [to.address as Address, amount])
  await queued(await sendTx(l1, alice, queue, MessageQueue.abi, 'enqueue', [0, alice.address, deposit(b2, 5_000_000n)]))
  await queued(await sendTx(l1, bob, inbox, RollbookInbox.abi, 'forceTransaction', [bytesToHex(sign(forcer, 0n, calldata.placeBet(1n, 1, 2_000_000n, 1)))]))
  await queued(await sendTx(l1, alice, queue, MessageQueue.abi, 'enqueue', [0, alice.address, '0x1234']))
  await queued(await sendTx(l1, bob, inbox, RollbookInbox.abi, 'forceTransaction', [bytesToHex(sign(forcer, 7n, calldata.placeBet(1n, 0, 1_000_000n, 1)))]))
  await queued(await sendTx(l1, alice, queue, MessageQueue.abi, 'enqueue', [0, alice.address, deposit(b3, 7_000_000n)]))

  // ---- the batches
  const T = G + 10n
  const closeTime = G + 200n
  const bet = (a: TestAccount, nonce: bigint, market: bigint, outcome = 0, stake = 1_000_000n) => compact(sign(a, nonce, calldata.placeBet(market, outcome, stake, 1)))
  const badYParity = (() => {
    const bytes = encodeChunk([bet(b5, 3n, 1n)]).slice(1)
    bytes[bytes.length - 65] = 2
    return bytes
  })()
  const highS = (() => {
    const r = bet(b4, 1n, 1n)
    const s = N - BigInt(r.s)
    return { ...r, s: `0x${s.toString(16).padStart(64, '0')}` as Hex, yParity: (1 - r.yParity) as 0 | 1 }
  })()
  const farFuture = l1Now + 7_200n
  const batch0: Item[][] = [
    [
      { record: bs(T), label: 'block start' },
      { record: generic(sign(operator, 0n, calldata.createMarket(2, [20_000, 18_000], closeTime, 10n ** 8n, 10n ** 12n))), label: 'generic createMarket' },
      { record: bet(b2, 0n, 1n), label: 'compact bet' },
      { raw: badYParity, label: 'decoder skip (bad yParity)' },
      { record: bet(b3, 5n, 1n), label: 'wrong nonce' },
      { record: msg(0n), label: 'deposit' },
      { record: generic(sign(b4, 0n, calldata.placeBet(99n, 0, 1_000_000n, 1))), label: 'reverting tx (generic placeBet)' },
      { raw: Uint8Array.of(0x07, 0x01, 0x02), label: 'unknown type: the chunk ends', noStep: true },
    ],
    [{ raw: Uint8Array.of(0x03, 0x00), label: 'unknown version', noStep: true }],
    [
      { record: bs(T + 10n), label: 'block start (seals)' },
      { record: msg(1n), label: 'forced tx' },
      { record: msg(3n), label: 'message not due' },
      { record: msg(2n), label: 'deposit, payload does not decode' },
      { record: highS, label: 'bad signature (high s)' },
      { record: generic(sign(messenger, 4n, calldata.setOdds(1n, [21_000, 17_000]))), label: 'L1 messenger as sender' },
      { record: msg(3n), label: 'forced tx with a wrong nonce' },
      { record: generic(sign(operator, 1n, calldata.setOdds(1n, [21_000, 17_000]), 0)), label: 'generic legacy setOdds' },
      { record: bet(b5, 0n, 1n), label: 'block full' },
      { raw: Uint8Array.of(0x01, 0x80, 0x00), label: 'decoder skip (non-minimal block start)' },
      { record: bs(farFuture), label: 'block start past the drift' },
    ],
    [
      { record: bet(b5, 0n, 1n), label: 'no block open' },
      { record: bs(T + 20n), label: 'block start (new chunk)' },
      { record: bet(b2, 1n, 1n, 1), label: 'compact bet' },
      { record: bet(b3, 0n, 1n), label: 'compact bet' },
      { record: bet(b4, 1n, 1n), label: 'compact bet' },
      { record: bet(b5, 0n, 1n), label: 'compact bet' },
      { record: msg(4n), label: 'message, block full' },
      { record: bs(T + 30n), label: 'block start (seals)' },
      { record: msg(4n), label: 'deposit' },
      { record: msg(5n), label: "message queued after the chunk's L1 block" },
      { record: bs(T + 30n), label: 'closing block start' },
    ],
  ]
  const batch1: Item[][] = [
    [
      { record: bet(b2, 2n, 1n), label: 'no block open (batch start)' },
      { record: bs(G + 210n), label: 'block start' },
      { record: generic(sign(oracle, 0n, calldata.reportResult(1n, 0))), label: 'generic reportResult' },
      { record: msg(5n), label: 'deposit' },
      { record: generic(sign(b3, 1n, calldata.settleBet(1n))), label: 'generic settleBet' },
      { record: bs(G + 210n), label: 'closing block start' },
    ],
  ]
  // batch 2: one chunk of the planner's default size, full of bets (a block start every MAX_TXS)
  const batch2: Item[][] = [[{ record: bs(G + 220n), label: 'block start' }, { record: generic(sign(operator, 2n, calldata.createMarket(2, [19_000, 19_000], G + 100_000n, 10n ** 8n, 10n ** 12n))), label: 'generic createMarket' }]]
  for (let i = 0, txs = 1; chunkOf(batch2[0]).length < FULL_CHUNK_BYTES - 2 * 77 - 3; i++) {
    if (txs === MAX_TXS) {
      batch2[0].push({ record: bs(G + 220n + BigInt(i)), label: 'block start (full chunk)' })
      txs = 0
    }
    batch2[0].push({ record: bet(crowd[i % crowd.length], BigInt(Math.floor(i / crowd.length)), 2n, i % 2, 1_000_000n + BigInt(i)), label: 'compact bet (full chunk)' })
    txs++
  }
  batch2[0].push({ record: bs(G + 100_000n), label: 'closing block start' })
  const batches = [batch0, batch1, batch2]

  // ---- post the chunks; message 5 is queued between the two batches
  const posted: PostedChunk[][] = []
  let n = 0n
  for (const [b, items] of batches.entries()) {
    if (b === 1) await queued(await sendTx(l1, alice, queue, MessageQueue.abi, 'enqueue', [0, alice.address, deposit(b4, 1_000_000n)]))
    const chunks: PostedChunk[] = []
    for (const [i, chunkItems] of items.entries()) {
      const data = chunkOf(chunkItems, b === 0 && i === 1 ? 2 : 1)
      const isLast = i === items.length - 1
      const receipt = await sendTx(l1, sequencer, inbox, RollbookInbox.abi, 'postChunk', [BigInt(b), i, isLast, bytesToHex(data)])
      const block = await l1.publicClient.getBlock({ blockNumber: receipt.blockNumber })
      chunks.push({ n: n++, batchIndex: BigInt(b), chunkIndex: i, isLast, data, l1BlockNumber: receipt.blockNumber, l1Timestamp: block.timestamp })
    }
    posted.push(chunks)
  }
  t.equal(messages.length, 6, 'six queue messages')

  // ---- derivation, the ground truth: the replica's message store holds what L1 had at each chunk
  let l1Block = 0n
  const deriver = new Deriver({}, { chain: derived.chain, logger, messages: { get: (i) => (i < messages.length && messages[Number(i)].l1BlockNumber <= l1Block ? messages[Number(i)] : undefined) } })
  for (const chunks of posted) {
    for (const c of chunks) {
      l1Block = c.l1BlockNumber
      await deriver.deriveChunk(c.data, { batchIndex: c.batchIndex, chunkIndex: c.chunkIndex, l1Timestamp: c.l1Timestamp })
    }
  }
  await deriver.endBlock()
  await derived.chain.flushWrites()
  const head = derived.chain.head.header.number
  t.comment(`derived ${head} L2 blocks, ${deriver.stats.txs} txs, ${deriver.stats.skipped} records skipped`)

  // ---- the trace executor: per-record roots and every trie node
  const traceDir = tempDatadir('rollbook-fraud-trace-')
  const traceDb = await openLevel(traceDir)
  t.teardown(async () => {
    await traceDb.close()
    rmSync(traceDir, { recursive: true, force: true })
  })
  const executor = await TraceExecutor.init(genesis, { db: traceDb, logger })
  interface DerivedRecord {
    kind: 'tx' | 'message'
    txs: 1 | 2
    stateRoot: Uint8Array
    hash: Hex
    queueIndex?: bigint
    block: bigint
  }
  const derivedRecords: DerivedRecord[] = []
  const blocks: Block[] = []
  for (let number = 1n; number <= head; number++) {
    const block = (await derived.chain.store.getBlockByNumber(number))!
    blocks.push(block)
    const traced = await executor.executeBlock({ number, hash: block.hash(), parentHash: block.header.parentHash, timestamp: block.header.timestamp, stateRoot: block.header.stateRoot, txs: block.transactions.map((tx) => tx.serialize()) })
    let at = 0
    for (const r of traced.records) {
      const tx = block.transactions[at]
      derivedRecords.push({ kind: r.kind, txs: r.txs, stateRoot: r.stateRoot, hash: bytesToHex(tx.hash()), queueIndex: relayInfo(tx)?.queueIndex, block: number })
      at += r.txs
    }
  }
  const readNode = levelReadNode(traceDb)

  // ---- the honest steps: decode each chunk, match records against what derivation applied
  interface StepInfo {
    step: Exclude<Step, { kind: 'forced' }>
    record?: BatchRecord
    label: string
    chunk: PostedChunk
  }
  let nextDerived = 0
  const traces: { steps: StepInfo[]; states: StepState[]; levels: Uint8Array[][]; leaves: Hex[]; l2Block: bigint }[] = []
  let pre = genesisState
  for (const [b, chunks] of posted.entries()) {
    const labels = batches[b].flat().filter((i) => i.noStep !== true).map((i) => i.label)
    const steps: StepInfo[] = []
    // the state so far, so that a record the block rules make a no-op is not matched to a derived one
    let s = batchStart(pre)
    for (const c of chunks) {
      const decoded = decodeChunk(c.data, { chainId: CHAIN_ID })
      const items = [
        ...decoded.records.map((r) => ({ at: { chunkIndex: c.chunkIndex, offset: r.offset, end: r.offset + r.length } as RecordAt, record: r.record as BatchRecord | undefined })),
        ...decoded.skipped.flatMap((r) => (r.length === undefined ? [] : [{ at: { chunkIndex: c.chunkIndex, offset: r.offset, end: r.offset + r.length } as RecordAt, record: undefined }])),
      ].sort((x, y) => x.at.offset - y.at.offset)
      for (const { at, record } of items) {
        const label = labels[steps.length]
        const info = (step: StepInfo['step']) => {
          s = applyStep(steps.length === 0 ? closeBlock(s) : s, step, MAX_TXS)
          steps.push({ step, record, label, chunk: c })
        }
        if (record === undefined) info({ kind: 'skip', at })
        else if (record.type === 'blockStart') info({ kind: 'blockStart', timestamp: record.timestamp, l1Timestamp: c.l1Timestamp, at })
        else {
          const d = derivedRecords[nextDerived]
          const kind = record.type === 'deposit' ? 'message' : 'tx'
          const applied =
            d !== undefined &&
            recordFits(steps.length === 0 ? closeBlock(s) : s, kind, MAX_TXS) &&
            (record.type === 'deposit' ? d.kind === 'message' && d.queueIndex === record.queueIndex : d.kind === 'tx' && d.hash === keccak256(rebuildTx(record, { chainId: CHAIN_ID })))
          if (!applied) info({ kind: 'skip', at })
          else {
            nextDerived++
            info(d.kind === 'tx' ? { kind: 'tx', stateRoot: d.stateRoot, at } : { kind: 'message', txs: d.txs, stateRoot: d.stateRoot, at })
          }
        }
      }
    }
    t.equal(steps.length, labels.length, `batch ${b}: one step per framed record`)
    const states = batchStepStates(pre, { forced: [], records: steps.map((s) => s.step) }, MAX_TXS)
    const levels = buildTree(states.map(stepLeaf))
    const l2Block = derivedRecords[nextDerived - 1].block
    t.equal(bytesToHex(states.at(-1)!.stateRoot), bytesToHex(blocks[Number(l2Block) - 1].header.stateRoot), `batch ${b}: the last leaf's root is the derived chain's`)
    traces.push({ steps, states, levels, leaves: states.map((s) => bytesToHex(stepLeaf(s))), l2Block })
    pre = states.at(-1)!
  }
  t.equal(nextDerived, derivedRecords.length, 'every derived record is a step')
  const applied = traces.slice(0, 2).flatMap((tr) => tr.steps.map((s) => `${s.label}: ${s.step.kind}`))
  t.comment(applied.join('\n'))

  // ---- proofs
  const common = derived.chain.common
  const decode = (raw: Uint8Array) => derived.chain.decodeTx(raw)
  const checked = (raw: Uint8Array) => {
    try {
      return checkRawTx(raw, decode, BigInt(CHAIN_ID), 32 * 1024)
    } catch {
      return undefined
    }
  }
  const witnessOf = async (stateRoot: Uint8Array, sender: Uint8Array, data: Uint8Array, time: bigint) => {
    try {
      return await buildBetEngineWitness({ stateRoot, readNode }, { sender, data, time }, common)
    } catch {
      return undefined
    }
  }
  const solChunk = (c: PostedChunk): SolChunk => ({ n: c.n, data: bytesToHex(c.data), isLast: c.isLast, l1BlockNumber: c.l1BlockNumber, l1Timestamp: c.l1Timestamp })

  /** The honest proof of step i of batch b (leaves as given: honest unless a test changes them). */
  async function proofOf(b: number, i: number, leaves: Hex[] = traces[b].leaves, states: StepState[] = traces[b].states): Promise<SolStepProof> {
    const tr = traces[b]
    const levels = leaves === tr.leaves ? tr.levels : buildTree(leaves.map((l) => hexToBytes(l)))
    const s = tr.states[i]
    const info = tr.steps[i] as StepInfo | undefined
    const chunks = posted[b]
    const lastChunk = info === undefined ? chunks.length - 1 : info.chunk.chunkIndex
    const proof: SolStepProof = {
      outputIndex: BigInt(b),
      step: BigInt(i),
      preState: bytesToHex(encodeStepState(states[i])),
      preProof: merkleProof(levels, i).map((x) => bytesToHex(x)),
      postLeaf: i + 1 < leaves.length ? leaves[i + 1] : zeroHash,
      postProof: i + 1 < leaves.length ? merkleProof(levels, i + 1).map((x) => bytesToHex(x)) : [],
      chunks: chunks.slice(i === 0 ? 0 : s.chunkIndex, lastChunk + 1).map(solChunk),
      message: NO_MESSAGE,
      witness: [],
      forcedWitness: [],
    }
    const time = s.blockTimestamp > s.parentTimestamp ? s.blockTimestamp : s.parentTimestamp
    const record = info?.record
    if (record?.type === 'compactBet' || record?.type === 'signedTx') {
      const tx = checked(rebuildTx(record, { chainId: CHAIN_ID }))
      if (tx !== undefined) proof.witness = ((await witnessOf(s.stateRoot, tx.sender, tx.tx.data, time))?.nodes ?? []).map((x) => bytesToHex(x))
    } else if (record?.type === 'deposit' && record.queueIndex < BigInt(messages.length)) {
      const m = messages[Number(record.queueIndex)]
      proof.message = { kind: m.kind, sender: m.sender, payload: m.payload, l1BlockNumber: m.l1BlockNumber, timestamp: m.timestamp, previousHash: m.index === 0n ? zeroHash : messages[Number(m.index) - 1].queueHash }
      const relay = await witnessOf(s.stateRoot, hexToBytes(messenger.address as Hex), hexToBytes(relayCalldata(m)), time)
      proof.witness = (relay?.nodes ?? []).map((x) => bytesToHex(x))
      const forced = m.kind === MESSAGE_KIND_FORCED_TX ? checked(hexToBytes(m.payload)) : undefined
      if (relay !== undefined && forced !== undefined) {
        proof.forcedWitness = ((await witnessOf(relay.postStateRoot, forced.sender, forced.tx.data, time))?.nodes ?? []).map((x) => bytesToHex(x))
      }
    }
    return proof
  }

  const fvRead = { address: fv, abi: fvAbi } as const
  const simulateProve = (proof: SolStepProof, account = challenger) => l1.publicClient.simulateContract({ ...fvRead, functionName: 'proveStep', args: [proof], account })
  const propose = async (b: number, states: StepState[], leaves: Hex[], l2Block: bigint) =>
    sendTx(l1, proposer, outputs, OutputRoots.abi, 'proposeOutput', [BigInt(b), bytesToHex(states.at(-1)!.stateRoot), zeroHash, l2Block, bytesToHex(encodeStepState(states.at(-1)!)), leaves], BOND)
  const proposeHonest = (b: number) => propose(b, traces[b].states, traces[b].leaves, traces[b].l2Block)
  let base = await l1.testClient.snapshot()
  const fresh = async () => {
    await l1.testClient.revert({ id: base })
    base = await l1.testClient.snapshot()
  }
  const outputCount = async () => (await l1.publicClient.readContract({ address: outputs, abi: OutputRoots.abi, functionName: 'outputCount' })) as bigint

  /** Sends proveStep; checks the outputs from `k` are gone and the challenger got half their bonds. */
  async function proveFraud(t: Test, proof: SolStepProof, what: string): Promise<bigint | undefined> {
    const before = await outputCount()
    const name = await revertName(simulateProve(proof))
    if (name !== undefined) {
      t.fail(`${what}: proof refused with ${name}`)
      return undefined
    }
    const balance = await l1.publicClient.getBalance({ address: challenger.address })
    const receipt = await sendTx(l1, challenger, fv, fvAbi, 'proveStep', [proof])
    const after = await outputCount()
    const paid = (await l1.publicClient.getBalance({ address: challenger.address })) - balance + receipt.gasUsed * receipt.effectiveGasPrice
    const ok = after === proof.outputIndex && paid === (BOND * (before - proof.outputIndex)) / 2n
    if (!ok) t.fail(`${what}: outputs ${before} -> ${after}, paid ${paid}`)
    return receipt.gasUsed
  }

  const fields: (keyof StepState)[] = ['stateRoot', 'parentTimestamp', 'blockTimestamp', 'blockOpen', 'txCount', 'chunkIndex', 'offset', 'chunkBase']
  function changed(s: StepState, field: keyof StepState): StepState {
    switch (field) {
      case 'stateRoot':
        return { ...s, stateRoot: keccak256(s.stateRoot, 'bytes') }
      case 'blockOpen':
        return { ...s, blockOpen: !s.blockOpen }
      case 'chunkBase':
        return { ...s, chunkBase: s.chunkBase === undefined ? 0n : undefined }
      case 'parentTimestamp':
      case 'blockTimestamp':
        return { ...s, [field]: s[field] + 1n }
      default:
        return { ...s, [field]: (s[field] as number) + 1 }
    }
  }

  const gas = new Map<string, bigint[]>()
  await t.test('every step: the computed state is the honest one; a changed leaf is proven', async (t) => {
    for (const [b, tr] of traces.slice(0, 2).entries()) {
      for (let i = 0; i < tr.states.length; i++) {
        await fresh()
        if (b === 1) await proposeHonest(0)
        const label = i < tr.steps.length ? tr.steps[i].label : 'no record left'
        const proof = await proofOf(b, i)
        if (i < tr.steps.length) {
          const { result } = await l1.publicClient.simulateContract({ ...fvRead, functionName: 'computeStep', args: [proof], account: challenger }).catch((e: unknown) => {
            t.fail(`batch ${b} step ${i} (${label}): computeStep reverted: ${String(e).slice(0, 400)}`)
            return { result: undefined }
          })
          if (result === undefined) continue
          const [found, post] = result as [boolean, Record<string, unknown>]
          const want = tr.states[i + 1]
          const got = { ...post, stateRoot: post.stateRoot, chunkBase: post.hasChunkBase ? post.chunkBase : undefined }
          const expect = { stateRoot: bytesToHex(want.stateRoot), parentTimestamp: want.parentTimestamp, blockTimestamp: want.blockTimestamp, blockOpen: want.blockOpen, txCount: want.txCount, chunkIndex: want.chunkIndex, offset: want.offset, hasChunkBase: want.chunkBase !== undefined, chunkBase: want.chunkBase }
          if (!found || JSON.stringify(got, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify({ ...expect }, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) {
            t.same({ found, ...got }, { found: true, ...expect }, `batch ${b} step ${i} (${label}): the verifier's state is the honest one`)
          }
        }
        // a changed leaf i + 1 (each field in turn), or a leaf after the last (the trace runs long)
        const states = [...tr.states]
        const field = fields[(i + b) % fields.length]
        if (i + 1 < states.length) states[i + 1] = changed(states[i + 1], field)
        else states.push(changed(states[i], 'stateRoot'))
        const leaves = states.map((s) => bytesToHex(stepLeaf(s)))
        await propose(b, states, leaves, tr.l2Block)
        const used = await proveFraud(t, await proofOf(b, i, leaves, states), `batch ${b} step ${i} (${label}), ${i + 1 < tr.states.length ? `leaf ${i + 1} with another ${field}` : 'a leaf too many'}`)
        if (used !== undefined) gas.set(label, [...(gas.get(label) ?? []), used])
      }
    }
    t.pass(`${traces.slice(0, 2).reduce((sum, tr) => sum + tr.states.length, 0)} steps checked`)
  })

  await t.test('every field of a post leaf, changed, is proven (one step of each kind)', async (t) => {
    const tr = traces[0]
    for (const i of [0, 5, 9]) {
      for (const field of fields) {
        await fresh()
        const states = [...tr.states]
        states[i + 1] = changed(states[i + 1], field)
        const leaves = states.map((s) => bytesToHex(stepLeaf(s)))
        await propose(0, states, leaves, tr.l2Block)
        await proveFraud(t, await proofOf(0, i, leaves, states), `step ${i} (${tr.steps[i].label}), ${field} changed`)
      }
    }
    t.pass('proven')
  })

  await t.test('the trace ending early is proven', async (t) => {
    const tr = traces[0]
    for (const end of [1, 7, tr.states.length - 2]) {
      await fresh()
      const states = tr.states.slice(0, end + 1)
      const leaves = tr.leaves.slice(0, end + 1)
      await propose(0, states, leaves, tr.l2Block)
      const used = await proveFraud(t, await proofOf(0, end, leaves, states), `a trace of ${end + 1} leaves`)
      if (used !== undefined) t.comment(`trace ends early at step ${end} (${tr.steps[end].label}): ${used} gas`)
    }
  })

  await t.test('honest outputs: every step is NoFraud, and false proofs are refused', async (t) => {
    await fresh()
    await proposeHonest(0)
    await proposeHonest(1)
    await proposeHonest(2)
    for (const [b, tr] of traces.entries()) {
      // the full chunk's steps: every 17th
      for (let i = 0; i < tr.states.length; i += b === 2 ? 17 : 1) {
        const name = await revertName(simulateProve(await proofOf(b, i)))
        if (name !== 'NoFraud') t.fail(`batch ${b} step ${i} (${tr.steps[i]?.label ?? 'no record left'}): ${name ?? 'proven'}, not NoFraud`)
      }
    }
    t.pass('every honest step is NoFraud')

    const stepOf = (label: string) => traces[0].steps.findIndex((s) => s.label === label)
    const betStep = stepOf('compact bet')
    const forcedStep = stepOf('forced tx')
    const good = await proofOf(0, betStep)
    const expect = async (proof: SolStepProof, error: string, what: string) => t.equal(await revertName(simulateProve(proof)), error, what)

    const forged = [...good.witness]
    const node = hexToBytes(forged[0])
    node[node.length - 1] ^= 1
    forged[0] = bytesToHex(node)
    await expect({ ...good, witness: forged }, 'MissingNode', 'a forged witness node')
    await expect({ ...good, witness: good.witness.slice(1) }, 'MissingNode', 'a witness without a node')
    const other = posted[0][2]
    await expect({ ...good, chunks: [{ ...good.chunks[0], data: bytesToHex(other.data) }] }, 'WrongChunk', "another chunk's bytes")
    await expect({ ...good, chunks: [{ ...good.chunks[0], l1Timestamp: good.chunks[0].l1Timestamp + 1n }] }, 'WrongChunk', 'another L1 timestamp')
    await expect({ ...good, chunks: [{ ...solChunk(other), n: good.chunks[0].n }] }, 'WrongChunk', 'a chunk of the batch at the wrong chunk index')
    await expect({ ...good, chunks: [{ ...good.chunks[0], n: good.chunks[0].n + 1n }] }, 'WrongChunk', 'the right chunk under another inbox index')
    await expect({ ...good, chunks: [] }, 'MissingChunk', 'no chunk')
    await expect({ ...good, chunks: [...good.chunks, solChunk(posted[0][1])] }, 'UnusedChunks', 'a chunk too many')
    await expect({ ...good, step: good.step + 1n }, 'BadLeafProof', 'the wrong step index')
    await expect({ ...good, outputIndex: 1n }, 'BadLeafProof', "another output's trace")
    const stale = { ...traces[0].states[betStep], stateRoot: traces[0].states[betStep - 1].stateRoot }
    await expect({ ...good, preState: bytesToHex(encodeStepState(stale)) }, 'BadLeafProof', 'a stale pre-state root')
    await expect({ ...good, postLeaf: keccak256('0x01') }, 'BadLeafProof', 'a post leaf not in the trace')
    await expect({ ...good, preProof: good.preProof.slice(1) }, 'BadLeafProof', 'a proof of the wrong depth')
    await expect({ ...good, step: 1000n }, 'StepOutOfRange', 'a step past the trace')
    await expect({ ...good, preState: bytesToHex(encodeStepState(traces[0].states[betStep]).slice(0, 160)) }, 'BadLeafProof', 'a v1 (160-byte) pre-state')

    const forced = await proofOf(0, forcedStep)
    await expect({ ...forced, message: { ...forced.message, payload: `${forced.message.payload}00` as Hex } }, 'BadQueueMessage', 'a forged queue message payload')
    await expect({ ...forced, message: { ...forced.message, l1BlockNumber: 1n } }, 'BadQueueMessage', 'a forged queue message L1 block')
    await expect({ ...forced, message: { ...forced.message, previousHash: keccak256('0x') } }, 'BadQueueMessage', 'a forged previous queue hash')
    await expect({ ...forced, forcedWitness: [] }, 'MissingNode', 'a forced tx without its witness')

    await l1.testClient.increaseTime({ seconds: Number(CHALLENGE_WINDOW) })
    await l1.testClient.mine({ blocks: 1 })
    await expect(good, 'OutputFinalized', 'a final output')
  })

  await t.test('gas at the start and the end of a full chunk', async (t) => {
    const tr = traces[2]
    t.comment(`batch 2: one chunk of ${posted[2][0].data.length} bytes, ${tr.steps.length} steps`)
    const bets = tr.steps.flatMap((s, i) => (s.label === 'compact bet (full chunk)' && s.step.kind === 'tx' ? [i] : []))
    for (const i of [bets[0], bets.at(-1)!, tr.steps.length - 1]) {
      await fresh()
      await proposeHonest(0)
      await proposeHonest(1)
      const states = [...tr.states]
      states[i + 1] = changed(states[i + 1], 'stateRoot')
      const leaves = states.map((s) => bytesToHex(stepLeaf(s)))
      await propose(2, states, leaves, tr.l2Block)
      const proof = await proofOf(2, i, leaves, states)
      const used = await proveFraud(t, proof, `full chunk, step ${i}`)
      const witnessBytes = proof.witness.reduce((sum, n) => sum + (n.length - 2) / 2, 0)
      const { result } = await l1.publicClient.simulateContract({ ...fvRead, functionName: 'computeStep', args: [await proofOf(2, i)], account: challenger })
      if (!(result as [boolean])[0]) t.fail(`full chunk, step ${i}: no record found`)
      let parts = ''
      const record = tr.steps[i].record
      if (record?.type === 'compactBet') {
        // the same call alone (a tx of its own: 21,000 and its calldata included)
        const tx = checked(rebuildTx(record, { chainId: CHAIN_ID }))!
        const s = tr.states[i]
        const time = s.blockTimestamp > s.parentTimestamp ? s.blockTimestamp : s.parentTimestamp
        const call = { address: engineVerifier, abi: BetEngineVerifier.abi, account: challenger.address } as const
        const execute = await l1.publicClient.estimateContractGas({ ...call, functionName: 'execute', args: [bytesToHex(s.stateRoot), proof.witness, bytesToHex(tx.sender), time, bytesToHex(tx.tx.data)] })
        const withNonce = await l1.publicClient.estimateContractGas({ ...call, functionName: 'executeWithNonce', args: [bytesToHex(s.stateRoot), proof.witness, bytesToHex(tx.sender), tx.tx.nonce, time, bytesToHex(tx.tx.data)] })
        parts = `; as txs of their own: execute ${execute}, executeWithNonce ${withNonce}`
      }
      if (used !== undefined) t.comment(`${tr.steps[i].label} at offset ${tr.steps[i].step.at?.offset} of ${posted[2][0].data.length}: ${used} gas (witness ${proof.witness.length} nodes, ${witnessBytes} bytes${parts})`)
    }
  })

  const rows = [...gas.entries()].map(([label, used]) => {
    const max = used.reduce((a, x) => (x > a ? x : a), 0n)
    const avg = used.reduce((a, x) => a + x, 0n) / BigInt(used.length)
    return `${label.padEnd(44)} ${String(used.length).padStart(2)}  avg ${avg.toString().padStart(9)}  max ${max.toString().padStart(9)}`
  })
  t.comment(`gas of a fraud proof (proveStep tx, calldata included) per record kind:\n${rows.join('\n')}`)
})

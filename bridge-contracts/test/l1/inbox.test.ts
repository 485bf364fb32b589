/** RollbookInbox and MessageQueue on a real anvil: chunks in order, forced txs and deposits in one hash chain. */
import t from 'tap'
import { decodeEventLog, encodeAbiParameters, keccak256, parseEventLogs, zeroHash, type Hex } from 'viem'
import { messageQueueAbi, rollbookBridgeAbi, rollbookInboxAbi } from '../../../sdk/src/generated/contracts.ts'
import {
  encodeDepositPayload,
  MESSAGE_KIND_DEPOSIT,
  MESSAGE_KIND_FORCED_TX,
  nextQueueHash,
} from '../../../sdk/src/l1/encoding.ts'
import { alice, bob, deployContracts, deployer, mintAndApprove, randomBytes, revertName, send, sequencer, startL1, USDC, type L1 } from './fixtures.ts'

const l1: L1 = await startL1()
t.teardown(() => l1.anvil.stop())

/** chunkCommitment as docs/decisions/0006 defines it, computed here apart from the contract. */
function commitment(c: { batchIndex: bigint; chunkIndex: number; isLast: boolean; dataHash: Hex; l1BlockNumber: bigint; l1Timestamp: bigint }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint64' }, { type: 'uint32' }, { type: 'bool' }, { type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }],
      [c.batchIndex, c.chunkIndex, c.isLast, c.dataHash, c.l1BlockNumber, c.l1Timestamp],
    ),
  )
}

t.test('postChunk_inOrder_recordsCommitmentsAndEmits', async (t) => {
  const d = await deployContracts(l1)
  const chunks: [bigint, number, boolean, Hex][] = [
    [0n, 0, false, '0x01aa'],
    [0n, 1, true, '0x01bb'],
    [1n, 0, true, '0x01cc'],
    [2n, 0, false, '0x01dd'],
    [2n, 1, false, '0x01ee'],
  ]
  const read = (functionName: 'chunkCount' | 'lastBatchIndex' | 'lastChunkIndex' | 'lastChunkIsLast') =>
    l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName })
  const commitments: Hex[] = []
  for (const [n, [batchIndex, chunkIndex, isLast, data]] of chunks.entries()) {
    const receipt = await send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, chunkIndex, isLast, data] })
    const block = await l1.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    const fields = { batchIndex, chunkIndex, isLast, dataHash: keccak256(data), l1BlockNumber: receipt.blockNumber, l1Timestamp: block.timestamp }
    const expected = commitment(fields)
    const [event] = parseEventLogs({ abi: rollbookInboxAbi, logs: receipt.logs, eventName: 'ChunkPosted' })
    t.same(event.args, { n: BigInt(n), ...fields, commitment: expected }, `chunk ${n}: the event carries every committed field`)
    t.equal(await l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'commitmentOf', args: [batchIndex, chunkIndex, isLast, fields.dataHash, fields.l1BlockNumber, fields.l1Timestamp] }), expected)
    t.equal(await read('lastChunkIsLast'), isLast)
    commitments.push(expected)
  }
  t.equal(await read('chunkCount'), 5n)
  t.equal(await read('lastBatchIndex'), 2n)
  t.equal(await read('lastChunkIndex'), 1)
  for (const [n, expected] of commitments.entries()) {
    t.equal(await l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'chunkCommitment', args: [BigInt(n)] }), expected, `chunkCommitment(${n})`)
  }
  t.equal(await revertName(l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'chunkCommitment', args: [5n] })), 'IndexOutOfRange')
})

t.test('batchChunks_closedBatches_spanTheirChunks', async (t) => {
  const d = await deployContracts(l1)
  const post = (batchIndex: bigint, chunkIndex: number, isLast: boolean) =>
    send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, chunkIndex, isLast, '0x01'] })
  const batchChunks = (batchIndex: bigint) => l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'batchChunks', args: [batchIndex] })
  const batchClosed = (batchIndex: bigint) => l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'batchClosed', args: [batchIndex] })
  t.equal(await revertName(batchChunks(0n)), 'BatchNotClosed', 'nothing posted')
  t.equal(await batchClosed(0n), false)
  await post(0n, 0, false)
  await post(0n, 1, false)
  t.equal(await revertName(batchChunks(0n)), 'BatchNotClosed', 'open batch')
  t.equal(await batchClosed(0n), false, 'open batch')
  await post(0n, 2, true)
  t.same(await batchChunks(0n), [0n, 3])
  t.equal(await batchClosed(0n), true)
  await post(1n, 0, true)
  await post(2n, 0, false)
  t.same(await batchChunks(1n), [3n, 1])
  t.equal(await revertName(batchChunks(2n)), 'BatchNotClosed', 'batch 2 open')
  t.equal(await revertName(batchChunks(3n)), 'BatchNotClosed', 'batch 3 not started')
  await post(2n, 1, true)
  t.same(await batchChunks(2n), [4n, 2])
  t.same(await batchChunks(0n), [0n, 3], 'earlier batches unchanged')
})

t.test('postChunk_outOfOrder_reverts', async (t) => {
  const d = await deployContracts(l1)
  const post = (batchIndex: bigint, chunkIndex: number, isLast = false) =>
    send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, chunkIndex, isLast, '0x01'] })
  t.equal(await revertName(post(0n, 1)), 'ChunkOutOfOrder', 'the chain starts at chunk 0')
  t.equal(await revertName(post(1n, 0)), 'ChunkOutOfOrder', 'the chain starts at batch 0')
  await post(0n, 0)
  t.equal(await revertName(post(0n, 0)), 'ChunkOutOfOrder', 'the same chunk twice')
  t.equal(await revertName(post(0n, 2)), 'ChunkOutOfOrder', 'a skipped chunk')
  t.equal(await revertName(post(1n, 0)), 'ChunkOutOfOrder', 'the next batch while this one is open')
  t.equal(await revertName(post(2n, 0)), 'ChunkOutOfOrder', 'a skipped batch')
  t.equal(await revertName(post(1n, 1)), 'ChunkOutOfOrder', 'a new batch not at chunk 0')
  await post(0n, 1, true)
  t.equal(await revertName(post(0n, 2)), 'ChunkOutOfOrder', 'a chunk of a closed batch')
  t.equal(await revertName(post(1n, 1)), 'ChunkOutOfOrder', 'the next batch not at chunk 0')
  await post(1n, 0, true)
  t.equal(await revertName(post(0n, 2)), 'ChunkOutOfOrder', 'back to an earlier batch')
  t.equal(await l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'chunkCount' }), 3n)
})

t.test('postChunk_notSequencer_reverts', async (t) => {
  const d = await deployContracts(l1)
  t.equal(await revertName(send(l1, alice, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, 0, true, '0x01'] })), 'NotSequencer')
  t.equal(await revertName(send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, 0, true, '0x'] })), 'EmptyChunk')
})

t.test('postChunk_gasPerByte', async (t) => {
  const d = await deployContracts(l1)
  const sizes = [1_000, 24_000, 120_000]
  const gas: bigint[] = []
  for (const [i, size] of sizes.entries()) {
    const receipt = await send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, i, false, randomBytes(size, i + 1)] })
    gas.push(receipt.gasUsed)
  }
  const perByte = Number(gas[2] - gas[1]) / (sizes[2] - sizes[1])
  t.comment(`postChunk gas (tx total, random bytes): ${sizes.map((s, i) => `${s} B: ${gas[i]}`).join(', ')}; marginal ${perByte.toFixed(2)} gas/byte`)
  t.ok(perByte < 45, 'calldata price dominates (EIP-7623 floor is 40 gas per nonzero byte)')
})

t.test('queue_depositsAndForcedTxs_oneHashChain', async (t) => {
  const d = await deployContracts(l1)
  await mintAndApprove(l1, d, alice, 1_000n * USDC)
  const receipts = [
    await send(l1, alice, { address: d.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [alice.address, 250n * USDC] }),
    await send(l1, bob, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'forceTransaction', args: ['0x02f86b01'] }),
    await send(l1, alice, { address: d.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [bob.address, 1n] }),
  ]
  const expected = [
    { kind: MESSAGE_KIND_DEPOSIT, sender: alice.address, payload: encodeDepositPayload(alice.address, 250n * USDC) },
    { kind: MESSAGE_KIND_FORCED_TX, sender: bob.address, payload: '0x02f86b01' as Hex },
    { kind: MESSAGE_KIND_DEPOSIT, sender: alice.address, payload: encodeDepositPayload(bob.address, 1n) },
  ]
  let previous: Hex = zeroHash
  for (const [i, receipt] of receipts.entries()) {
    const block = await l1.publicClient.getBlock({ blockNumber: receipt.blockNumber })
    const message = { ...expected[i], l1BlockNumber: receipt.blockNumber, timestamp: block.timestamp }
    const hash = nextQueueHash(previous, message)
    const [event] = parseEventLogs({ abi: messageQueueAbi, logs: receipt.logs, eventName: 'MessageQueued' })
    t.same(event.args, { index: BigInt(i), ...message, queueHash: hash }, `message ${i}`)
    t.equal(await l1.publicClient.readContract({ address: d.messageQueue, abi: messageQueueAbi, functionName: 'queueHash', args: [BigInt(i)] }), hash)
    previous = hash
  }
  const deposit = receipts[0].logs.find((log) => log.address.toLowerCase() === d.bridge.toLowerCase())
  t.ok(deposit)
  if (deposit) {
    t.same(decodeEventLog({ abi: rollbookBridgeAbi, ...deposit }).args, { queueIndex: 0n, from: alice.address, l2Recipient: alice.address, amount: 250n * USDC })
  }
  t.equal(await l1.publicClient.readContract({ address: d.messageQueue, abi: messageQueueAbi, functionName: 'queueLength' }), 3n)
})

t.test('forceTransaction_badSize_reverts', async (t) => {
  const d = await deployContracts(l1)
  t.equal(await revertName(send(l1, bob, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'forceTransaction', args: ['0x'] })), 'ForcedTxSize')
  t.equal(await revertName(send(l1, bob, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'forceTransaction', args: [randomBytes(4097, 3)] })), 'ForcedTxSize')
})

t.test('enqueue_notBridgeOrInbox_reverts', async (t) => {
  const d = await deployContracts(l1)
  for (const kind of [MESSAGE_KIND_DEPOSIT, MESSAGE_KIND_FORCED_TX, 7]) {
    t.equal(await revertName(send(l1, alice, { address: d.messageQueue, abi: messageQueueAbi, functionName: 'enqueue', args: [kind, alice.address, '0x'] })), 'NotEnqueuer')
  }
  t.equal(
    await revertName(send(l1, deployer, { address: d.messageQueue, abi: messageQueueAbi, functionName: 'setEnqueuers', args: [alice.address, bob.address] })),
    'AlreadyInitialized',
  )
})

t.test('deposit_badInput_reverts', async (t) => {
  const d = await deployContracts(l1)
  await mintAndApprove(l1, d, alice, 10n * USDC)
  const deposit = (to: Hex, amount: bigint) => send(l1, alice, { address: d.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [to, amount] })
  t.equal(await revertName(deposit(alice.address, 0n)), 'ZeroAmount')
  t.equal(await revertName(deposit('0x0000000000000000000000000000000000000000', 1n)), 'ZeroAddress')
  t.equal(await revertName(deposit(alice.address, 11n * USDC)), 'TokenTransferFailed', 'more than approved')
})

t.test('deposit_gas', async (t) => {
  const d = await deployContracts(l1)
  await mintAndApprove(l1, d, alice, 10n * USDC)
  const first = await send(l1, alice, { address: d.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [alice.address, USDC] })
  const second = await send(l1, alice, { address: d.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [alice.address, USDC] })
  t.comment(`deposit gas: ${first.gasUsed} (first into the bridge), ${second.gasUsed} (later)`)
  t.ok(second.gasUsed < 150_000n)
})

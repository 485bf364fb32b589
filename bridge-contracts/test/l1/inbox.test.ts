/** RollbookInbox and MessageQueue on a real anvil: chunks in order, forced txs and deposits in one hash chain. */
import t from 'tap'
import { decodeEventLog, keccak256, parseEventLogs, zeroHash, type Hex } from 'viem'
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

t.test('postChunk_inOrder_recordsHashesAndEmits', async (t) => {
  const d = await deployContracts(l1)
  const chunks: [bigint, number, Hex][] = [
    [0n, 0, '0x01aa'],
    [0n, 1, '0x01bb'],
    [1n, 0, '0x01cc'],
    [2n, 0, '0x01dd'],
    [2n, 1, '0x01ee'],
  ]
  for (const [n, [batchIndex, chunkIndex, data]] of chunks.entries()) {
    const receipt = await send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, chunkIndex, data] })
    const [event] = parseEventLogs({ abi: rollbookInboxAbi, logs: receipt.logs, eventName: 'ChunkPosted' })
    t.same(event.args, { n: BigInt(n), batchIndex, chunkIndex, hash: keccak256(data) })
  }
  const read = (functionName: 'chunkCount' | 'lastBatchIndex' | 'lastChunkIndex') =>
    l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName })
  t.equal(await read('chunkCount'), 5n)
  t.equal(await read('lastBatchIndex'), 2n)
  t.equal(await read('lastChunkIndex'), 1)
  for (const [n, [, , data]] of chunks.entries()) {
    t.equal(await l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'chunkHash', args: [BigInt(n)] }), keccak256(data))
  }
  t.equal(await revertName(l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'chunkHash', args: [5n] })), 'IndexOutOfRange')
})

t.test('postChunk_outOfOrder_reverts', async (t) => {
  const d = await deployContracts(l1)
  const post = (batchIndex: bigint, chunkIndex: number) =>
    send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, chunkIndex, '0x01'] })
  t.equal(await revertName(post(0n, 1)), 'ChunkOutOfOrder', 'the chain starts at chunk 0')
  t.equal(await revertName(post(1n, 0)), 'ChunkOutOfOrder', 'the chain starts at batch 0')
  await post(0n, 0)
  t.equal(await revertName(post(0n, 0)), 'ChunkOutOfOrder', 'the same chunk twice')
  t.equal(await revertName(post(0n, 2)), 'ChunkOutOfOrder', 'a skipped chunk')
  t.equal(await revertName(post(2n, 0)), 'ChunkOutOfOrder', 'a skipped batch')
  t.equal(await revertName(post(1n, 1)), 'ChunkOutOfOrder', 'a new batch not at chunk 0')
  await post(0n, 1)
  await post(1n, 0)
  t.equal(await revertName(post(0n, 2)), 'ChunkOutOfOrder', 'back to an earlier batch')
  t.equal(await l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'chunkCount' }), 3n)
})

t.test('postChunk_notSequencer_reverts', async (t) => {
  const d = await deployContracts(l1)
  t.equal(await revertName(send(l1, alice, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, 0, '0x01'] })), 'NotSequencer')
  t.equal(await revertName(send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, 0, '0x'] })), 'EmptyChunk')
})

t.test('postChunk_gasPerByte', async (t) => {
  const d = await deployContracts(l1)
  const sizes = [1_000, 10_000, 120_000]
  const gas: bigint[] = []
  for (const [i, size] of sizes.entries()) {
    const receipt = await send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [0n, i, randomBytes(size, i + 1)] })
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

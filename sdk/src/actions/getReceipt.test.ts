import t from 'tap'
import { encodeAbiParameters, encodeErrorResult, encodeEventTopics, type Hex } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../constants.ts'
import { answeringClient } from '../testing.ts'
import { getReceipt } from './getReceipt.ts'

const hash = `0x${'aa'.repeat(32)}` as Hex
const bettor = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const ZERO_HASH = `0x${'00'.repeat(32)}`

function log(address: string, topics: Hex[], data: Hex, logIndex: number) {
  return {
    address,
    topics,
    data,
    blockNumber: '0x9',
    blockHash: ZERO_HASH,
    transactionHash: hash,
    transactionIndex: '0x0',
    logIndex: `0x${logIndex.toString(16)}`,
    removed: false,
  }
}

function rpcReceipt(overrides: Record<string, unknown>) {
  return {
    transactionHash: hash,
    transactionIndex: '0x0',
    blockHash: ZERO_HASH,
    blockNumber: '0x9',
    from: bettor.toLowerCase(),
    to: BET_ENGINE_ADDRESS,
    cumulativeGasUsed: '0x1000',
    gasUsed: '0x1000',
    effectiveGasPrice: '0x0',
    contractAddress: null,
    logs: [],
    logsBloom: `0x${'00'.repeat(256)}`,
    status: '0x1',
    type: '0x2',
    ...overrides,
  }
}

const betPlacedLog = log(
  BET_ENGINE_ADDRESS,
  encodeEventTopics({ abi: betEngineAbi, eventName: 'BetPlaced', args: { betId: 7n, marketId: 3n, bettor } }) as Hex[],
  encodeAbiParameters([{ type: 'uint8' }, { type: 'uint96' }, { type: 'uint32' }, { type: 'uint128' }], [1, 10_000_000n, 25_000, 25_000_000n]),
  4,
)
// Same topics from another contract: not the bet engine's event.
const foreignLog = { ...betPlacedLog, address: '0x000000000000000000000000000000000000dEaD', logIndex: '0x5' }

t.test('a successful receipt: bet engine events decoded, foreign logs skipped, unsealed block hash null', async (t) => {
  const { client, requests } = answeringClient({ eth_getTransactionReceipt: () => rpcReceipt({ logs: [betPlacedLog, foreignLog] }) })
  const receipt = await getReceipt(client, { hash })
  t.same(requests, [{ method: 'eth_getTransactionReceipt', params: [hash] }], 'one request, no polling')
  t.equal(receipt.status, 'success')
  t.equal(receipt.blockHash, null)
  t.equal(receipt.blockNumber, 9n)
  t.equal(receipt.from, bettor.toLowerCase())
  t.same(receipt.events, [
    {
      event: 'BetPlaced',
      args: { betId: 7n, marketId: 3n, bettor, outcome: 1, stake: 10_000_000n, odds: 25_000, payout: 25_000_000n },
      transactionHash: hash,
      blockNumber: 9n,
      logIndex: 4,
    },
  ])
})

t.test('a reverted receipt carries the decoded bet engine error from revertData', async (t) => {
  const revertData = encodeErrorResult({ abi: betEngineAbi, errorName: 'OddsBelowMinimum', args: [24_000] })
  const { client } = answeringClient({
    eth_getTransactionReceipt: () => rpcReceipt({ status: '0x0', revertData, blockHash: `0x${'12'.repeat(32)}` }),
  })
  const receipt = await getReceipt(client, { hash })
  t.equal(receipt.status, 'reverted')
  t.equal(receipt.blockHash, `0x${'12'.repeat(32)}`)
  if (receipt.status !== 'reverted') return
  t.same(receipt.error, { name: 'OddsBelowMinimum', args: [24_000] })
  t.equal(receipt.revertData, revertData)
  t.same(receipt.events, [])
})

t.test('a reverted receipt without revert data, or with data of no known error', async (t) => {
  for (const revertData of [undefined, '0x', '0xdeadbeef']) {
    const { client } = answeringClient({ eth_getTransactionReceipt: () => rpcReceipt({ status: '0x0', revertData }) })
    const receipt = await getReceipt(client, { hash })
    t.match(receipt, { status: 'reverted', error: undefined, revertData: revertData === '0xdeadbeef' ? revertData : undefined })
  }
})

t.test('no receipt is ReceiptNotFoundError', async (t) => {
  const { client } = answeringClient({ eth_getTransactionReceipt: () => null })
  await t.rejects(getReceipt(client, { hash }), { name: 'ReceiptNotFoundError', hash })
})

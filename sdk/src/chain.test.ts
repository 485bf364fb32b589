import t from 'tap'
import { createClient, custom } from 'viem'
import { estimateFeesPerGas } from 'viem/actions'
import { defineRollbookChain, devnetChain } from './chain.ts'
import { BET_ENGINE_ADDRESS } from './constants.ts'

/** Answers getBlock as a node with a zero base fee would; estimateFeesPerGas always reads the latest block. */
const zeroBaseFeeNode = custom({
  async request({ method }) {
    if (method !== 'eth_getBlockByNumber') throw new Error(`unexpected ${method}`)
    return { number: '0x1', hash: `0x${'11'.repeat(32)}`, baseFeePerGas: '0x0', timestamp: '0x1', transactions: [] }
  },
})

t.test('estimateFeesPerGas yields zero fees, eip1559 and legacy', async (t) => {
  const client = createClient({ chain: devnetChain, transport: zeroBaseFeeNode })
  t.same(await estimateFeesPerGas(client), { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })
  t.same(await estimateFeesPerGas(client, { type: 'legacy' }), { gasPrice: 0n })
})

t.test('devnet defaults, and the WebSocket URL follows the RPC URL', async (t) => {
  t.equal(devnetChain.id, 42069)
  t.same(devnetChain.rpcUrls.default.http, ['http://127.0.0.1:8547'])
  t.same(devnetChain.rpcUrls.default.webSocket, ['ws://127.0.0.1:8547'])
  t.equal(devnetChain.contracts.betEngine.address, BET_ENGINE_ADDRESS)

  const remote = defineRollbookChain({ id: 7, name: 'Remote', rpcUrl: 'https://rpc.example' })
  t.equal(remote.name, 'Remote')
  t.same(remote.rpcUrls.default.webSocket, ['wss://rpc.example'])
  t.same(defineRollbookChain({ id: 7, rpcUrl: 'http://a', wsUrl: 'ws://b' }).rpcUrls.default.webSocket, ['ws://b'])
})

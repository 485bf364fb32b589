import t from 'tap'
import { createMarket } from '../sdk/src/actions/createMarket.ts'
import { getReceipt } from '../sdk/src/actions/getReceipt.ts'
import { getMarket } from '../sdk/src/actions/getMarket.ts'
import { MarketNotFoundError } from '../sdk/src/errors.ts'
import { clients, operator } from '../node/testing/accounts.ts'
import { startTestNode } from '../node/testing/testNode.ts'

t.test('a read on an idle chain does not hold the next block at its time', async (t) => {
  const node = await startTestNode({ blockTimeMs: 100 })
  t.teardown(() => node.close())
  const { publicClient, walletClient } = clients(node.chainId, node.httpUrl, operator)
  // an eth_call on 'latest' runs in the sequencer's open block, opening one if none is
  await t.rejects(getMarket(publicClient, { marketId: 99n }), MarketNotFoundError)
  const readAt = Math.floor(Date.now() / 1000)
  await new Promise((resolve) => setTimeout(resolve, 2_100))
  const hash = await createMarket(walletClient, { odds: [20_000, 20_000], closeTime: BigInt(readAt + 3600), maxStake: 1n, maxLiability: 1n })
  const { blockNumber } = await getReceipt(walletClient, { hash })
  await new Promise((resolve) => setTimeout(resolve, 300)) // sealed
  const block = await publicClient.getBlock({ blockNumber })
  t.ok(block.timestamp >= BigInt(readAt + 2), `the tx's block is at the tx's time (${block.timestamp}), not the read's (${readAt})`)
})

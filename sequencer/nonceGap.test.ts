import t from 'tap'
import { encodeFunctionData, type Hex } from 'viem'
import { betEngineAbi } from '../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../sdk/src/constants.ts'
import { bettors, clients, operator } from '../node/testing/accounts.ts'
import { startTestNode } from '../node/testing/testNode.ts'

t.test('a tx ahead of its nonce waits in the pool and runs right after the gap fills', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  const { publicClient } = clients(node.chainId, node.httpUrl, operator)
  const sign = (account: typeof operator, nonce: number, data: Hex) =>
    account.signTransaction({ chainId: node.chainId, type: 'eip1559', to: BET_ENGINE_ADDRESS, nonce, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, data })
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)
  await publicClient.sendRawTransaction({
    serializedTransaction: await sign(operator, 0, encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [2, [20_000, 20_000], closeTime, 10n ** 9n, 10n ** 12n] })),
  })
  const bet = (nonce: number) => sign(bettors[0], nonce, encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [1n, 0, 1_000_000n + BigInt(nonce), 0] }))

  const second = await publicClient.sendRawTransaction({ serializedTransaction: await bet(1) })
  const third = await publicClient.sendRawTransaction({ serializedTransaction: await bet(2) })
  t.equal(await publicClient.getTransactionReceipt({ hash: second }).catch(() => null), null, 'a held tx has no receipt yet')
  t.equal(await publicClient.getTransactionCount({ address: bettors[0].address, blockTag: 'pending' }), 0, 'held txs do not move the nonce')

  const first = await publicClient.sendRawTransaction({ serializedTransaction: await bet(0) })
  const receipts = await Promise.all([first, second, third].map((hash) => publicClient.getTransactionReceipt({ hash })))
  t.same(receipts.map((r) => r.status), ['success', 'success', 'success'], 'all three ran once the gap filled')
  t.ok(receipts[0].transactionIndex < receipts[1].transactionIndex && receipts[1].transactionIndex < receipts[2].transactionIndex, 'in nonce order')
  t.equal(await publicClient.getTransactionCount({ address: bettors[0].address, blockTag: 'pending' }), 3)
})

/**
 * operatorClient against a real dev sequencer with the operator API on: typed writes and the
 * exposure read end to end, a revert as a result, and a wrong key as RollbookRpcError.
 */
import t from 'tap'
import { pino } from 'pino'
import { toHex } from 'viem'
import { devAccounts } from '../../node/chain/genesis.ts'
import { RollbookNode } from '../../node/rollbookNode.ts'
import { tempDatadir } from '../../node/testing/testNode.ts'
import { operatorClient } from './operatorClient.ts'

const [operator] = devAccounts()
const apiKey = 'sdk-test-api-key-0123456789'

t.test('operatorClient: every call typed, over a real node', async (t) => {
  const node = await RollbookNode.init(
    { datadir: tempDatadir('rollbook-sdk-operator-'), dev: true, port: 0, blockTimeMs: 50, operatorKey: toHex(operator.getHdKey().privateKey!), apiKey },
    pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' }),
  )
  t.teardown(() => node.close())
  const client = operatorClient(node.urls.httpUrl, apiKey)
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3_600)

  const created = await client.createMarket({ odds: [19_000, 21_000], closeTime, maxStake: 10n ** 9n, maxLiability: 10n ** 11n })
  t.match(created, { status: 'success', marketId: 1n, txHash: /^0x[0-9a-f]{64}$/ })
  t.equal(typeof created.blockNumber, 'bigint')
  const marketId = created.marketId!
  t.same(await client.setOdds({ marketId, odds: [18_000, 22_000] }).then((r) => r.status), 'success')
  t.same(await client.setLimits({ marketId, maxStakePerBettor: 5_000_000n, maxMarketLiability: 0n }).then((r) => r.status), 'success')
  t.same(await client.suspendMarket({ marketId }).then((r) => r.status), 'success')

  const exposure = await client.getExposure({ marketId })
  t.match(exposure, { marketId: 1n, status: 'suspended', closeTime, maxStake: 10n ** 9n, limits: { maxStakePerBettor: 5_000_000n, maxMarketLiability: 0n }, pricing: null, totalLiability: 0n })
  t.same(exposure.outcomes, [{ outcome: 0, odds: 18_000, liability: 0n }, { outcome: 1, odds: 22_000, liability: 0n }])

  t.match(await client.setOdds({ marketId: 999n, odds: [18_000, 22_000] }), { status: 'reverted', error: 'MarketNotOpen()' })
  await t.rejects(operatorClient(node.urls.httpUrl, 'not-the-api-key-0123').setOdds({ marketId, odds: [18_000, 22_000] }), { name: 'RollbookRpcError', code: -32004 })
  await t.rejects(client.setOdds({ marketId, odds: [1.5, 2] }), { name: 'RollbookRpcError', code: -32602 })
})

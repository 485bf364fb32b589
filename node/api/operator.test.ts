/**
 * The operator API (docs/operator-api.md) on a real dev sequencer over real HTTP and WebSocket:
 * each rollbook_* method end to end (read back with the sdk over eth_call), the API key on both
 * transports, bad params, a reverting call, concurrent calls and a nonce used by another sender,
 * and a node without an operator key that has no such methods.
 */
import t from 'tap'
import { pino } from 'pino'
import { toHex } from 'viem'
import { BET_ENGINE_ADDRESS, betEngineAbi, createMarket, getCommittee, getMarket, placeBet } from '../../sdk/src/index.ts'
import { nodeOptionsFromArgs, main } from '../cli/cli.ts'
import { parseNodeOptions } from '../options.ts'
import { RollbookNode } from '../rollbookNode.ts'
import { clients } from '../testing/accounts.ts'
import { startTestNode, tempDatadir } from '../testing/testNode.ts'
import { devAccounts, DEV_CHAIN_ID } from '../chain/genesis.ts'
import { TestWsClient, postRpc } from './testing.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const [operator, oracle, ...bettors] = devAccounts()
const operatorKey = toHex(operator.getHdKey().privateKey!)
const apiKey = 'test-api-key-0123456789'
const bearer = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }
const rpc = (method: string, params: unknown, id: unknown = 1) => ({ jsonrpc: '2.0', id, method, params: [params] })
const market = { odds: [19_000, 21_000], closeTime: String(Math.floor(Date.now() / 1000) + 3_600), maxStake: '1000000000', maxLiability: '100000000000' }

t.test('operator API on a sequencer with an operator key', async (t) => {
  const node = await RollbookNode.init({ datadir: tempDatadir('rollbook-operator-'), dev: true, port: 0, blockTimeMs: 50, operatorKey, apiKey }, logger)
  t.teardown(() => node.close())
  const url = node.urls.httpUrl
  const call = async (method: string, params: unknown, headers: Record<string, string> = bearer) => (await postRpc(url, rpc(method, params), headers)).json
  const { publicClient } = clients(DEV_CHAIN_ID, url, operator)
  const operatorNonce = () => publicClient.getTransactionCount({ address: operator.address, blockTag: 'pending' })
  // markets are numbered from 1
  const marketCount = async () => (await publicClient.readContract({ address: BET_ENGINE_ADDRESS, abi: betEngineAbi, functionName: 'nextMarketId' })) - 1n

  t.test('createMarket opens a market and answers its id after the preconfirmation', async (t) => {
    const result = (await call('rollbook_createMarket', { outcomeCount: 2, ...market })).result
    t.match(result, { txHash: /^0x[0-9a-f]{64}$/, status: 'success', marketId: '1', blockNumber: /^\d+$/ })
    t.notOk('error' in result)
    const receipt = await publicClient.getTransactionReceipt({ hash: result.txHash })
    t.equal(receipt.status, 'success', 'the receipt is there at once')
    t.equal(receipt.from, operator.address.toLowerCase(), 'signed with the operator key the node holds')
    const created = await getMarket(publicClient, { marketId: 1n })
    t.same(created.odds, [19_000, 21_000])
    t.equal(created.maxStake, 1_000_000_000n)
    t.equal(created.maxLiability, 100_000_000_000n)
    t.equal(created.closeTime, BigInt(market.closeTime))
  })

  t.test('setOdds changes the odds; ids as 0x hex', async (t) => {
    const result = (await call('rollbook_setOdds', { marketId: '0x1', odds: [18_000, 22_500] })).result
    t.match(result, { status: 'success' })
    t.same((await getMarket(publicClient, { marketId: 1n })).odds, [18_000, 22_500])
  })

  t.test('setCommittee seats a committee', async (t) => {
    const members = [oracle.address, bettors[7].address]
    const result = (await call('rollbook_setCommittee', { members, threshold: 2, disputeWindowSeconds: 600 })).result
    t.match(result, { status: 'success' })
    t.same(await getCommittee(publicClient), { members, threshold: 2, disputeWindowSeconds: 600 })
  })

  t.test('getExposure reads odds and liability per outcome after bets', async (t) => {
    const before = (await call('rollbook_getExposure', { marketId: '1' })).result
    t.same(before.outcomes, [{ outcome: 0, odds: 18_000, liability: '0' }, { outcome: 1, odds: 22_500, liability: '0' }])
    const bettor = clients(DEV_CHAIN_ID, url, bettors[0]).walletClient
    await placeBet(bettor, { marketId: 1n, outcome: 0, stake: 10_000_000n, minOdds: 1 })
    await placeBet(bettor, { marketId: 1n, outcome: 1, stake: 2_000_000n, minOdds: 1 })
    await placeBet(bettor, { marketId: 1n, outcome: 1, stake: 4_000_000n, minOdds: 1 })
    const exposure = (await call('rollbook_getExposure', { marketId: 1 })).result
    const onChain = await getMarket(publicClient, { marketId: 1n })
    t.same(exposure.outcomes.map((o: { liability: string }) => BigInt(o.liability)), onChain.liability, 'what the bet engine holds')
    t.equal(BigInt(exposure.outcomes[0].liability), (10_000_000n * 18_000n) / 10_000n, 'outcome 0: the payout of its one bet')
    t.equal(BigInt(exposure.outcomes[1].liability), ((2_000_000n + 4_000_000n) * 22_500n) / 10_000n, 'outcome 1: the payouts of its two bets')
    t.equal(BigInt(exposure.totalLiability), onChain.liability[0] + onChain.liability[1])
    t.equal(BigInt(exposure.worstCaseLiability), onChain.liability[0] > onChain.liability[1] ? onChain.liability[0] : onChain.liability[1])
    t.match(exposure, { marketId: '1', status: 'open', result: null, closeTime: Number(market.closeTime), maxStake: market.maxStake, maxLiability: market.maxLiability })
    t.match(await postRpc(url, rpc('rollbook_getExposure', { marketId: '999' }), bearer), { json: { error: { code: -32000, message: 'market 999 does not exist' } } })
  })

  t.test('market management: info, suspend and resume, limits, pricing, close', async (t) => {
    const { marketId } = (await call('rollbook_createMarket', market)).result
    const exposure = async () => (await call('rollbook_getExposure', { marketId })).result
    const bettor = clients(DEV_CHAIN_ID, url, bettors[1]).walletClient
    const bet = async (stake: bigint) => (await publicClient.getTransactionReceipt({ hash: await placeBet(bettor, { marketId: BigInt(marketId), outcome: 0, stake, minOdds: 1 }) })).status

    t.match((await call('rollbook_setMarketInfo', { marketId, marketType: 2, line: 0 })).result, { status: 'success' })
    t.match(await exposure(), { marketType: 2, line: 0 })
    t.match((await call('rollbook_setMarketInfo', { marketId, marketType: 3, line: 0 })).result, { status: 'reverted', error: 'BadLine()' }, 'over/under needs a line')
    t.match((await call('rollbook_setMarketInfo', { marketId, marketType: 3, line: 25 })).result, { status: 'success' })
    t.match(await exposure(), { marketType: 3, line: 25 })

    t.match((await call('rollbook_suspendMarket', { marketId })).result, { status: 'success' })
    t.equal((await exposure()).status, 'suspended')
    t.equal(await bet(1_000_000n), 'reverted', 'no bets on a suspended market')
    t.match((await call('rollbook_resumeMarket', { marketId })).result, { status: 'success' })
    t.equal((await exposure()).status, 'open')
    t.match((await call('rollbook_resumeMarket', { marketId })).result, { status: 'reverted', error: 'MarketNotSuspended()' })
    t.equal(await bet(1_000_000n), 'success', 'bets again once resumed')

    t.equal((await exposure()).limits, null)
    t.match((await call('rollbook_setLimits', { marketId, maxStakePerBettor: '3000000', maxMarketLiability: '0' })).result, { status: 'success' })
    t.same((await exposure()).limits, { maxStakePerBettor: '3000000', maxMarketLiability: '0' })
    t.equal(await bet(2_000_000n), 'success', 'within the bettor limit (stakes before the limits do not count)')
    t.equal(await bet(2_000_000n), 'reverted', 'over the bettor limit')

    t.equal((await exposure()).pricing, null)
    const pricing = { probabilitiesBps: [4_000, 6_000], marginBps: 500, slope: 0, floorOdds: 10_100 }
    t.match((await call('rollbook_setPricing', { marketId, ...pricing })).result, { status: 'success' })
    const priced = await exposure()
    t.same(priced.pricing, pricing)
    t.same(priced.outcomes.map((o: { odds: number }) => o.odds), [Math.floor((10_000 * 9_500) / 4_000), Math.floor((10_000 * 9_500) / 6_000)], 'odds from the probabilities and the margin')
    t.match((await call('rollbook_setPricing', { marketId, ...pricing, probabilitiesBps: [5_000, 4_000] })).result, { status: 'reverted', error: 'BadProbabilities()' })

    const before = await exposure()
    t.equal(BigInt(before.totalLiability), BigInt(before.outcomes[0].liability) + BigInt(before.outcomes[1].liability))
    t.match((await call('rollbook_closeMarket', { marketId })).result, { status: 'success' })
    const closed = await exposure()
    t.ok(closed.closeTime < Number(market.closeTime), 'the close time moved to now')
    t.match((await call('rollbook_setOdds', { marketId, odds: [18_000, 22_000] })).result, { status: 'reverted', error: 'MarketClosed()' })
    t.equal(await bet(1_000_000n), 'reverted', 'no bets once closed')
  })

  t.test('without the right API key nothing happens, over HTTP', async (t) => {
    const [markets, nonce] = [await marketCount(), await operatorNonce()]
    const noKey = { 'content-type': 'application/json' }
    for (const headers of [noKey, { ...noKey, authorization: 'Bearer wrong-key-0123456789' }, { ...noKey, authorization: apiKey }, { ...noKey, 'x-api-key': `${apiKey}x` }, { ...noKey, authorization: `Basic ${apiKey}` }]) {
      const { status, json } = await postRpc(url, rpc('rollbook_createMarket', market), headers)
      t.equal(status, 200)
      t.same(json.error, { code: -32004, message: 'unauthorized: this method needs the API key (Authorization: Bearer KEY or x-api-key: KEY)' }, JSON.stringify(headers))
    }
    t.equal((await postRpc(url, rpc('rollbook_getExposure', { marketId: '1' }), noKey)).json.error.code, -32004, 'the read too')
    t.equal((await postRpc(url, rpc('rollbook_setOdds', { marketId: 'x' }), noKey)).json.error.code, -32004, 'the key comes before the params')
    const batch = (await postRpc(url, [rpc('rollbook_setOdds', { marketId: '1', odds: [1, 1] }, 1), { jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] }], noKey)).json
    t.equal(batch[0].error.code, -32004)
    t.equal(batch[1].result, toHex(DEV_CHAIN_ID), 'eth_* stays open')
    t.equal(await marketCount(), markets, 'no market created')
    t.equal(await operatorNonce(), nonce, 'no operator tx sent')
    t.same((await getMarket(publicClient, { marketId: 1n })).odds, [18_000, 22_500], 'odds unchanged')
    const viaHeader = await postRpc(url, rpc('rollbook_getExposure', { marketId: '1' }), { 'content-type': 'application/json', 'x-api-key': apiKey })
    t.equal(viaHeader.json.result.marketId, '1', 'x-api-key is accepted too')
  })

  t.test('without the right API key nothing happens, over WebSocket; with it, calls work', async (t) => {
    const nonce = await operatorNonce()
    for (const headers of [undefined, { authorization: 'Bearer not-the-key-0123456789' }]) {
      const socket = await TestWsClient.connect(node.urls.wsUrl, headers)
      t.equal((await socket.call(rpc('rollbook_setOdds', { marketId: '1', odds: [10_001, 10_001] }))).error.code, -32004)
      t.equal((await socket.call({ jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] })).result, toHex(DEV_CHAIN_ID), 'the socket keeps serving')
      await socket.close()
    }
    t.equal(await operatorNonce(), nonce, 'no operator tx sent')
    const socket = await TestWsClient.connect(node.urls.wsUrl, { authorization: `Bearer ${apiKey}` })
    t.teardown(() => socket.close())
    t.match((await socket.call(rpc('rollbook_setOdds', { marketId: '1', odds: [17_000, 23_000] }))).result, { status: 'success' })
    t.same((await getMarket(publicClient, { marketId: 1n })).odds, [17_000, 23_000])
  })

  t.test('bad params answer -32602 and change nothing', async (t) => {
    const [markets, nonce] = [await marketCount(), await operatorNonce()]
    const cases: [string, unknown, RegExp][] = [
      ['rollbook_createMarket', { odds: [19_000, 21_000] }, /missing value for required argument 0|closeTime/],
      ['rollbook_createMarket', { ...market, odds: ['1.9', '2.1'] }, /odds/],
      ['rollbook_createMarket', { ...market, maxStake: '-1' }, /maxStake/],
      ['rollbook_createMarket', { ...market, maxStake: (1n << 96n).toString() }, /\(maxStake\): expected a number below 2\^96/],
      ['rollbook_createMarket', { ...market, outcomeCount: 256 }, /outcomeCount/],
      ['rollbook_createMarket', { ...market, colour: 'red' }, /colour/],
      ['rollbook_setOdds', { marketId: '1.5', odds: [18_000, 22_000] }, /marketId/],
      ['rollbook_setOdds', { marketId: '1', odds: [2 ** 32, 1] }, /odds/],
      ['rollbook_setCommittee', { members: ['0x1234'], threshold: 1, disputeWindowSeconds: 0 }, /members/],
      ['rollbook_getExposure', { marketId: true }, /marketId/],
      ['rollbook_setMarketInfo', { marketId: '1', marketType: 1, line: 40_000 }, /line/],
      ['rollbook_setLimits', { marketId: '1', maxStakePerBettor: '1' }, /maxMarketLiability/],
      ['rollbook_setPricing', { marketId: '1', probabilitiesBps: [70_000], marginBps: 0, slope: 0, floorOdds: 10_100 }, /probabilitiesBps/],
      ['rollbook_suspendMarket', {}, /marketId/],
    ]
    for (const [method, params, message] of cases) {
      const { error } = await call(method, params)
      t.equal(error.code, -32602, `${method} ${JSON.stringify(params)}`)
      t.match(error.message, message)
    }
    t.equal((await postRpc(url, { jsonrpc: '2.0', id: 1, method: 'rollbook_setOdds', params: [] }, bearer)).json.error.message, 'missing value for required argument 0')
    t.equal((await postRpc(url, { jsonrpc: '2.0', id: 1, method: 'rollbook_setOdds', params: [{ marketId: '1', odds: [1] }, 2] }, bearer)).json.error.code, -32602, 'one object, no more')
    t.equal(await marketCount(), markets)
    t.equal(await operatorNonce(), nonce)
  })

  t.test('a reverting call answers status reverted with the decoded error; the node keeps serving', async (t) => {
    const markets = await marketCount()
    const unknown = (await call('rollbook_setOdds', { marketId: '999', odds: [18_000, 22_000] })).result
    t.match(unknown, { status: 'reverted', error: 'MarketNotOpen()', txHash: /^0x/ })
    t.equal((await publicClient.getTransactionReceipt({ hash: unknown.txHash })).status, 'reverted')
    const past = (await call('rollbook_createMarket', { ...market, closeTime: 1 })).result
    t.match(past, { status: 'reverted', error: 'CloseTimeInPast()' })
    t.notOk('marketId' in past)
    const next = (await call('rollbook_createMarket', market)).result
    t.match(next, { status: 'success', marketId: String(markets + 1n) }, 'the next call takes the next nonce and works')
  })

  t.test('20 concurrent createMarket calls all succeed with distinct nonces', async (t) => {
    const first = await operatorNonce()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => postRpc(url, rpc('rollbook_createMarket', market, i), bearer)))
    const answers = results.map((r) => r.json.result)
    t.ok(answers.every((a) => a?.status === 'success'), 'every call succeeded')
    t.equal(new Set(answers.map((a) => a.marketId)).size, 20, 'twenty markets')
    const nonces = await Promise.all(answers.map(async (a) => (await publicClient.getTransaction({ hash: a.txHash })).nonce))
    t.same([...nonces].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => first + i), 'one nonce each, none skipped')
  })

  t.test('a nonce used by another sender of the operator key: the next call still goes through', async (t) => {
    const { walletClient } = clients(DEV_CHAIN_ID, url, operator)
    await createMarket(walletClient, { odds: [15_000, 30_000], closeTime: BigInt(market.closeTime), maxStake: 1n, maxLiability: 10n })
    const result = (await call('rollbook_setOdds', { marketId: '1', odds: [16_000, 26_000] })).result
    t.match(result, { status: 'success' })
    t.same((await getMarket(publicClient, { marketId: 1n })).odds, [16_000, 26_000])
  })
})

t.test('without an operator key the methods do not exist', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  for (const method of ['rollbook_createMarket', 'rollbook_setOdds', 'rollbook_setCommittee', 'rollbook_getExposure', 'rollbook_setMarketInfo', 'rollbook_suspendMarket', 'rollbook_resumeMarket', 'rollbook_closeMarket', 'rollbook_setLimits', 'rollbook_setPricing']) {
    const { json } = await postRpc(node.httpUrl, rpc(method, { marketId: '1' }), bearer)
    t.same(json.error, { code: -32601, message: `the method ${method} does not exist/is not available` })
  }
})

t.test('operator options: from flags or environment, refused when wrong', async (t) => {
  t.match(nodeOptionsFromArgs(['--datadir', 'd'], { ROLLBOOK_OPERATOR_KEY: operatorKey, ROLLBOOK_API_KEY: apiKey }), { operatorKey, apiKey })
  t.match(nodeOptionsFromArgs(['--datadir', 'd', '--api-key', 'flag-key-0123456789'], { ROLLBOOK_API_KEY: apiKey }), { apiKey: 'flag-key-0123456789' }, 'flags win')
  const refused = async (what: string, ...args: string[]) => {
    const stderr: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write
    try {
      t.equal(await main(['node', '--datadir', tempDatadir('rollbook-operator-opts-'), '--dev', '--port', '0', ...args]), 2, what)
    } finally {
      process.stderr.write = write
    }
    return stderr.join('')
  }
  t.match(await refused('bad key', '--operator-key', '0x1234', '--api-key', apiKey), /--operator-key: expected 32 bytes of 0x-prefixed hex/)
  t.match(await refused('no api key', '--operator-key', operatorKey), /--operator-key needs --api-key/)
  t.match(await refused('short api key', '--operator-key', operatorKey, '--api-key', 'short'), /--api-key: expected 16 to 256 characters/)
  t.match(await refused('api key alone', '--api-key', apiKey), /--api-key needs --operator-key/)
  t.throws(() => parseNodeOptions({ datadir: 'd', mode: 'replica', l1Rpc: 'http://127.0.0.1:1', rollup: 'r.json', operatorKey, apiKey }), { name: 'OptionsError', message: /--operator-key: only the sequencer runs the operator API/ })
  const notOperator = await refused('not the operator', '--operator-key', toHex(bettors[0].getHdKey().privateKey!), '--api-key', apiKey)
  t.match(notOperator, /--operator-key: its address 0x[0-9a-fA-F]{40} is not the bet engine operator/)
  t.notMatch(notOperator, new RegExp(toHex(bettors[0].getHdKey().privateKey!).slice(2)), 'the key is not echoed')
})

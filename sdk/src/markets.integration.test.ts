/**
 * The SDK's market management and odds engine actions against a real node (HTTP and WebSocket):
 * setMarketInfo, setLimits, setPricing, quote, placeBet at the quoted odds, the odds watcher's
 * OddsChanged and OddsMoved, getMarketConfig, getBettorStake, suspend / reopen / close.
 */
import t from 'tap'
import { createPublicClient, createWalletClient, http, type Account } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { startTestNode } from '../../node/testing/testNode.ts'
import {
  closeMarket,
  createMarket,
  createRollbookSocket,
  defineRollbookChain,
  DEV_MNEMONIC,
  findEvent,
  getBettorStake,
  getMarketConfig,
  getReceipt,
  placeBet,
  quote,
  reopenMarket,
  setLimits,
  setMarketInfo,
  setPricing,
  suspendMarket,
  watchMarketOdds,
  type BetEngineEvent,
} from './index.ts'

const USDC = 1_000_000n
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('operator types, limits and prices a market; a bettor quotes and gets exactly the quote; odds arrive on the socket', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  const chain = defineRollbookChain({ id: node.chainId, rpcUrl: node.httpUrl, wsUrl: node.wsUrl })
  const [operatorAccount, bettorAccount] = [0, 2].map((i) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }))
  const wallet = (account: Account) => createWalletClient({ chain, account, transport: http(node.httpUrl) })
  const [operator, bettor] = [operatorAccount, bettorAccount].map(wallet)
  const reader = createPublicClient({ chain, transport: http(node.httpUrl) })
  const ok = async (hash: Promise<`0x${string}`>) => {
    const receipt = await getReceipt(reader, { hash: await hash })
    t.equal(receipt.status, 'success', receipt.status === 'reverted' ? `reverted: ${receipt.error?.name}` : 'success')
    return receipt
  }

  const created = await ok(
    createMarket(operator, { odds: [19_000, 19_000], closeTime: BigInt(Math.floor(Date.now() / 1000) + 3_600), maxStake: 100n * USDC, maxLiability: 10_000n * USDC }),
  )
  const marketId = findEvent(created.events, 'MarketCreated')!.args.marketId
  const socket = await createRollbookSocket(node.wsUrl)
  t.teardown(() => socket.close())
  const odds: BetEngineEvent<'OddsChanged' | 'OddsMoved'>[] = []
  const watchErrors: Error[] = []
  const unwatch = await watchMarketOdds(socket, { marketId, onOdds: (e) => odds.push(e), onError: (e) => watchErrors.push(e) })

  await ok(setMarketInfo(operator, { marketId, marketType: 3, line: 25 }))
  await ok(setLimits(operator, { marketId, maxStakePerBettor: 20n * USDC, maxMarketLiability: 0n }))
  const priced = await ok(setPricing(operator, { marketId, probabilitiesBps: [5_000, 5_000], marginBps: 500, slope: 100, floorOdds: 10_500 }))
  t.same(findEvent(priced.events, 'OddsChanged')?.args.odds, [19_000, 19_000])

  t.match(await getMarketConfig(reader, { marketId }), {
    status: 'open',
    marketType: 3,
    line: 25,
    maxStakePerBettor: 20n * USDC,
    maxMarketLiability: 0n,
    limited: true,
    pricing: { probabilitiesBps: [5_000, 5_000], marginBps: 500, slope: 100, floorOdds: 10_500 },
    odds: [19_000, 19_000],
    totalLiability: 0n,
  })

  const quoted = await quote(reader, { marketId, outcome: 0, stake: 10n * USDC, account: bettorAccount.address })
  t.same(quoted, { odds: 19_000, payout: 19n * USDC })
  const placed = await ok(placeBet(bettor, { marketId, outcome: 0, stake: 10n * USDC, minOdds: quoted.odds }))
  t.match(findEvent(placed.events, 'BetPlaced')?.args, { odds: quoted.odds, payout: quoted.payout })
  // 19 tokens of liability at 100 units each: 1.9 - 0.19
  t.match(findEvent(placed.events, 'OddsMoved')?.args, { marketId, outcome: 0, odds: 17_100 })
  t.equal(await getBettorStake(reader, { marketId, bettor: bettorAccount.address }), 10n * USDC)
  t.same((await getMarketConfig(reader, { marketId })).odds, [17_100, 19_000])

  const overLimit = await quote(reader, { marketId, outcome: 1, stake: 11n * USDC, account: bettorAccount.address }).catch((e: Error) => e)
  t.match(String(overLimit), /BettorLimitExceeded/, 'quote refuses as placeBet would')

  await ok(suspendMarket(operator, { marketId }))
  t.equal((await getMarketConfig(reader, { marketId })).status, 'suspended')
  await ok(reopenMarket(operator, { marketId }))
  t.equal((await getMarketConfig(reader, { marketId })).status, 'open')
  const closed = await ok(closeMarket(operator, { marketId }))
  t.equal((await getMarketConfig(reader, { marketId })).closeTime, findEvent(closed.events, 'MarketClosedEarly')?.args.closeTime)

  // notifications follow the preconfirmation; give the socket a moment to deliver the last one
  for (let i = 0; i < 40 && odds.length < 2; i++) await sleep(50)
  t.same(
    odds.map((e) => [e.event, e.event === 'OddsMoved' ? e.args.odds : e.args.odds.join('/')]),
    [
      ['OddsChanged', '19000/19000'],
      ['OddsMoved', 17_100],
    ],
  )
  t.equal(odds[1].transactionHash, placed.transactionHash, 'the move is in the block of the bet')
  t.same(watchErrors, [])
  await unwatch()
})

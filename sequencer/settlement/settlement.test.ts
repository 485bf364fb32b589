/**
 * The settlement service on a real dev sequencer (real LevelDB, real sockets): after the oracle's
 * result, every open bet of the market is settled by the service with no bettor lifting a finger;
 * winners get exactly stake x odds, losers nothing, a voided market refunds; each bettor's
 * `account` WebSocket subscription carries a BetSettled for each of its bets; and a restarted node
 * rebuilds what is still open from its stored blocks.
 */
import t from 'tap'
import { pino } from 'pino'
import { createPublicClient, encodeFunctionData, http, keccak256, toHex, type Hex } from 'viem'
import { Address, hexToBytes } from '@ethereumjs/util'
import { getBalance } from '../../sdk/src/index.ts'
import { privateKeyToAccount } from 'viem/accounts'
import { calldata, TestSigner, type TestAccount } from '../../node/chain/fastpath/testing.ts'
import { DEV_CHAIN_ID } from '../../node/chain/genesis.ts'
import { RollbookNode } from '../../node/rollbookNode.ts'
import { tempDatadir } from '../../node/testing/testNode.ts'
import { accounts } from '../../node/trace/testing.ts'
import { createRollbookSocket, watchAccount } from '../../sdk/src/watch.ts'
import { betEngineAbi } from '../../sdk/src/generated/contracts.ts'
import { MAX_SETTLE_BATCH } from './settlementService.ts'

const logger = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const settlerKey = keccak256(toHex('rollbook/test/settler'))

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('resolvedMarket_everyOpenBetSettledByTheService_paidExactly_andEachBettorHearsIt', async (t) => {
  const datadir = tempDatadir('rollbook-settle-')
  const start = () => RollbookNode.init({ datadir, dev: true, port: 0, blockTimeMs: 50, settlerKey }, logger)
  let node = await start()
  t.teardown(() => node.close())
  const signer = new TestSigner(DEV_CHAIN_ID)
  const [operator, oracle, ...bettors] = accounts
  const nonces = new Map<string, bigint>()
  const send = async (from: TestAccount, data: Hex) => {
    const nonce = nonces.get(from.address) ?? 0n
    nonces.set(from.address, nonce + 1n)
    const result = await node.sequencer!.submitRawTx(signer.sign(from, nonce, data))
    if (result.status !== 'preconfirmed' || result.executed.status !== 1) throw new Error('not executed, or reverted')
    return result.executed
  }
  const balance = (a: TestAccount) => getBalance(createPublicClient({ transport: http(node.urls.httpUrl) }), { address: a.address as Hex })

  // closed by the operator once the bets are in (closeMarket), not by the clock: a loaded machine takes its time
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)
  await send(operator, calldata.createMarket(2, [25_000, 15_000], closeTime, 10n ** 12n, 10n ** 15n)) // market 1: outcome 0 wins
  await send(operator, calldata.createMarket(3, [30_000, 30_000, 30_000], closeTime, 10n ** 12n, 10n ** 15n)) // market 2: voided
  const socket = await createRollbookSocket(node.urls.wsUrl)
  t.teardown(() => socket.close())
  const heard = new Map<string, bigint[]>()
  for (const b of bettors.slice(0, 3)) {
    await watchAccount(socket, { address: b.address, onEvent: (e) => { if (e.event === 'BetSettled') heard.set(b.address, [...(heard.get(b.address) ?? []), e.args.betId]) } })
  }
  const before = new Map(await Promise.all(bettors.map(async (b) => [b.address, await balance(b)] as const)))
  const expected = new Map(bettors.map((b) => [b.address, 0n]))
  const betsOf = new Map<string, bigint[]>()
  let betId = 0n
  for (let i = 0; i < 120; i++) {
    const b = bettors[i % bettors.length]
    const market = i % 4 === 3 ? 2n : 1n
    const outcome = i % 2
    const stake = 1_000_000n + BigInt(i) * 10_000n
    await send(b, calldata.placeBet(market, outcome, stake, 1))
    betId++
    betsOf.set(b.address, [...(betsOf.get(b.address) ?? []), betId])
    const odds = market === 2n ? 30_000n : outcome === 0 ? 25_000n : 15_000n
    const won = market === 2n ? stake : outcome === 0 ? (stake * odds) / 10_000n : 0n
    expected.set(b.address, expected.get(b.address)! - stake + won)
  }
  t.equal(node.settlement!.openBets(1n) + node.settlement!.openBets(2n), 120, 'the service knows every open bet')
  await send(operator, encodeFunctionData({ abi: betEngineAbi, functionName: 'closeMarket', args: [1n] }))
  await send(operator, encodeFunctionData({ abi: betEngineAbi, functionName: 'closeMarket', args: [2n] }))

  // a restart in the middle: the open bets are rebuilt from the stored blocks
  await node.close()
  node = await start()
  t.equal(node.settlement!.openBets(1n) + node.settlement!.openBets(2n), 120, 'rebuilt after a restart')
  const socket2 = await createRollbookSocket(node.urls.wsUrl)
  t.teardown(() => socket2.close())
  for (const b of bettors.slice(0, 3)) {
    await watchAccount(socket2, { address: b.address, onEvent: (e) => { if (e.event === 'BetSettled') heard.set(b.address, [...(heard.get(b.address) ?? []), e.args.betId]) } })
  }

  await send(oracle, calldata.reportResult(1n, 0))
  await send(oracle, calldata.reportResult(2n, 255))
  const started = Date.now()
  await until('every bet settled', () => node.settlement!.openBets(1n) + node.settlement!.openBets(2n) === 0 && node.settlement!.settled === 120)
  t.comment(`120 bets settled by the service ${Date.now() - started} ms after the results`)
  for (const b of bettors) t.equal(await balance(b), before.get(b.address)! + expected.get(b.address)!, `${b.address.slice(0, 8)}: paid exactly (winners stake x odds, voided refunded)`)
  await until('each bettor to hear each settlement', () => bettors.slice(0, 3).every((b) => (heard.get(b.address)?.length ?? 0) === betsOf.get(b.address)!.length))
  for (const b of bettors.slice(0, 3)) t.same([...heard.get(b.address)!].sort((x, y) => Number(x - y)), betsOf.get(b.address), `${b.address.slice(0, 8)} heard BetSettled for each of its bets on the account channel`)
  const settler = privateKeyToAccount(settlerKey).address
  // settleBets of up to 4 bets per tx, per market: 90 bets on market 1, 30 on market 2
  const txs = BigInt(Math.ceil(90 / MAX_SETTLE_BATCH) + Math.ceil(30 / MAX_SETTLE_BATCH))
  t.equal(await node.chain.liveState.getAccount(new Address(hexToBytes(settler))).then((a) => a?.nonce), txs, `the service sent ${txs} settleBets txs for 120 bets (${MAX_SETTLE_BATCH} per tx), none twice`)
})

import { rmSync } from 'node:fs'
import t, { type Test } from 'tap'
import { encodeFunctionData, type Hex, type LocalAccount } from 'viem'
import { betEngineAbi } from '../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../sdk/src/constants.ts'
import { DEV_CHAIN_ID, DEV_STAKE_BALANCE } from './chain/genesis.ts'
import { postRpc } from './api/testing.ts'
import { bettors, operator } from './testing/accounts.ts'
import { startNodeProcess, startTestNode, tempDatadir } from './testing/testNode.ts'

const ZERO_HASH = `0x${'00'.repeat(32)}`
const STAKE = 1_000_000n

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const { json } = await postRpc(url, { jsonrpc: '2.0', id: 1, method, params })
  if (json.error !== undefined) throw new Error(`${method}: ${json.error.code} ${json.error.message}`)
  return json.result
}

async function sendTx(url: string, account: LocalAccount, nonce: number, data: Hex): Promise<Hex> {
  const raw = await account.signTransaction({
    chainId: DEV_CHAIN_ID,
    type: 'eip1559',
    to: BET_ENGINE_ADDRESS,
    nonce,
    gas: TX_GAS_LIMIT,
    maxFeePerGas: 0n,
    maxPriorityFeePerGas: 0n,
    data,
  })
  return rpc(url, 'eth_sendRawTransaction', [raw])
}

const createMarketData = () =>
  encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'createMarket',
    args: [2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 100_000_000_000n],
  })
const placeBetData = (outcome: number, stake = STAKE) => encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [1n, outcome, stake, 1] })

async function balanceOf(url: string, address: Hex): Promise<bigint> {
  const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'balanceOf', args: [address] })
  return BigInt(await rpc(url, 'eth_call', [{ to: BET_ENGINE_ADDRESS, data }, 'latest']))
}

async function balancesOf(url: string): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {}
  for (const account of [operator, ...bettors]) out[account.address] = await balanceOf(url, account.address)
  return out
}

async function waitForSealed(url: string, hash: Hex, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const receipt = await rpc(url, 'eth_getTransactionReceipt', [hash])
    if (receipt !== null && receipt.blockHash !== ZERO_HASH) return receipt
    if (Date.now() > deadline) throw new Error(`tx ${hash} not sealed in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A temp datadir removed at teardown, after every node opened on it is closed. */
function datadirFor(t: Test) {
  const datadir = tempDatadir()
  const open = new Set<{ close(): Promise<unknown> }>()
  t.teardown(async () => {
    for (const node of open) await node.close()
    rmSync(datadir, { recursive: true, force: true })
  })
  return {
    datadir,
    opened<N extends { close(): Promise<unknown> }>(node: N): N {
      open.add(node)
      return node
    },
    closed(node: { close(): Promise<unknown> }): void {
      open.delete(node)
    },
  }
}

t.test('restart on the same datadir: same head, state root, receipts and balances', async (t) => {
  const { datadir, opened, closed } = datadirFor(t)
  const first = opened(await startTestNode({ datadir }))

  const hashes = [await sendTx(first.httpUrl, operator, 0, createMarketData())]
  for (const [i, bettor] of bettors.slice(0, 4).entries()) {
    hashes.push(await sendTx(first.httpUrl, bettor, 0, placeBetData(i % 2)))
    hashes.push(await sendTx(first.httpUrl, bettor, 1, placeBetData(1, 2_000_000_000n)))
  }
  await waitForSealed(first.httpUrl, hashes.at(-1)!)
  const headBefore = await rpc(first.httpUrl, 'eth_getBlockByNumber', ['latest', false])
  const receiptsBefore = await Promise.all(hashes.map((hash) => rpc(first.httpUrl, 'eth_getTransactionReceipt', [hash])))
  const balancesBefore = await balancesOf(first.httpUrl)
  await first.close()
  closed(first)

  t.ok(BigInt(headBefore.number) >= 1n, 'at least one block sealed')
  for (const receipt of receiptsBefore) t.not(receipt.blockHash, ZERO_HASH, `${receipt.transactionHash} sealed`)
  t.equal(receiptsBefore.filter((r) => r.status === '0x0').length, 4, 'the four over-max-stake bets failed with status 0')

  const second = opened(await startTestNode({ datadir }))
  const head = await rpc(second.httpUrl, 'eth_getBlockByNumber', ['latest', false])
  t.equal(head.number, headBefore.number, 'same head number')
  t.equal(head.hash, headBefore.hash, 'same head hash')
  t.equal(head.stateRoot, headBefore.stateRoot, 'same state root')
  t.equal(head.receiptsRoot, headBefore.receiptsRoot, 'same receipts root')
  t.same(await rpc(second.httpUrl, 'eth_blockNumber'), headBefore.number, 'eth_blockNumber agrees')
  for (const [i, hash] of hashes.entries()) {
    t.strictSame(await rpc(second.httpUrl, 'eth_getTransactionReceipt', [hash]), receiptsBefore[i], `receipt of ${hash} equal field by field`)
  }
  t.strictSame(await balancesOf(second.httpUrl), balancesBefore, 'same balances')
  t.equal(balancesBefore[bettors[0].address], DEV_STAKE_BALANCE - STAKE, 'the balances reflect the bets')

  // the restarted node keeps sequencing from where it stopped; close() seals what is still open
  const next = await sendTx(second.httpUrl, bettors[0], 2, placeBetData(0))
  t.equal((await rpc(second.httpUrl, 'eth_getTransactionReceipt', [next])).status, '0x1', 'a new bet with the next nonce goes through')
  await second.close()
  closed(second)
  const third = opened(await startTestNode({ datadir }))
  const sealedOnClose = await rpc(third.httpUrl, 'eth_getTransactionReceipt', [next])
  t.equal(sealedOnClose.status, '0x1', 'the bet open at close() is kept')
  t.not(sealedOnClose.blockHash, ZERO_HASH, 'and sealed')
  t.equal(await balanceOf(third.httpUrl, bettors[0].address), DEV_STAKE_BALANCE - 2n * STAKE)
})

/**
 * Bets from several bettors at once, SIGKILL once all are acknowledged, restart: every bet is there.
 * `unsealed`: a block time far beyond the test, so only the preconfirmation log can bring the bets back;
 * otherwise the normal 250 ms block time, and the kill may land before, during or after a seal.
 */
async function killAfterBurst(t: Test, unsealed: boolean) {
  const { datadir, opened } = datadirFor(t)
  const first = await startNodeProcess(datadir, unsealed ? ['--block-time', '60000'] : [])
  opened({ close: () => first.kill() })
  const market = await sendTx(first.httpUrl, operator, 0, createMarketData())

  const burst = bettors.slice(0, 5)
  const betsEach = 10
  const acknowledged: Array<{ hash: Hex; bettor: LocalAccount }> = [{ hash: market, bettor: operator }]
  // bettors concurrently, each bettor's bets in nonce order
  await Promise.all(
    burst.map(async (bettor, b) => {
      for (let nonce = 0; nonce < betsEach; nonce++) {
        acknowledged.push({ hash: await sendTx(first.httpUrl, bettor, nonce, placeBetData((b + nonce) % 2)), bettor })
      }
    }),
  )
  let preconfirmed: any[] | undefined
  if (unsealed) {
    preconfirmed = await Promise.all(acknowledged.map(({ hash }) => rpc(first.httpUrl, 'eth_getTransactionReceipt', [hash])))
    t.ok(
      preconfirmed.every((r) => r !== null && r.status === '0x1' && r.blockHash === ZERO_HASH && r.preconfirmed === true),
      'before the kill every tx is preconfirmed, none sealed',
    )
    t.equal(await rpc(first.httpUrl, 'eth_blockNumber'), '0x0', 'no block sealed before the kill')
  }
  await first.kill()
  t.equal(acknowledged.length, 1 + burst.length * betsEach, 'every tx acknowledged')

  const second = await startNodeProcess(datadir)
  opened({ close: () => second.kill() })
  const receipts = await Promise.all(acknowledged.map(({ hash }) => waitForSealed(second.httpUrl, hash)))
  t.ok(receipts.every((r) => r.status === '0x1'), 'every acknowledged tx has a success receipt after the restart')
  for (const [i, receipt] of receipts.entries()) {
    if (preconfirmed === undefined) break
    const before = preconfirmed[i]
    t.strictSame(
      { blockNumber: receipt.blockNumber, transactionIndex: receipt.transactionIndex, logs: receipt.logs.map((l: any) => [l.topics, l.data]) },
      { blockNumber: before.blockNumber, transactionIndex: before.transactionIndex, logs: before.logs.map((l: any) => [l.topics, l.data]) },
      `${receipt.transactionHash} replayed in the same place with the same logs`,
    )
  }
  for (const bettor of burst) {
    t.equal(await balanceOf(second.httpUrl, bettor.address), DEV_STAKE_BALANCE - BigInt(betsEach) * STAKE, `${bettor.address} paid for every bet`)
    t.equal(await rpc(second.httpUrl, 'eth_getTransactionCount', [bettor.address, 'latest']), `0x${betsEach.toString(16)}`, 'nonce continues')
  }
  const next = await sendTx(second.httpUrl, burst[0], betsEach, placeBetData(0))
  t.equal((await rpc(second.httpUrl, 'eth_getTransactionReceipt', [next])).status, '0x1', 'a new bet with the next nonce goes through')
  t.equal(await balanceOf(second.httpUrl, burst[0].address), DEV_STAKE_BALANCE - BigInt(betsEach + 1) * STAKE)

  t.equal(await second.stop(), 0, 'clean exit on SIGTERM')
}

t.test('SIGKILL after the bets were acknowledged, none sealed: the preconfirmation log brings every one back', (t) => killAfterBurst(t, true))

t.test('SIGKILL the moment the last bet is acknowledged, 250 ms blocks: none is lost', (t) => killAfterBurst(t, false))

t.test('a second node on a datadir in use fails clearly', async (t) => {
  const { datadir, opened } = datadirFor(t)
  const first = await startNodeProcess(datadir)
  opened({ close: () => first.kill() })

  await t.rejects(startNodeProcess(datadir), /node exited with [1-9]\d* before it was ready: rollbook: .*cannot open .*\(is another node running on it\?\)/s)
  t.match(await rpc(first.httpUrl, 'eth_blockNumber'), /^0x/, 'the first node keeps serving')
})

/**
 * End to end on a real anvil with the real L1 contracts: a sequencer RollbookNode with --rollup,
 * --l1-rpc and --batcher-key posts its blocks to the inbox; a replica RollbookNode (--mode replica)
 * on an empty datadir derives the same head from L1 alone, and forwards a raw tx to the sequencer
 * (--sequencer-rpc) that then comes back to it through L1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import t from 'tap'
import { createPublicClient, createWalletClient, defineChain, http, parseEther, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { pino } from 'pino'
import { WebSocket } from 'ws'
import { DEV_MNEMONIC } from '../sdk/src/constants.ts'
import { deployL1 } from '../scripts/l1/deploy.ts'
import { calldata, TestSigner, type TestAccount } from './chain/fastpath/testing.ts'
import { devAccounts, devGenesis, genesisToJson, parseGenesis, DEV_CHAIN_ID } from './chain/genesis.ts'
import { genesisLeaf } from './rollup/genesisLeaf.ts'
import { RollbookNode } from './rollbookNode.ts'
import { startAnvil } from './testing/anvil.ts'

const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const BETS = 100

const dir = mkdtempSync(join(tmpdir(), 'rollbook-replica-mode-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const anvil = await startAnvil()
t.teardown(() => anvil.stop())

const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
const l1Account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 })
const l1Public = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })
const l1Wallet = createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account: l1Account })
const batcherKey = bytesToHex(l1Account.getHdKey().privateKey!) as Hex

async function rpc(url: string, method: string, params: unknown[] = []): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return (await response.json()) as { result?: any; error?: { code: number; message: string } }
}

async function head(url: string): Promise<{ number: string; hash: string; stateRoot: string }> {
  const { result } = await rpc(url, 'eth_getBlockByNumber', ['latest', false])
  return { number: result.number, hash: result.hash, stateRoot: result.stateRoot }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('replica_fromL1Only_reachesSequencerHead_andForwardsRawTxs', async (t) => {
  const genesis = parseGenesis(devGenesis(Math.floor(Date.now() / 1000)))
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: l1Wallet, public: l1Public },
    sequencer: l1Account.address,
    proposer: l1Account.address,
    challengeWindowSeconds: 60n,
    minBond: parseEther('0.1'),
    genesisLeaf: await genesisLeaf(genesis),
  })
  const rollupFile = join(dir, 'rollup.json')
  writeFileSync(
    rollupFile,
    JSON.stringify(
      {
        genesis: genesisToJson(genesis),
        l1: {
          chainId: 31337,
          startBlock: Number(deployedAtBlock),
          contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token },
        },
      },
      null,
      2,
    ),
  )

  const sequencer = await RollbookNode.init(
    { datadir: join(dir, 'sequencer'), port: 0, blockTimeMs: 50, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey },
    logger(),
  )
  t.teardown(() => sequencer.close())
  t.ok(sequencer.batcher, 'the sequencer runs a batcher')
  t.equal(sequencer.chain.chainId, BigInt(DEV_CHAIN_ID))

  // ~100 bets over the bettors, sent as raw txs through the sequencer's JSON-RPC
  const signer = new TestSigner(DEV_CHAIN_ID)
  const [operator, , ...bettors]: TestAccount[] = devAccounts().map((a) => ({ address: a.address, privateKey: a.getHdKey().privateKey! }))
  const nonces = new Map<string, bigint>()
  const signed = (account: TestAccount, data: Hex): Hex => {
    const nonce = nonces.get(account.address) ?? 0n
    nonces.set(account.address, nonce + 1n)
    return bytesToHex(signer.sign(account, nonce, data)) as Hex
  }
  const send = async (url: string, raw: Hex): Promise<Hex> => {
    const answer = await rpc(url, 'eth_sendRawTransaction', [raw])
    if (answer.error !== undefined) throw new Error(`eth_sendRawTransaction: ${answer.error.message}`)
    return answer.result as Hex
  }
  await send(sequencer.urls.httpUrl, signed(operator, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 1_000_000_000_000n)))
  for (let i = 0; i < BETS; i++) {
    await send(sequencer.urls.httpUrl, signed(bettors[i % bettors.length], calldata.placeBet(1n, i % 2, 1_000_000n + BigInt(i), 1)))
    if ((i + 1) % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 120))
  }
  const last = signed(bettors[0], calldata.placeBet(1n, 0, 2_000_000n, 1))
  await until('the sequencer to seal every bet', async () => (await rpc(sequencer.urls.httpUrl, 'eth_getTransactionCount', [operator.address, 'latest'])).result === '0x1' && BigInt((await head(sequencer.urls.httpUrl)).number) > 0n)

  const replica = await RollbookNode.init(
    { mode: 'replica', datadir: join(dir, 'replica'), port: 0, rollup: rollupFile, l1Rpc: anvil.rpcUrl, sequencerRpc: sequencer.urls.httpUrl },
    logger(),
  )
  t.teardown(() => replica.close())
  t.equal(replica.sequencer, undefined, 'a replica does not sequence')

  const started = performance.now()
  let want = await head(sequencer.urls.httpUrl)
  await until('the replica to reach the sequencer head', async () => {
    want = await head(sequencer.urls.httpUrl)
    const got = await head(replica.urls.httpUrl)
    return got.hash === want.hash && got.stateRoot === want.stateRoot
  })
  t.comment(`replica reached L2 block ${BigInt(want.number)} (${BETS} bets) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  t.same(await head(replica.urls.httpUrl), want, 'replica head == sequencer head: number, hash and stateRoot')
  let betsOnReplica = 0n
  for (const b of bettors) betsOnReplica += BigInt((await rpc(replica.urls.httpUrl, 'eth_getTransactionCount', [b.address, 'latest'])).result)
  t.equal(betsOnReplica, BigInt(BETS), 'every bet derived on the replica')
  t.equal(replica.replica?.halted, undefined)
  t.equal(replica.replica?.stats.skipped, 0, 'no record skipped')

  // a tx sent to the replica goes to the sequencer, and comes back to the replica through L1,
  // announced to the replica's newHeads subscribers
  const socket = new WebSocket(replica.urls.wsUrl)
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)))
  const heads: Array<{ number: string; hash: string }> = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data))
    if (message.method === 'eth_subscription') heads.push(message.params.result)
  })
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
  t.teardown(() => socket.close())
  const hash = await send(replica.urls.httpUrl, last)
  const receiptOn = async (url: string) => (await rpc(url, 'eth_getTransactionReceipt', [hash])).result as { status: string; blockHash: string } | null
  t.ok(await receiptOn(sequencer.urls.httpUrl), 'the sequencer has it at once (preconfirmed)')
  await until('the forwarded tx to reach the replica via L1', async () => (await receiptOn(replica.urls.httpUrl)) !== null)
  const onReplica = await receiptOn(replica.urls.httpUrl)
  t.equal(onReplica?.status, '0x1', 'the forwarded bet succeeded')
  t.equal(onReplica?.blockHash, (await receiptOn(sequencer.urls.httpUrl))?.blockHash, 'in the same block on both')
  await until('newHeads on the replica to announce that block', async () => heads.some((h) => h.hash === onReplica?.blockHash))
  t.ok(heads.some((h) => h.hash === onReplica?.blockHash), 'the derived block is announced on newHeads')

  // a second send of the same tx: the sequencer's refusal comes back as it is
  const again = await rpc(replica.urls.httpUrl, 'eth_sendRawTransaction', [last])
  const direct = await rpc(sequencer.urls.httpUrl, 'eth_sendRawTransaction', [last])
  t.same(again.error, direct.error, 'the sequencer error is returned as is')
  t.ok(again.error, 'a replayed tx is refused')
})

t.test('replica_options_missingFlags_areOptionsErrorsNamingTheFlag', async (t) => {
  const datadir = join(dir, 'bad')
  await t.rejects(RollbookNode.init({ mode: 'replica', datadir, rollup: 'x.json' }, logger()), { name: 'OptionsError', message: /--l1-rpc/ })
  await t.rejects(RollbookNode.init({ mode: 'replica', datadir, l1Rpc: anvil.rpcUrl }, logger()), { name: 'OptionsError', message: /--rollup/ })
  await t.rejects(RollbookNode.init({ datadir, dev: true, batcherKey: `0x${'11'.repeat(32)}` }, logger()), { name: 'OptionsError', message: /--batcher-key needs --l1-rpc/ })
  await t.rejects(RollbookNode.init({ datadir, dev: true, sequencerRpc: 'http://127.0.0.1:1' }, logger()), { name: 'OptionsError', message: /--sequencer-rpc/ })
  const keys = { batcherKey: `0x${'11'.repeat(32)}`, proposerKey: `0x${'22'.repeat(32)}` }
  await t.rejects(RollbookNode.init({ datadir, rollup: 'x.json', l1Rpc: anvil.rpcUrl, ...keys, trace: false }, logger()), {
    name: 'OptionsError',
    message: /--no-trace: not with --proposer-key/,
  })
  await t.rejects(RollbookNode.init({ mode: 'replica', datadir, l1Rpc: anvil.rpcUrl, rollup: join(dir, 'nope.json') }, logger()), { name: 'OptionsError', message: /--rollup: file .* does not exist/ })
})

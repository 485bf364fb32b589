/**
 * L1 queue messages end to end on a real anvil (docs/decisions/0004): a deposit is credited on L2
 * in the first block after the sequencer sees it, a forced tx runs on L2, the batcher posts them
 * as queue-message records and a replica derives the same chain; a sequencer that ignores the
 * queue is overruled by derivation once the sequencer window has passed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import t from 'tap'
import { createPublicClient, createTestClient, createWalletClient, decodeEventLog, defineChain, encodeFunctionData, http, parseEther, type Address, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { pino } from 'pino'
import { DEV_MNEMONIC, L1_MESSENGER_ADDRESS } from '../../sdk/src/constants.ts'
import { betEngineAbi, rollbookBridgeAbi, rollbookInboxAbi, testStablecoinAbi } from '../../sdk/src/generated/contracts.ts'
import { deployL1, type L1Addresses } from '../../scripts/l1/deploy.ts'
import { calldata, TestSigner, type TestAccount } from '../chain/fastpath/testing.ts'
import { devAccounts, devGenesis, genesisToJson, parseGenesis, DEV_CHAIN_ID } from '../chain/genesis.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'
import { RollbookNode } from '../rollbookNode.ts'
import { startAnvil } from '../testing/anvil.ts'

const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-deposits-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const balanceOf = async (url: string, account: Address): Promise<bigint> =>
  BigInt(await rpc(url, 'eth_call', [{ to: '0x4200000000000000000000000000000000000b37', data: encodeBalanceOf(account) }, 'latest']))
const encodeBalanceOf = (account: Address): Hex => `0x70a08231${account.slice(2).toLowerCase().padStart(64, '0')}`
const head = async (url: string) => {
  const block = await rpc(url, 'eth_getBlockByNumber', ['latest', false])
  return { number: block.number as string, hash: block.hash as string, stateRoot: block.stateRoot as string }
}

async function rig(name: string, sequencerWindow: number, relayL1Messages: boolean) {
  const anvil = await startAnvil()
  const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const l1Account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 })
  const depositor = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 5 })
  const l1Public = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })
  const l1Wallet = createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account: l1Account })
  const depositorWallet = createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account: depositor })
  const testClient = createTestClient({ chain: l1Chain, transport: http(anvil.rpcUrl), mode: 'anvil' })
  const genesis = parseGenesis(devGenesis(Math.floor(Date.now() / 1000)))
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: l1Wallet, public: l1Public },
    sequencer: l1Account.address,
    proposer: l1Account.address,
    challengeWindowSeconds: 60n,
    minBond: parseEther('0.1'),
    genesisLeaf: await genesisLeaf(genesis),
  })
  const rollupFile = join(dir, `${name}-rollup.json`)
  writeFileSync(
    rollupFile,
    JSON.stringify({
      genesis: genesisToJson(genesis),
      l1: { chainId: 31337, startBlock: Number(deployedAtBlock), contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token } },
      sequencerWindow,
    }),
  )
  const batcherKey = bytesToHex(l1Account.getHdKey().privateKey!) as Hex
  const sequencer = await RollbookNode.init(
    { datadir: join(dir, `${name}-sequencer`), port: 0, blockTimeMs: 50, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey, l1PollMs: 100 },
    logger(),
    { relayL1Messages },
  )
  const startReplica = (suffix = '') =>
    RollbookNode.init({ mode: 'replica', datadir: join(dir, `${name}-replica${suffix}`), port: 0, rollup: rollupFile, l1Rpc: anvil.rpcUrl, l1PollMs: 100 }, logger())
  const mintAndDeposit = async (to: Address, amount: bigint): Promise<void> => {
    const tokenHash = await l1Wallet.writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'mint', args: [depositor.address, amount] })
    await l1Public.waitForTransactionReceipt({ hash: tokenHash })
    const approve = await depositorWallet.writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'approve', args: [addresses.bridge, amount] })
    await l1Public.waitForTransactionReceipt({ hash: approve })
    const deposit = await depositorWallet.writeContract({ address: addresses.bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [to, amount] })
    const receipt = await l1Public.waitForTransactionReceipt({ hash: deposit })
    if (receipt.status !== 'success') throw new Error('deposit reverted')
  }
  const forceTx = async (raw: Hex): Promise<void> => {
    const hash = await depositorWallet.writeContract({ address: addresses.inbox, abi: rollbookInboxAbi, functionName: 'forceTransaction', args: [raw] })
    const receipt = await l1Public.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error('forceTransaction reverted')
  }
  return {
    anvil,
    sequencer,
    startReplica,
    mintAndDeposit,
    forceTx,
    testClient,
    addresses: addresses as L1Addresses,
    close: async () => {
      await sequencer.close()
      await anvil.stop()
    },
  }
}

const signer = new TestSigner(DEV_CHAIN_ID)
const [operator, , bettor]: TestAccount[] = devAccounts().map((a) => ({ address: a.address, privateKey: a.getHdKey().privateKey! }))

t.test('deposit_andForcedTx_relayedBySequencer_postedAndDerivedAlike', async (t) => {
  const r = await rig('honest', 100, true)
  t.teardown(() => r.close())
  const url = r.sequencer.urls.httpUrl
  const recipient = '0x00000000000000000000000000000000000d3705' as Address
  await r.mintAndDeposit(recipient, 12_345_678n)
  await until('the deposit to be credited on L2', async () => (await balanceOf(url, recipient)) === 12_345_678n)

  // the relay tx: from the L1 messenger, nonce = queue index 0, with a DepositRelayed log.
  // eth_call reads the preconfirmed state, eth_getLogs only sealed blocks: wait for the block to seal.
  const engineLogs = async (): Promise<any[]> => rpc(url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', address: '0x4200000000000000000000000000000000000b37' }])
  await until('the relay block to be sealed', async () => (await engineLogs()).length > 0)
  const logs = await engineLogs()
  const relayed: any[] = logs.map((l: any) => decodeEventLog({ abi: betEngineAbi, data: l.data, topics: l.topics })).filter((e: any) => e.eventName === 'DepositRelayed')
  t.equal(relayed.length, 1, 'one DepositRelayed log')
  t.same({ ...relayed[0].args, amount: relayed[0].args.amount.toString() }, { queueIndex: 0n, l1Sender: mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 5 }).address, recipient, amount: '12345678' })
  const relayTx = await rpc(url, 'eth_getTransactionByHash', [logs.find((l: any) => l.topics[0] === logs[0].topics[0])?.transactionHash ?? logs[0].transactionHash])
  t.equal(relayTx.from.toLowerCase(), L1_MESSENGER_ADDRESS.toLowerCase(), 'sent by the L1 messenger')
  t.equal(relayTx.nonce, '0x0', 'nonce = queue index')

  // a tx from the messenger's (public) key is refused over RPC
  const forged = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [bytesToHex(signer.sign({ address: L1_MESSENGER_ADDRESS, privateKey: Buffer.from('ff5ca2e6e8227f837b80d67355ce7750f6bc10a22a350b799335efdacfe81672', 'hex') } as TestAccount, 1n, calldata.settleBet(1n)))] }),
  }).then((res) => res.json() as Promise<{ error?: { code: number; message: string } }>)
  t.match(forged.error?.message, /L1 messenger/, 'the messenger key cannot be used over RPC')

  // a forced tx (a market created by the operator, signed on L2, sent through the L1 inbox)
  const operatorNonce = BigInt(await rpc(url, 'eth_getTransactionCount', [operator.address, 'latest']))
  const forcedRaw = bytesToHex(signer.sign(operator, operatorNonce, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000n, 10_000_000n))) as Hex
  await r.forceTx(forcedRaw)
  await until('the forced tx to run on L2', async () => BigInt(await rpc(url, 'eth_getTransactionCount', [operator.address, 'latest'])) === operatorNonce + 1n)
  // a forced tx that is invalid (a nonce already used) is dropped: only its relay tx runs
  await r.forceTx(forcedRaw)
  await until('the second relay tx', async () => BigInt(await rpc(url, 'eth_getTransactionCount', [L1_MESSENGER_ADDRESS, 'latest'])) === 3n)
  t.equal(BigInt(await rpc(url, 'eth_getTransactionCount', [operator.address, 'latest'])), operatorNonce + 1n, 'the replayed forced tx did not run again')

  // a bet after the deposit, then a replica derives the same chain from L1, records and all
  const bet = bytesToHex(signer.sign(bettor, BigInt(await rpc(url, 'eth_getTransactionCount', [bettor.address, 'latest'])), calldata.placeBet(1n, 0, 500_000n, 1))) as Hex
  await rpc(url, 'eth_sendRawTransaction', [bet])
  await until('the batcher to post every block', async () => (r.sequencer.batcher?.posted?.lastPostedBlock ?? -1n) >= BigInt((await head(url)).number))
  const replica = await r.startReplica()
  t.teardown(() => replica.close())
  await until('the replica to reach the sequencer head', async () => (await head(replica.urls.httpUrl)).hash === (await head(url)).hash)
  t.same(await head(replica.urls.httpUrl), await head(url), 'same head hash and state root')
  t.equal(await balanceOf(replica.urls.httpUrl, recipient), 12_345_678n, 'the deposit is credited on the replica')
  t.equal(replica.replica?.stats.skipped, 0, 'no record skipped')
})

t.test('censoringSequencer_depositAndForcedTx_forcedInByDerivationAfterTheWindow', async (t) => {
  const WINDOW = 4
  const r = await rig('censor', WINDOW, false)
  t.teardown(() => r.close())
  const url = r.sequencer.urls.httpUrl
  const replica = await r.startReplica()
  t.teardown(() => replica.close())
  const recipient = '0x00000000000000000000000000000000000c3750' as Address
  await r.mintAndDeposit(recipient, 7_000_000n)
  const forcedRaw = bytesToHex(signer.sign(operator, 0n, calldata.createMarket(3, [30_000, 30_000, 30_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000n, 10_000_000n))) as Hex
  await r.forceTx(forcedRaw)
  // the sequencer keeps sequencing (and posting) other txs, but ignores the queue
  await rpc(url, 'eth_sendRawTransaction', [bytesToHex(signer.sign(bettor, 0n, calldata.settleBet(99n)))])
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(await balanceOf(url, recipient), 0n, 'the censoring sequencer did not credit it')
  t.equal(await balanceOf(replica.urls.httpUrl, recipient), 0n, 'nor the replica, within the window')

  await r.testClient.mine({ blocks: WINDOW + 1 })
  await until('the replica to force the deposit in', async () => (await balanceOf(replica.urls.httpUrl, recipient)) === 7_000_000n)
  await until('the replica to force the forced tx in', async () => BigInt(await rpc(replica.urls.httpUrl, 'eth_getTransactionCount', [operator.address, 'latest'])) === 1n)
  t.equal(BigInt(await rpc(replica.urls.httpUrl, 'eth_getTransactionCount', [L1_MESSENGER_ADDRESS, 'latest'])), 2n, 'two relay txs on the replica')
  const nextMarketId = encodeFunctionData({ abi: betEngineAbi, functionName: 'nextMarketId' })
  t.equal(BigInt(await rpc(replica.urls.httpUrl, 'eth_call', [{ to: '0x4200000000000000000000000000000000000b37', data: nextMarketId }, 'latest'])), 2n, 'the forced createMarket ran on the replica')
  t.equal(await balanceOf(url, recipient), 0n, 'the sequencer still has not: its chain now differs from L1 (provable with issue 4)')
  t.equal(replica.replica?.halted, undefined, 'derivation goes on')
})

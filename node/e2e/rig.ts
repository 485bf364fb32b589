/**
 * The end-to-end rig: a real anvil with the real L1 contracts (deployL1), a rollup config file,
 * the node binary as child processes (a sequencer with its batcher, replicas), bettors whose txs
 * are signed natively, and readers of what the inbox holds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, keccak256, type Account, type Hex } from 'viem'
import { calldata, TestSigner, testAccounts, type TestAccount } from '../chain/fastpath/testing.ts'
import { devAccounts, devGenesis, DEV_CHAIN_ID, DEV_STAKE_BALANCE, genesisToJson, parseGenesis } from '../chain/genesis.ts'
import { genesisLeaf } from '../rollup/genesisLeaf.ts'
import { startAnvil, type StartAnvilOptions } from '../testing/anvil.ts'
import { startNodeProcess, type NodeProcess } from '../testing/testNode.ts'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { blocksFromChunks, readPostedChunks, sequencerKey, type BlockContent, type PostedChunkTx } from '../../sequencer/batcher/testing.ts'
import { deployContracts, type Deployment, type L1 } from '../../bridge-contracts/test/l1/fixtures.ts'

export { sequencerKey }

export interface Rig {
  l1: L1
  deployment: Deployment
  rollupFile: string
  dir: string
  close(): Promise<void>
}

/** anvil (automine, or interval mining with `blockTime`), the L1 contracts, and a rollup config whose genesis funds the bettors. */
export async function startRig(opts: { anvil?: StartAnvilOptions; bettors?: number } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'rollbook-e2e-'))
  const anvil = await startAnvil(opts.anvil)
  const chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const transport = http(anvil.rpcUrl)
  const l1: L1 = {
    anvil,
    chain,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }),
    testClient: createTestClient({ chain, transport, mode: 'anvil' }),
    wallet: (account: Account) => createWalletClient({ chain, transport, account }),
  } as L1
  const genesisInput = devGenesis(Math.floor(Date.now() / 1000))
  for (const bettor of bettorAccounts(opts.bettors ?? 0)) (genesisInput.betEngine.balances as Record<string, string>)[bettor.address] = DEV_STAKE_BALANCE.toString()
  const genesis = parseGenesis(genesisInput)
  const deployment = await deployContracts(l1, { genesisLeaf: await genesisLeaf(genesis) })
  const rollupFile = join(dir, 'rollup.json')
  const { inbox, outputRoots, bridge, messageQueue, token } = deployment
  const rollup = {
    genesis: genesisToJson(genesis),
    l1: { chainId: 31337, startBlock: Number(deployment.deployedAtBlock), contracts: { inbox, outputRoots, bridge, messageQueue, stablecoin: token } },
  }
  writeFileSync(rollupFile, JSON.stringify(rollup, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2))
  return {
    l1,
    deployment,
    rollupFile,
    dir,
    close: async () => {
      await anvil.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** `count` funded bettors (their own keys, apart from the ten dev accounts). */
export function bettorAccounts(count: number): TestAccount[] {
  return testAccounts(count)
}

export const operatorAccount: TestAccount = (() => {
  const [operator] = devAccounts(1)
  return { address: operator.address, privateKey: operator.getHdKey().privateKey! }
})()

export interface NodeWithLog extends NodeProcess {
  /** every stdout line the node wrote (pino JSON) */
  lines: string[]
}

function keepLines(node: NodeProcess): NodeWithLog {
  const lines: string[] = []
  let partial = ''
  node.child.stdout!.on('data', (data: Buffer) => {
    const parts = (partial + data.toString()).split('\n')
    partial = parts.pop()!
    lines.push(...parts)
    if (process.env.ROLLBOOK_TEST_LOG !== undefined) for (const line of parts) process.stderr.write(`${line}\n`)
  })
  return Object.assign(node, { lines })
}

/** `rollbook node` as a sequencer posting to the rig's inbox with the sequencer's L1 key. */
export async function startSequencer(rig: Rig, datadir: string, flags: string[] = []): Promise<NodeWithLog> {
  return keepLines(await startNodeProcess(datadir, ['--rollup', rig.rollupFile, '--l1-rpc', rig.l1.anvil.rpcUrl, '--batcher-key', sequencerKey, ...flags]))
}

/** `rollbook node --mode replica` with only --l1-rpc and --rollup. */
export async function startReplica(rig: Rig, datadir: string, flags: string[] = []): Promise<NodeWithLog> {
  return keepLines(await startNodeProcess(datadir, ['--mode', 'replica', '--rollup', rig.rollupFile, '--l1-rpc', rig.l1.anvil.rpcUrl, ...flags]))
}

export interface RpcAnswer {
  result?: any
  error?: { code: number; message: string }
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return (await response.json()) as RpcAnswer
}

export interface Head {
  number: bigint
  hash: Hex
  stateRoot: Hex
}

export async function head(url: string): Promise<Head> {
  const { result, error } = await rpc(url, 'eth_getBlockByNumber', ['latest', false])
  if (error !== undefined) throw new Error(`eth_getBlockByNumber: ${error.message}`)
  return { number: BigInt(result.number), hash: result.hash, stateRoot: result.stateRoot }
}

export const sameHead = (a: Head, b: Head): boolean => a.number === b.number && a.hash === b.hash && a.stateRoot === b.stateRoot

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** Signs bettors' txs with their next nonces, as wallets would. */
export class Bettors {
  private readonly signer = new TestSigner(DEV_CHAIN_ID)
  private readonly nonces = new Map<string, bigint>()

  constructor(readonly accounts: TestAccount[]) {}

  sign(account: TestAccount, data: Hex): Hex {
    const nonce = this.nonces.get(account.address) ?? 0n
    this.nonces.set(account.address, nonce + 1n)
    return `0x${Buffer.from(this.signer.sign(account, nonce, data)).toString('hex')}`
  }

  /** Market 1, two outcomes, open for an hour, created by the operator. */
  createMarket(): Hex {
    return this.sign(operatorAccount, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 1_000_000_000_000n))
  }

  /** The i-th bet: bettor i mod count, on market 1. */
  bet(i: number): Hex {
    return this.sign(this.accounts[i % this.accounts.length], calldata.placeBet(1n, i % 2, 1_000_000n + BigInt(i), 1))
  }

  /** Takes every bettor's next nonce from a node (after sends whose outcome is unknown). */
  async syncNonces(url: string): Promise<void> {
    for (const account of [operatorAccount, ...this.accounts]) {
      const { result } = await rpc(url, 'eth_getTransactionCount', [account.address, 'pending'])
      this.nonces.set(account.address, BigInt(result))
    }
  }
}

/** eth_sendRawTransaction; the tx hash, or throws with the node's error. */
export async function sendRaw(url: string, raw: Hex): Promise<Hex> {
  const answer = await rpc(url, 'eth_sendRawTransaction', [raw])
  if (answer.error !== undefined) throw new Error(`eth_sendRawTransaction: ${answer.error.message}`)
  if (answer.result !== keccak256(raw)) throw new Error(`eth_sendRawTransaction answered ${answer.result}, not the tx hash`)
  return answer.result as Hex
}

export async function inboxChunkCount(rig: Rig): Promise<bigint> {
  return rig.l1.publicClient.readContract({ address: rig.deployment.inbox, abi: rollbookInboxAbi, functionName: 'chunkCount' })
}

/** Every chunk the inbox holds, with its calldata. */
export async function inboxChunks(rig: Rig): Promise<PostedChunkTx[]> {
  return readPostedChunks(rig.l1, rig.deployment.inbox)
}

/** The L2 blocks the inbox's chunks carry, as derivation reads them (a block with no tx is none). */
export function blocksOnL1(chunks: readonly PostedChunkTx[]): BlockContent[] {
  return blocksFromChunks(
    chunks.map((c) => c.data),
    DEV_CHAIN_ID,
  ).blocks
}

/** The tx hashes of L2 blocks 1..to on a node, block by block. */
export async function blockTxHashes(url: string, to: bigint): Promise<Hex[][]> {
  const out: Hex[][] = []
  for (let number = 1n; number <= to; number++) {
    const { result } = await rpc(url, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false])
    out.push(result.transactions as Hex[])
  }
  return out
}

/** Waits until the inbox carries every block of the sequencer's chain up to its head, the head block whole, and returns that head. */
export async function untilAllPosted(rig: Rig, sequencerUrl: string, timeoutMs = 60_000): Promise<Head> {
  let want = await head(sequencerUrl)
  await until(
    'the batcher to post every sealed block',
    async () => {
      want = await head(sequencerUrl)
      const onL1 = blocksOnL1(await inboxChunks(rig))
      if (onL1.length !== Number(want.number)) return false
      const { result } = await rpc(sequencerUrl, 'eth_getBlockByHash', [want.hash, false])
      return JSON.stringify(onL1.at(-1)?.txs.map(txHashOf) ?? []) === JSON.stringify(result.transactions)
    },
    timeoutMs,
    300,
  )
  return want
}

/** Waits until a node's head is the given one (number, hash and state root). */
export async function untilHead(url: string, want: Head, what: string, timeoutMs = 60_000): Promise<void> {
  await until(`${what} to reach L2 block ${want.number} ${want.hash}`, async () => sameHead(await head(url), want), timeoutMs, 200)
}

export const txHashOf = (raw: Hex): Hex => keccak256(raw)

/** Waits until the tx is in a sealed block (a preconfirmed receipt has a zero block hash until then). */
export async function untilSealed(url: string, hash: Hex, timeoutMs = 30_000): Promise<void> {
  await until(
    `tx ${hash} to be sealed`,
    async () => {
      const { result } = await rpc(url, 'eth_getTransactionReceipt', [hash])
      return result !== null && result !== undefined && result.preconfirmed !== true && BigInt(result.blockHash) !== 0n
    },
    timeoutMs,
  )
}

/**
 * Issue 4, "An honest sequencer is never provably wrong": differential fuzzing of the node's trace
 * against the whole L1 fraud verifier. A real anvil with the L1 contracts (deployL1 with the genesis
 * leaf and the fraud verifier, as node/e2e/fraudProof.test.ts), an in-process sequencer with its
 * batcher and an honest proposer, and a seeded random workload:
 * - every bet engine function (createMarket, setOdds, placeBet, reportResult, settleBet, settleBets, withdraw)
 *   as eth_sendRawTransaction from the operator, the oracle, bettors and strangers without a
 *   balance, valid and reverting alike, as EIP-1559, EIP-2930 and legacy txs, some with access
 *   lists, some with a nonce gap the node parks and then fills, and some calling no function;
 * - deposits through the L1 bridge (sdk deposit), to bettors and strangers;
 * - forced txs through RollbookInbox.forceTransaction: runnable, reverting, and ones the L2 drops
 *   (a wrong nonce, another chain, the L1 messenger as sender, bytes that are no tx).
 * The genesis's maxTxsPerBlock and the batcher's chunk size come from the seed too, so blocks fill
 * up in front of queue messages and batches span several chunks.
 *
 * Then, for every output the proposer posted and every step of its trace, the StepProof a
 * challenger sends (stepProof.ts buildStepProof: the sequencer's own commitment worker as the
 * prover, the leaves as posted, the chunks as the inbox committed them) goes to
 * FraudVerifier.computeStep by eth_call: leafOf of the state it computes must be the posted leaf
 * step + 1 at every step, and after the last leaf no record may be left. A sample of steps goes to
 * proveStep with the honest leaf too, which must revert NoFraud. Printed: per kind of record, the
 * count and the gas of computeStep (estimateGas).
 *
 * ROLLBOOK_HONEST_STEPS: records to reach (default 300). ROLLBOOK_HONEST_SEED replays a seed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { pino } from 'pino'
import { createTxFromRLP } from '@ethereumjs/tx'
import type { AccessList } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  decodeFunctionData,
  defineChain,
  encodeFunctionData,
  http,
  keccak256,
  maxUint256,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
} from 'viem'
import { mnemonicToAccount, privateKeyToAddress } from 'viem/accounts'
import { BET_ENGINE_ADDRESS, DEV_MNEMONIC, L1_MESSENGER_PRIVATE_KEY } from '../sdk/src/constants.ts'
import { betEngineAbi, fraudVerifierAbi, messageQueueAbi, outputRootsAbi, rollbookInboxAbi, testStablecoinAbi } from '../sdk/src/generated/contracts.ts'
import { decodeBetEngineError, deposit } from '../sdk/src/index.ts'
import { rebuildTx, type TxRecord } from '../sdk/src/batch/index.ts'
import { deployTestRollup } from '../node/testing/rollup.ts'
import { calldata, TestSigner, type TestAccount } from '../node/chain/fastpath/testing.ts'
import { createL2Common } from '../node/chain/common.ts'
import { DEV_CHAIN_ID, parseGenesis } from '../node/chain/genesis.ts'
import { readBatchChunks } from '../node/derive/chunkRetrieval.ts'
import { MESSAGE_KIND_FORCED_TX } from '../node/l1/messages.ts'
import { nextQueueIndex } from '../node/l1/relay.ts'
import { RollbookNode } from '../node/rollbookNode.ts'
import { startAnvil } from '../node/testing/anvil.ts'
import { buildTree, stepLeaf, treeRoot, type StepState } from '../node/trace/index.ts'
import { prng } from '../node/trace/testing.ts'
import { readProposal } from './l1Data.ts'
import { buildStepProof, queueMessagesNamedBy, type L1QueueMessage, type StepProofArgs, type TracedStep } from './stepProof.ts'

const USDC = 1_000_000n
const TARGET_RECORDS = Number(process.env.ROLLBOOK_HONEST_STEPS ?? 300)
const seed = Number(process.env.ROLLBOOK_HONEST_SEED ?? Date.now() % 1_000_000)
/** steps whose proveStep (honest leaf) is tried: every this many, and each kind's first few */
const NO_FRAUD_EVERY = 25
const NO_FRAUD_FIRST_OF_KIND = 3
/** steps verified at once: the worker serves witnesses one at a time, anvil runs the calls meanwhile */
const CONCURRENCY = 4
const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-honest-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const mnemonicKey = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i })
const hexKey = (a: ReturnType<typeof mnemonicKey>) => bytesToHex(a.getHdKey().privateKey!) as Hex
const asTestAccount = (a: ReturnType<typeof mnemonicKey>): TestAccount => ({ address: a.address, privateKey: a.getHdKey().privateKey! })
/** An L2 key of this test's own (keccak of a label), so strangers are new to the chain. */
const labelledAccount = (label: string): TestAccount => {
  const privateKey = keccak256(toHex(`rollbook-honest-${label}`))
  return { privateKey: hexToBytes(privateKey), address: privateKeyToAddress(privateKey) }
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Runs `work` over `items` with at most `limit` at once, in order of start. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++])
  })
  await Promise.all(runners)
}

t.test('honestSequencer_everyStepOfEveryOutput_isTheFraudVerifiersOwnResult', async (t) => {
  const random = prng(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
  const int = (below: number) => Math.floor(random() * below)
  const maxTxsPerBlock = pick([2, 3, 5, 8, 4_000])
  // the largest tx of the workload (a createMarket of 17 outcomes with an access list) is a record of ~900 bytes
  const maxChunkBytes = pick([1_200, 2_000, 6_000, 24_000])
  t.comment(`seed ${seed} (ROLLBOOK_HONEST_SEED to replay), ${TARGET_RECORDS} records wanted, maxTxsPerBlock ${maxTxsPerBlock}, chunks of at most ${maxChunkBytes} bytes`)
  const started = Date.now()

  // ---------------------------------------------------------------- L1, the rollup, the sequencer
  const anvil = await startAnvil()
  t.teardown(() => anvil.stop())
  const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const l1Client = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })
  const l1Wallet = (account: ReturnType<typeof mnemonicKey>) => createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account })
  const [deployer, batcher, proposer, prover] = [mnemonicKey(0), mnemonicKey(8), mnemonicKey(9), mnemonicKey(7)]
  const depositors = [mnemonicKey(3), mnemonicKey(4)]
  const l1Forcers = [mnemonicKey(5), mnemonicKey(6)]

  const operator = asTestAccount(mnemonicKey(0))
  const oracle = asTestAccount(mnemonicKey(1))
  const bettors = Array.from({ length: 5 }, (_, i) => labelledAccount(`bettor-${i}`))
  const forcer = labelledAccount('forcer')
  const strangers = Array.from({ length: 3 }, (_, i) => labelledAccount(`stranger-${seed}-${i}`))
  const balances: Record<string, string> = { [operator.address]: (10n ** 9n * USDC).toString(), [forcer.address]: (1_000n * USDC).toString() }
  for (const b of bettors) balances[b.address] = (100_000n * USDC).toString()
  const genesis = parseGenesis({ chainId: DEV_CHAIN_ID, timestamp: Math.floor(Date.now() / 1000), maxTxsPerBlock, betEngine: { operator: operator.address, oracle: oracle.address, balances } })
  const { addresses, deployedAtBlock, rollupFile } = await deployTestRollup({
    l1Client: { wallet: l1Wallet(deployer), public: l1Client },
    sequencer: batcher.address,
    proposer: proposer.address,
    genesis,
    dir,
  })
  const verifier = addresses.fraudVerifier
  const node = await RollbookNode.init(
    { datadir: join(dir, 'sequencer'), port: 0, blockTimeMs: 100, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: hexKey(batcher), proposerKey: hexKey(proposer), l1PollMs: 100, batchIntervalMs: 1_000, maxChunkBytes },
    logger(),
  )
  t.teardown(() => node.close())
  const l2Rpc = async (method: string, params: unknown[]): Promise<{ result?: any; error?: { message: string } }> => {
    const response = await fetch(node.urls.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
    return (await response.json()) as { result?: any; error?: { message: string } }
  }

  // the depositors' tokens, approved once so that each deposit is one L1 tx
  for (const depositor of depositors) {
    await l1Client.waitForTransactionReceipt({ hash: await l1Wallet(deployer).writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'mint', args: [depositor.address, 10n ** 12n * USDC] }) })
    await l1Client.waitForTransactionReceipt({ hash: await l1Wallet(depositor).writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'approve', args: [addresses.bridge, maxUint256] }) })
  }

  // ---------------------------------------------------------------- the workload
  const chainId = genesis.chainId
  const signer = new TestSigner(chainId)
  const foreignSigner = new TestSigner(chainId + 1)
  const nonces = new Map<string, bigint>()
  const takeNonce = (a: TestAccount) => {
    const n = nonces.get(a.address) ?? 0n
    nonces.set(a.address, n + 1n)
    return n
  }
  const txOpts = (): { type: 0 | 1 | 2; accessList?: AccessList } => {
    const r = random()
    const type = r < 0.7 ? 2 : r < 0.85 ? 1 : 0
    if (type === 0 || random() < 0.8) return { type }
    return { type, accessList: [{ address: BET_ENGINE_ADDRESS, storageKeys: [keccak256(toHex(int(1_000)))] }] }
  }
  let records = 0
  const sendRaw = async (raw: Uint8Array): Promise<Hex> => {
    const { result, error } = await l2Rpc('eth_sendRawTransaction', [bytesToHex(raw)])
    if (error !== undefined) throw new Error(`the node refused a tx of the workload: ${error.message}`)
    records++
    return result as Hex
  }
  const send = (from: TestAccount, data: Hex) => sendRaw(signer.sign(from, takeNonce(from), data, txOpts()))

  interface MarketInfo {
    id: bigint
    outcomes: number
    closeTime: bigint
    /** the oracle was sent a valid result after the close */
    resolved: boolean
  }
  const markets: MarketInfo[] = []
  let betsPlaced = 0
  /** the bets sent, by market: a settlement picks one of a resolved market */
  const betTxs: { hash: Hex; market: bigint; settled?: boolean }[] = []
  /** the id of the bet a placeBet tx placed (none when it reverted) */
  const betIdOf = async (hash: Hex): Promise<bigint | undefined> => {
    const receipt = (await l2Rpc('eth_getTransactionReceipt', [hash])).result as { logs: { topics: [Hex, ...Hex[]]; data: Hex }[] } | null
    for (const log of receipt?.logs ?? []) {
      try {
        const event = decodeEventLog({ abi: betEngineAbi, topics: log.topics, data: log.data })
        if (event.eventName === 'BetPlaced') return event.args.betId
      } catch {
        // another event
      }
    }
    return undefined
  }
  const now = () => BigInt(Math.floor(Date.now() / 1000))
  const randomOdds = (count: number) => Array.from({ length: count }, () => (random() < 0.03 ? 10_000 : 10_001 + int(200_000)))
  /** mostly a market still open (bets on it can succeed), else any market, or one that does not exist */
  const someMarket = () => {
    const open = markets.filter((m) => m.closeTime > now() + 1n)
    const r = random()
    if (markets.length === 0 || r < 0.05) return BigInt(1 + markets.length + int(3))
    return open.length > 0 && r < 0.8 ? pick(open).id : pick(markets).id
  }
  const someAccount = () => (random() < 0.8 ? pick(bettors) : random() < 0.5 ? pick(strangers) : pick([operator, oracle]))

  /**
   * A valid market (the next id: the list's ids follow the chain's only if every valid one succeeds
   * and every invalid one reverts), or one that reverts for exactly one reason.
   */
  const createMarket = async (valid: boolean) => {
    const flaw = valid ? undefined : pick(['sender', 'outcomes', 'closeTime', 'maxStake', 'odds'] as const)
    const outcomes = flaw === 'outcomes' ? pick([0, 1, 17]) : 2 + int(15)
    const closeTime = flaw === 'closeTime' ? now() - BigInt(int(100)) : now() + BigInt(2 + int(random() < 0.6 ? 8 : 600))
    const maxStake = flaw === 'maxStake' ? 0n : BigInt(1 + int(5_000)) * USDC
    const maxLiability = random() < 0.3 ? 0n : BigInt(1 + int(2_000_000)) * USDC
    const odds = randomOdds(Math.max(outcomes, 1)).map((o) => Math.max(o, 10_001))
    if (flaw === 'odds') random() < 0.5 ? odds.pop() : (odds[int(odds.length)] = 10_000)
    const from = flaw === 'sender' ? pick([oracle, ...bettors, ...strangers]) : operator
    await send(from, calldata.createMarket(outcomes, odds, closeTime, maxStake, maxLiability))
    if (valid) markets.push({ id: BigInt(markets.length + 1), outcomes, closeTime, resolved: false })
  }
  const l1Tx = async (hash: Promise<Hex>) => {
    const receipt = await l1Client.waitForTransactionReceipt({ hash: await hash })
    if (receipt.status !== 'success') throw new Error(`L1 tx ${receipt.transactionHash} reverted`)
    records++
  }
  const forcedPayload = (): Uint8Array => {
    const r = random()
    const data = () => pick([calldata.placeBet(someMarket(), int(3), BigInt(1 + int(50)) * USDC, 0), calldata.settleBet(BigInt(1 + int(betsPlaced + 2))), encodeFunctionData({ abi: betEngineAbi, functionName: 'withdraw', args: [deployer.address, BigInt(1 + int(100)) * USDC] })])
    // the forcer's own nonce: it sends nothing else, and a forced tx that runs (even reverting) takes one
    if (r < 0.45) return signer.sign(forcer, takeNonce(forcer), data(), txOpts())
    if (r < 0.55) return signer.sign(labelledAccount(`forced-stranger-${seed}-${records}`), 0n, data(), txOpts())
    if (r < 0.65) return signer.sign(forcer, (nonces.get(forcer.address) ?? 0n) + 1n + BigInt(int(3)), data()) // a nonce gap: dropped
    if (r < 0.72) return foreignSigner.sign(forcer, nonces.get(forcer.address) ?? 0n, data()) // another chain: dropped
    if (r < 0.79) return signer.sign({ privateKey: hexToBytes(L1_MESSENGER_PRIVATE_KEY), address: zeroAddress }, 0n, data()) // the L1 messenger: dropped
    if (r < 0.86) return signer.sign(forcer, nonces.get(forcer.address) ?? 0n, data(), { to: deployer.address }) // not the bet engine: dropped
    return hexToBytes(keccak256(toHex(`garbage-${records}`))).subarray(0, 1 + int(32)) // no tx at all
  }

  const actions: [number, () => Promise<unknown>][] = [
    // placeBet: open and closed markets, unknown ones, bad outcomes, zero and too large stakes, odds below the minimum, no balance
    [
      40,
      async () => {
        const market = someMarket()
        const outcomes = markets.find((m) => m.id === market)?.outcomes ?? 2
        const outcome = random() < 0.92 ? int(outcomes) : outcomes + int(3)
        const stake = random() < 0.03 ? 0n : BigInt(1 + int(random() < 0.05 ? 10_000 : 300)) * USDC
        const minOdds = random() < 0.9 ? 0 : 10_000 + int(300_000)
        betTxs.push({ hash: await send(random() < 0.9 ? pick(bettors) : pick([operator, ...strangers]), calldata.placeBet(market, outcome, stake, minOdds)), market })
        betsPlaced++
      },
    ],
    [4, () => createMarket(true)],
    [2, () => createMarket(false)],
    // setOdds: by the operator (also on closed and resolved markets) or by anyone else
    [5, async () => {
      const market = someMarket()
      const outcomes = markets.find((m) => m.id === market)?.outcomes ?? 2
      await send(random() < 0.8 ? operator : someAccount(), calldata.setOdds(market, randomOdds(random() < 0.9 ? outcomes : outcomes + 1)))
    }],
    // reportResult: by the oracle once a market closed (or before, or twice), by anyone else, void results
    [5, async () => {
      const closed = markets.filter((m) => m.closeTime < now())
      const unresolved = closed.filter((m) => !m.resolved)
      const market = unresolved.length > 0 && random() < 0.7 ? pick(unresolved) : closed.length > 0 && random() < 0.7 ? pick(closed) : { id: someMarket(), outcomes: 2, closeTime: 0n, resolved: true }
      const result = random() < 0.15 ? 255 : int(market.outcomes + (random() < 0.1 ? 2 : 0))
      const from = random() < 0.85 ? oracle : someAccount()
      await send(from, calldata.reportResult(market.id, result))
      if (from === oracle && market.closeTime < now() && (result < market.outcomes || result === 255)) market.resolved = true
    }],
    // settleBet: anyone may; mostly a bet of a resolved market (won, lost, void, or settled already), else any bet id (unresolved, unknown)
    [10, async () => {
      const resolved = new Set(markets.filter((m) => m.resolved).map((m) => m.id))
      const candidates = betTxs.filter((b) => resolved.has(b.market) && (b.settled !== true || random() < 0.1))
      const bet = candidates.length > 0 && random() < 0.75 ? pick(candidates) : undefined
      const betId = bet === undefined ? undefined : await betIdOf(bet.hash)
      if (bet !== undefined) bet.settled = true
      await send(someAccount(), calldata.settleBet(betId ?? BigInt(1 + int(betsPlaced + 3))))
    }],
    // settleBets (the bet engine's second half, run on L1 by delegatecall): up to 4 ids, mostly
    // bets of resolved markets, some settled already or unknown, sometimes 5 (TooManyBets)
    [4, async () => {
      const resolved = new Set(markets.filter((m) => m.resolved).map((m) => m.id))
      const candidates = betTxs.filter((b) => resolved.has(b.market) && b.settled !== true)
      const ids: bigint[] = []
      for (let i = int(random() < 0.05 ? 6 : 5); i > 0; i--) {
        const bet = candidates.length > 0 && random() < 0.8 ? pick(candidates) : undefined
        if (bet !== undefined) bet.settled = true
        ids.push((bet === undefined ? undefined : await betIdOf(bet.hash)) ?? BigInt(1 + int(betsPlaced + 3)))
      }
      await send(someAccount(), encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBets', args: [ids] }))
    }],
    // withdraw: within the balance or beyond it, zero, to the zero address
    [5, async () => {
      const amount = random() < 0.05 ? 0n : BigInt(1 + int(random() < 0.1 ? 10_000_000 : 1_000)) * USDC
      await send(someAccount(), encodeFunctionData({ abi: betEngineAbi, functionName: 'withdraw', args: [random() < 0.05 ? zeroAddress : pick(depositors).address, amount] }))
    }],
    // a call of no bet engine function
    [1, () => send(someAccount(), keccak256(toHex(int(1_000))).slice(0, 2 + 2 * (1 + int(8))) as Hex)],
    // a nonce gap: the later tx first (the node parks it), then the one that fills the gap
    [3, async () => {
      const from = pick(bettors)
      const first = takeNonce(from)
      const second = takeNonce(from)
      await sendRaw(signer.sign(from, second, calldata.settleBet(BigInt(1 + int(betsPlaced + 1))), txOpts()))
      const market = someMarket()
      betTxs.push({ hash: await sendRaw(signer.sign(from, first, calldata.placeBet(market, int(2), BigInt(1 + int(100)) * USDC, 0), txOpts())), market })
      betsPlaced++
    }],
    // a deposit through the L1 bridge
    [3, async () => {
      const to = random() < 0.7 ? pick(bettors).address : random() < 0.5 ? pick(strangers).address : forcer.address
      await deposit(l1Wallet(pick(depositors)), { bridge: addresses.bridge, token: addresses.token, to, amount: BigInt(1 + int(5_000)) * USDC })
      records++
    }],
    // a forced tx through the inbox
    [3, () => l1Tx(l1Wallet(pick(l1Forcers)).writeContract({ address: addresses.inbox, abi: rollbookInboxAbi, functionName: 'forceTransaction', args: [bytesToHex(forcedPayload()) as Hex] }))],
    // a pause: the block seals, the next one starts later
    [2, () => new Promise((resolve) => setTimeout(resolve, int(250)))],
  ]
  const totalWeight = actions.reduce((sum, [w]) => sum + w, 0)
  const act = async () => {
    let r = random() * totalWeight
    for (const [w, run] of actions) {
      if (r < w) return run()
      r -= w
    }
  }

  for (let i = 0; i < 3; i++) await createMarket(true)
  // a market closing early, so results and settlements come within a short run too
  markets.push({ id: BigInt(markets.length + 1), outcomes: 2, closeTime: now() + 3n, resolved: false })
  await send(operator, calldata.createMarket(2, [19_000, 21_000], markets.at(-1)!.closeTime, 100n * USDC, 0n))
  while (records < TARGET_RECORDS) await act()
  t.comment(`workload: ${records} records sent in ${((Date.now() - started) / 1000).toFixed(1)} s, ${markets.length} markets`)

  // ---------------------------------------------------------------- every record posted and proposed
  const queueLength = await l1Client.readContract({ address: addresses.messageQueue, abi: messageQueueAbi, functionName: 'queueLength' })
  await until('every queue message relayed', async () => (await nextQueueIndex(node.chain)) === queueLength, 60_000)
  // every tx sent is in a block once the open one seals (parked ones ran when their gap was filled)
  await new Promise((resolve) => setTimeout(resolve, 500))
  const head = node.chain.head.header.number
  await until(
    `outputs on L1 up to L2 block ${head}`,
    async () => {
      const count = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
      if (count === 0n) return false
      return (await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [count - 1n] })).l2BlockNumber >= head
    },
    120_000 + TARGET_RECORDS * 20,
  )
  const outputCount = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
  t.comment(`${outputCount} outputs cover L2 blocks 1..${head} (${((Date.now() - started) / 1000).toFixed(1)} s)`)

  // ---------------------------------------------------------------- every step through the verifier
  const worker = node.trace!
  const common = createL2Common(chainId)
  const rootOf = (leaves: Hex[]) => bytesToHex(treeRoot(buildTree(leaves.map((l) => hexToBytes(l))))) as Hex
  /** '' for a tx that succeeded, else ' (reverts ErrorName)' from the node's receipt */
  const outcomeOf = async (hash: Hex): Promise<string> => {
    const receipt = (await l2Rpc('eth_getTransactionReceipt', [hash])).result as { status: Hex; revertData?: Hex } | null
    if (receipt === null) return ' (no receipt)'
    if (receipt.status === '0x1') return ''
    const error = receipt.revertData === undefined || receipt.revertData === '0x' ? undefined : decodeBetEngineError(receipt.revertData)
    return ` (reverts${error === undefined ? '' : ` ${error.name}`})`
  }
  const l1 = { messageQueue: addresses.messageQueue, startBlock: deployedAtBlock, chainId }

  interface KindStats {
    count: number
    gas: bigint[]
  }
  const byKind = new Map<string, KindStats>()
  const mismatches: string[] = []
  const noFraudFailures: string[] = []
  let steps = 0
  let noFraudChecked = 0
  let recordsChecked = 0

  /** What a step's record is, for the per-kind counts: the function it calls and whether it reverted; a tx's envelope apart. */
  const txShapes = new Map<string, number>()
  const kindOf = async (traced: TracedStep | undefined, messages: readonly L1QueueMessage[]): Promise<string> => {
    const record = traced?.record
    if (traced === undefined) return 'end of batch (no record left)'
    if (record === undefined) return 'skipped by the decoder'
    if (record.type === 'blockStart') return 'block start'
    const ran = traced.post.txCount - traced.pre.txCount
    if (record.type === 'deposit') {
      const message = messages.find((m) => m.index === record.queueIndex)
      if (message === undefined || ran === 0) return 'queue message (no-op)'
      if (message.kind !== MESSAGE_KIND_FORCED_TX) return 'deposit'
      if (ran === 1) return 'forced tx (dropped by L2)'
      const forced = createTxFromRLP(hexToBytes(message.payload), { common })
      return `forced tx: ${functionOf(forced.data)}${await outcomeOf(bytesToHex(forced.hash()) as Hex)}`
    }
    const tx = createTxFromRLP(rebuildTx(record as TxRecord, { chainId }), { common })
    const shape = record.type === 'compactBet' ? 'compact bet' : `type ${tx.type}${'accessList' in tx && tx.accessList.length > 0 ? ' with an access list' : ''}`
    txShapes.set(shape, (txShapes.get(shape) ?? 0) + 1)
    if (ran === 0) return `${functionOf(tx.data)} (no-op)`
    return `${functionOf(tx.data)}${await outcomeOf(bytesToHex(tx.hash()) as Hex)}`
  }

  const noFraud = async (args: StepProofArgs, where: string) => {
    noFraudChecked++
    try {
      await l1Client.simulateContract({ account: prover.address, address: verifier, abi: fraudVerifierAbi, functionName: 'proveStep', args: [args] })
      noFraudFailures.push(`${where}: proveStep with the honest leaf did not revert`)
    } catch (e) {
      const name = e instanceof BaseError ? (e.walk((c) => c instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)?.data?.errorName : undefined
      if (name !== 'NoFraud') noFraudFailures.push(`${where}: proveStep with the honest leaf reverted ${name ?? (e as Error).message.split('\n')[0]}, not NoFraud`)
    }
  }

  let previousBlock = 0n
  for (let index = 0n; index < outputCount; index++) {
    const output = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [index] })
    const proposal = await readProposal(l1Client, addresses.outputRoots, index, output.traceRoot, rootOf, deployedAtBlock)
    const chunks = await readBatchChunks(l1Client, addresses.inbox, index, { fromBlock: deployedAtBlock })
    const batch = { batchIndex: index, fromBlock: previousBlock + 1n, toBlock: output.l2BlockNumber }
    previousBlock = output.l2BlockNumber
    const posted = proposal.leaves
    const mine = (await worker.traceBatch(batch, chunks.map((c) => c.data), chunks.map((c) => c.l1Timestamp))).leaves
    t.same(mine, posted, `output ${index}: the posted leaves are the worker's trace of the chunks on L1`)
    let messagesRead: Promise<L1QueueMessage[]> | undefined
    const messages = () => (messagesRead ??= queueMessagesNamedBy(l1Client, l1, chunks.map((c) => c.data)))
    await pool(
      posted.map((_, step) => step),
      CONCURRENCY,
      async (step) => {
        const where = `seed ${seed} output ${index} step ${step}`
        const { args, traced } = await buildStepProof(worker, { outputIndex: index, batch, step, chunks, posted, ourLeafCount: mine.length, messages })
        const kind = await kindOf(traced, await messages())
        const call = { address: verifier, abi: fraudVerifierAbi, functionName: 'computeStep', args: [args] } as const
        const { result } = await l1Client.simulateContract(call)
        const [found, post] = result
        steps++
        const isRecord = traced !== undefined && traced.record?.type !== 'blockStart'
        if (isRecord) recordsChecked++
        if (step + 1 < posted.length) {
          const leaf = await l1Client.readContract({ address: verifier, abi: fraudVerifierAbi, functionName: 'leafOf', args: [post] })
          if (!found || leaf !== posted[step + 1]) mismatches.push(`${where} (${kind}): ${describeMismatch(found, post, posted[step + 1], traced)}`)
        } else if (found) {
          mismatches.push(`${where}: the trace ends here, but the verifier found a record (its state ${JSON.stringify(post, bigintJson)})`)
        }
        const stats = byKind.get(kind) ?? { count: 0, gas: [] }
        byKind.set(kind, stats)
        stats.count++
        stats.gas.push(await l1Client.estimateContractGas(call))
        if (step % NO_FRAUD_EVERY === 0 || step + 1 === posted.length || stats.count <= NO_FRAUD_FIRST_OF_KIND) await noFraud(args, `${where} (${kind})`)
      },
    )
    // a long run says how far it is
    if ((index + 1n) % 50n === 0n) t.comment(`${index + 1n} of ${outputCount} outputs: ${recordsChecked} records, ${mismatches.length} differ (${((Date.now() - started) / 1000).toFixed(0)} s)`)
  }

  // ---------------------------------------------------------------- what was checked
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const kinds = [...byKind.entries()].sort((a, b) => b[1].count - a[1].count)
  for (const [kind, { count, gas }] of kinds) {
    const sorted = [...gas].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const mean = sorted.reduce((s, g) => s + g, 0n) / BigInt(sorted.length)
    t.comment(`${kind}: ${count} steps, computeStep gas mean ${mean} (min ${sorted[0]}, max ${sorted.at(-1)})`)
  }
  t.comment(`tx records by envelope: ${[...txShapes.entries()].map(([shape, n]) => `${shape} ${n}`).join(', ')}`)
  t.comment(`${recordsChecked} records (steps that are no block start, ${steps} steps in all) in ${outputCount} outputs, every one through computeStep; ${noFraudChecked} honest leaves refused by proveStep; ${seconds} s`)
  for (const m of mismatches.slice(0, 20)) t.fail(m)
  t.equal(mismatches.length, 0, `every step's computed leaf is the posted one (${mismatches.length} differ)`)
  for (const m of noFraudFailures.slice(0, 20)) t.fail(m)
  t.equal(noFraudFailures.length, 0, `proveStep refuses the honest leaf with NoFraud (${noFraudChecked} steps)`)
  t.ok(recordsChecked >= Math.min(TARGET_RECORDS, 300) * 0.9, `at least ${Math.floor(Math.min(TARGET_RECORDS, 300) * 0.9)} records checked (${recordsChecked})`)
})

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

/** The function a bet engine call names by its selector. */
function functionOf(data: Uint8Array): string {
  try {
    return decodeFunctionData({ abi: betEngineAbi, data: bytesToHex(data) as Hex }).functionName
  } catch {
    return 'no function'
  }
}

/** A step state as the verifier returns it (hex root, hasChunkBase), for comparing and printing. */
function asVerifierState(s: StepState): Record<string, unknown> {
  return {
    stateRoot: bytesToHex(s.stateRoot),
    parentTimestamp: s.parentTimestamp,
    blockTimestamp: s.blockTimestamp,
    blockOpen: s.blockOpen,
    txCount: s.txCount,
    chunkIndex: s.chunkIndex,
    offset: s.offset,
    hasChunkBase: s.chunkBase !== undefined,
    chunkBase: s.chunkBase ?? 0n,
  }
}

/** Which fields of the verifier's state differ from the trace's own post state, for the report. */
function describeMismatch(found: boolean, post: Record<string, unknown>, postedLeaf: Hex, traced: TracedStep | undefined): string {
  if (!found) return `the verifier found no record, the trace has leaf ${postedLeaf} next`
  if (traced === undefined) return `the verifier computed ${JSON.stringify(post, bigintJson)}, the trace has no step here`
  const ours = asVerifierState(traced.post)
  const differ = Object.keys(ours).filter((f) => String(post[f]) !== String(ours[f]))
  const leafNote = bytesToHex(stepLeaf(traced.post)) === postedLeaf ? '' : ' (and the trace post state is not the posted leaf)'
  return (
    `record ${traced.record?.type ?? 'skipped'} at chunk ${traced.at.chunkIndex} offset ${traced.at.offset}; fields that differ: ` +
    `${differ.map((f) => `${f}: verifier ${String(post[f])}, trace ${String(ours[f])}`).join('; ')}${leafNote}; pre ${JSON.stringify(asVerifierState(traced.pre), bigintJson)}`
  )
}

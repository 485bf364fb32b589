/**
 * Fraud proofs under load (issue 4, "Measure"): anvil with one-second blocks and the L1 contracts
 * (the FraudVerifier named in OutputRoots), an in-process sequencer (RollbookNode with its batcher
 * and proposer) whose commitment worker lies (the test-only `dishonestTrace`, as
 * node/e2e/fraudProof.test.ts), and a challenger process (`rollbook node --mode challenger`). The
 * load, in phases until every lie is told: a burst of pre-signed bets from many bettors over
 * several markets (most on one busy market, last), a rejected tx (a bettor's setOdds), settlements
 * (a market that closed early), a deposit through the bridge. One lie per record kind per round:
 * a bet, a settlement, a deposit (queue message), a rejected tx, a block start, and the last bet
 * in the last full chunk of a batch (the largest proof: the whole chunk is calldata, the busy
 * market's storage the witness). Per kind: proveStep's gasUsed (receipt), and the L1 blocks and
 * seconds from the bad output's block to the proof's. Goals: < 1.5M gas, within 2 L1 blocks.
 * Env: BENCH_FRAUD_ROUNDS (lies per kind, default 3), BENCH_FRAUD_BETS (bets per phase, default
 * 600), BENCH_BETTORS (200), BENCH_IN_FLIGHT (64), BENCH_CHUNK_BYTES (the sequencer's
 * --max-chunk-bytes, default DEFAULT_MAX_CHUNK_BYTES), BENCH_FRAUD_STATE (extra bet engine slots
 * in the genesis, default 0: balances of made-up accounts, so the storage trie, and with it the
 * witness, is as deep as a chain with that many bets and balances; 100,000 is already too many for
 * the challenger process to start within startNodeProcess's 30 s on 2 busy cores).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import {
  bytesToHex,
  createPublicClient,
  getAddress,
  keccak256,
  toHex,
  type Address,
  createWalletClient,
  decodeEventLog,
  decodeFunctionData,
  defineChain,
  encodeFunctionData,
  hexToBytes,
  http,
  parseEther,
  toFunctionSelector,
  type Hex,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_CHAIN_ID, genesisToJson } from '../../node/chain/genesis.ts'
import type { ExecutedTx } from '../../node/chain/types.ts'
import { RollbookNode } from '../../node/rollbookNode.ts'
import { genesisLeaf } from '../../node/rollup/genesisLeaf.ts'
import { startAnvil } from '../../node/testing/anvil.ts'
import { startNodeProcess } from '../../node/testing/testNode.ts'
import type { DishonestLie } from '../../node/trace/options.ts'
import { deployL1 } from '../l1/deploy.ts'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { DEFAULT_MAX_CHUNK_BYTES } from '../../sdk/src/batch/index.ts'
import { DEV_MNEMONIC, STAKE_DECIMALS } from '../../sdk/src/constants.ts'
import { deposit } from '../../sdk/src/index.ts'
import { fraudVerifierAbi, outputRootsAbi, testStablecoinAbi } from '../../sdk/src/generated/contracts.ts'
import { splitCalldataGas } from './calldataGas.ts'
import { median } from './replicaSpeed.ts'
import { signAll, type SignTask, type SignedTx } from './signing.ts'
import { benchAccounts, benchGenesis, type BenchAccount } from './workload.ts'

/** issue 4's goals */
export const PROOF_GAS_GOAL = 1_500_000
export const PROOF_BLOCKS_GOAL = 2

const TOKEN = 10n ** BigInt(STAKE_DECIMALS)
/** markets: 1 is the busy one, 2..4 share the rest, SETTLED closes seconds after the start */
const OPEN_MARKETS = 4
const SETTLED = OPEN_MARKETS + 1
const SETTLED_BETS = 60
const SETTLEMENTS_PER_PHASE = 6
/** a chunk this close to the limit is full: the next record (a bet, ~74 bytes; a generic tx, up to ~200) did not fit */
const FULL_CHUNK_SLACK = 200

const selector = (signature: string) => toFunctionSelector(signature)
const PLACE_BET = selector('placeBet(uint256,uint8,uint96,uint32)')

/** The lies of one round, in order, with the kind each proves. */
function roundLies(maxChunkBytes: number): { label: string; lie: DishonestLie }[] {
  return [
    { label: 'bet', lie: { kind: 'tx', selector: PLACE_BET } },
    { label: 'settlement', lie: { kind: 'tx', selector: selector('settleBet(uint256)') } },
    { label: 'deposit (queue message)', lie: { kind: 'message' } },
    { label: 'rejected tx', lie: { kind: 'tx', selector: selector('setOdds(uint256,uint32[])') } },
    { label: 'block start', lie: { kind: 'blockStart', nth: 1 } },
    { label: 'bet late in a full chunk', lie: { kind: 'tx', selector: PLACE_BET, minChunkBytes: maxChunkBytes - FULL_CHUNK_SLACK, nth: -1 } },
  ]
}

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name}: expected a whole number of at least ${min}, got '${raw}'`)
  return Number(raw)
}

/** `count` balances of made-up accounts (keccak of their index), one stake unit each: slots that deepen the bet engine's storage trie. */
function stateFiller(count: number): Record<Address, bigint> {
  const out: Record<Address, bigint> = {}
  for (let i = 0; i < count; i++) out[getAddress(`0x${keccak256(toHex(`rollbook/bench-state/${i}`)).slice(26)}`)] = 1n
  return out
}

export interface FraudProofRun {
  label: string
  batchIndex: number
  step: number
  gasUsed: number
  /** the proveStep tx's input; of it the chunks' bytes and the MPT witness (nodes, bytes) */
  calldataBytes: number
  chunkBytes: number
  witnessNodes: number
  witnessBytes: number
  /** the receipt's gasUsed is the EIP-7623 floor (21,000 + 10 per calldata token): the bytes set the price */
  floorApplies: boolean
  /** L1 blocks and seconds from the bad output's block to the proof's */
  blocks: number
  seconds: number
}

export interface FraudKindResult {
  label: string
  runs: number
  medianGas: number
  maxGas: number
  medianBlocks: number
  maxBlocks: number
  medianSeconds: number
  medianCalldataBytes: number
  medianChunkBytes: number
  medianWitnessBytes: number
  medianWitnessNodes: number
  floorPriced: number
}

export interface FraudBenchResult {
  maxChunkBytes: number
  /** extra genesis slots in the bet engine's storage (BENCH_FRAUD_STATE) */
  extraStateSlots: number
  rounds: number
  betsPerPhase: number
  phases: number
  bets: number
  l2Blocks: number
  proofs: FraudProofRun[]
  kinds: FraudKindResult[]
  /** the worst case: the largest gas of any proof */
  maxGas: number
  maxBlocks: number
}

const silent = pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })

function log(msg: string): void {
  console.error(`[fraud] ${msg}`)
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Submits in order, at most `inFlight` open; every tx must be preconfirmed, and succeed unless `reverts`. */
async function submit(node: RollbookNode, txs: SignedTx[], inFlight: number, reverts = false): Promise<ExecutedTx[]> {
  const sequencer = node.sequencer!
  const out: ExecutedTx[] = new Array(txs.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(inFlight, txs.length) }, async () => {
      while (next < txs.length) {
        const i = next++
        const result = await sequencer.submitRawTx(hexToBytes(txs[i].raw))
        if (result.status !== 'preconfirmed') throw new Error(`tx ${txs[i].hash} was ${result.status}`)
        if (result.executed.status !== (reverts ? 0 : 1)) throw new Error(`tx ${txs[i].hash} ${reverts ? 'succeeded, expected a revert' : 'reverted'}`)
        out[i] = result.executed
      }
    }),
  )
  return out
}

function betIdOf(executed: ExecutedTx): bigint {
  for (const [, topics, data] of executed.logs) {
    try {
      const event = decodeEventLog({ abi: betEngineAbi, topics: topics.map((t) => bytesToHex(t)) as [Hex, ...Hex[]], data: bytesToHex(data) })
      if (event.eventName === 'BetPlaced') return (event.args as { betId: bigint }).betId
    } catch {
      // another event
    }
  }
  throw new Error('a bet without a BetPlaced event')
}

/** Nonces per L2 account, for signing the next tx of each. */
class Nonces {
  private readonly next = new Map<Hex, number>()
  take(account: BenchAccount): number {
    const n = this.next.get(account.privateKey) ?? 0
    this.next.set(account.privateKey, n + 1)
    return n
  }
}

function call(account: BenchAccount, nonces: Nonces, data: Hex): SignTask {
  return { privateKey: account.privateKey, nonce: nonces.take(account), data }
}

export async function runFraudBench(maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES): Promise<FraudBenchResult> {
  const rounds = envInt('BENCH_FRAUD_ROUNDS', 3)
  const betsPerPhase = envInt('BENCH_FRAUD_BETS', 600)
  const extraStateSlots = envInt('BENCH_FRAUD_STATE', 0, 0)
  const inFlight = envInt('BENCH_IN_FLIGHT', 64)
  const accounts = benchAccounts(envInt('BENCH_BETTORS', 200))
  const plan = Array.from({ length: rounds }, () => roundLies(maxChunkBytes)).flat()
  console.log(
    `\nFraud proofs: anvil (1 s blocks, prague), a sequencer (250 ms blocks, 2 s batches, ${maxChunkBytes} B chunks) whose proposer lies ${rounds} time(s) per kind, ` +
      `a challenger process (--l1-poll 500 ms, the default); phases of ${betsPerPhase} bets from ${accounts.bettors.length} bettors over ${OPEN_MARKETS} markets ` +
      `(most on market 1, last), a rejected tx, ${SETTLEMENTS_PER_PHASE} settlements and a deposit, until every lie is told` +
      (extraStateSlots > 0 ? `; ${extraStateSlots} extra bet engine slots in the genesis` : ''),
  )

  const dir = mkdtempSync(join(tmpdir(), 'rollbook-bench-fraud-'))
  const cleanup: (() => Promise<unknown>)[] = []
  try {
    const anvil = await startAnvil({ blockTime: 1 })
    cleanup.push(() => anvil.stop())
    const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
    const l1 = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 100 })
    const key = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i })
    const hexKey = (a: ReturnType<typeof key>) => `0x${Buffer.from(a.getHdKey().privateKey!).toString('hex')}` as Hex
    const l1Wallet = (account: ReturnType<typeof key>) => createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account })
    // L1 keys: the dev accounts anvil funds (operator 0, a depositor 3, challenger 7, batcher 8, proposer 9)
    const [l1Operator, depositor, challenger, batcher, proposer] = [key(0), key(3), key(7), key(8), key(9)]

    const base = benchGenesis(accounts, Math.floor(Date.now() / 1000), DEV_CHAIN_ID)
    const genesis = { ...base, betEngine: { ...base.betEngine, balances: { ...stateFiller(extraStateSlots), ...base.betEngine.balances } } }
    const { addresses, deployedAtBlock } = await deployL1({
      l1Client: { wallet: l1Wallet(l1Operator), public: l1 },
      sequencer: batcher.address,
      proposer: proposer.address,
      challengeWindowSeconds: 3_600n,
      minBond: parseEther('0.1'),
      genesisLeaf: await genesisLeaf(genesis),
      fraudVerifier: { chainId: genesis.chainId, maxTxsPerBlock: genesis.maxTxsPerBlock },
    })
    const rollupFile = join(dir, 'rollup.json')
    writeFileSync(
      rollupFile,
      JSON.stringify({
        genesis: genesisToJson(genesis),
        l1: {
          chainId: 31337,
          startBlock: Number(deployedAtBlock),
          contracts: { inbox: addresses.inbox, outputRoots: addresses.outputRoots, bridge: addresses.bridge, messageQueue: addresses.messageQueue, stablecoin: addresses.token, fraudVerifier: addresses.fraudVerifier },
        },
      }),
    )

    const labels = plan.map((p) => p.label)
    // the node's defaults (250 ms blocks, 2 s batches, 500 ms L1 poll) but the chunk size
    const node = await RollbookNode.init(
      { datadir: join(dir, 'sequencer'), port: 0, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: hexKey(batcher), proposerKey: hexKey(proposer), maxChunkBytes },
      silent,
      { dishonestTrace: plan.map((p) => p.lie) },
    )
    cleanup.push(() => node.close())
    const challengerNode = await startNodeProcess(join(dir, 'challenger'), ['--mode', 'challenger', '--rollup', rollupFile, '--l1-rpc', anvil.rpcUrl, '--challenger-key', hexKey(challenger)])
    cleanup.push(() => challengerNode.stop())
    if (process.env.ROLLBOOK_TEST_LOG !== undefined) challengerNode.child.stdout!.on('data', (d: Buffer) => process.stderr.write(d.toString().replace(/^/gm, 'challenger: ')))
    const worker = node.trace!

    // markets: four open for an hour, one closing in seconds for the settlements
    const nonces = new Nonces()
    const { operator, oracle, bettors } = accounts
    const now = Math.floor(Date.now() / 1000)
    const settledClose = BigInt(now + 12)
    const marketCalls = Array.from({ length: OPEN_MARKETS + 1 }, (_, i) =>
      call(operator, nonces, encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [2, [19_000, 21_000], i + 1 === SETTLED ? settledClose : BigInt(now + 3_600), 10n ** 24n, 10n ** 30n] })),
    )
    await submit(node, await signAll(genesis.chainId, marketCalls), 1)
    let bettor = 0
    const nextBettor = () => bettors[bettor++ % bettors.length]
    const bet = (marketId: number, j: number) =>
      call(nextBettor(), nonces, encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [BigInt(marketId), j % 2, TOKEN + BigInt(j % 1000) * 1000n, 10_001] }))
    const toSettle = (await submit(node, await signAll(genesis.chainId, Array.from({ length: SETTLED_BETS }, (_, j) => bet(SETTLED, j))), inFlight)).map(betIdOf)
    log(`${OPEN_MARKETS + 1} markets and ${SETTLED_BETS} bets on market ${SETTLED} (closes at ${settledClose})`)
    await until(`market ${SETTLED} to close`, async () => Math.floor(Date.now() / 1000) > Number(settledClose) + 1, 60_000)
    await submit(node, await signAll(genesis.chainId, [call(oracle, nonces, encodeFunctionData({ abi: betEngineAbi, functionName: 'reportResult', args: [BigInt(SETTLED), 0] }))]), 1)

    const token = addresses.token
    let phases = 0
    let bets = SETTLED_BETS
    const deadline = Date.now() + 15 * 60_000
    while (worker.toldLies.length < plan.length) {
      if (Date.now() > deadline) throw new Error(`only ${worker.toldLies.length} of ${plan.length} lies told in 15 minutes`)
      const proposer = node.proposer!
      if (proposer.state !== 'running') throw new Error(`the proposer is ${proposer.state}: ${proposer.error?.message ?? 'no error'}`)
      phases++
      // a fifth spread over markets 2..4, then the busy market 1, so a batch's late bets are on it
      const spread = Math.floor(betsPerPhase / 5)
      const burst = Array.from({ length: betsPerPhase }, (_, j) => bet(j < spread ? 2 + (j % (OPEN_MARKETS - 1)) : 1, j))
      const settle = toSettle.splice(0, SETTLEMENTS_PER_PHASE).map((betId) => call(operator, nonces, encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBet', args: [betId] })))
      const rejected = call(nextBettor(), nonces, encodeFunctionData({ abi: betEngineAbi, functionName: 'setOdds', args: [1n, [10_000, 10_000]] }))
      const signed = await signAll(genesis.chainId, [...burst, ...settle, rejected])
      await submit(node, signed.slice(0, burst.length), inFlight)
      await submit(node, signed.slice(burst.length, burst.length + settle.length), 1)
      await submit(node, signed.slice(burst.length + settle.length), 1, true)
      bets += burst.length
      const to = nextBettor().address
      await l1.waitForTransactionReceipt({ hash: await l1Wallet(l1Operator).writeContract({ address: token, abi: testStablecoinAbi, functionName: 'mint', args: [depositor.address, 10n * TOKEN] }) })
      await deposit(l1Wallet(depositor), { bridge: addresses.bridge, token, to, amount: 10n * TOKEN })
      const outputs = await l1.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
      log(`phase ${phases}: ${burst.length} bets, ${settle.length} settlements, a rejected tx, a deposit; lies told ${worker.toldLies.length}/${plan.length}, ${outputs} output(s) on L1`)
      // a batch or two go out and are proposed before the next burst
      await sleep(4_000)
    }

    const verifier = addresses.fraudVerifier!
    const proven = await until(
      'every lie proven',
      async () => {
        const events = await l1.getContractEvents({ address: verifier, abi: fraudVerifierAbi, eventName: 'FraudProven', fromBlock: deployedAtBlock, strict: true })
        return events.length >= plan.length ? events : undefined
      },
      180_000,
    )
    if (proven.length !== plan.length) throw new Error(`${proven.length} proofs for ${plan.length} lies`)
    const proposals = await l1.getContractEvents({ address: addresses.outputRoots, abi: outputRootsAbi, eventName: 'OutputProposed', fromBlock: deployedAtBlock, strict: true })
    const proofs: FraudProofRun[] = []
    for (const [i, lie] of worker.toldLies.entries()) {
      const proof = proven[i]
      if (proof.args.outputIndex !== lie.batchIndex || Number(proof.args.step) !== lie.step) {
        throw new Error(`lie ${i} (${labels[i]}: batch ${lie.batchIndex} step ${lie.step}) was proven at output ${proof.args.outputIndex} step ${proof.args.step}`)
      }
      const bad = proposals.filter((p) => p.args.batchIndex === lie.batchIndex && p.blockNumber <= proof.blockNumber).at(-1)!
      const [receipt, tx, badBlock, proofBlock] = await Promise.all([
        l1.getTransactionReceipt({ hash: proof.transactionHash }),
        l1.getTransaction({ hash: proof.transactionHash }),
        l1.getBlock({ blockNumber: bad.blockNumber }),
        l1.getBlock({ blockNumber: proof.blockNumber }),
      ])
      const { args } = decodeFunctionData({ abi: fraudVerifierAbi, data: tx.input })
      if (args === undefined || args.length !== 1 || typeof args[0] !== 'object' || !('witness' in args[0])) throw new Error(`proof tx ${proof.transactionHash} is not a proveStep call`)
      const stepProof = args[0]
      const witness = [...stepProof.witness, ...stepProof.forcedWitness]
      proofs.push({
        label: labels[i],
        batchIndex: Number(lie.batchIndex),
        step: lie.step,
        gasUsed: Number(receipt.gasUsed),
        calldataBytes: (tx.input.length - 2) / 2,
        chunkBytes: stepProof.chunks.reduce((sum, c) => sum + (c.data.length - 2) / 2, 0),
        witnessNodes: witness.length,
        witnessBytes: witness.reduce((sum, node) => sum + (node.length - 2) / 2, 0),
        floorApplies: splitCalldataGas(hexToBytes(tx.input), receipt.gasUsed).floorApplies,
        blocks: Number(proof.blockNumber - bad.blockNumber),
        seconds: Number(proofBlock.timestamp - badBlock.timestamp),
      })
    }
    const kinds = [...new Set(labels)].map((label): FraudKindResult => {
      const of = proofs.filter((p) => p.label === label)
      return {
        label,
        runs: of.length,
        medianGas: median(of.map((p) => p.gasUsed)),
        maxGas: Math.max(...of.map((p) => p.gasUsed)),
        medianBlocks: median(of.map((p) => p.blocks)),
        maxBlocks: Math.max(...of.map((p) => p.blocks)),
        medianSeconds: median(of.map((p) => p.seconds)),
        medianCalldataBytes: median(of.map((p) => p.calldataBytes)),
        medianChunkBytes: median(of.map((p) => p.chunkBytes)),
        medianWitnessBytes: median(of.map((p) => p.witnessBytes)),
        medianWitnessNodes: median(of.map((p) => p.witnessNodes)),
        floorPriced: of.filter((p) => p.floorApplies).length,
      }
    })
    return {
      maxChunkBytes,
      extraStateSlots,
      rounds,
      betsPerPhase,
      phases,
      bets,
      l2Blocks: Number(node.chain.head.header.number),
      proofs,
      kinds,
      maxGas: Math.max(...proofs.map((p) => p.gasUsed)),
      maxBlocks: Math.max(...proofs.map((p) => p.blocks)),
    }
  } finally {
    for (const close of cleanup.reverse()) await close().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
}

export function printFraudBench(r: FraudBenchResult): void {
  const widths = [26, 14, 12, 14, 8, 15, 12, 20, 8]
  const n = (v: number) => Math.round(v).toLocaleString('en-US')
  console.log(
    `${r.bets} bets in ${r.phases} phase(s) and L2 blocks 1..${r.l2Blocks}, ${r.maxChunkBytes} B chunks${r.extraStateSlots > 0 ? `, ${r.extraStateSlots} extra genesis slots` : ''}; ` +
      `${r.rounds} lie(s) per kind, each proven by the challenger`,
  )
  console.log(row(['record kind (lied step)', 'proveStep gas', 'max gas', 'L1 blocks', 'seconds', 'calldata B', 'of it chunk', 'witness B (nodes)', 'floor'], widths))
  for (const k of r.kinds) {
    console.log(
      row(
        [k.label, n(k.medianGas), n(k.maxGas), `${k.medianBlocks} (max ${k.maxBlocks})`, k.medianSeconds.toFixed(0), n(k.medianCalldataBytes), n(k.medianChunkBytes), `${n(k.medianWitnessBytes)} (${k.medianWitnessNodes})`, `${k.floorPriced}/${k.runs}`],
        widths,
      ),
    )
  }
  console.log(`  medians of ${r.rounds} run(s) per kind; L1 blocks and seconds from the bad output's block to the proof's; each run: ` + r.kinds.map((k) => `${k.label} ${r.proofs.filter((p) => p.label === k.label).map((p) => `${n(p.gasUsed)} (${p.blocks})`).join(', ')}`).join('; ') + ' (gas, L1 blocks)')
  console.log(
    `goal: a proof under ${n(PROOF_GAS_GOAL)} gas (worst ${n(r.maxGas)}: ${r.maxGas < PROOF_GAS_GOAL ? 'met' : 'not met'}), ` +
      `proven within ${PROOF_BLOCKS_GOAL} L1 blocks (worst ${r.maxBlocks}: ${r.maxBlocks <= PROOF_BLOCKS_GOAL ? 'met' : 'not met'})`,
  )
}

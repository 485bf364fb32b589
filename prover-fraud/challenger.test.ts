/**
 * Challenger mode (prover-fraud/challenger.ts) against an honest sequencer on a real anvil: the
 * L1 contracts with the fraud verifier (deployL1, as node/e2e/fraudProof.test.ts), an in-process
 * sequencer whose batcher posts several batches and whose proposer posts an output with its trace
 * leaves for each, and an in-process node in --mode challenger with a challenger key. The challenger
 * derives the chain from L1, traces it with its own commitment worker and judges every output: each
 * verdict is ok (output root and every leaf), it never sends an L1 transaction (its nonce stays 0, no
 * FraudProven), and its log says it judged each output.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import t from 'tap'
import { pino } from 'pino'
import { createPublicClient, createWalletClient, defineChain, http, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_MNEMONIC } from '../sdk/src/constants.ts'
import { fraudVerifierAbi, outputRootsAbi, testStablecoinAbi } from '../sdk/src/generated/contracts.ts'
import { deposit } from '../sdk/src/index.ts'
import { computeOutputRoot } from '../sdk/src/l1/encoding.ts'
import { deployTestRollup } from '../node/testing/rollup.ts'
import { calldata, TestSigner, type TestAccount } from '../node/chain/fastpath/testing.ts'
import { devAccounts, devGenesis, parseGenesis, DEV_CHAIN_ID } from '../node/chain/genesis.ts'
import { RollbookNode } from '../node/rollbookNode.ts'
import { OptionsError } from '../node/options.ts'
import { startAnvil } from '../node/testing/anvil.ts'

const BATCHES = 4
const logger = () => pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
const dir = mkdtempSync(join(tmpdir(), 'rollbook-challenger-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const key = (i: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i })
const hexKey = (a: ReturnType<typeof key>) => bytesToHex(a.getHdKey().privateKey!) as Hex

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('challenger_honestSequencer_everyOutputJudgedOk_noTransactionSent', async (t) => {
  const anvil = await startAnvil()
  t.teardown(() => anvil.stop())
  const l1Chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } })
  const l1Client = createPublicClient({ chain: l1Chain, transport: http(anvil.rpcUrl), pollingInterval: 50 })
  const l1Wallet = (account: ReturnType<typeof key>) => createWalletClient({ chain: l1Chain, transport: http(anvil.rpcUrl), account })
  const [deployer, depositor, challengerKey, batcher, proposer] = [key(0), key(3), key(7), key(8), key(9)]

  const genesis = parseGenesis(devGenesis(Math.floor(Date.now() / 1000)))
  const { addresses, deployedAtBlock, rollupFile } = await deployTestRollup({
    l1Client: { wallet: l1Wallet(deployer), public: l1Client },
    sequencer: batcher.address,
    proposer: proposer.address,
    genesis,
    dir,
  })
  const sequencer = await RollbookNode.init(
    { datadir: join(dir, 'sequencer'), port: 0, blockTimeMs: 50, rollup: rollupFile, l1Rpc: anvil.rpcUrl, batcherKey: hexKey(batcher), proposerKey: hexKey(proposer), l1PollMs: 100, batchIntervalMs: 300 },
    logger(),
  )
  t.teardown(() => sequencer.close())

  // the challenger's log, kept to check what it says (and echoed with ROLLBOOK_TEST_LOG)
  const lines: { msg: string; module?: string; output?: number }[] = []
  const challengerLog = pino({ level: 'info' }, {
    write: (line: string) => {
      lines.push(JSON.parse(line))
      if (process.env.ROLLBOOK_TEST_LOG !== undefined) process.stderr.write(`challenger: ${line}`)
    },
  })
  const challenger = await RollbookNode.init(
    { mode: 'challenger', datadir: join(dir, 'challenger'), port: 0, rollup: rollupFile, l1Rpc: anvil.rpcUrl, l1PollMs: 100, challengerKey: hexKey(challengerKey) },
    challengerLog,
  )
  t.teardown(() => challenger.close())
  t.equal(challenger.sequencer, undefined, 'a challenger does not sequence')
  t.ok(challenger.challenger !== undefined && challenger.trace !== undefined, 'a challenger judges with its own trace')

  // several batches, each proposed before the next one's txs: bets (one reverting), odds, a deposit
  const signer = new TestSigner(DEV_CHAIN_ID)
  const [operator, , ...bettors]: TestAccount[] = devAccounts().map((a) => ({ address: a.address, privateKey: a.getHdKey().privateKey! }))
  const nonces = new Map<string, bigint>()
  const submit = async (from: TestAccount, data: Hex) => {
    const nonce = nonces.get(from.address) ?? 0n
    nonces.set(from.address, nonce + 1n)
    const result = await sequencer.sequencer!.submitRawTx(signer.sign(from, nonce, data))
    if (result.status !== 'preconfirmed') throw new Error(`tx not preconfirmed: ${result.status}`)
  }
  const outputCount = () => l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
  await submit(operator, calldata.createMarket(2, [20_000, 18_000], BigInt(Math.floor(Date.now() / 1000) + 3600), 1_000_000_000n, 1_000_000_000_000n))
  await l1Client.waitForTransactionReceipt({ hash: await l1Wallet(deployer).writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'mint', args: [depositor.address, 10_000_000n] }) })
  for (let batch = 0; batch < BATCHES; batch++) {
    const before = await outputCount()
    for (let i = 0; i < 8; i++) await submit(bettors[i % bettors.length], calldata.placeBet(1n, i % 2, 1_000_000n + BigInt(batch), 1))
    if (batch === 1) await submit(bettors[0], calldata.placeBet(1n, 5, 1_000_000n, 1)) // BadOutcome: a reverting tx
    if (batch === 2) await deposit(l1Wallet(depositor), { bridge: addresses.bridge, token: addresses.token, to: bettors[0].address, amount: 10_000_000n })
    if (batch === 3) await submit(operator, calldata.setOdds(1n, [21_000, 17_000]))
    await until(`output ${before} proposed`, async () => (await outputCount()) > before)
  }
  const head = sequencer.chain.head.header.number
  const last = await until(`an output up to L2 block ${head}`, async () => {
    const count = await outputCount()
    const output = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [count - 1n] })
    return output.l2BlockNumber >= head ? count : undefined
  })
  t.ok(last >= BigInt(BATCHES), `the proposer posted ${last} outputs`)

  const judge = challenger.challenger!
  await until(`all ${last} outputs judged`, () => judge.verdicts.length >= Number(last) || undefined)
  const verdicts = judge.verdicts
  t.equal(verdicts.length, Number(last), 'one verdict per output')
  for (const v of verdicts) {
    const output = await l1Client.readContract({ address: addresses.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [v.index] })
    const block = (await sequencer.chain.store.getBlockByNumber(output.l2BlockNumber))!
    t.match(
      v,
      { ok: true, posted: output.outputRoot, derived: computeOutputRoot(bytesToHex(block.header.stateRoot) as Hex, bytesToHex(block.hash()) as Hex), l2BlockNumber: output.l2BlockNumber },
      `output ${v.index} (L2 block ${v.l2BlockNumber}): ok, the derived root is the sequencer's`,
    )
    t.equal(v.wrongStep ?? v.proofTx ?? v.unprovable, undefined, `output ${v.index}: no wrong step, proof or unprovable reason`)
  }
  t.same(judge.proven, [], 'nothing proven')
  t.equal(await l1Client.getTransactionCount({ address: challengerKey.address }), 0, "the challenger's L1 nonce is still 0: it sent no transaction")
  const frauds = await l1Client.getContractEvents({ address: addresses.fraudVerifier!, abi: fraudVerifierAbi, eventName: 'FraudProven', fromBlock: deployedAtBlock })
  t.equal(frauds.length, 0, 'no FraudProven event')

  const judged = lines.filter((l) => l.module === 'challenger' && l.msg === 'output agrees with the derived chain').map((l) => l.output)
  t.same(
    [...new Set(judged)].sort((a, b) => a! - b!),
    Array.from({ length: Number(last) }, (_, i) => i),
    'the log says the challenger judged each output as agreeing',
  )
  t.equal(
    lines.filter((l) => l.module === 'challenger' && /WRONG|FRAUD|not accepted|differs/.test(l.msg)).length,
    0,
    'and says nothing of a wrong output',
  )
})

t.test('challenger_options_needL1AndRollup_keyOnlyInChallengerMode', async (t) => {
  await t.rejects(RollbookNode.init({ mode: 'challenger', datadir: join(dir, 'c2') }, logger()), OptionsError)
  await t.rejects(RollbookNode.init({ datadir: join(dir, 'c3'), dev: true, challengerKey: `0x${'11'.repeat(32)}` }, logger()), { name: 'OptionsError', message: /--challenger-key/ })
})

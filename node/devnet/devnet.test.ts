/**
 * The real `rollbook devnet` as a child process on a temp datadir: devnet.json as promised, the L1
 * and L2 endpoints answering, L1 money where it should be, demo markets on L2, a clean stop on
 * SIGTERM, a resume with the same contracts and chain, and clear refusals at start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createPublicClient, encodeAbiParameters, http, keccak256, parseAbiParameters, type Address } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { getBalance } from '../../sdk/src/actions/getBalance.ts'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { defineRollbookChain } from '../../sdk/src/chain.ts'
import { outputRootsAbi, testStablecoinAbi } from '../../sdk/src/generated/contracts.ts'
import { devAccounts } from '../chain/genesis.ts'
import { openLevel } from '../storage/level.ts'
import { devnetOptionsFromArgs } from '../cli/cli.ts'
import { freePort, portIsFree } from './anvil.ts'
import { DevnetFileSchema, type DevnetFile } from './devnetFile.ts'
import { l1Chain } from './l1Setup.ts'
import { formatSummary } from './summary.ts'

const BIN = fileURLToPath(new URL('../../bin/rollbook.js', import.meta.url))
/** Generous: the first start deploys and funds on an L1 with 1 s blocks. */
const START_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 30_000

const dir = mkdtempSync(join(tmpdir(), 'rollbook-devnet-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

interface DevnetProcess {
  child: ChildProcess
  output(): string
  exited: Promise<number | null>
}

function spawnDevnet(datadir: string, extraArgs: string[] = []): DevnetProcess {
  const child = spawn(process.execPath, [BIN, 'devnet', '--datadir', datadir, '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Waits for the summary (printed after devnet.json is written), then reads devnet.json. */
async function ready(devnet: DevnetProcess, datadir: string): Promise<DevnetFile> {
  let exitCode: number | null | undefined
  void devnet.exited.then((code) => (exitCode = code))
  await until('the devnet to be ready', () => {
    if (exitCode !== undefined) throw new Error(`the devnet exited with ${exitCode}: ${devnet.output()}`)
    return /Rollbook devnet (ready|resumed)/.test(devnet.output()) && existsSync(join(datadir, 'devnet.json'))
  }, START_TIMEOUT_MS)
  return DevnetFileSchema.parse(JSON.parse(readFileSync(join(datadir, 'devnet.json'), 'utf8')))
}

async function stop(devnet: DevnetProcess): Promise<number | null> {
  devnet.child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)))
  const code = await Promise.race([devnet.exited, timedOut])
  clearTimeout(timer)
  if (code === 'timeout') {
    devnet.child.kill('SIGKILL')
    throw new Error(`the devnet did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM: ${devnet.output()}`)
  }
  return code
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

/** Processes whose command line names `text` (anvil runs with --state DIR/l1/...): what a stop must leave none of. */
function processesNaming(text: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
      if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`)
    } catch {
      // the process ended meanwhile
    }
  }
  return found
}

const l2Client = (url: string) => createPublicClient({ chain: defineRollbookChain({ id: 42069, rpcUrl: url }), transport: http(url) })

t.test('devnet_firstStart_writesDevnetJson_servesL1AndL2_fundsAccounts_opensMarkets_thenResumes', async (t) => {
  const datadir = join(dir, 'main')
  const first = spawnDevnet(datadir, ['--deposit-wait', '60'])
  t.teardown(() => void first.child.kill('SIGKILL'))
  const file = await ready(first, datadir)

  t.equal(file.l1.chainId, 31337, 'L1 is anvil')
  t.equal(file.l2.chainId, 42069, 'L2 is the dev chain')
  t.equal(file.l1.challengeWindowSeconds, 60, 'a short challenge window')
  t.equal(await rpc(file.l2.sequencer.httpUrl, 'eth_chainId'), '0xa455', 'the sequencer answers eth_chainId')
  t.equal(await rpc(file.l2.replica.httpUrl, 'eth_chainId'), '0xa455', 'the replica answers eth_chainId')
  t.equal(await rpc(file.l1.httpUrl, 'eth_chainId'), '0x7a69', 'anvil answers eth_chainId')
  t.match(first.output(), /Rollbook devnet ready/)
  t.match(first.output(), /operator/)

  // the ten test accounts, with working keys and the promised roles
  const mnemonicAccounts = devAccounts()
  t.same(
    file.accounts.map((a) => a.address),
    mnemonicAccounts.map((a) => a.address),
    'the test mnemonic accounts, in order',
  )
  for (const a of file.accounts) t.equal(privateKeyToAddress(a.privateKey as `0x${string}`), a.address, `account ${a.index}'s key is its own`)
  t.same(
    file.accounts.map((a) => a.role),
    ['operator', 'oracle', 'bettor', 'bettor', 'bettor', 'bettor', 'bettor', 'bettor', 'batcher', 'proposer'],
    'roles: 0 operator, 1 oracle, 8 batcher, 9 proposer, the rest bettors',
  )
  t.ok(BigInt(file.accounts[0].l2Deposit) > BigInt(file.accounts[2].l2Deposit), 'the house deposits more than a bettor')

  // L1 money: each account kept half of what it was minted; the bridge holds the other halves
  const l1 = createPublicClient({ chain: l1Chain(file.l1.httpUrl), transport: http(file.l1.httpUrl) })
  const stablecoinBalance = (address: Address) => l1.readContract({ address: file.l1.contracts.stablecoin, abi: testStablecoinAbi, functionName: 'balanceOf', args: [address] })
  let deposited = 0n
  for (const a of file.accounts) {
    t.equal(BigInt(a.l2Deposit) * 2n, BigInt(a.l1Minted), `account ${a.index} deposits half`)
    t.equal(await stablecoinBalance(a.address), BigInt(a.l1Minted) - BigInt(a.l2Deposit), `account ${a.index} keeps the other half on L1`)
    deposited += BigInt(a.l2Deposit)
  }
  t.equal(await stablecoinBalance(file.l1.contracts.bridge), deposited, 'the bridge holds every deposit')

  // L2 money: every balance is a bridge deposit (no genesis balances), so L1 and L2 agree
  const l2 = l2Client(file.l2.sequencer.httpUrl)
  let onL2 = 0n
  for (const a of file.accounts) {
    const balance = await getBalance(l2, { address: a.address })
    t.equal(balance, BigInt(a.l2Deposit), `account ${a.index}'s L2 balance is its deposit`)
    onL2 += balance
  }
  t.equal(onL2, deposited, 'L2 balances add up to what the bridge holds')
  t.notMatch(first.output(), /did not show them/, 'no deposit warning in the summary')
  const replicaL2 = l2Client(file.l2.replica.httpUrl)
  const replicaBalances = () => Promise.all(file.accounts.map((a) => getBalance(replicaL2, { address: a.address })))
  await until('the replica to derive the deposits from L1', async () => (await replicaBalances()).every((b, i) => b === BigInt(file.accounts[i].l2Deposit)), 60_000)
  t.same(await replicaBalances(), file.accounts.map((a) => BigInt(a.l2Deposit)), 'the replica derives the same deposits from L1')

  // the proposer (account 9) posts output roots that match the sequencer's blocks
  const outputCount = () => l1.readContract({ address: file.l1.contracts.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
  await until('the proposer to post an output root', async () => (await outputCount()) > 0n, 90_000)
  const output = await l1.readContract({ address: file.l1.contracts.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [0n] })
  const block = await rpc(file.l2.sequencer.httpUrl, 'eth_getBlockByNumber', [`0x${output.l2BlockNumber.toString(16)}`, false])
  t.equal(
    output.outputRoot,
    keccak256(encodeAbiParameters(parseAbiParameters('uint256, bytes32, bytes32'), [0n, block.stateRoot, block.hash])),
    'the first output root commits to the sequencer block it names',
  )

  // the demo markets are open on L2 as devnet.json describes them
  t.ok(file.markets.length >= 3, 'a few demo markets')
  const now = Math.floor(Date.now() / 1000)
  for (const m of file.markets) {
    const market = await getMarket(l2, { marketId: BigInt(m.id) })
    t.equal(market.status, 'open', `market ${m.id} is open`)
    t.same(market.odds, m.odds, `market ${m.id} has the odds devnet.json lists`)
    t.equal(market.closeTime, BigInt(m.closeTime), `market ${m.id} closes when devnet.json says`)
    t.equal(m.outcomes.length, m.odds.length)
    t.ok(m.closeTime > now + 3600, `market ${m.id} closes hours ahead`)
  }

  // the first run's head, then a clean stop that frees every port and leaves nothing running
  await until('the sequencer to seal a block', async () => BigInt(await rpc(file.l2.sequencer.httpUrl, 'eth_blockNumber')) > 0n, 30_000)
  const headBefore = BigInt(await rpc(file.l2.sequencer.httpUrl, 'eth_blockNumber'))
  t.equal(await stop(first), 0, 'SIGTERM: exit code 0')
  for (const port of [file.l1.port, file.l2.sequencer.port, file.l2.replica.port]) t.ok(await portIsFree(port), `port ${port} is free`)
  t.same(processesNaming(datadir), [], 'no anvil or node left running')
  t.notOk(existsSync(join(datadir, 'devnet.lock')), 'the datadir lock is released')
  t.ok(existsSync(join(datadir, 'l1', 'anvil-state.json')), 'anvil saved its state')

  // a second start resumes: same contracts and accounts, the L2 chain not behind, markets still there
  const second = spawnDevnet(datadir)
  t.teardown(() => void second.child.kill('SIGKILL'))
  const resumed = await ready(second, datadir)
  t.match(second.output(), /Rollbook devnet resumed/)
  t.same(resumed.l1.contracts, file.l1.contracts, 'the same L1 contracts')
  t.equal(resumed.l1.startBlock, file.l1.startBlock)
  t.same(resumed.accounts, file.accounts, 'the same accounts')
  t.same(resumed.markets, file.markets, 'the same markets')
  t.equal(resumed.createdAt, file.createdAt)
  t.same([resumed.l1.port, resumed.l2.sequencer.port, resumed.l2.replica.port], [file.l1.port, file.l2.sequencer.port, file.l2.replica.port], 'the same ports, free again')
  t.ok(BigInt(await rpc(resumed.l2.sequencer.httpUrl, 'eth_blockNumber')) >= headBefore, 'the L2 head is not behind the first run')
  t.equal((await getMarket(l2Client(resumed.l2.sequencer.httpUrl), { marketId: BigInt(file.markets[0].id) })).status, 'open', 'a market of the first run is still there')
  for (const a of file.accounts) t.equal(await stablecoinBalance(a.address), BigInt(a.l1Minted) - BigInt(a.l2Deposit), `account ${a.index}: not funded again`)

  // a second devnet on the same datadir is refused before it starts anything
  const intruder = spawnDevnet(datadir)
  t.equal(await intruder.exited, 1, 'a devnet on a datadir in use: exit code 1')
  t.match(intruder.output(), /in use by another devnet \(pid \d+\)/)
  t.equal(await rpc(resumed.l2.sequencer.httpUrl, 'eth_chainId'), '0xa455', 'the running devnet is untouched')

  // SIGKILL leaves anvil behind; the next start stops it, and resumes from the state it dumped
  const secondHead = BigInt(await rpc(resumed.l2.sequencer.httpUrl, 'eth_blockNumber'))
  second.child.kill('SIGKILL')
  await second.exited
  t.not(processesNaming(datadir).length, 0, 'a killed devnet leaves its anvil running')
  const third = spawnDevnet(datadir)
  t.teardown(() => void third.child.kill('SIGKILL'))
  const afterKill = await ready(third, datadir)
  t.same(afterKill.l1.contracts, file.l1.contracts, 'after a kill: the same L1 contracts')
  t.ok(BigInt(await rpc(afterKill.l2.sequencer.httpUrl, 'eth_blockNumber')) >= secondHead, 'after a kill: the L2 head is not behind')
  t.equal(await stop(third), 0, 'SIGTERM: exit code 0')
  t.same(processesNaming(datadir), [], 'nothing left running, the leftover anvil included')

  // a node that cannot start (its chain database held elsewhere): exit code 1, anvil stopped again
  const held = await openLevel(join(datadir, 'sequencer', 'chaindata'))
  t.teardown(() => held.close())
  const blocked = spawnDevnet(datadir)
  t.equal(await blocked.exited, 1, 'exit code 1')
  t.match(blocked.output(), /the sequencer did not start/)
  t.notMatch(blocked.output(), /\n\s+at /, 'no stack trace')
  t.same(processesNaming(datadir), [], 'nothing left running')
  t.notOk(existsSync(join(datadir, 'devnet.lock')), 'the datadir lock is released')
})

t.test('devnet_killedWithItsAnvilRightAfterReady_resumesWithTheL1ItDescribed', async (t) => {
  const datadir = join(dir, 'killed')
  const first = spawnDevnet(datadir, ['--deposit-wait', '60'])
  t.teardown(() => void first.child.kill('SIGKILL'))
  const file = await ready(first, datadir)
  // both die at once, before anvil's own interval dump: only the dump made before devnet.json is there
  const anvilPid = Number(readFileSync(join(datadir, 'l1', 'anvil.pid'), 'utf8'))
  first.child.kill('SIGKILL')
  process.kill(anvilPid, 'SIGKILL')
  await first.exited
  await until('the killed anvil to be gone', () => processesNaming(datadir).length === 0, 10_000)

  const second = spawnDevnet(datadir)
  t.teardown(() => void second.child.kill('SIGKILL'))
  const resumed = await ready(second, datadir)
  t.match(second.output(), /Rollbook devnet resumed/)
  t.same(resumed.l1.contracts, file.l1.contracts, 'the same L1 contracts')
  const l1 = createPublicClient({ chain: l1Chain(resumed.l1.httpUrl), transport: http(resumed.l1.httpUrl) })
  const bridgeHolds = await l1.readContract({ address: file.l1.contracts.stablecoin, abi: testStablecoinAbi, functionName: 'balanceOf', args: [file.l1.contracts.bridge] })
  t.equal(bridgeHolds, file.accounts.reduce((sum, a) => sum + BigInt(a.l2Deposit), 0n), 'the deposits are still on L1')
  t.equal(await getBalance(l2Client(resumed.l2.sequencer.httpUrl), { address: file.accounts[2].address }), BigInt(file.accounts[2].l2Deposit), 'and on L2')
  t.equal(await stop(second), 0, 'SIGTERM: exit code 0')
  t.same(processesNaming(datadir), [], 'nothing left running')
})

t.test('devnet_sigtermDuringStartUp_stopsWhatStartedAndExitsZero', async (t) => {
  const datadir = join(dir, 'early-stop')
  const devnet = spawnDevnet(datadir)
  t.teardown(() => void devnet.child.kill('SIGKILL'))
  await until('anvil to run', () => existsSync(join(datadir, 'l1', 'anvil.pid')), START_TIMEOUT_MS)
  devnet.child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([devnet.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), START_TIMEOUT_MS + STOP_TIMEOUT_MS)))])
  clearTimeout(timer)
  t.equal(code, 0, 'exit code 0')
  t.match(devnet.output(), /SIGTERM, stopping/)
  t.same(processesNaming(datadir), [], 'nothing left running')
  t.notOk(existsSync(join(datadir, 'devnet.lock')), 'the datadir lock is released')

  // whatever the stopped start left behind, the next start sets the devnet up afresh
  const again = spawnDevnet(datadir)
  t.teardown(() => void again.child.kill('SIGKILL'))
  const file = await ready(again, datadir)
  t.match(again.output(), /Rollbook devnet ready/, 'a first start, not a resume')
  t.equal(file.markets.length, 3, 'a full setup: the demo markets are there')
  t.equal(await stop(again), 0)
})

t.test('devnet_summary_namesEndpointsRolesMarkets_andWarnsWhenDepositsDoNotShow', async (t) => {
  const address = (n: number) => `0x${String(n).padStart(40, '0')}` as Address
  const endpoint = (port: number) => ({ httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, port })
  const file = DevnetFileSchema.parse({
    version: 1,
    createdAt: new Date(0).toISOString(),
    rollupConfig: '/d/rollup.json',
    l1: { chainId: 31337, ...endpoint(9545), blockTimeSeconds: 1, startBlock: 7, challengeWindowSeconds: 60, minBond: '1', contracts: { inbox: address(1), outputRoots: address(2), bridge: address(3), messageQueue: address(4), stablecoin: address(5) } },
    l2: { chainId: 42069, betEngine: address(6), sequencer: endpoint(8547), replica: endpoint(8548) },
    accounts: [{ index: 0, address: address(7), privateKey: `0x${'11'.repeat(32)}`, role: 'operator', description: 'the house', l1Minted: '2000000', l2Deposit: '1000000' }],
    markets: [{ id: 1, name: 'A v B', outcomes: ['A', 'B'], odds: [18_000, 21_000], closeTime: 86_400 }],
  })
  const status = { resumed: false, depositsCredited: true, devnetFile: '/d/devnet.json', logFile: '/d/devnet.log' }
  const text = formatSummary(file, status, { l1: [1_000_000n], l2: [1_000_000n] }, '/d')
  for (const expected of [/ready/, /http:\/\/127\.0\.0\.1:9545/, /ws:\/\/127\.0\.0\.1:8547/, /http:\/\/127\.0\.0\.1:8548/, /operator/, /1 tUSD \/ 1 tUSD/, /#1 A v B: A 1\.8, B 2\.1/, /\/d\/devnet\.json/]) {
    t.match(text, expected)
  }
  t.notMatch(text, /did not show them/)
  t.match(formatSummary(file, { ...status, depositsCredited: false }, { l1: [1_000_000n], l2: [0n] }, '/d'), /did not show them within --deposit-wait/)
  t.match(formatSummary(file, { ...status, resumed: true }, { l1: [0n], l2: [0n] }, '/d'), /resumed/)
  t.notMatch(text, /Operator API/)
  const withApi = formatSummary(file, { ...status, operatorApi: { apiKey: 'devnet-api-key-0123456789', random: true } }, { l1: [0n], l2: [0n] }, '/d')
  t.match(withApi, /API key devnet-api-key-0123456789  \(random at each start; --api-key KEY to choose\)/)
  t.match(withApi, /curl -s http:\/\/127\.0\.0\.1:8547 -H 'Authorization: Bearer devnet-api-key-0123456789' .*rollbook_getExposure.*"marketId":"1"/, 'an example curl line against the sequencer')
})

t.test('devnet_portTaken_exitsWithOneAndAClearMessage_nothingLeftRunning', async (t) => {
  const server = createServer()
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))

  for (const flag of ['--port', '--l1-port']) {
    const datadir = join(dir, `taken${flag}`)
    const devnet = spawn(process.execPath, [BIN, 'devnet', '--datadir', datadir, flag, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    devnet.stderr.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => devnet.once('exit', resolve))
    t.equal(code, 1, `${flag} taken: exit code 1`)
    t.match(stderr, new RegExp(`port ${port} \\(.*\\) is taken; .*${flag}`), 'says which port and which flag')
    t.notMatch(stderr, /\n\s+at /, 'no stack trace')
    t.same(processesNaming(datadir), [], 'nothing left running')
    t.notOk(existsSync(join(datadir, 'devnet.lock')), 'the datadir lock is released')
  }
})

t.test('devnet_flags_areCheckedWithUsageErrors', async (t) => {
  t.match(devnetOptionsFromArgs(['--datadir', 'd']), { datadir: 'd', port: undefined, l1Port: undefined, blockTimeSeconds: 1, depositWaitSeconds: 30, logLevel: 'info' })
  t.match(devnetOptionsFromArgs(['--datadir', 'd', '--port', '9000', '--l1-port', '9545', '--block-time', '2', '--deposit-wait', '0']), {
    port: 9000,
    l1Port: 9545,
    blockTimeSeconds: 2,
    depositWaitSeconds: 0,
  })
  t.equal(devnetOptionsFromArgs(['--help']), 'help')
  t.match(devnetOptionsFromArgs(['--datadir', 'd', '--api-key', 'devnet-api-key-0123456789']), { apiKey: 'devnet-api-key-0123456789' })
  t.throws(() => devnetOptionsFromArgs(['--datadir', 'd', '--api-key', 'short']), { name: 'UsageError', message: /--api-key: expected 16 to 256 characters/ })
  for (const [args, message] of [
    [[], /--datadir is required/],
    [['--datadir', 'd', '--port', 'x'], /--port: expected a whole number/],
    [['--datadir', 'd', '--port', '70000'], /--port: 70000 is not a port/],
    [['--datadir', 'd', '--block-time', '0'], /--block-time: at least 1 second/],
    [['--datadir', 'd', '--log-level', 'loud'], /--log-level: expected one of/],
    [['--datadir', 'd', '--dev'], /Unknown option '--dev'/],
  ] as const) {
    t.throws(() => devnetOptionsFromArgs([...args]), { name: 'UsageError', message }, args.join(' '))
  }
  const help = spawnSync(process.execPath, [BIN, 'devnet', '--help'], { encoding: 'utf8', timeout: 60_000 })
  t.equal(help.status, 0)
  t.match(help.stdout, /Usage: rollbook devnet --datadir <dir>/)
  const missing = spawnSync(process.execPath, [BIN, 'devnet'], { encoding: 'utf8', timeout: 60_000 })
  t.equal(missing.status, 2)
  t.match(missing.stderr, /--datadir is required/)
})

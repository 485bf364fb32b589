/**
 * One real anvil per test file, fresh L1 contracts per test (deployL1), the dev accounts in their
 * roles, and helpers to send, expect custom-error reverts and move L1 time.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  http,
  keccak256,
  parseEther,
  toHex,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_MNEMONIC } from '../../../sdk/src/constants.ts'
import { startAnvil, type AnvilInstance, type StartAnvilOptions } from '../../../node/testing/anvil.ts'
import { deployL1, type L1Addresses } from '../../../scripts/l1/deploy.ts'
import { outputRootsAbi, rollbookInboxAbi, testStablecoinAbi } from '../../../sdk/src/generated/contracts.ts'

export const [deployer, sequencer, proposer, verifier, alice, bob, carol] = Array.from({ length: 7 }, (_, i) =>
  mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }),
)

export const USDC = 1_000_000n
export const CHALLENGE_WINDOW = 3_600n
export const MIN_BOND = parseEther('0.1')

const anvilChain = (rpcUrl: string) =>
  defineChain({
    id: 31337,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })

export type L1 = Awaited<ReturnType<typeof connect>>

function connect(anvil: AnvilInstance) {
  const chain = anvilChain(anvil.rpcUrl)
  const transport = http(anvil.rpcUrl)
  const publicClient = createPublicClient({ chain, transport })
  const testClient = createTestClient({ chain, transport, mode: 'anvil' })
  const wallet = (account: Account) => createWalletClient({ chain, transport, account })
  return { anvil, chain, publicClient, testClient, wallet }
}

export async function startL1(options: StartAnvilOptions = {}) {
  return connect(await startAnvil(options))
}

export interface Deployment extends L1Addresses {
  deployedAtBlock: bigint
}

/**
 * The L1 contracts with the dev accounts in their roles. `genesisLeaf` is the L2 genesis's leaf
 * (node/rollup/genesisLeaf.ts) when a real L2 chain posts to them; contract tests alone take
 * TEST_GENESIS_LEAF.
 */
export async function deployContracts(l1: L1, opts: { genesisLeaf?: Hex } = {}): Promise<Deployment> {
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: l1.wallet(deployer), public: l1.publicClient },
    sequencer: sequencer.address,
    proposer: proposer.address,
    challengeWindowSeconds: CHALLENGE_WINDOW,
    minBond: MIN_BOND,
    genesisLeaf: opts.genesisLeaf ?? TEST_GENESIS_LEAF,
  })
  return { ...addresses, deployedAtBlock }
}

/** Step state v2 (docs/decisions/0006), written out here from the spec so contract tests do not lean on node/trace. */
export interface TestStepState {
  stateRoot: Hex
  parentTimestamp: bigint
  blockTimestamp: bigint
  blockOpen: boolean
  txCount: number
  chunkIndex: number
  offset: number
  hasChunkBase: boolean
  chunkBase: bigint
}

/** abi.encode of the nine fields in order: 288 bytes, the leaf's preimage. */
export function encodeTestStepState(s: TestStepState): Hex {
  return encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }, { type: 'bool' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'bool' }, { type: 'uint64' }],
    [s.stateRoot, s.parentTimestamp, s.blockTimestamp, s.blockOpen, s.txCount, s.chunkIndex, s.offset, s.hasChunkBase, s.chunkBase],
  )
}

/** The state at position zero: what the next batch's leaf 0 is. */
export function batchStartOf(s: TestStepState): TestStepState {
  return { ...s, chunkIndex: 0, offset: 0, hasChunkBase: false, chunkBase: 0n }
}

export const TEST_GENESIS_STATE: TestStepState = {
  stateRoot: keccak256(toHex('test genesis state')),
  parentTimestamp: 1_700_000_000n,
  blockTimestamp: 0n,
  blockOpen: false,
  txCount: 0,
  chunkIndex: 0,
  offset: 0,
  hasChunkBase: false,
  chunkBase: 0n,
}
export const TEST_GENESIS_LEAF = keccak256(encodeTestStepState(TEST_GENESIS_STATE))

export interface TestTrace {
  leaves: Hex[]
  /** the last leaf's preimage */
  lastLeaf: Hex
  lastState: TestStepState
}

/**
 * A trace OutputRoots accepts: `firstLeaf`, `count - 2` leaves it cannot check (any hashes), and a
 * last state with `stateRoot` in the middle of a chunk (so its batch start differs from it).
 */
export function testTrace(firstLeaf: Hex, stateRoot: Hex, count = 4, seed = 0): TestTrace {
  const lastState: TestStepState = {
    stateRoot,
    parentTimestamp: 1_700_000_100n + BigInt(seed),
    blockTimestamp: 1_700_000_101n + BigInt(seed),
    blockOpen: true,
    txCount: 3,
    chunkIndex: 2,
    offset: 517 + seed,
    hasChunkBase: true,
    chunkBase: 1_700_000_101n + BigInt(seed),
  }
  const lastLeaf = encodeTestStepState(lastState)
  const middle = Array.from({ length: count - 2 }, (_, i) => keccak256(toHex(`leaf ${seed} ${i}`)))
  return { leaves: [firstLeaf, ...middle, keccak256(lastLeaf)], lastLeaf, lastState }
}

/** Posts one chunk that opens and closes batch `batchIndex` (the inbox must be at its chunk 0). */
export async function closeBatch(l1: L1, d: Deployment, batchIndex: bigint): Promise<TransactionReceipt> {
  return send(l1, sequencer, { address: d.inbox, abi: rollbookInboxAbi, functionName: 'postChunk', args: [batchIndex, 0, true, toHex(`batch ${batchIndex}`)] })
}

/**
 * Proposes an output of batch `batchIndex` for `state` with a trace OutputRoots accepts (from its
 * expected first leaf), closing the batch in the inbox first when it is not.
 */
export async function proposeTestOutput(
  l1: L1,
  d: Deployment,
  batchIndex: bigint,
  state: { stateRoot: Hex; blockHash: Hex; l2BlockNumber: bigint },
  opts: { bond?: bigint; from?: Account; leafCount?: number } = {},
): Promise<TransactionReceipt & { trace: TestTrace }> {
  const closed = await l1.publicClient.readContract({ address: d.inbox, abi: rollbookInboxAbi, functionName: 'batchClosed', args: [batchIndex] })
  if (!closed) await closeBatch(l1, d, batchIndex)
  // a batch past the next one has no expected first leaf: the contract refuses it for its index anyway
  const next = await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
  const firstLeaf =
    batchIndex > next ? TEST_GENESIS_LEAF : await l1.publicClient.readContract({ address: d.outputRoots, abi: outputRootsAbi, functionName: 'expectedFirstLeaf', args: [batchIndex] })
  const trace = testTrace(firstLeaf, state.stateRoot, opts.leafCount, Number(batchIndex))
  const receipt = await send(l1, opts.from ?? proposer, {
    address: d.outputRoots,
    abi: outputRootsAbi,
    functionName: 'proposeOutput',
    args: [batchIndex, state.stateRoot, state.blockHash, state.l2BlockNumber, trace.lastLeaf, trace.leaves],
    value: opts.bond ?? MIN_BOND,
  })
  return { ...receipt, trace }
}

/** Sends a contract call from `account` and waits for its receipt; throws (viem's error) on a revert. */
export async function send(
  l1: L1,
  account: Account,
  call: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint },
): Promise<TransactionReceipt> {
  // Simulate first so a revert surfaces as a decoded custom error.
  const { request } = await l1.publicClient.simulateContract({ ...call, account } as never)
  const hash = await l1.wallet(account).writeContract(request as never)
  const receipt = await l1.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`${call.functionName} reverted on chain (tx ${hash})`)
  return receipt
}

/** The custom error name a call reverted with, or undefined when it did not revert. */
export async function revertName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    if (!(error instanceof BaseError)) throw error
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) return reverted.data?.errorName ?? reverted.reason ?? 'unknown revert'
    throw error
  }
}

export async function advanceTime(l1: L1, seconds: bigint): Promise<void> {
  await l1.testClient.increaseTime({ seconds: Number(seconds) })
  await l1.testClient.mine({ blocks: 1 })
}

export async function mintAndApprove(l1: L1, d: Deployment, account: Account, amount: bigint): Promise<void> {
  await send(l1, deployer, { address: d.token, abi: testStablecoinAbi, functionName: 'mint', args: [account.address, amount] })
  await send(l1, account, { address: d.token, abi: testStablecoinAbi, functionName: 'approve', args: [d.bridge, amount] })
}

export async function tokenBalance(l1: L1, d: Deployment, owner: Address): Promise<bigint> {
  return l1.publicClient.readContract({ address: d.token, abi: testStablecoinAbi, functionName: 'balanceOf', args: [owner] })
}

export function randomBytes(length: number, seed: number): Hex {
  let x = seed >>> 0 || 1
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
  return `0x${Buffer.from(bytes).toString('hex')}`
}

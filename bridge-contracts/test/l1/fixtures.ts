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
  http,
  parseEther,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_MNEMONIC } from '../../../sdk/src/constants.ts'
import { startAnvil, type AnvilInstance } from '../../../node/testing/anvil.ts'
import { deployL1, type L1Addresses } from '../../../scripts/l1/deploy.ts'
import { testStablecoinAbi } from '../../../sdk/src/generated/contracts.ts'

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

export async function startL1() {
  return connect(await startAnvil())
}

export interface Deployment extends L1Addresses {
  deployedAtBlock: bigint
}

export async function deployContracts(l1: L1): Promise<Deployment> {
  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: l1.wallet(deployer), public: l1.publicClient },
    sequencer: sequencer.address,
    proposer: proposer.address,
    challengeWindowSeconds: CHALLENGE_WINDOW,
    minBond: MIN_BOND,
  })
  return { ...addresses, deployedAtBlock }
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

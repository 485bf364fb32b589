/**
 * The devnet's first start on L1: deploys the contracts (short challenge window, small bond),
 * mints test stablecoin to the ten accounts and deposits half of each account's to L2 through the
 * bridge. Runs once per datadir; a resumed devnet reloads anvil's saved state instead.
 */
import { createPublicClient, createWalletClient, defineChain, http, parseEther, type Address, type Hex, type PublicClient } from 'viem'
import { rollbookBridgeAbi, testStablecoinAbi } from '../../sdk/src/generated/contracts.ts'
import { deployL1, type L1Addresses } from '../../scripts/l1/deploy.ts'
import { accountWithRole, devnetAccounts, type DevnetAccount } from './accounts.ts'

export const L1_CHAIN_ID = 31337
/** Short enough to watch a withdrawal finalize on a devnet. */
export const DEVNET_CHALLENGE_WINDOW_SECONDS = 60
export const DEVNET_MIN_BOND = parseEther('0.1')

export interface L1SetupResult {
  addresses: L1Addresses
  startBlock: number
}

export function l1Chain(rpcUrl: string) {
  return defineChain({ id: L1_CHAIN_ID, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
}

/** `genesisLeaf`: leaf 0 of batch 0's trace, from the devnet's L2 genesis (node/rollup/genesisLeaf.ts). */
export async function setUpL1(rpcUrl: string, genesisLeaf: Hex, l2: { chainId: number; maxTxsPerBlock: number }): Promise<L1SetupResult> {
  const chain = l1Chain(rpcUrl)
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 100 })
  const { accounts, signers } = devnetAccounts()
  const wallet = (index: number) => createWalletClient({ chain, transport: http(rpcUrl), account: signers[index] })
  const operator = accountWithRole(accounts, 'operator')

  const { addresses, deployedAtBlock } = await deployL1({
    l1Client: { wallet: wallet(operator.index), public: publicClient },
    sequencer: accountWithRole(accounts, 'batcher').address,
    proposer: accountWithRole(accounts, 'proposer').address,
    challengeWindowSeconds: BigInt(DEVNET_CHALLENGE_WINDOW_SECONDS),
    minBond: DEVNET_MIN_BOND,
    genesisLeaf,
    // a challenger (`rollbook node --mode challenger`) proves a wrong output here
    fraudVerifier: l2,
  })

  // One wave: the operator's mints (it owns the stablecoin) and every account's approval of the
  // bridge: approve needs no balance, so it need not wait for the mint. The operator sends eleven
  // of them, so its nonces are given; the other accounts send one each.
  const operatorNonce = await publicClient.getTransactionCount({ address: operator.address, blockTag: 'pending' })
  const mints = accounts.map((a, i) =>
    wallet(operator.index).writeContract({ address: addresses.token, abi: testStablecoinAbi, functionName: 'mint', args: [a.address, a.l1Minted], nonce: operatorNonce + i }),
  )
  const operatorApprovalNonce = operatorNonce + accounts.length
  const approvals = accounts.map((a) =>
    wallet(a.index).writeContract({
      address: addresses.token,
      abi: testStablecoinAbi,
      functionName: 'approve',
      args: [addresses.bridge, a.l2Deposit],
      nonce: a.index === operator.index ? operatorApprovalNonce : undefined,
    }),
  )
  await Promise.all([confirmAll(publicClient, mints, 'mint test stablecoin'), confirmAll(publicClient, approvals, 'approve the bridge')])
  // A deposit pulls the minted, approved tokens, so it waits for both to be mined: anvil orders
  // different senders' transactions in a block by fee and arrival, not in the order we need.
  await confirmAll(
    publicClient,
    accounts.map((a) => deposit(wallet(a.index), addresses.bridge, a)),
    'deposit to L2',
  )
  return { addresses, startBlock: Number(deployedAtBlock) }
}

function deposit(wallet: ReturnType<typeof createWalletClient>, bridge: Address, account: DevnetAccount): Promise<Hex> {
  return wallet.writeContract({ address: bridge, abi: rollbookBridgeAbi, functionName: 'deposit', args: [account.address, account.l2Deposit], account: wallet.account!, chain: wallet.chain })
}

/** Waits for every transaction (sent already: `sent` are their hashes to come) to be mined and succeed. */
async function confirmAll(publicClient: PublicClient, sent: Promise<Hex>[], what: string): Promise<void> {
  const hashes = await Promise.all(sent)
  const receipts = await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })))
  const failed = receipts.find((r) => r.status !== 'success')
  if (failed !== undefined) throw new Error(`devnet L1 setup: ${what} reverted (tx ${failed.transactionHash})`)
}

/** Each account's test stablecoin balance on L1. */
export async function l1StablecoinBalances(rpcUrl: string, stablecoin: Address, accounts: readonly { address: Address }[]): Promise<bigint[]> {
  const publicClient = createPublicClient({ chain: l1Chain(rpcUrl), transport: http(rpcUrl) })
  return Promise.all(accounts.map((a) => publicClient.readContract({ address: stablecoin, abi: testStablecoinAbi, functionName: 'balanceOf', args: [a.address] })))
}

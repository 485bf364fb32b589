/**
 * Deploys Rollbook's L1 contracts (DESIGN.md decisions 5-8): the message queue, the inbox, the
 * output roots, the bridge and (unless a token is given) the devnet's test stablecoin, then wires
 * the queue to the bridge and the inbox. Returns the addresses.
 *
 * The transactions go out in two waves rather than one block each (a deployment took ~9 L1
 * blocks, 9 s on a devnet's anvil with 1-second blocks): see WaveSender.
 */
import {
  getContractAddress,
  isAddressEqual,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import {
  betEngineVerifierAbi,
  betEngineVerifierBytecode,
  fraudVerifierAbi,
  fraudVerifierBytecode,
  messageQueueAbi,
  messageQueueBytecode,
  outputRootsAbi,
  outputRootsBytecode,
  rollbookBridgeAbi,
  rollbookBridgeBytecode,
  rollbookInboxAbi,
  rollbookInboxBytecode,
  testStablecoinAbi,
  testStablecoinBytecode,
} from '../../sdk/src/generated/contracts.ts'

/** Seven days: the production challenge window. */
export const DEFAULT_CHALLENGE_WINDOW_SECONDS = 7n * 24n * 60n * 60n

export interface DeployL1Parameters {
  l1Client: {
    wallet: WalletClient<Transport, Chain, Account>
    public: PublicClient<Transport, Chain>
  }
  sequencer: Address
  proposer: Address
  /** Owner of the queue, the output roots (sets the fraud verifier) and the test stablecoin; the deployer by default. */
  owner?: Address
  challengeWindowSeconds?: bigint
  minBond: bigint
  /**
   * Leaf 0 of batch 0's trace, from the rollup's L2 genesis (node/rollup/genesisLeaf.ts): OutputRoots
   * holds the first output's trace to it.
   */
  genesisLeaf: Hex
  /** An existing L1 token; a fresh TestStablecoin is deployed when omitted. */
  token?: Address
  /**
   * The L2 parameters the fraud verifier checks steps with (docs/decisions/0006). When given, the
   * BetEngineVerifier and the FraudVerifier are deployed and named in OutputRoots (which only its
   * owner can do: the deployer must be the owner).
   */
  fraudVerifier?: { chainId: number; maxTxsPerBlock: number }
}

export interface L1Addresses {
  token: Address
  messageQueue: Address
  inbox: Address
  outputRoots: Address
  bridge: Address
  /** present when deployed with `fraudVerifier` */
  fraudVerifier?: Address
}

export interface DeployL1ReturnType {
  addresses: L1Addresses
  /** The L1 block of the last deployment transaction (the highest block any of them was mined in): derivation starts reading there. */
  deployedAtBlock: bigint
}

export async function deployL1(parameters: DeployL1Parameters): Promise<DeployL1ReturnType> {
  const { wallet, public: publicClient } = parameters.l1Client
  const deployer = wallet.account.address
  const owner = parameters.owner ?? deployer
  const challengeWindow = parameters.challengeWindowSeconds ?? DEFAULT_CHALLENGE_WINDOW_SECONDS
  // checked before anything is sent, so a wrong call spends no gas
  if (parameters.fraudVerifier !== undefined && !isAddressEqual(owner, deployer)) {
    throw new Error('deployL1: only the owner can name the fraud verifier: deploy it with owner = the deployer')
  }
  const l1 = new WaveSender(publicClient, deployer, await publicClient.getTransactionCount({ address: deployer, blockTag: 'pending' }))

  // Wave 1: the contracts whose constructors only store their arguments (the addresses of the
  // earlier ones, predicted from the nonces), so none needs another one deployed yet.
  const token =
    parameters.token ??
    l1.deploy('TestStablecoin', (nonce) => wallet.deployContract({ abi: testStablecoinAbi, bytecode: testStablecoinBytecode, args: [owner], nonce }))
  const messageQueue = l1.deploy('MessageQueue', (nonce) =>
    wallet.deployContract({ abi: messageQueueAbi, bytecode: messageQueueBytecode, args: [deployer], nonce }),
  )
  const inbox = l1.deploy('RollbookInbox', (nonce) =>
    wallet.deployContract({ abi: rollbookInboxAbi, bytecode: rollbookInboxBytecode, args: [parameters.sequencer, messageQueue], nonce }),
  )
  const outputRoots = l1.deploy('OutputRoots', (nonce) =>
    wallet.deployContract({
      abi: outputRootsAbi,
      bytecode: outputRootsBytecode,
      args: [owner, parameters.proposer, challengeWindow, parameters.minBond, inbox, parameters.genesisLeaf],
      nonce,
    }),
  )
  const bridge = l1.deploy('RollbookBridge', (nonce) =>
    wallet.deployContract({ abi: rollbookBridgeAbi, bytecode: rollbookBridgeBytecode, args: [token, messageQueue, outputRoots], nonce }),
  )
  await l1.sendWave()

  // Wave 2: the wiring, and the fraud verifier, whose constructor calls the inbox (inbox.queue()):
  // sent before the inbox is mined, its gas estimate (and on automine its constructor) would hit
  // no code and revert. The BetEngineVerifier needs nothing, but goes here too, in the order
  // deployL1 always sent these: every contract keeps the nonce, hence the address, it had.
  // Gas: ~11.5M here (the two verifiers), ~5.2M in wave 1; either fits anvil's 30M block.
  l1.call('MessageQueue.setEnqueuers', (nonce) =>
    wallet.writeContract({ address: messageQueue, abi: messageQueueAbi, functionName: 'setEnqueuers', args: [bridge, inbox], nonce }),
  )
  let fraudVerifier: Address | undefined
  if (parameters.fraudVerifier !== undefined) {
    const { chainId, maxTxsPerBlock } = parameters.fraudVerifier
    const engineVerifier = l1.deploy('BetEngineVerifier', (nonce) =>
      wallet.deployContract({ abi: betEngineVerifierAbi, bytecode: betEngineVerifierBytecode, args: [], nonce }),
    )
    fraudVerifier = l1.deploy('FraudVerifier', (nonce) =>
      wallet.deployContract({
        abi: fraudVerifierAbi,
        bytecode: fraudVerifierBytecode,
        args: [outputRoots, inbox, engineVerifier, BigInt(chainId), BigInt(maxTxsPerBlock)],
        nonce,
      }),
    )
    const verifier = fraudVerifier
    // setFraudVerifier only stores the address, so it need not wait for the verifier's deployment
    l1.call('OutputRoots.setFraudVerifier', (nonce) =>
      wallet.writeContract({ address: outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [verifier], nonce }),
    )
  }
  await l1.sendWave()

  const addresses: L1Addresses = {
    token: parameters.token ?? l1.created(token),
    messageQueue: l1.created(messageQueue),
    inbox: l1.created(inbox),
    outputRoots: l1.created(outputRoots),
    bridge: l1.created(bridge),
    ...(fraudVerifier === undefined ? {} : { fraudVerifier: l1.created(fraudVerifier) }),
  }
  return { addresses, deployedAtBlock: l1.highestBlock }
}

/** A transaction queued for the next wave, with the nonce it was given when queued. */
interface QueuedTx {
  what: string
  nonce: number
  send: (nonce: number) => Promise<Hex>
  /** a deployment: the address its nonce puts the contract at */
  creates?: Address
}

/**
 * Sends one account's transactions in waves: a wave's transactions go out back to back with
 * consecutive nonces, and only then are their receipts awaited, so a wave takes one L1 block (two
 * if a block boundary falls within it) rather than one block per transaction. The nonces order
 * the wave on L1, so a transaction may name a contract an earlier one of its wave creates, but
 * must not call it: its gas is estimated against the state when it is sent, before the earlier
 * ones are mined. That works with interval mining and with automine alike, and a wave too big
 * for one block's gas limit spills into the next, still in nonce order.
 */
class WaveSender {
  private nextNonce: number
  private queued: QueuedTx[] = []
  /** predicted address (lowercase) -> the contract address its receipt names */
  private readonly createdAddresses = new Map<string, Address>()
  /** The highest L1 block any of the transactions was mined in. */
  highestBlock = 0n

  constructor(
    private readonly publicClient: PublicClient<Transport, Chain>,
    private readonly from: Address,
    firstNonce: number,
  ) {
    this.nextNonce = firstNonce
  }

  /** Queues a contract deployment; returns the address it will create (the sender's address and the deployment's nonce). */
  deploy(what: string, send: (nonce: number) => Promise<Hex>): Address {
    const nonce = this.takeNonce()
    const creates = getContractAddress({ from: this.from, nonce: BigInt(nonce) })
    this.queued.push({ what, nonce, send, creates })
    return creates
  }

  call(what: string, send: (nonce: number) => Promise<Hex>): void {
    this.queued.push({ what, nonce: this.takeNonce(), send })
  }

  /** Sends the queued transactions, waits until all are mined, and checks each receipt. */
  async sendWave(): Promise<void> {
    const wave = this.queued
    this.queued = []
    const hashes: Hex[] = []
    // one after the other up to its hash (not its receipt: that is what takes a block), so the node
    // gets them in nonce order and never holds one back behind a nonce gap
    for (const tx of wave) hashes.push(await tx.send(tx.nonce))
    const receipts = await Promise.all(hashes.map((hash) => this.publicClient.waitForTransactionReceipt({ hash })))
    wave.forEach((tx, i) => this.check(tx, receipts[i]!))
  }

  /** The address the deployment predicted at `predicted` created, as its receipt names it. */
  created(predicted: Address): Address {
    const address = this.createdAddresses.get(predicted.toLowerCase())
    if (address === undefined) throw new Error(`deployL1: no deployment to ${predicted} was mined`)
    return address
  }

  private takeNonce(): number {
    const nonce = this.nextNonce
    this.nextNonce += 1
    return nonce
  }

  private check(tx: QueuedTx, receipt: TransactionReceipt): void {
    const hash = receipt.transactionHash
    if (receipt.status !== 'success') throw new Error(`deployL1: ${tx.what} reverted (tx ${hash})`)
    if (tx.creates !== undefined) {
      const created = receipt.contractAddress
      if (!created) throw new Error(`deployL1: ${tx.what} created no contract (tx ${hash})`)
      if (!isAddressEqual(created, tx.creates)) {
        // the later transactions were sent naming the predicted address: they point at nothing
        throw new Error(
          `deployL1: ${tx.what} was created at ${created}, not at ${tx.creates} as its nonce ${tx.nonce} predicts (tx ${hash}): did ${this.from} send another transaction meanwhile?`,
        )
      }
      this.createdAddresses.set(tx.creates.toLowerCase(), created)
    }
    if (receipt.blockNumber > this.highestBlock) this.highestBlock = receipt.blockNumber
  }
}

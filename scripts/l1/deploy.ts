/**
 * Deploys Rollbook's L1 contracts (DESIGN.md decisions 5-8): the message queue, the inbox, the
 * output roots, the bridge and (unless a token is given) the devnet's test stablecoin, then wires
 * the queue to the bridge and the inbox. Returns the addresses.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
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
  /** The L1 block of the last deployment transaction: derivation starts reading there. */
  deployedAtBlock: bigint
}

export async function deployL1(parameters: DeployL1Parameters): Promise<DeployL1ReturnType> {
  const { wallet, public: publicClient } = parameters.l1Client
  const owner = parameters.owner ?? wallet.account.address
  const challengeWindow = parameters.challengeWindowSeconds ?? DEFAULT_CHALLENGE_WINDOW_SECONDS

  let lastBlock = 0n
  const confirm = async (hash: Hex, what: string) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`deployL1: ${what} reverted (tx ${hash})`)
    lastBlock = receipt.blockNumber
    return receipt
  }
  const deploy = async (what: string, hash: Hex): Promise<Address> => {
    const receipt = await confirm(hash, what)
    if (!receipt.contractAddress) throw new Error(`deployL1: ${what} created no contract (tx ${hash})`)
    return receipt.contractAddress
  }

  const token =
    parameters.token ??
    (await deploy('TestStablecoin', await wallet.deployContract({ abi: testStablecoinAbi, bytecode: testStablecoinBytecode, args: [owner] })))
  const messageQueue = await deploy(
    'MessageQueue',
    await wallet.deployContract({ abi: messageQueueAbi, bytecode: messageQueueBytecode, args: [wallet.account.address] }),
  )
  const inbox = await deploy(
    'RollbookInbox',
    await wallet.deployContract({ abi: rollbookInboxAbi, bytecode: rollbookInboxBytecode, args: [parameters.sequencer, messageQueue] }),
  )
  const outputRoots = await deploy(
    'OutputRoots',
    await wallet.deployContract({
      abi: outputRootsAbi,
      bytecode: outputRootsBytecode,
      args: [owner, parameters.proposer, challengeWindow, parameters.minBond, inbox, parameters.genesisLeaf],
    }),
  )
  const bridge = await deploy(
    'RollbookBridge',
    await wallet.deployContract({ abi: rollbookBridgeAbi, bytecode: rollbookBridgeBytecode, args: [token, messageQueue, outputRoots] }),
  )
  await confirm(
    await wallet.writeContract({ address: messageQueue, abi: messageQueueAbi, functionName: 'setEnqueuers', args: [bridge, inbox] }),
    'MessageQueue.setEnqueuers',
  )
  let fraudVerifier: Address | undefined
  if (parameters.fraudVerifier !== undefined) {
    if (owner.toLowerCase() !== wallet.account.address.toLowerCase()) throw new Error('deployL1: only the owner can name the fraud verifier: deploy it with owner = the deployer')
    const engineVerifier = await deploy('BetEngineVerifier', await wallet.deployContract({ abi: betEngineVerifierAbi, bytecode: betEngineVerifierBytecode, args: [] }))
    fraudVerifier = await deploy(
      'FraudVerifier',
      await wallet.deployContract({
        abi: fraudVerifierAbi,
        bytecode: fraudVerifierBytecode,
        args: [outputRoots, inbox, engineVerifier, BigInt(parameters.fraudVerifier.chainId), BigInt(parameters.fraudVerifier.maxTxsPerBlock)],
      }),
    )
    await confirm(await wallet.writeContract({ address: outputRoots, abi: outputRootsAbi, functionName: 'setFraudVerifier', args: [fraudVerifier] }), 'OutputRoots.setFraudVerifier')
  }
  return { addresses: { token, messageQueue, inbox, outputRoots, bridge, ...(fraudVerifier === undefined ? {} : { fraudVerifier }) }, deployedAtBlock: lastBlock }
}

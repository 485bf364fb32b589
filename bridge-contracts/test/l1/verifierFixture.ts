/**
 * A real L2Chain (LevelDB in a temp dir) that seals one block per tx, and BetEngineVerifier on an
 * in-memory EVM: for each tx, the chain's post-state root, the witness from its pre-state, and
 * the verifier's answer.
 */
import { rmSync } from 'node:fs'
import { pino } from 'pino'
import { Address as EthAddress, bytesToBigInt, hexToBytes as toBytes } from '@ethereumjs/util'
import { bytesToHex, decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Address, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { BET_ENGINE_ADDRESS, L1_MESSENGER_PRIVATE_KEY } from '../../../sdk/src/constants.ts'
import { L2Chain } from '../../../node/chain/chain.ts'
import type { ExecutedTx } from '../../../node/chain/types.ts'
import { openLevel } from '../../../node/storage/level.ts'
import { tempDatadir } from '../../../node/testing/testNode.ts'
import { testAccounts, testGenesis, TestSigner, type TestAccount } from '../../../node/chain/fastpath/testing.ts'
import { buildBetEngineWitness, levelReadNode, type BetEngineWitness } from '../../../prover-fraud/witness.ts'
import { compileEntries } from '../compileEntries.ts'
import { MemoryEvm } from '../memoryEvm.ts'

const CHAIN_ID = 901
export const T0 = 1_700_000_000n

const { BetEngineVerifier } = await compileEntries(['src/L1/fraud/BetEngineVerifier.sol'])
export const verifierAbi = BetEngineVerifier.abi
const evm = await MemoryEvm.create()
// deployed, not placed: its constructor creates the second half (BetEngineExtensionVerifier)
const VERIFIER = await evm.deploy(BetEngineVerifier.bytecode)

export const [operator, oracle, ...bettors] = testAccounts(6)
export const messenger: TestAccount = { privateKey: toBytes(L1_MESSENGER_PRIVATE_KEY), address: privateKeyToAddress(L1_MESSENGER_PRIVATE_KEY) }
const signer = new TestSigner(CHAIN_ID)
const engine = new EthAddress(toBytes(BET_ENGINE_ADDRESS))

export type VerifierOutcome = { ok: true; root: Hex; gas: bigint } | { ok: false; error: string }

/** BetEngineVerifier.execute on the in-memory EVM. */
export async function execute(preStateRoot: Uint8Array, nodes: Uint8Array[], sender: Address, time: bigint, data: Hex, gasLimit?: bigint): Promise<VerifierOutcome> {
  const args = [bytesToHex(preStateRoot), nodes.map((n) => bytesToHex(n)), sender, time, data] as const
  const result = await evm.call(VERIFIER, encodeFunctionData({ abi: verifierAbi, functionName: 'execute', args }), gasLimit)
  if (!result.ok) return { ok: false, error: errorName(result.returnData) }
  return { ok: true, root: decodeFunctionResult({ abi: verifierAbi, functionName: 'execute', data: result.returnData }) as Hex, gas: result.executionGas }
}

/** Any call to the verifier's address (not through execute). */
export async function callVerifier(data: Hex): Promise<{ ok: boolean; error: string }> {
  const result = await evm.call(VERIFIER, data)
  return { ok: result.ok, error: result.ok ? '' : errorName(result.returnData) }
}

function errorName(data: Hex): string {
  if (data === '0x') return 'empty'
  try {
    return decodeErrorResult({ abi: verifierAbi, data }).errorName
  } catch {
    return data
  }
}

export interface CheckedTx {
  executed: ExecutedTx
  preStateRoot: Uint8Array
  postStateRoot: Hex
  witness: BetEngineWitness
}

export class VerifierChain {
  private constructor(
    readonly chain: L2Chain,
    private readonly close: () => Promise<void>,
    private readonly readNode: ReturnType<typeof levelReadNode>,
  ) {}

  /** A chain whose operator (the house) holds 10^15, bettors[0] 10^10 and bettors[1] 5 * 10^7. */
  static async open(): Promise<VerifierChain> {
    const dir = tempDatadir('rollbook-verifier-')
    const db = await openLevel(dir)
    const balances = new Map<Address, bigint>([
      [operator.address as Address, 10n ** 15n],
      [bettors[0].address as Address, 10n ** 10n],
      [bettors[1].address as Address, 5n * 10n ** 7n],
    ])
    const genesis = testGenesis(CHAIN_ID, Number(T0), operator.address as Address, oracle.address as Address, balances)
    const chain = await L2Chain.init(genesis, { db, logger: pino({ level: 'silent' }) })
    const close = async () => {
      await chain.flushWrites().catch(() => undefined)
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    }
    return new VerifierChain(chain, close, levelReadNode(db))
  }

  async slot(slot: Hex): Promise<bigint> {
    return bytesToBigInt(await this.chain.liveState.getStorage(engine, toBytes(slot)))
  }

  /** Runs `data` from `from` at `time` as the only tx of a new block; the witness is from the block before. */
  async apply(from: TestAccount, data: Hex, time: bigint): Promise<CheckedTx> {
    const nonce = (await this.chain.liveState.getAccount(new EthAddress(toBytes(from.address as Hex))))?.nonce ?? 0n
    const preStateRoot = this.chain.head.header.stateRoot
    const pending = await this.chain.openBlock(time)
    const executed = await this.chain.applyTx(pending, this.chain.decodeTx(signer.sign(from, nonce, data)))
    const sealed = await this.chain.sealBlock(pending)
    await sealed.written
    const call = { sender: toBytes(from.address as Hex), data: toBytes(data), time }
    const witness = await buildBetEngineWitness({ stateRoot: preStateRoot, readNode: this.readNode }, call, this.chain.common)
    return { executed, preStateRoot, postStateRoot: bytesToHex(sealed.block.header.stateRoot), witness }
  }

  shut(): Promise<void> {
    return this.close()
  }
}

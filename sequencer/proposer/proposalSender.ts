import {
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  keccak256,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import type { Logger } from 'pino'
import { outputRootsAbi } from '../../sdk/src/generated/contracts.ts'
import { bumpFees, feeFields, sleep, type Fees } from '../batcher/index.ts'
import { ProposerCriticalError, ProposerRewindError } from './errors.ts'

/** One proposeOutput call. */
export interface ProposalCall {
  batchIndex: bigint
  outputRoot: Hex
  traceRoot: Hex
  l2BlockNumber: bigint
  /** wei sent as the bond */
  bond: bigint
}

/** A proposal tx sent before (a restart, a reorg) and still in the L1 pool: waited for, and replaced from its fees. */
export interface AdoptedProposal {
  nonce: number
  txHashes: Hex[]
  fees: Fees
}

export interface ProposalSenderOptions {
  outputRoots: Address
  /** replaced by setChainId once the RPC is asked */
  l1ChainId: number
  pollIntervalMs: number
  resubmitAfterMs: number
}

export interface SendProposalHooks {
  /** called with every signed version of the tx before it is sent, so a restart knows what may be on L1 */
  onSigned(nonce: number, txHashes: Hex[]): Promise<void>
  adopted?: AdoptedProposal
}

/** Gas estimates get this margin (in fifths: 20%). */
const GAS_MARGIN_FIFTHS = 1n

type WaitOutcome = { kind: 'mined'; receipt: TransactionReceipt } | { kind: 'dropped' } | { kind: 'stuck' }

/**
 * Sends proposeOutput txs from the proposer's L1 key, one at a time: the nonce is the account's
 * pending count, and the tx is replaced (same nonce, bumped fees) while it is dropped or stuck,
 * until it is mined. Whether the output stays on L1 is the proposer loop's business (it reads
 * outputCount again), so no confirmations are waited for here.
 */
export class ProposalSender {
  private l1ChainId: number

  constructor(
    private readonly opts: ProposalSenderOptions,
    private readonly modules: { client: PublicClient<Transport, Chain | undefined>; account: LocalAccount; log: Logger; signal: AbortSignal },
  ) {
    this.l1ChainId = opts.l1ChainId
  }

  setChainId(chainId: number): void {
    this.l1ChainId = chainId
  }

  get address(): Address {
    return this.modules.account.address
  }

  /** The first receipt of the proposal (reverted or not: the caller reads L1 again either way). */
  async send(call: ProposalCall, hooks: SendProposalHooks): Promise<TransactionReceipt> {
    const { client, account, log } = this.modules
    const nonce = hooks.adopted?.nonce ?? (await client.getTransactionCount({ address: this.address, blockTag: 'pending' }))
    const data = encodeFunctionData({ abi: outputRootsAbi, functionName: 'proposeOutput', args: proposeArgs(call) })
    const txHashes: Hex[] = [...(hooks.adopted?.txHashes ?? [])]
    let fees = hooks.adopted?.fees
    let sentAt = Date.now()
    let needsSend = hooks.adopted === undefined
    for (;;) {
      if (needsSend) {
        const gas = await this.estimateGas(call)
        const current = await client.estimateFeesPerGas()
        fees = fees === undefined ? current : bumpFees(fees, current)
        const raw = await account.signTransaction({ type: 'eip1559', chainId: this.l1ChainId, to: this.opts.outputRoots, data, value: call.bond, nonce, gas, ...fees })
        txHashes.push(keccak256(raw))
        await hooks.onSigned(nonce, [...txHashes])
        if ((await this.sendRaw(raw, nonce, txHashes)) === 'underpriced') continue
        sentAt = Date.now()
        if (txHashes.length > 1) log.info({ batchIndex: Number(call.batchIndex), nonce, txHash: txHashes.at(-1), ...feeFields(fees) }, 're-sent proposal tx with bumped fees')
      }
      needsSend = true
      const outcome = await this.waitForOutcome(txHashes, sentAt)
      if (outcome.kind === 'mined') return outcome.receipt
      log.warn({ batchIndex: Number(call.batchIndex), nonce, txHashes, waitedMs: Date.now() - sentAt }, `proposal tx ${outcome.kind === 'dropped' ? 'dropped from' : 'stuck in'} the L1 pool`)
      await this.checkNonceNotRolledBack(nonce)
    }
  }

  /**
   * Against the latest block, not the pending one: a replacement must not see the tx it replaces.
   * The contract's own checks answer here, before any gas is spent: a duplicate is a rewind.
   */
  private async estimateGas(call: ProposalCall): Promise<bigint> {
    try {
      const gas = await this.modules.client.estimateContractGas({
        address: this.opts.outputRoots,
        abi: outputRootsAbi,
        functionName: 'proposeOutput',
        args: proposeArgs(call),
        value: call.bond,
        account: this.address,
        blockTag: 'latest',
      })
      return gas + (gas * GAS_MARGIN_FIFTHS) / 5n
    } catch (error) {
      const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null
      if (!(reverted instanceof ContractFunctionRevertedError) || reverted.data === undefined) throw error
      const { errorName, args = [] } = reverted.data
      if (errorName === 'WrongBatchIndex') {
        const expected = args[1] as bigint
        const why = expected > call.batchIndex ? 'is already proposed' : 'is ahead of L1 (outputs were deleted or reorged away)'
        throw new ProposerRewindError(`batch ${call.batchIndex} ${why}: OutputRoots expects batch ${expected}`, { cause: error })
      }
      throw new ProposerCriticalError(`OutputRoots refuses the output of batch ${call.batchIndex}: ${errorName}(${args.join(', ')})`, { cause: error })
    }
  }

  /** 'sent', or 'underpriced' when the pool wants a larger bump for the replacement. */
  private async sendRaw(raw: Hex, nonce: number, txHashes: Hex[]): Promise<'sent' | 'underpriced'> {
    try {
      await this.modules.client.sendRawTransaction({ serializedTransaction: raw })
      return 'sent'
    } catch (error) {
      const message = errorText(error)
      if (message.includes('already known')) return 'sent'
      if (message.includes('underpriced')) return 'underpriced'
      if (message.includes('nonce too low')) {
        // Mined meanwhile (one of ours), or the nonce went to another tx from this key.
        for (const hash of txHashes) if ((await this.receipt(hash)) !== undefined) return 'sent'
        throw new ProposerRewindError(`L1 nonce ${nonce} of ${this.address} is already used by a tx the proposer did not send`, { cause: error })
      }
      throw error
    }
  }

  private async waitForOutcome(txHashes: Hex[], sentAt: number): Promise<WaitOutcome> {
    for (;;) {
      for (const hash of txHashes) {
        const receipt = await this.receipt(hash)
        if (receipt !== undefined) return { kind: 'mined', receipt }
      }
      if (!(await this.anyInPool(txHashes))) return { kind: 'dropped' }
      if (Date.now() - sentAt >= this.opts.resubmitAfterMs) return { kind: 'stuck' }
      await sleep(this.opts.pollIntervalMs, this.modules.signal)
    }
  }

  /** After an L1 reorg the account's nonce can fall below ours: a tx sent with ours would wait forever. */
  private async checkNonceNotRolledBack(nonce: number): Promise<void> {
    const mined = await this.modules.client.getTransactionCount({ address: this.address, blockTag: 'latest' })
    if (mined < nonce) throw new ProposerRewindError(`the L1 account nonce went back to ${mined} (an L1 reorg dropped earlier txs); the proposal's was ${nonce}`)
  }

  private async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.modules.client.getTransactionReceipt({ hash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  }

  private async anyInPool(txHashes: Hex[]): Promise<boolean> {
    for (const hash of txHashes) {
      try {
        await this.modules.client.getTransaction({ hash })
        return true
      } catch (error) {
        if (!(error instanceof TransactionNotFoundError)) throw error
      }
    }
    return false
  }
}

function proposeArgs(call: ProposalCall) {
  return [call.batchIndex, call.outputRoot, call.traceRoot, call.l2BlockNumber] as const
}

function errorText(error: unknown): string {
  if (error instanceof BaseError) return `${error.shortMessage} ${error.details ?? ''}`.toLowerCase()
  return String(error).toLowerCase()
}

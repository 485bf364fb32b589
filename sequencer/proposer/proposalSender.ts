import { BaseError, ContractFunctionRevertedError, encodeFunctionData, type Address, type Chain, type Hex, type LocalAccount, type PublicClient, type TransactionReceipt, type Transport } from 'viem'
import type { Logger } from 'pino'
import { outputRootsAbi } from '../../sdk/src/generated/contracts.ts'
import { L1Sender, type Fees } from '../l1Sender.ts'
import { ProposerCriticalError, ProposerRewindError } from './errors.ts'

/** One proposeOutput call: the output of the batch's last L2 block, and the batch's trace (docs/decisions/0006). */
export interface ProposalCall {
  batchIndex: bigint
  stateRoot: Hex
  blockHash: Hex
  l2BlockNumber: bigint
  /** the last leaf's preimage (288 bytes) */
  lastLeaf: Hex
  /** every leaf of the batch's trace, 32 bytes each; OutputRoots computes the trace root from them */
  leaves: Hex[]
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

/**
 * Sends proposeOutput txs from the proposer's L1 key, one at a time: the nonce is the account's
 * pending count, and the tx is replaced (same nonce, bumped fees) while it is dropped or stuck,
 * until it is mined. Whether the output stays on L1 is the proposer loop's business (it reads
 * outputCount again), so no confirmations are waited for here.
 */
export class ProposalSender {
  private readonly sender: L1Sender

  constructor(
    private readonly opts: ProposalSenderOptions,
    private readonly modules: { client: PublicClient<Transport, Chain | undefined>; account: LocalAccount; log: Logger; signal: AbortSignal },
  ) {
    this.sender = new L1Sender(opts, { ...modules, rewindError: (message, options) => new ProposerRewindError(message, options) })
  }

  setChainId(chainId: number): void {
    this.sender.setChainId(chainId)
  }

  get address(): Address {
    return this.modules.account.address
  }

  /** The first receipt of the proposal (reverted or not: the caller reads L1 again either way). */
  async send(call: ProposalCall, hooks: SendProposalHooks): Promise<TransactionReceipt> {
    const nonce = hooks.adopted?.nonce ?? (await this.modules.client.getTransactionCount({ address: this.address, blockTag: 'pending' }))
    const slot = { nonce, txHashes: [...(hooks.adopted?.txHashes ?? [])], fees: hooks.adopted?.fees }
    return this.sender.sendUntilMined(
      {
        to: this.opts.outputRoots,
        data: encodeFunctionData({ abi: outputRootsAbi, functionName: 'proposeOutput', args: proposeArgs(call) }),
        value: call.bond,
        estimateGas: () => this.estimateGas(call),
        describe: { batchIndex: Number(call.batchIndex) },
      },
      slot,
      { send: hooks.adopted === undefined, onSigned: hooks.onSigned },
    )
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
      if (errorName === 'BatchNotClosed') {
        // the proposer saw the batch closed a few blocks back: an L1 reorg took its last chunk since
        throw new ProposerRewindError(`batch ${call.batchIndex} is no longer closed in the inbox (L1 reorg)`, { cause: error })
      }
      if (errorName === 'WrongFirstLeaf') {
        // the previous output on L1 does not end where this trace starts: it is about to be proven
        // wrong (or an L1 reorg is changing it); read L1 again rather than stop
        throw new ProposerRewindError(`batch ${call.batchIndex}: the previous output on L1 does not end where this batch's trace starts`, { cause: error })
      }
      throw new ProposerCriticalError(`OutputRoots refuses the output of batch ${call.batchIndex}: ${errorName}(${args.join(', ')})`, { cause: error })
    }
  }

}

function proposeArgs(call: ProposalCall) {
  return [call.batchIndex, call.stateRoot, call.blockHash, call.l2BlockNumber, call.lastLeaf, call.leaves] as const
}

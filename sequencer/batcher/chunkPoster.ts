import { BaseError, ContractFunctionRevertedError, encodeFunctionData, type Address, type Chain, type Hex, type LocalAccount, type PublicClient, type TransactionReceipt, type Transport } from 'viem'
import type { Logger } from 'pino'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { L1Sender, sleep, type Fees } from '../l1Sender.ts'
import { BatcherRewindError } from './errors.ts'

export { bumpFees, feeFields, sleep, type Fees } from '../l1Sender.ts'

export interface ChunkCall {
  batchIndex: bigint
  chunkIndex: number
  /** the batch's last chunk: the inbox closes the batch with it */
  isLast: boolean
  data: Uint8Array
}

/** A chunk tx sent before a restart and still in the L1 pool: waited for, and replaced from its fees. */
export interface AdoptedTx {
  nonce: number
  txHashes: Hex[]
  fees: Fees
}

export interface ChunkPosterOptions {
  inbox: Address
  /** replaced by setChainId once the RPC is asked */
  l1ChainId: number
  l1Confirmations: number
  pollIntervalMs: number
  resubmitAfterMs: number
}

export interface PostChunkHooks {
  /** called with every signed version of the tx before it is sent, so a restart knows what may be on L1 */
  onSigned(nonce: number, txHashes: Hex[]): Promise<void>
  adopted?: AdoptedTx
}

/** Gas estimates get this margin (in fifths: 20%): the chunk's storage write is priced by the estimate's own state. */
const GAS_MARGIN_FIFTHS = 1n

/**
 * Sends postChunk txs from the sequencer's L1 key. Owns the account's nonce: read once, then
 * counted locally; one chunk tx in flight at a time, replaced (same nonce, bumped fees) while it is
 * dropped or stuck, until its receipt is `l1Confirmations` deep.
 */
export class ChunkPoster {
  private nonce: number | undefined
  private readonly sender: L1Sender

  constructor(
    private readonly opts: ChunkPosterOptions,
    private readonly modules: { client: PublicClient<Transport, Chain | undefined>; account: LocalAccount; log: Logger; signal: AbortSignal },
  ) {
    this.sender = new L1Sender(opts, { ...modules, rewindError: (message, options) => new BatcherRewindError(message, options) })
  }

  /** The chain id txs are signed for, as the L1 RPC reports it. */
  setChainId(chainId: number): void {
    this.sender.setChainId(chainId)
  }

  get address(): Address {
    return this.modules.account.address
  }

  /** Takes the nonce from L1 again: the pending count (or the given one, for an adopted tx). */
  async syncNonce(nonce?: number): Promise<number> {
    this.nonce = nonce ?? (await this.modules.client.getTransactionCount({ address: this.address, blockTag: 'pending' }))
    return this.nonce
  }

  forgetNonce(): void {
    this.nonce = undefined
  }

  async post(call: ChunkCall, hooks: PostChunkHooks): Promise<TransactionReceipt> {
    const nonce = hooks.adopted?.nonce ?? this.nonce ?? (await this.syncNonce())
    const slot = { nonce, txHashes: [...(hooks.adopted?.txHashes ?? [])], fees: hooks.adopted?.fees }
    const l1Call = {
      to: this.opts.inbox,
      data: encodeFunctionData({ abi: rollbookInboxAbi, functionName: 'postChunk', args: postChunkArgs(call) }),
      estimateGas: () => this.estimateGas(call),
      describe: { batchIndex: Number(call.batchIndex), chunkIndex: call.chunkIndex },
    }
    // on any error the batcher's loop forgets the nonce (forgetNonce) and reads it from L1 again
    let send = hooks.adopted === undefined
    for (;;) {
      const receipt = await this.sender.sendUntilMined(l1Call, slot, { send, onSigned: hooks.onSigned })
      send = true
      if (receipt.status !== 'success') {
        this.nonce = nonce + 1
        throw new BatcherRewindError(`chunk tx ${receipt.transactionHash} (batch ${call.batchIndex} chunk ${call.chunkIndex}) reverted in L1 block ${receipt.blockNumber}`)
      }
      if (await this.confirmed(receipt)) {
        this.nonce = nonce + 1
        return receipt
      }
      this.modules.log.warn({ nonce, txHash: receipt.transactionHash, l1Block: receipt.blockNumber }, 'chunk tx left L1 (reorg) before its confirmations')
      await this.sender.checkNonceNotRolledBack(nonce)
    }
  }

  /** Against the latest block, not the pending one: a replacement must not see the tx it replaces. */
  private async estimateGas(call: ChunkCall): Promise<bigint> {
    try {
      const gas = await this.modules.client.estimateContractGas({
        address: this.opts.inbox,
        abi: rollbookInboxAbi,
        functionName: 'postChunk',
        args: postChunkArgs(call),
        account: this.address,
        blockTag: 'latest',
      })
      return gas + (gas * GAS_MARGIN_FIFTHS) / 5n
    } catch (error) {
      const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null
      if (reverted instanceof ContractFunctionRevertedError) {
        const reason = reverted.data === undefined ? reverted.shortMessage : `${reverted.data.errorName}(${reverted.data.args?.join(', ') ?? ''})`
        throw new BatcherRewindError(`the inbox refuses batch ${call.batchIndex} chunk ${call.chunkIndex}: ${reason}`, { cause: error })
      }
      throw error
    }
  }

  /** Waits until the receipt is deep enough; false when its block left the chain meanwhile. */
  private async confirmed(receipt: TransactionReceipt): Promise<boolean> {
    for (;;) {
      const again = await this.sender.receipt(receipt.transactionHash)
      if (again === undefined || again.blockHash !== receipt.blockHash) return false
      const head = await this.modules.client.getBlockNumber({ cacheTime: 0 })
      if (head - receipt.blockNumber >= BigInt(this.opts.l1Confirmations)) return true
      await sleep(this.opts.pollIntervalMs, this.modules.signal)
    }
  }
}

function postChunkArgs(call: ChunkCall) {
  return [call.batchIndex, call.chunkIndex, call.isLast, bytesHex(call.data)] as const
}

function bytesHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`
}

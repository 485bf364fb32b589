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
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { BatcherRewindError } from './errors.ts'
import { FEE_BUMP_EIGHTHS } from './options.ts'

export interface Fees {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
}

export interface ChunkCall {
  batchIndex: bigint
  chunkIndex: number
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

/** Both fee caps raised by at least 12.5% (geth's replacement rule), and at least to what L1 asks now. */
export function bumpFees(previous: Fees, current: Fees): Fees {
  const bump = (fee: bigint) => fee + (fee * FEE_BUMP_EIGHTHS + 7n) / 8n + 1n
  const maxPriorityFeePerGas = max(current.maxPriorityFeePerGas, bump(previous.maxPriorityFeePerGas))
  const maxFeePerGas = max(current.maxFeePerGas, bump(previous.maxFeePerGas), maxPriorityFeePerGas)
  return { maxFeePerGas, maxPriorityFeePerGas }
}

function max(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b))
}

type WaitOutcome = { kind: 'mined'; receipt: TransactionReceipt } | { kind: 'dropped' } | { kind: 'stuck' }

/**
 * Sends postChunk txs from the sequencer's L1 key. Owns the account's nonce: read once, then
 * counted locally; one chunk tx in flight at a time, replaced (same nonce, bumped fees) while it is
 * dropped or stuck, until its receipt is `l1Confirmations` deep.
 */
export class ChunkPoster {
  private nonce: number | undefined
  private l1ChainId: number

  constructor(
    private readonly opts: ChunkPosterOptions,
    private readonly modules: { client: PublicClient<Transport, Chain | undefined>; account: LocalAccount; log: Logger; signal: AbortSignal },
  ) {
    this.l1ChainId = opts.l1ChainId
  }

  /** The chain id txs are signed for, as the L1 RPC reports it. */
  setChainId(chainId: number): void {
    this.l1ChainId = chainId
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
    const { client, account, log } = this.modules
    const nonce = hooks.adopted?.nonce ?? this.nonce ?? (await this.syncNonce())
    const data = encodeFunctionData({ abi: rollbookInboxAbi, functionName: 'postChunk', args: [call.batchIndex, call.chunkIndex, bytesHex(call.data)] })
    const txHashes: Hex[] = [...(hooks.adopted?.txHashes ?? [])]
    let fees = hooks.adopted?.fees
    let sentAt = Date.now()
    let needsSend = hooks.adopted === undefined
    for (;;) {
      if (needsSend) {
        const gas = await this.estimateGas(call)
        const current = await client.estimateFeesPerGas()
        fees = fees === undefined ? current : bumpFees(fees, current)
        const raw = await account.signTransaction({
          type: 'eip1559',
          chainId: this.l1ChainId,
          to: this.opts.inbox,
          data,
          nonce,
          gas,
          ...fees,
        })
        txHashes.push(keccak256(raw))
        await hooks.onSigned(nonce, [...txHashes])
        const sent = await this.sendRaw(raw, nonce, txHashes)
        if (sent === 'underpriced') continue
        sentAt = Date.now()
        if (txHashes.length > 1) log.info({ nonce, txHash: txHashes.at(-1), ...feeFields(fees) }, 're-sent chunk tx with bumped fees')
      }
      needsSend = true
      const outcome = await this.waitForOutcome(txHashes, sentAt)
      if (outcome.kind !== 'mined') {
        log.warn({ nonce, txHashes, waitedMs: Date.now() - sentAt }, outcome.kind === 'dropped' ? 'chunk tx dropped from the L1 pool' : 'chunk tx stuck in the L1 pool')
        await this.checkNonceNotRolledBack(nonce)
        continue
      }
      const { receipt } = outcome
      if (receipt.status !== 'success') {
        this.nonce = nonce + 1
        throw new BatcherRewindError(`chunk tx ${receipt.transactionHash} (batch ${call.batchIndex} chunk ${call.chunkIndex}) reverted in L1 block ${receipt.blockNumber}`)
      }
      if (await this.confirmed(receipt)) {
        this.nonce = nonce + 1
        return receipt
      }
      log.warn({ nonce, txHash: receipt.transactionHash, l1Block: receipt.blockNumber }, 'chunk tx left L1 (reorg) before its confirmations')
      await this.checkNonceNotRolledBack(nonce)
    }
  }

  /** Against the latest block, not the pending one: a replacement must not see the tx it replaces. */
  private async estimateGas(call: ChunkCall): Promise<bigint> {
    try {
      const gas = await this.modules.client.estimateContractGas({
        address: this.opts.inbox,
        abi: rollbookInboxAbi,
        functionName: 'postChunk',
        args: [call.batchIndex, call.chunkIndex, bytesHex(call.data)],
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
        this.nonce = undefined
        throw new BatcherRewindError(`L1 nonce ${nonce} of ${this.address} is already used by a tx the batcher did not send`, { cause: error })
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

  /** Waits until the receipt is deep enough; false when its block left the chain meanwhile. */
  private async confirmed(receipt: TransactionReceipt): Promise<boolean> {
    for (;;) {
      const again = await this.receipt(receipt.transactionHash)
      if (again === undefined || again.blockHash !== receipt.blockHash) return false
      const head = await this.modules.client.getBlockNumber({ cacheTime: 0 })
      if (head - receipt.blockNumber >= BigInt(this.opts.l1Confirmations)) return true
      await sleep(this.opts.pollIntervalMs, this.modules.signal)
    }
  }

  /** After a reorg the account's L1 nonce can fall below ours: a tx sent with ours would wait forever. */
  private async checkNonceNotRolledBack(nonce: number): Promise<void> {
    const mined = await this.modules.client.getTransactionCount({ address: this.address, blockTag: 'latest' })
    if (mined < nonce) {
      this.nonce = undefined
      throw new BatcherRewindError(`the L1 account nonce went back to ${mined} (a reorg dropped earlier chunk txs); the batcher's was ${nonce}`)
    }
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

function errorText(error: unknown): string {
  if (error instanceof BaseError) return `${error.shortMessage} ${error.details ?? ''}`.toLowerCase()
  return String(error).toLowerCase()
}

export function feeFields(fees: Fees | undefined): Record<string, string> {
  return fees === undefined ? {} : { maxFeePerGas: fees.maxFeePerGas.toString(), maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString() }
}

function bytesHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`
}

/** Resolves after `ms`, or rejects with the signal's reason when the batcher stops. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

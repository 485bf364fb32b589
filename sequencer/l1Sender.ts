import {
  BaseError,
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

export interface Fees {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
}

/** geth refuses a replacement that does not raise both fee caps by at least this much (in eighths: 12.5%). */
export const FEE_BUMP_EIGHTHS = 1n

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

export function feeFields(fees: Fees | undefined): Record<string, string> {
  return fees === undefined ? {} : { maxFeePerGas: fees.maxFeePerGas.toString(), maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString() }
}

/** Resolves after `ms`, or rejects with the signal's reason when the owner stops. */
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

/** One L1 tx at one nonce, through its replacements: every hash signed so far and the last fees. */
export interface NonceSlot {
  nonce: number
  txHashes: Hex[]
  fees?: Fees
}

/** What to send: a call to `to`, with its gas estimated afresh for every replacement. */
export interface L1Call {
  to: Address
  data: Hex
  value?: bigint
  estimateGas(): Promise<bigint>
  /** fields for the logs of this tx */
  describe: Record<string, unknown>
}

export interface L1SenderModules {
  client: PublicClient<Transport, Chain | undefined>
  account: LocalAccount
  log: Logger
  signal: AbortSignal
  /** the owner's error for "L1 disagrees with us: read it again" (a nonce taken or rolled back) */
  rewindError(message: string, options?: ErrorOptions): Error
}

type WaitOutcome = { kind: 'mined'; receipt: TransactionReceipt } | { kind: 'dropped' } | { kind: 'stuck' }

/**
 * The part of posting to L1 that the batcher and the proposer share: sign an EIP-1559 tx at a
 * given nonce, send it, and while it is dropped from the pool or stuck past `resubmitAfterMs`,
 * replace it (same nonce, fees bumped) until one version is mined. Each signed version is handed
 * to `onSigned` before it is sent, so a restart knows every hash that may land.
 */
export class L1Sender {
  private l1ChainId: number

  constructor(
    private readonly opts: { l1ChainId: number; pollIntervalMs: number; resubmitAfterMs: number },
    private readonly modules: L1SenderModules,
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

  /**
   * The first receipt of `call` at `slot.nonce` (reverted or not). `send: false` first waits for
   * the versions already in `slot` (a tx adopted after a restart). `slot` is updated in place.
   */
  async sendUntilMined(call: L1Call, slot: NonceSlot, opts: { send: boolean; onSigned(nonce: number, txHashes: Hex[]): Promise<void> }): Promise<TransactionReceipt> {
    const { client, account, log } = this.modules
    let sentAt = Date.now()
    let needsSend = opts.send
    for (;;) {
      if (needsSend) {
        const gas = await call.estimateGas()
        const current = await client.estimateFeesPerGas()
        slot.fees = slot.fees === undefined ? current : bumpFees(slot.fees, current)
        const raw = await account.signTransaction({ type: 'eip1559', chainId: this.l1ChainId, to: call.to, data: call.data, value: call.value, nonce: slot.nonce, gas, ...slot.fees })
        slot.txHashes.push(keccak256(raw))
        await opts.onSigned(slot.nonce, [...slot.txHashes])
        if ((await this.sendRaw(raw, slot)) === 'underpriced') continue
        sentAt = Date.now()
        if (slot.txHashes.length > 1) log.info({ ...call.describe, nonce: slot.nonce, txHash: slot.txHashes.at(-1), ...feeFields(slot.fees) }, 're-sent L1 tx with bumped fees')
      }
      needsSend = true
      const outcome = await this.waitForOutcome(slot.txHashes, sentAt)
      if (outcome.kind === 'mined') return outcome.receipt
      log.warn({ ...call.describe, nonce: slot.nonce, txHashes: slot.txHashes, waitedMs: Date.now() - sentAt }, `L1 tx ${outcome.kind === 'dropped' ? 'dropped from' : 'stuck in'} the pool`)
      await this.checkNonceNotRolledBack(slot.nonce)
    }
  }

  /** After an L1 reorg the account's nonce can fall below ours: a tx sent with ours would wait forever. */
  async checkNonceNotRolledBack(nonce: number): Promise<void> {
    const mined = await this.modules.client.getTransactionCount({ address: this.address, blockTag: 'latest' })
    if (mined < nonce) throw this.modules.rewindError(`the L1 account nonce of ${this.address} went back to ${mined} (an L1 reorg dropped earlier txs); ours was ${nonce}`)
  }

  async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.modules.client.getTransactionReceipt({ hash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  }

  /** 'sent', or 'underpriced' when the pool wants a larger bump for the replacement. */
  private async sendRaw(raw: Hex, slot: NonceSlot): Promise<'sent' | 'underpriced'> {
    try {
      await this.modules.client.sendRawTransaction({ serializedTransaction: raw })
      return 'sent'
    } catch (error) {
      const message = errorText(error)
      if (message.includes('already known')) return 'sent'
      if (message.includes('underpriced')) return 'underpriced'
      if (message.includes('nonce too low')) {
        // mined meanwhile (one of ours), or the nonce went to another tx from this key
        for (const hash of slot.txHashes) if ((await this.receipt(hash)) !== undefined) return 'sent'
        throw this.modules.rewindError(`L1 nonce ${slot.nonce} of ${this.address} is already used by a tx we did not send`, { cause: error })
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

/**
 * The operator's bet engine txs, for the operator API (issue 5, docs/operator-api.md): each call is
 * signed with the operator key the node holds and sent through the sequencer's own tx path
 * (checked, executed, preconfirmed), like the settlement service's. Sends run one at a time: a
 * concurrent call waits for the one before to be preconfirmed, so two calls never share a nonce,
 * and a tx the sequencer refuses gives its nonce to the next.
 */
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import type { Logger } from 'pino'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { L2Chain } from '../../node/chain/chain.ts'
import type { ExecutedTx } from '../../node/chain/types.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { TxRejectedError } from '../errors.ts'
import type { SubmitResult } from '../sequencer.ts'

export interface OperatorSenderOptions {
  /** the bet engine operator's L2 key (fees are zero: it needs no balance to send) */
  privateKey: Hex
}

export interface OperatorSenderModules {
  chain: L2Chain
  submitRawTx: (raw: Uint8Array) => Promise<SubmitResult>
  /** an account's nonce in the live state, read in order with execution (Sequencer#readPending) */
  nonceOf: (address: Uint8Array) => Promise<bigint>
  logger: Logger
}

/** The sequencer held the operator's tx for a nonce gap instead of running it: the key is used elsewhere too. */
export class OperatorTxNotExecutedError extends Error {
  override readonly name = 'OperatorTxNotExecutedError'
}

export class OperatorSender {
  readonly address: Hex
  private readonly key: Uint8Array
  private readonly log: Logger
  /** the next nonce, while known; undefined after a refusal, read again from the live state */
  private nonce: bigint | undefined
  private tail: Promise<unknown> = Promise.resolve()

  constructor(
    opts: OperatorSenderOptions,
    private readonly modules: OperatorSenderModules,
  ) {
    this.key = hexToBytes(opts.privateKey)
    this.address = privateKeyToAccount(opts.privateKey).address
    this.log = modules.logger.child({ module: 'operator' })
  }

  /** Signs `data` for the bet engine and submits it after every earlier send; resolves with the preconfirmed tx (status 0 if it reverted). */
  send(data: Hex): Promise<ExecutedTx> {
    const sent = this.tail.then(() => this.sendNow(data, true))
    this.tail = sent.catch(() => undefined)
    return sent
  }

  private async sendNow(data: Hex, mayRetry: boolean): Promise<ExecutedTx> {
    this.nonce ??= await this.modules.nonceOf(hexToBytes(this.address))
    const { chain } = this.modules
    const tx = createFeeMarket1559Tx(
      { chainId: chain.txCommon.chainId(), nonce: this.nonce, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasLimit: TX_GAS_LIMIT, to: BET_ENGINE_ADDRESS, value: 0n, data: hexToBytes(data) },
      { common: chain.txCommon },
    ).sign(this.key)
    let result: SubmitResult
    try {
      result = await this.modules.submitRawTx(tx.serialize())
    } catch (e) {
      this.nonce = undefined
      // someone else sent from the operator key (a wallet, the devnet's demo markets): once more at the live nonce
      if (mayRetry && e instanceof TxRejectedError && e.reason === 'nonceTooLow') {
        this.log.warn({ err: e.message }, 'operator nonce was used elsewhere: sending again at the live nonce')
        return this.sendNow(data, false)
      }
      throw e
    }
    if (result.status !== 'preconfirmed') {
      this.nonce = undefined
      throw new OperatorTxNotExecutedError('the operator tx waits for a nonce gap: is the operator key used by another sender?')
    }
    this.nonce++
    return result.executed
  }
}

import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import type { L2Chain } from '../../chain/chain.ts'
import type { ChainEvents } from '../../chain/events.ts'
import type { ExecutedTx, TxOutcome } from '../../chain/types.ts'
import type { Sequencer } from '../../../sequencer/sequencer.ts'
import { invalidParams } from '../errors.ts'
import type { TxPlace } from './format.ts'
import type { BlockRef } from './schemas.ts'

export interface RpcBackendModules {
  chain: L2Chain
  events: ChainEvents
  /** absent on a replica, which serves sealed state only */
  sequencer?: Sequencer
  /** a replica's forwarding of eth_sendRawTransaction to the sequencer: resolves to the result, throws an RpcError */
  forwardRawTx?: (raw: string) => Promise<unknown>
}

export interface FoundTx {
  tx: TypedTransaction
  outcome: TxOutcome
  place: TxPlace
}

/** What the eth_* methods read: sealed blocks from the store, preconfirmed txs and state from the sequencer. */
export class RpcBackend {
  private current: L2Chain
  readonly events: ChainEvents
  readonly sequencer: Sequencer | undefined
  /** a replica forwards raw txs here (eth_sendRawTransaction); absent, a node without a sequencer refuses them */
  readonly forwardRawTx: ((raw: string) => Promise<unknown>) | undefined

  constructor(modules: RpcBackendModules) {
    this.current = modules.chain
    this.events = modules.events
    this.sequencer = modules.sequencer
    this.forwardRawTx = modules.forwardRawTx
  }

  /** The chain served now: a replica's rewind replaces it, so read it on every call, never keep it. */
  get chain(): L2Chain {
    return this.current
  }

  /** Serve `chain` from now on (a replica's onChainReplaced). */
  setChain(chain: L2Chain): void {
    this.current = chain
  }

  /** A sealed block; 'pending' resolves to the head (the open block has no header yet). */
  async resolveBlock(ref: BlockRef): Promise<Block | undefined> {
    if ('hash' in ref) return this.chain.store.getBlockByHash(hexToBytes(ref.hash))
    if ('number' in ref) {
      if (ref.number > this.chain.head.header.number) return undefined
      return this.chain.store.getBlockByNumber(ref.number)
    }
    if (ref.tag === 'earliest') return this.chain.store.getBlockByNumber(0n)
    return this.chain.head
  }

  async requireBlock(ref: BlockRef): Promise<Block> {
    const block = await this.resolveBlock(ref)
    if (block === undefined) throw invalidParams('header not found')
    return block
  }

  /** 'pending' and 'latest' read the preconfirmed state when this node sequences. */
  isLiveRef(ref: BlockRef): boolean {
    return this.sequencer !== undefined && 'tag' in ref && (ref.tag === 'pending' || ref.tag === 'latest')
  }

  async findTx(hashHex: string): Promise<FoundTx | undefined> {
    const preconfirmed = this.sequencer?.findPreconfirmed(hashHex)
    if (preconfirmed !== undefined) {
      const { executed } = preconfirmed
      return { tx: executed.tx, outcome: executed, place: placeOf(executed) }
    }
    const location = await this.chain.store.getTxLocation(hexToBytes(hashHex as `0x${string}`))
    if (location === undefined) return undefined
    const block = await this.chain.store.getBlockByNumber(location.blockNumber)
    if (block === undefined) return undefined
    const outcomes = await this.chain.store.getOutcomes(block.hash())
    if (outcomes === undefined) return undefined
    let logsBefore = 0
    for (let i = 0; i < location.index; i++) logsBefore += outcomes[i].logs.length
    return {
      tx: block.transactions[location.index],
      outcome: outcomes[location.index],
      place: { blockHash: block.hash(), blockNumber: location.blockNumber, index: location.index, logsBefore },
    }
  }

}

export function placeOf(executed: ExecutedTx): TxPlace {
  return { blockHash: executed.blockHash, blockNumber: executed.blockNumber, index: executed.index, logsBefore: executed.logsBefore }
}

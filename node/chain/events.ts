import { EventEmitter } from 'node:events'
import type { ExecutedTx, SealedBlock } from './types.ts'

interface ChainEventMap {
  /** txs executed and durable, in order, before their block is sealed */
  preconfirmed: [txs: ExecutedTx[]]
  /** a block sealed and written */
  sealed: [block: SealedBlock]
}

/** What the chain announces to the API's subscriptions (and to anything else that listens). */
export class ChainEvents extends EventEmitter<ChainEventMap> {
  constructor() {
    super()
    this.setMaxListeners(0)
  }
}

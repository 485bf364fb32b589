import { ReceiptTracker } from './tracker.ts'
import { WsRpc } from './wsRpc.ts'

/**
 * A chain without a preconfirmation channel (anvil): a tx counts as arrived when the newHeads
 * notification of the block holding it comes in; eth_getBlockByNumber(n, false) tells which txs
 * that block holds. Blocks the subscription skipped are fetched too, stamped with the later head.
 */
export class BlockTracker extends ReceiptTracker {
  private lastNumber: bigint | undefined
  private chain: Promise<void> = Promise.resolve()

  private constructor(private readonly ws: WsRpc) {
    super()
  }

  static async open(wsUrl: string): Promise<BlockTracker> {
    const ws = await WsRpc.connect(wsUrl)
    const tracker = new BlockTracker(ws)
    tracker.lastNumber = BigInt(await ws.call<string>('eth_blockNumber'))
    await ws.subscribe('eth_subscribe', ['newHeads'], (result, at) => {
      const number = BigInt((result as { number: string }).number)
      // in order, one head at a time, so a skipped block is never missed
      tracker.chain = tracker.chain.then(() => tracker.onHead(number, at)).catch((e) => console.error(`block tracker: ${(e as Error).message}`))
    })
    return tracker
  }

  private async onHead(number: bigint, at: number): Promise<void> {
    const from = this.lastNumber === undefined ? number : this.lastNumber + 1n
    if (this.lastNumber === undefined || number > this.lastNumber) this.lastNumber = number
    for (let n = from; n <= number; n++) {
      const block = await this.ws.call<{ transactions: string[] } | null>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])
      for (const hash of block?.transactions ?? []) this.arrived(hash, at)
    }
  }

  close(): void {
    this.ws.close()
  }
}

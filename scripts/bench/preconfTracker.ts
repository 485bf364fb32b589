import { ReceiptTracker } from './tracker.ts'
import { WsRpc } from './wsRpc.ts'

/** Rollbook: each executed tx's receipt arrives on the `preconfirmations` channel. */
export class PreconfTracker extends ReceiptTracker {
  private constructor(private readonly ws: WsRpc) {
    super()
  }

  static async open(wsUrl: string): Promise<PreconfTracker> {
    const ws = await WsRpc.connect(wsUrl)
    const tracker = new PreconfTracker(ws)
    await ws.subscribe('rollbook_subscribe', ['preconfirmations'], (result, at) => {
      const receipt = result as { transactionHash: string; status?: string }
      tracker.arrived(receipt.transactionHash, at, receipt.status !== '0x0')
    })
    return tracker
  }

  close(): void {
    this.ws.close()
  }
}

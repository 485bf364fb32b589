export interface SequencerOptions {
  /** a block is sealed this often (ms), if it holds any tx */
  blockTimeMs: number
  /** how far ahead of the account nonce a tx may be held waiting for the gap to fill */
  maxNonceGap: number
  /** txs held for nonce gaps, over all senders */
  maxQueuedTxs: number
  /** raw tx size limit in bytes */
  maxTxBytes: number
}

export const defaultSequencerOptions: SequencerOptions = {
  blockTimeMs: 250,
  maxNonceGap: 16,
  maxQueuedTxs: 10_000,
  maxTxBytes: 32 * 1024,
}

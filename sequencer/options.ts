export interface SequencerOptions {
  /** a block is sealed this often (ms), if it holds any tx */
  blockTimeMs: number
  /** how far ahead of the account nonce a tx may be held waiting for the gap to fill */
  maxNonceGap: number
  /** txs held for nonce gaps, over all senders */
  maxQueuedTxs: number
  /** raw tx size limit in bytes */
  maxTxBytes: number
  /** seal as soon as the open block holds this many txs (short blocks keep each seal's pause short); 0: only the protocol's block limit */
  sealAtTxs: number
}

export const defaultSequencerOptions: SequencerOptions = {
  blockTimeMs: 250,
  maxNonceGap: 16,
  maxQueuedTxs: 10_000,
  maxTxBytes: 32 * 1024,
  sealAtTxs: 0,
}

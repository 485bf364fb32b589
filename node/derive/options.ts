export interface DerivationOptions {
  /** how often the replica asks L1 for new blocks (ms) */
  pollMs: number
  /** L1 blocks a block must be buried under before it is derived (0 on devnet) */
  l1Confirmations: number
  /** raw tx size limit in bytes: the sequencer's default, so both accept the same txs */
  maxTxBytes: number
  /** L1 blocks of progress checkpoints kept: the deepest L1 reorg the replica follows */
  checkpointRetention: number
}

export const defaultDerivationOptions: DerivationOptions = {
  pollMs: 1000,
  l1Confirmations: 0,
  maxTxBytes: 32 * 1024,
  checkpointRetention: 10_000,
}

/** First byte of every chunk: the batch format version this code reads and writes. */
export const BATCH_FORMAT_VERSION = 0x01

/**
 * A chunk's largest size, header included. A fraud proof carries a whole chunk as calldata
 * (docs/decisions/0006, "Chunk size"): at 24 KB that is near 0.4M gas of the proof, where 120 KB
 * would be 1.9M, past a step's whole budget.
 */
export const DEFAULT_MAX_CHUNK_BYTES = 24_000

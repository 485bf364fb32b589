/** First byte of every chunk: the batch format version this code reads and writes. */
export const BATCH_FORMAT_VERSION = 0x01

/** A chunk, header included, fits one L1 call's calldata comfortably at this size. */
export const DEFAULT_MAX_CHUNK_BYTES = 120_000

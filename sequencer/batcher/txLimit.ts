import { DEFAULT_MAX_CHUNK_BYTES } from '../../sdk/src/batch/index.ts'

/** A chunk's version byte, and a generic record's type byte and length varint (at most 5 bytes). */
export const CHUNK_AND_RECORD_OVERHEAD = 1 + 1 + 5

/**
 * The largest raw tx a sequencer that posts with `maxChunkBytes` may accept: a record must fit one
 * chunk (docs/batch-format.md), so a larger tx could be preconfirmed but never posted, and the
 * batcher would stall on it. The sequencer refuses it up front instead ("oversized data").
 */
export function maxTxBytesForChunks(maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES, sequencerLimit = 32 * 1024): number {
  return Math.min(sequencerLimit, maxChunkBytes - CHUNK_AND_RECORD_OVERHEAD)
}

/** First byte of every chunk: the batch format version this code reads and writes. */
export const BATCH_FORMAT_VERSION = 0x01

/**
 * A chunk's largest size, header included. A fraud proof carries a whole chunk as calldata
 * (docs/decisions/0006, "Chunk size", measured by `BENCH_ONLY=fraud,l1cost npm run bench`): a bet
 * late in a full 12 KB chunk is proven for ~1.14M gas, in a full 24 KB chunk for ~1.43M (priced by
 * the EIP-7623 calldata floor, within ~0.07M of the 1.5M goal: no room for a deeper state), while
 * posting in 12 KB chunks costs ~2% more L1 gas per bet (~3,075 against ~3,011).
 */
export const DEFAULT_MAX_CHUNK_BYTES = 12_000

export { BATCH_FORMAT_VERSION, DEFAULT_MAX_CHUNK_BYTES } from './options.ts'
export {
  InvalidBatchRecordError,
  RecordTooLargeError,
  UnbatchableTransactionError,
  type InvalidBatchRecordErrorType,
  type RecordTooLargeErrorType,
  type UnbatchableTransactionErrorType,
} from './errors.ts'
export {
  RecordTag,
  type BatchRecord,
  type BlockStartRecord,
  type CompactBetRecord,
  type DepositRecord,
  type SignedTxRecord,
  type TxRecord,
} from './records.ts'
export { encodeChunk, splitIntoChunks, type SplitIntoChunksOptions } from './encode.ts'
export {
  decodeChunk,
  type ChunkEnd,
  type DecodeChunkOptions,
  type DecodedRecord,
  type DecodeResult,
  type SkippedRecord,
  type SkipReason,
} from './decode.ts'
export { checkSignedTx, rebuildTx, recordFromTx, recordsFromTxs, txFromRecord, type BatchTxOptions, type CheckSignedTxResult } from './txs.ts'

/**
 * MSRP (RFC 4975) for msrp-bot: URIs, the frame codec, chunking and reassembly, and — built on
 * them — connections and sessions.
 */

// URIs (RFC 4975 §6, RFC 7977)
export { DEFAULT_MSRP_PORT, effectivePort, formatMsrpPath, formatMsrpUri, msrpUrisEqual, parseMsrpPath, parseMsrpUri } from './uri.ts'
export type { MsrpUri } from './uri.ts'

// Frame model and codec (RFC 4975 §7, §9; RFC 4976; RFC 7701)
export { MSRP_REASONS } from './message.ts'
export type {
  ByteRange,
  ContinuationFlag,
  ExtensionHeader,
  FailureReport,
  MsrpFrame,
  MsrpHeaderName,
  MsrpHeaders,
  MsrpMethod,
  MsrpRequest,
  MsrpResponse,
  MsrpStatus,
  SuccessReport,
} from './message.ts'
export { MsrpParser, parseFrame } from './parser.ts'
export type { MsrpParserOptions } from './parser.ts'
export {
  MsrpSerializeError,
  bodyContainsEndLine,
  generateTransactionId,
  serializeFrame,
  serializeFrameParts,
  transactionIdFor,
} from './serializer.ts'

// Chunking and reassembly (RFC 4975 §5.1, §7.1)
export { DEFAULT_CHUNK_SIZE, abortChunk, chunkMessage } from './chunker.ts'
export type { ChunkOptions, MessageChunk } from './chunker.ts'
export { Reassembler } from './reassembler.ts'
export type { ByteInterval, IncomingChunk, ReassemblerOptions, ReassemblyResult } from './reassembler.ts'

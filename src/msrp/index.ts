/**
 * MSRP (RFC 4975) for msrp-bot: sessions and connections over TCP, TLS, WebSocket (RFC 7977)
 * or memory; relays (RFC 4976); nicknames (RFC 7701); and underneath, the frame codec, URIs,
 * chunking and reassembly.
 */

// ---- Common: sessions, listeners, connections --------------------------------------------
export { MsrpSession, generateSessionId, localMsrpUri } from './session.ts'
export type { IncomingMsrpMessage, MsrpDecider, MsrpSessionEvents, MsrpSessionOptions, MsrpVerdict, OutgoingMessage, SendResult, SessionState } from './session.ts'
export { MsrpListener } from './listener.ts'
export type { MsrpListenOptions, MsrpListenerEvents, PassiveSession } from './listener.ts'
export { MsrpConnection, DEFAULT_TRANSACTION_TIMEOUT_MS } from './connection.ts'
export type {
  ConnectionRole,
  ConnectionState,
  MsrpConnectionEvents,
  MsrpConnectionOptions,
  MsrpRequestHandler,
  OutgoingRequest,
  PreparedRequest,
  SessionResolver,
} from './connection.ts'
export { MsrpClosedError, MsrpRequestError, MsrpTimeoutError } from './errors.ts'

// ---- File transfer (RFC 5547): one file per session, streamed ------------------------------
export { MsrpFileSession } from './file-session.ts'
export type { FileProgress, MsrpFileSessionEvents, MsrpFileSessionOptions, OutgoingFile, SentFile } from './file-session.ts'
export { FileReceiver, FileTransferError } from './file-receiver.ts'
export type { FileReceiverOptions, ReceivedFile } from './file-receiver.ts'
export { BufferSink, bufferSource } from './file-io.ts'
export type { FileSink, FileSource } from './file-io.ts'
export { DiskFileSink, diskFileSource, hashDiskFile } from './node-file-io.ts'
export { Sha1 } from './sha1.ts'

// ---- Dialing: injected where the stack is created ------------------------------------------
export type { MsrpDial } from './dial.ts'
export { connectMsrp, connectMsrpUri, connectMsrpWebSocket, dialMsrp } from './node-dial.ts'
export { openMsrpWebSocket, standardWebSocketTransport, webSocketDial } from './web-socket.ts'
export type { StandardWebSocket, WebSocketConstructor } from './web-socket.ts'

// ---- Relays (RFC 4976) ---------------------------------------------------------------------
export { authenticateRelay, openRelaySession } from './relay-client.ts'
export type { RelayAuthOptions, RelayAuthResult } from './relay-client.ts'
export { digestAuthorization, parseDigestChallenge } from './digest.ts'
export type { DigestChallenge, DigestInput } from './digest.ts'

// ---- Transports and time -------------------------------------------------------------------
export { streamTransport, webSocketTransport } from './transport.ts'
export type { MsrpTransport, TransportAddress, TransportListeners } from './transport.ts'
export { MemoryNetwork, MemoryStream, createMemoryPair } from './memory-stream.ts'
export type { MemoryAddress, MemoryPairOptions } from './memory-stream.ts'
export { systemClock, FakeClock } from '../clock.ts'
export type { Clock, TimerHandle } from '../clock.ts'

// ---- URIs (RFC 4975 §6, RFC 7977) ------------------------------------------------------------
export { DEFAULT_MSRP_PORT, effectivePort, formatMsrpPath, formatMsrpUri, msrpUrisEqual, parseMsrpPath, parseMsrpUri } from './uri.ts'
export type { MsrpUri } from './uri.ts'

// ---- Advanced: the frame codec (RFC 4975 §7, §9), chunking and reassembly (§5.1) ----------------
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
export { DEFAULT_CHUNK_SIZE, abortChunk, chunkMessage } from './chunker.ts'
export type { ChunkOptions, MessageChunk } from './chunker.ts'
export { Reassembler } from './reassembler.ts'
export type { ByteInterval, IncomingChunk, ReassemblerOptions, ReassemblyResult } from './reassembler.ts'

// One SEND serialized once for a fan-out (MsrpSession.sendShared, a chat-room focus).
export { SharedSend } from './shared-send.ts'
export type { CopyCallback, CopyOutcome, SharedSendInit } from './shared-send.ts'

/**
 * Files sent to and by the bot outside rooms (RFC 5547): a push is an INVITE to the peer's own
 * address whose MSRP media line says `a=sendonly` and carries `a=file-selector`; the file then
 * travels on its own MSRP session ({@link MsrpFileSession}) and the SIP session ends with it.
 *
 * Receiving: the offer is handed up as an {@link IncomingFile}; nothing is accepted until the
 * bot calls `receive()` (answer `a=recvonly`, `a=setup:passive`: the offerer connects, RFC 4975
 * §8), or `decline()` (603). Sending: INVITE with `a=setup:active` (we connect), stream the file,
 * wait for the success REPORT covering it, BYE.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'
import { BufferSink, type FileSink } from '../msrp/file-io.ts'
import { MsrpFileSession } from '../msrp/file-session.ts'
import { generateSessionId } from '../msrp/session.ts'
import type { Sha1 } from '../msrp/sha1.ts'
import { formatMsrpUri, parseMsrpUri, type MsrpUri } from '../msrp/uri.ts'
import { createAnswer, createOffer, parseMsrpSdp } from '../sdp/index.ts'
import type { MsrpMedia } from '../sdp/types.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import { Inviter } from '../sip/ua/inviter.ts'
import type { Session } from '../sip/ua/session.ts'
import { SendError } from './backend-errors.ts'
import type { DirectHost } from './direct-session.ts'
import type { FileInfo, FileReceipt, IncomingFile, OutgoingFileContent, ReceivedFileInfo, SendFileOptions } from './file-contract.ts'

/** Default cap of a file the bot takes when `receive` names none. */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024

/** True when an INVITE offers a file to us (RFC 5547 push: file-selector and sendonly). */
export function offersFile(remoteSdp: string): boolean {
  try {
    const media = parseMsrpSdp(remoteSdp).media.find((m) => m.port !== 0)
    return media?.file !== undefined && media.direction === 'sendonly'
  } catch {
    return false
  }
}

function localUriFor(host: string, port: number): MsrpUri {
  const authority = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return parseMsrpUri(`msrp://${authority}:${port}/${generateSessionId()};tcp`)
}

/** A file offered by `peer` in `invitation`; see {@link IncomingFile}. */
export class DirectFileOffer implements IncomingFile {
  readonly info: FileInfo
  readonly #host: DirectHost
  readonly #invitation: Invitation
  readonly #media: MsrpMedia
  #answered = false

  constructor(host: DirectHost, invitation: Invitation, media: MsrpMedia) {
    this.#host = host
    this.#invitation = invitation
    this.#media = media
    const selector = media.file!.selector
    this.info = {
      name: selector.name ?? 'file',
      type: selector.type ?? 'application/octet-stream',
      size: selector.size ?? 0,
      sha1: selector.hash?.algorithm === 'sha-1' ? selector.hash.value : undefined,
    }
  }

  get answered(): boolean {
    return this.#answered
  }

  decline(): void {
    if (this.#answered) return
    this.#answered = true
    if (this.#invitation.state !== 'received' && this.#invitation.state !== 'ringing') return
    // Without an MSRP listener (the browser page) no file can ever be taken here: 488 lets a
    // forking proxy keep the user's other devices ringing, where a 6xx would cancel them all
    // (RFC 3261 §16.7, §21.4.26).
    if (this.#host.acceptor === undefined) this.#invitation.reject(488, 'Not Acceptable Here - this endpoint does not take files')
    else this.#invitation.reject(603, 'Decline - the bot did not take the file')
  }

  async receive(sink: FileSink, options: { maxBytes?: number } = {}): Promise<ReceivedFileInfo> {
    if (this.#answered) throw new MsrpBotError('FILE_ALREADY_ANSWERED', 'this file was already received or declined; receive() works once per offer')
    this.#answered = true
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
    if (this.info.size > maxBytes) {
      this.#invitation.reject(413, `Request Entity Too Large - at most ${maxBytes} bytes`)
      throw new MsrpBotError('FILE_TOO_LARGE', `${this.info.name} has ${this.info.size} bytes, over the ${maxBytes}-byte cap of this download; raise maxBytes`)
    }
    if (this.#media.setup === 'passive' || this.#host.acceptor === undefined) {
      this.#invitation.reject(488, 'Not Acceptable Here - offer a=setup:actpass or active for files')
      throw new MsrpBotError('FILE_BAD_OFFER', 'the file offer wants us to connect out; this endpoint takes files only as the passive side (RFC 6135)')
    }
    const acceptor = await this.#host.acceptor()
    const localUri = localUriFor(acceptor.host, acceptor.port)
    const answer = createAnswer(this.#invitation.remoteSdp, { path: [formatMsrpUri(localUri)], acceptTypes: ['*'], setup: 'passive', file: { selector: this.#media.file!.selector, ...(this.#media.file!.transferId === undefined ? {} : { transferId: this.#media.file!.transferId }) } })
    if (!answer.ok) {
      this.#invitation.reject(488, 'Not Acceptable Here')
      throw answer.error
    }
    const session = new MsrpFileSession({ localUri, remotePath: answer.remote.path.map((p) => parseMsrpUri(p)), ...(this.#host.msrpTimeoutMs === undefined ? {} : { transactionTimeoutMs: this.#host.msrpTimeoutMs }) })
    const receiver = session.receiveFile({ sink, size: this.info.size, ...(this.info.sha1 === undefined ? {} : { sha1: this.info.sha1 }), maxBytes })
    const unregister = acceptor.register(session)
    let sip: Session | undefined
    try {
      sip = await this.#invitation.accept(answer.sdp)
      sip.on('terminated', () => void session.close())
      const file = await receiver.done
      return { size: file.size, sha1: file.sha1 }
    } finally {
      unregister()
      await session.close()
      // RFC 5547 §8.4: the transfer is over; either side may end the SIP session.
      if (sip !== undefined && sip.state !== 'terminated' && sip.state !== 'terminating') await sip.bye().catch(() => undefined)
    }
  }

  /** Reads the whole file into memory (at most `maxBytes`). */
  async bytes(maxBytes: number): Promise<Uint8Array> {
    const sink = new BufferSink(maxBytes)
    await this.receive(sink, { maxBytes })
    return sink.bytes()
  }
}

/**
 * Pushes a file to `peer` (RFC 5547 §8.2): INVITE `a=sendonly` with the file-selector, connect
 * and bind, stream, wait for the success REPORT that covers the file, BYE.
 */
export async function pushFile(host: DirectHost, peer: string, file: OutgoingFileContent, options: SendFileOptions = {}): Promise<FileReceipt> {
  const localUri = localUriFor(host.ua.localAddress.address, 9) // active side: we take no connections (RFC 6135 §4.2)
  const offer = createOffer({
    path: [formatMsrpUri(localUri)],
    setup: 'active',
    acceptTypes: ['*'],
    direction: 'sendonly',
    file: { selector: { name: file.name, type: file.type, size: file.size, hash: { algorithm: 'sha-1', value: file.sha1 } }, transferId: generateSessionId(), disposition: 'attachment' },
  })
  let sip: Session
  try {
    sip = await new Inviter(host.ua, peer, { sdp: offer }).invite()
  } catch (error) {
    const status = (error as { status?: number }).status
    throw new SendError('rejected', `${peer} did not take ${file.name}${status === undefined ? `: ${(error as Error).message}` : ` (${status})`}`, { ...(status === undefined ? {} : { statusCode: status }), cause: error })
  }
  let session: MsrpFileSession | undefined
  try {
    const remote = parseMsrpSdp(sip.remoteSdp).media.find((m) => m.port !== 0)
    if (remote === undefined || remote.direction !== 'recvonly') throw new SendError('rejected', `${peer} answered the file offer without an a=recvonly MSRP line (RFC 5547 §8.2)`)
    const remotePath = remote.path.map((p) => parseMsrpUri(p))
    const connection = await host.dialer(remotePath[0]!, { transactionTimeoutMs: host.msrpTimeoutMs })
    session = await MsrpFileSession.connect({ localUri, remotePath, connection, ...(host.msrpTimeoutMs === undefined ? {} : { transactionTimeoutMs: host.msrpTimeoutMs }) })
    const ended = new Promise<never>((_resolve, reject) => sip.on('terminated', () => reject(new SendError('disconnected', `${peer} hung up before the whole of ${file.name} arrived`))))
    ended.catch(() => undefined)
    const sent = await Promise.race([session.sendFile({ source: file.source, size: file.size, contentType: file.type, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) }), ended])
    return { messageId: sent.messageId, bytes: sent.bytes }
  } catch (error) {
    if (error instanceof SendError) throw error
    const status = (error as { status?: number }).status
    if (status !== undefined && status !== 408) throw new SendError('rejected', `${peer} refused ${file.name} (MSRP ${status}): ${(error as Error).message}`, { statusCode: status, cause: error })
    throw new SendError(status === 408 ? 'timeout' : 'disconnected', `${file.name} to ${peer} was not confirmed: ${(error as Error).message}`, { cause: error })
  } finally {
    const connection = session?.connection
    await session?.close()
    connection?.close()
    if (sip.state !== 'terminated' && sip.state !== 'terminating') await sip.bye().catch(() => undefined)
  }
}

/**
 * Pulls a file from `target` (RFC 5547 §8.3, e.g. a chat room that stores it): INVITE
 * `a=recvonly` naming the file by its SHA-1, connect, stream it into `sink`, check the hash, BYE.
 * `startAt` (1-based) resumes a download whose first bytes the sink already holds
 * (`a=file-range`, RFC 5547 §8.6); pass `hash` fed those bytes to check the whole file.
 */
export async function pullFile(
  host: DirectHost,
  target: string,
  sha1: string,
  sink: FileSink,
  options: { maxBytes?: number; startAt?: number; hash?: Sha1 } = {},
): Promise<ReceivedFileInfo & { name: string; type: string }> {
  const localUri = localUriFor(host.ua.localAddress.address, 9)
  const startAt = options.startAt ?? 1
  const offer = createOffer({
    path: [formatMsrpUri(localUri)],
    setup: 'active',
    acceptTypes: ['*'],
    direction: 'recvonly',
    file: { selector: { hash: { algorithm: 'sha-1', value: sha1 } }, transferId: generateSessionId(), ...(startAt > 1 ? { range: { start: startAt, stop: '*' as const } } : {}) },
  })
  let sip: Session
  try {
    sip = await new Inviter(host.ua, target, { sdp: offer }).invite()
  } catch (error) {
    const status = (error as { status?: number }).status
    throw Object.assign(new MsrpBotError('FILE_NOT_AVAILABLE', `${target} did not give the file ${sha1}${status === undefined ? `: ${(error as Error).message}` : ` (${status})`}`, { cause: error }), { statusCode: status })
  }
  let session: MsrpFileSession | undefined
  try {
    const remote = parseMsrpSdp(sip.remoteSdp).media.find((m) => m.port !== 0)
    const selector = remote?.file?.selector
    if (remote === undefined || remote.direction !== 'sendonly' || selector?.size === undefined) throw new MsrpBotError('FILE_NOT_AVAILABLE', `${target} answered the pull without an a=sendonly line and file size (RFC 5547 §8.3)`)
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES
    if (selector.size > maxBytes) throw new MsrpBotError('FILE_TOO_LARGE', `the file has ${selector.size} bytes, over the ${maxBytes}-byte cap of this download`)
    const remotePath = remote.path.map((p) => parseMsrpUri(p))
    const connection = await host.dialer(remotePath[0]!, { transactionTimeoutMs: host.msrpTimeoutMs })
    session = new MsrpFileSession({ localUri, remotePath, ...(host.msrpTimeoutMs === undefined ? {} : { transactionTimeoutMs: host.msrpTimeoutMs }) })
    const receiver = session.receiveFile({ sink, size: selector.size, sha1, maxBytes, ...(startAt > 1 ? { resumeFrom: startAt - 1 } : {}), ...(options.hash === undefined ? {} : { hash: options.hash }) })
    session.bind(connection)
    await session.sendBinding()
    sip.on('terminated', () => void session?.close())
    const file = await receiver.done
    return { size: file.size, sha1: file.sha1, name: selector.name ?? 'file', type: selector.type ?? 'application/octet-stream' }
  } finally {
    const connection = session?.connection
    await session?.close()
    connection?.close()
    if (sip.state !== 'terminated' && sip.state !== 'terminating') await sip.bye().catch(() => undefined)
  }
}

/** A file a room announced (rooms/file-notice.ts): receiving it pulls it from the room by its SHA-1. */
export class RoomFileOffer implements IncomingFile {
  readonly info: FileInfo
  readonly #host: DirectHost
  readonly #room: string
  #answered = false

  constructor(host: DirectHost, room: string, file: { name: string; type: string; size: number; sha1: string }) {
    this.#host = host
    this.#room = room
    this.info = { name: file.name, type: file.type, size: file.size, sha1: file.sha1 }
  }

  get answered(): boolean {
    return this.#answered
  }

  /** Nothing to refuse: the file stays in the room for whoever wants it. */
  decline(): void {
    this.#answered = true
  }

  async receive(sink: FileSink, options: { maxBytes?: number } = {}): Promise<ReceivedFileInfo> {
    this.#answered = true
    const file = await pullFile(this.#host, this.#room, this.info.sha1!, sink, options)
    return { size: file.size, sha1: file.sha1 }
  }
}

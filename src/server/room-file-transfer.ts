/**
 * Files in chat rooms (RFC 5547 on an RFC 7701 room URI): an INVITE to the room whose MSRP line
 * carries `a=file-selector` is a file transfer, not a join. `a=sendonly` pushes a file into the
 * room's store ({@link RoomFileStore}); `a=recvonly` naming a stored file's SHA-1 pulls it
 * (RFC 5547 §8.3). Only participants of the room may do either. The focus answers passive
 * (`a=setup:passive`): the participant connects to its MSRP listener.
 *
 * Refusals: 403 not in the room, 404 no such file, 413 over the file limit or the room's quota
 * (with a Warning that says which), 488 for an offer it cannot answer.
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import type { MsrpBotError } from '../errors.ts'
import { MsrpFileSession } from '../msrp/file-session.ts'
import { DiskFileSink, diskFileSource } from '../msrp/node-file-io.ts'
import { generateSessionId } from '../msrp/session.ts'
import { parseMsrpUri } from '../msrp/uri.ts'
import { createAnswer } from '../sdp/offer-answer.ts'
import { parseMsrpSdp } from '../sdp/parse.ts'
import type { MsrpMedia } from '../sdp/types.ts'
import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import type { UserAgentCore } from '../sip/core/user-agent-core.ts'
import type { Dialog } from '../sip/dialog.ts'
import { mediaType } from '../rooms/content-types.ts'
import type { ServerRoom } from './core/room.ts'
import { BYE_REASONS } from '../rooms/bye-reason.ts'
import { guarded, sendInDialog } from './in-dialog.ts'
import type { MsrpEndpoint } from './msrp-endpoint.ts'
import type { ChatServerLogger } from './options.ts'
import type { RoomFileStore, StoredFile } from './room-files.ts'
import { MAX_FILE_NAME_CHARS, MAX_FILE_TYPE_CHARS } from './room-file-manifest.ts'

/** What the file transfers need from the server. */
export interface RoomFileDeps {
  readonly core: UserAgentCore
  readonly msrp: MsrpEndpoint
  readonly store: RoomFileStore
  readonly log: ChatServerLogger
  readonly clock: Clock
  /** How long a participant has to connect and bind a file session before it is dropped. */
  readonly bindTimeoutMs: number
  /** Transfers at once, in all rooms (default 64); more get 503. */
  readonly maxTransfers?: number
  /** Transfers at once per identity (default 4); more get 486. */
  readonly maxTransfersPerIdentity?: number
  /** The Contact for a dialog of `roomUser`. */
  contactFor(incoming: IncomingRequest, roomUser: string | undefined): string
  /** A file was stored in a room (announce it). */
  stored?(room: ServerRoom, file: StoredFile): void
}

/** The file-transfer MSRP line of an INVITE's offer, or undefined when it is no file transfer. */
export function fileOffer(incoming: IncomingRequest): MsrpMedia | undefined {
  const request = incoming.message
  if (request.body.length === 0 || mediaType(request.headers.get('Content-Type')) !== 'application/sdp') return undefined
  try {
    const media = parseMsrpSdp(request.body.toString('utf8')).media.find((m) => m.port !== 0)
    return media?.file !== undefined ? media : undefined
  } catch {
    return undefined
  }
}

function warning(text: string): [string, string] {
  return ['Warning', `399 - "${text.replace(/"/g, "'")}"`]
}

/** Pushes into and pulls from the rooms' file stores. */
export class RoomFileTransfers {
  readonly #deps: RoomFileDeps
  readonly #sessions = new Set<MsrpFileSession>()
  readonly #perIdentity = new Map<string, number>()

  constructor(deps: RoomFileDeps) {
    this.#deps = deps
  }

  /** Handles an INVITE to `room` whose offer is a file transfer (see {@link fileOffer}). */
  handle(incoming: IncomingRequest, identity: string, room: ServerRoom, media: MsrpMedia): void {
    if (room.findByUri(identity).length === 0) {
      incoming.respond(403, { reason: 'Forbidden', headers: [warning('join the room before sharing or fetching its files')] })
      return
    }
    if (media.direction !== 'sendonly' && media.direction !== 'recvonly') {
      incoming.respond(488, { headers: [warning('a file transfer offer is a=sendonly (push) or a=recvonly (pull), RFC 5547 §8')] })
      return
    }
    // Bounded: transfers at once, in all and per identity.
    if (this.#sessions.size >= (this.#deps.maxTransfers ?? 64)) {
      incoming.respond(503, { headers: [['Retry-After', '10'], warning('too many file transfers at once; try again shortly')] })
      return
    }
    if ((this.#perIdentity.get(identity) ?? 0) >= (this.#deps.maxTransfersPerIdentity ?? 4)) {
      incoming.respond(486, { headers: [warning('you have too many file transfers going; wait for one to finish')] })
      return
    }
    if (media.direction === 'sendonly') void this.#push(incoming, identity, room, media)
    else this.#pull(incoming, identity, room, media)
  }

  /** Closes every transfer in progress. */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.close()))
  }

  async #push(incoming: IncomingRequest, identity: string, room: ServerRoom, media: MsrpMedia): Promise<void> {
    const selector = media.file!.selector
    if (selector.size === undefined || selector.hash?.algorithm !== 'sha-1') {
      incoming.respond(488, { headers: [warning('a file pushed to a room needs size and hash:sha-1 in its a=file-selector (RFC 5547 §6)')] })
      return
    }
    const upload = { name: selector.name ?? 'file', type: selector.type ?? 'application/octet-stream', size: selector.size, from: identity }
    // Bounded, so that the room's manifest can list every file it stores (room-file-manifest.ts).
    if (upload.name.length > MAX_FILE_NAME_CHARS || upload.type.length > MAX_FILE_TYPE_CHARS) {
      incoming.respond(488, { headers: [warning(`a file name has at most ${MAX_FILE_NAME_CHARS} characters and a media type ${MAX_FILE_TYPE_CHARS}; shorten the name`)] })
      return
    }
    let reservation
    try {
      reservation = await this.#deps.store.reserve(room.uri, upload)
    } catch (error) {
      const code = (error as MsrpBotError).code
      incoming.respond(code === 'FILE_TOO_LARGE' || code === 'ROOM_QUOTA_EXCEEDED' ? 413 : 500, { reason: 'Request Entity Too Large', headers: [warning((error as Error).message)] })
      return
    }
    const sink = new DiskFileSink(reservation.partPath)
    const session = this.#answer(incoming, identity, room, media, { selector })
    if (session === undefined) {
      await sink.close().catch(() => undefined)
      await reservation.abandon()
      return
    }
    let stored: StoredFile | undefined
    const receiver = session.receiveFile({
      sink,
      size: selector.size,
      sha1: selector.hash.value,
      maxBytes: this.#deps.store.maxFileBytes,
      // Stored before the sender hears it arrived: its confirmation means the room has it.
      beforeConfirm: async (file) => {
        await sink.close()
        stored = await reservation.commit({ sha1: file.sha1 })
      },
    })
    try {
      await receiver.done
      this.#deps.log.info(`${identity} stored ${stored!.number}-${upload.name} (${stored!.size} bytes) in ${room.uri}`)
      this.#deps.stored?.(room, stored!)
    } catch (error) {
      this.#deps.log.info(`${identity}'s file ${upload.name} for ${room.uri} was not stored: ${(error as Error).message}`)
      await sink.close().catch(() => undefined)
      await reservation.abandon()
    } finally {
      await session.close()
    }
  }

  #pull(incoming: IncomingRequest, identity: string, room: ServerRoom, media: MsrpMedia): void {
    const hash = media.file!.selector.hash
    const file = hash?.algorithm === 'sha-1' ? this.#deps.store.find(room.uri, hash.value) : undefined
    if (file === undefined) {
      incoming.respond(404, { reason: 'Not Found', headers: [warning('no file in this room has that hash; the room lists its files in its conference-info')] })
      return
    }
    const selector = { name: file.name, type: file.type, size: file.size, hash: { algorithm: 'sha-1', value: file.sha1 } }
    const session = this.#answer(incoming, identity, room, media, { selector })
    if (session === undefined) return
    const range = media.file?.range
    void session
      .sendFile({ source: diskFileSource(file.path), size: file.size, contentType: file.type, ...(range === undefined ? {} : { startAt: range.start }) })
      .then(
        () => this.#deps.log.debug(`sent ${file.name} from ${room.uri}`),
        (error: unknown) => this.#deps.log.info(`sending ${file.name} from ${room.uri} failed: ${(error as Error).message}`),
      )
      .finally(() => void session.close())
  }

  /** Answers the offer (passive, the direction mirrored) and opens the file session; undefined when refused. */
  #answer(incoming: IncomingRequest, identity: string, room: ServerRoom, media: MsrpMedia, file: { selector: NonNullable<MsrpMedia['file']>['selector'] }): MsrpFileSession | undefined {
    const { msrp, core, log } = this.#deps
    const sessionId = generateSessionId()
    const localUri = msrp.uriFor(sessionId, media.transport === 'tls' ? 'tls' : 'tcp')
    const answer = createAnswer(incoming.message.body.toString('utf8'), {
      path: [localUri],
      acceptTypes: ['*'],
      setup: 'passive',
      file: { ...file, ...(media.file?.transferId === undefined ? {} : { transferId: media.file.transferId }) },
    })
    if (!answer.ok || answer.connect) {
      incoming.respond(488, { headers: [warning(answer.ok ? 'offer a=setup:actpass or active: the room does not connect out for files' : answer.error.message)] })
      return undefined
    }
    const session = new MsrpFileSession({ localUri, remotePath: answer.remote.path.map((p) => parseMsrpUri(p)), listener: msrp.listener })
    this.#sessions.add(session)
    this.#perIdentity.set(identity, (this.#perIdentity.get(identity) ?? 0) + 1)
    // RFC 4975 §5.4: the participant connects and binds; one that never does is dropped, with a
    // BYE (RFC 3326 Reason 408) so its side of the transfer ends too (the dialog is set below).
    let dialog: Dialog | undefined
    const bindTimer = this.#deps.clock.setTimeout(() => {
      this.#deps.log.info(`${identity} did not open the MSRP connection of a file transfer in ${room.uri} within ${this.#deps.bindTimeoutMs} ms`)
      void session.close()
      if (dialog !== undefined) void sendInDialog(core, { dialog, destination: incoming.source }, 'BYE', { headers: [['Reason', BYE_REASONS['media-failed']]] }, log)
    }, this.#deps.bindTimeoutMs)
    session.opened().then(
      () => this.#deps.clock.clearTimeout(bindTimer),
      () => this.#deps.clock.clearTimeout(bindTimer),
    )
    session.once('close', () => {
      this.#deps.clock.clearTimeout(bindTimer)
      this.#sessions.delete(session)
      const left = (this.#perIdentity.get(identity) ?? 1) - 1
      if (left <= 0) this.#perIdentity.delete(identity)
      else this.#perIdentity.set(identity, left)
    })
    const roomUser = /^sips?:([^@;?]+)@/i.exec(room.uri)?.[1]
    const contact = `${this.#deps.contactFor(incoming, roomUser)};isfocus`
    dialog = core.createUasDialog(
      incoming,
      contact,
      guarded((request) => {
        if (request.method === 'ACK') return
        request.respond(request.method === 'BYE' ? 200 : 405)
        if (request.method === 'BYE') {
          this.#deps.clock.clearTimeout(bindTimer) // the participant ended it: no BYE back
          void session.close()
        }
      }, log),
    )
    incoming.respond(200, { headers: [['Contact', contact]], body: Buffer.from(answer.sdp, 'utf8'), contentType: 'application/sdp' })
    return session
  }
}

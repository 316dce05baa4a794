/**
 * Files pushed from a room to its participants (RFC 5547 §8.2, with the focus as sender): once a
 * file is stored in a room whose policy says `pushFiles`, the focus offers it to every other
 * participant present with an INVITE of its own — From the room URI, Referred-By the sharer
 * (RFC 3892), an `a=sendonly` MSRP line with `a=file-selector` (name, type, size, SHA-1),
 * `a=file-transfer-id` and `a=file-disposition:attachment`. The focus is the active side
 * (`a=setup:active`, RFC 6135): it connects to the participant's `a=path`, but only to the host
 * its signalling comes from (see dial-policy.ts), streams the file and hangs up once the
 * success REPORT covers it.
 *
 * Each participant's push is its own job: one who declines (603), is busy or fails does not
 * touch the others. Bounds: pushes in flight per room and server-wide; more wait in a queue
 * (first come, first served) that is itself bounded. A push that finds the queue full is not
 * made, and said so: logged and reported through `overflow` (the focus tells the room, whose
 * file list still offers the file to pull). A participant who leaves has its push cancelled
 * (CANCEL while ringing, the MSRP message ended with `#` while sending, then BYE).
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import { MsrpFileSession } from '../msrp/file-session.ts'
import { diskFileSource } from '../msrp/node-file-io.ts'
import { generateSessionId } from '../msrp/session.ts'
import { parseMsrpUri } from '../msrp/uri.ts'
import { createOffer } from '../sdp/offer-answer.ts'
import { parseMsrpSdp } from '../sdp/parse.ts'
import type { UserAgentCore } from '../sip/core/user-agent-core.ts'
import type { Dialog } from '../sip/dialog.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { callOut, type AnswerVerdict } from './call-out.ts'
import type { CallOutAuth } from './call-out-auth.ts'
import type { DialGuard } from './dial-policy.ts'
import { guarded, sendInDialog } from './in-dialog.ts'
import type { MsrpEndpoint } from './msrp-endpoint.ts'
import type { ChatServerLogger } from './options.ts'
import type { StoredFile } from './room-files.ts'

/** Default pushes in flight in one room. */
export const DEFAULT_MAX_PUSHES_PER_ROOM = 4
/** Default pushes in flight in the whole server. */
export const DEFAULT_MAX_PUSHES = 16
/** Default pushes waiting for a place, server-wide; more are not made (and said so). */
export const DEFAULT_MAX_QUEUED_PUSHES = 1000
/** Default time a participant may ring before the push is cancelled (ms). */
export const DEFAULT_PUSH_ANSWER_TIMEOUT_MS = 30_000

/** A participant a file is pushed to, and where it is reached. */
export interface PushTarget {
  /** Its id in the room (what the focus names it by when it leaves). */
  readonly participantId: string
  /** Its identity: To of the INVITE. */
  readonly identity: string
  /** Its Contact in the room dialog: the Request-URI. */
  readonly contact: string
  /** The flow its room dialog came on. */
  readonly destination: Destination
  /** The focus's Contact on that flow (with `isfocus`, RFC 4579 §3). */
  readonly focusContact: string
}

/** How one push ended: 200 taken whole, or the refusal (603 declined, 487 cancelled, 408 no answer ...). */
export interface PushOutcome {
  readonly room: string
  readonly file: number
  readonly sha1: string
  readonly to: string
  readonly status: number
  readonly reason: string
}

/** What the pushes need from the server. */
export interface RoomFilePushDeps {
  readonly core: UserAgentCore
  readonly msrp: MsrpEndpoint
  readonly log: ChatServerLogger
  readonly clock: Clock
  /** Where the focus may connect: the participant's `a=path` host against its signalling source. */
  readonly dialGuard: DialGuard
  /** Answers the call-out proxy's digest challenges when a push goes through it. */
  readonly callOutAuth?: CallOutAuth | undefined
  /** How long a participant may ring (default 30 s), then CANCEL. */
  readonly answerTimeoutMs?: number
  /** Pushes in flight per room (default 4). */
  readonly maxPushesPerRoom?: number
  /** Pushes in flight in all rooms (default 16). */
  readonly maxPushes?: number
  /** Pushes waiting in all rooms (default 1000); a push beyond it is not made. */
  readonly maxQueuedPushes?: number
  /** Pushes of `file` in `room` that were not made because the queue was full (`missed`: identities). */
  overflow?(room: string, file: StoredFile, missed: readonly string[]): void
}

interface Job {
  readonly room: string
  readonly file: StoredFile
  readonly sharer: { readonly uri: string; readonly nickname: string | undefined }
  readonly target: PushTarget
  readonly abort: AbortController
}

/** Quotes a display name for a name-addr (RFC 3261 §25.1 quoted-string). */
function quoted(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ')}"`
}

/** The focus's pushes of stored files to the participants of push rooms. */
export class RoomFilePushes {
  readonly #deps: RoomFilePushDeps
  readonly #queue: Job[] = []
  readonly #running = new Set<Job>()
  readonly #perRoom = new Map<string, number>()
  readonly #listeners = new Set<(outcome: PushOutcome) => void>()
  #closed = false

  constructor(deps: RoomFilePushDeps) {
    this.#deps = deps
  }

  /** Pushes in flight now. */
  get inFlight(): number {
    return this.#running.size
  }

  /** Pushes waiting for a place now. */
  get queued(): number {
    return this.#queue.length
  }

  /** Calls `listener` with each push's outcome; returns the unsubscribe. */
  onOutcome(listener: (outcome: PushOutcome) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Offers `file` (stored in `room` by `sharer`) to each of `targets`: started at once within
   * the bounds, queued beyond them; the pushes the full queue cannot take go to `overflow`.
   */
  push(room: string, file: StoredFile, sharer: { uri: string; nickname: string | undefined }, targets: readonly PushTarget[]): void {
    if (this.#closed) return
    const max = this.#deps.maxQueuedPushes ?? DEFAULT_MAX_QUEUED_PUSHES
    const missed: string[] = []
    for (const target of targets) {
      const job: Job = { room, file, sharer, target, abort: new AbortController() }
      if (this.#canStart(room)) this.#start(job)
      else if (this.#queue.length < max) this.#queue.push(job)
      else missed.push(target.identity)
    }
    if (missed.length > 0) {
      this.#deps.log.warn(`${missed.length} pushes of ${file.name} in ${room} not made: ${this.#queue.length} pushes wait already (the most); they can pull it from the room's files`)
      this.#deps.overflow?.(room, file, missed)
    }
  }

  /** The participant left its room: its waiting push is dropped, its running one cancelled. */
  participantLeft(participantId: string): void {
    this.#cancel((job) => job.target.participantId === participantId)
  }

  /** The room is gone: its pushes are dropped and cancelled. */
  roomClosed(room: string): void {
    this.#cancel((job) => job.room === room)
  }

  /** Cancels every push and waits for the running ones to end. */
  async close(): Promise<void> {
    this.#closed = true
    const running = [...this.#running]
    this.#cancel(() => true)
    await Promise.all(running.map((job) => new Promise<void>((resolve) => (this.#running.has(job) ? this.#onEnd.set(job, resolve) : resolve()))))
  }

  readonly #onEnd = new Map<Job, () => void>()

  #cancel(which: (job: Job) => boolean): void {
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const job = this.#queue[i]!
      if (!which(job)) continue
      this.#queue.splice(i, 1)
      this.#report(job, 487, 'Request Terminated - left before the push started')
    }
    for (const job of this.#running) if (which(job)) job.abort.abort()
  }

  #canStart(room: string): boolean {
    return this.#running.size < (this.#deps.maxPushes ?? DEFAULT_MAX_PUSHES) && (this.#perRoom.get(room) ?? 0) < (this.#deps.maxPushesPerRoom ?? DEFAULT_MAX_PUSHES_PER_ROOM)
  }

  #start(job: Job): void {
    this.#running.add(job)
    this.#perRoom.set(job.room, (this.#perRoom.get(job.room) ?? 0) + 1)
    void this.#run(job)
      .then(
        (outcome) => this.#report(job, outcome.status, outcome.reason),
        (error: unknown) => this.#report(job, 500, `Server Internal Error - ${(error as Error).message}`),
      )
      .finally(() => {
        this.#running.delete(job)
        const left = (this.#perRoom.get(job.room) ?? 1) - 1
        if (left <= 0) this.#perRoom.delete(job.room)
        else this.#perRoom.set(job.room, left)
        this.#onEnd.get(job)?.()
        this.#onEnd.delete(job)
        this.#next()
      })
  }

  /** Starts the first waiting pushes that fit (a job of a full room waits; later rooms' may pass it). */
  #next(): void {
    if (this.#closed) return
    for (let i = 0; i < this.#queue.length && this.#running.size < (this.#deps.maxPushes ?? DEFAULT_MAX_PUSHES); ) {
      const job = this.#queue[i]!
      if (this.#canStart(job.room)) {
        this.#queue.splice(i, 1)
        this.#start(job)
      } else i++
    }
  }

  #report(job: Job, status: number, reason: string): void {
    const outcome: PushOutcome = { room: job.room, file: job.file.number, sha1: job.file.sha1, to: job.target.identity, status, reason }
    this.#deps.log.debug(`push of ${job.file.name} in ${job.room} to ${job.target.identity}: ${status} ${reason}`)
    for (const listener of [...this.#listeners]) listener(outcome)
  }

  /** One push: INVITE, connect, send, BYE. */
  async #run(job: Job): Promise<{ status: number; reason: string }> {
    const { core, msrp, log, clock, dialGuard } = this.#deps
    const { file, target, abort } = job
    const signal = abort.signal
    const localUri = msrp.uriFor(generateSessionId(), 'tcp')
    const offer = createOffer({
      path: [localUri],
      setup: 'active',
      acceptTypes: ['*'],
      direction: 'sendonly',
      file: { selector: { name: file.name, type: file.type, size: file.size, hash: { algorithm: 'sha-1', value: file.sha1 } }, transferId: generateSessionId(), disposition: 'attachment' },
    })
    let remotePath: string[] = []
    let dialog: Dialog | undefined
    const referredBy = `${job.sharer.nickname === undefined ? '' : `${quoted(job.sharer.nickname)} `}<${job.sharer.uri}>`
    const result = await callOut(
      core,
      { roomUri: job.room, target: target.identity, contact: target.contact, destination: target.destination, focusContact: target.focusContact, offer, headers: [['Referred-By', referredBy]] },
      {
        clock,
        timeoutMs: this.#deps.answerTimeoutMs ?? DEFAULT_PUSH_ANSWER_TIMEOUT_MS,
        signal,
        auth: this.#deps.callOutAuth,
        onProgress: () => undefined,
        onAnswered: (request, response): AnswerVerdict => {
          if (signal.aborted) return { refused: { status: 487, reason: 'Request Terminated - left during the push' } }
          let media
          try {
            media = parseMsrpSdp(response.body.toString('utf8')).media.find((m) => m.port !== 0)
          } catch {
            media = undefined
          }
          if (media === undefined || media.direction !== 'recvonly' || media.path.length === 0) return { refused: { status: 488, reason: 'Not Acceptable Here - the answer has no a=recvonly MSRP line (RFC 5547 §8.2)' } }
          const refusal = dialGuard.check(hostOfPath(media.path[0]!), target.destination.host)
          if (refusal !== undefined) return { refused: { status: 488, reason: `Not Acceptable Here - ${refusal.warning}` } }
          remotePath = [...media.path]
          dialog = core.createUacDialog(request, response, guarded((incoming) => {
            if (incoming.method === 'ACK') return
            incoming.respond(incoming.method === 'BYE' ? 200 : 405)
            // The participant hung up: its success REPORT may still be on its way on the MSRP
            // connection (another stream than this BYE), so the send ends by that REPORT, by the
            // connection closing, or by its timeout — not here.
            if (incoming.method === 'BYE') dialog?.terminate()
          }, log))
          return { dialog }
        },
      },
    )
    if (dialog === undefined || result.status >= 300) return result
    let session: MsrpFileSession | undefined
    let connection: Awaited<ReturnType<MsrpEndpoint['connect']>> | undefined
    try {
      if (signal.aborted) return { status: 487, reason: 'Request Terminated - the push was cancelled' }
      connection = await msrp.connect(remotePath[0]!).catch((error: unknown) => {
        dialGuard.failed(target.destination.host)
        throw error
      })
      session = await MsrpFileSession.connect({ localUri, remotePath: remotePath.map((p) => parseMsrpUri(p)), connection })
      // Cancelled mid-file: the `#` chunk if it can still go out, and the connection closed
      // under a send that waits for a receiver that stopped reading.
      const opened = { session, connection }
      const stop = (): void => {
        void opened.session.close()
        opened.connection.close()
      }
      signal.addEventListener('abort', stop, { once: true })
      try {
        await session.sendFile({ source: diskFileSource(file.path), size: file.size, contentType: file.type, signal })
      } finally {
        signal.removeEventListener('abort', stop)
      }
      log.info(`pushed ${file.name} (${file.size} bytes) from ${job.room} to ${target.identity}`)
      return { status: 200, reason: 'OK' }
    } catch (error) {
      if (signal.aborted) return { status: 487, reason: 'Request Terminated - the push was cancelled' }
      log.info(`push of ${file.name} from ${job.room} to ${target.identity} failed: ${(error as Error).message}`)
      return { status: 500, reason: `Server Internal Error - ${(error as Error).message}` }
    } finally {
      await session?.close()
      connection?.close()
      const d: Dialog = dialog
      if (d.state !== 'terminated') await sendInDialog(core, { dialog: d, destination: target.destination, send: this.#deps.callOutAuth?.dialogSender(core, target.destination) }, 'BYE', {}, log)
      d.terminate()
      core.removeDialog(d)
    }
  }
}

function hostOfPath(uri: string): string {
  try {
    return parseMsrpUri(uri).host
  } catch {
    return ''
  }
}

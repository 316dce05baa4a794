/**
 * INVITEs a room sends the bot: an invitation to join it (RFC 4579 §5.5, after someone's
 * REFER method=INVITE) handed to the application, or a file the room pushes to its
 * participants (RFC 5547 §8.2, the focus as sender), taken only from a room the bot is in.
 *
 * @module
 */
import type { BasicLogger } from '../logger.ts'
import { identityKey, identityKeyOrText } from '../rooms/identity.ts'
import type { Invitation } from '../sip/ua/invitation.ts'
import type { BackendEvent, JoinOptions, RoomHandle } from './backend.ts'
import type { DirectChats } from './direct-chats.ts'
import type { RoomClient } from './room-client.ts'
import type { RoomInvitation } from './room-invitation.ts'

/** What answering a room's INVITE needs from the backend. */
export interface CalledBackend {
  /** The backend's own URI (in log lines). */
  readonly uri: string
  log(): BasicLogger
  /** Whether the backend is online (invitations are declined otherwise). */
  online(): boolean
  /** The application's invitation handler, if it set one. */
  onInvitation(): ((invitation: RoomInvitation) => void) | undefined
  /** Whether anyone listens for events (an 'invitation' event needs a listener). */
  hasListeners(): boolean
  /** The room held under this identity key, if any. */
  room(key: string): RoomClient | undefined
  /** Queues an event for the bot (in order). */
  emit(event: BackendEvent): void
  /** Counts work in flight (for `settled()` in tests). */
  track<T>(work: Promise<T>): Promise<T>
  /** Joins the room by answering its INVITE. */
  acceptInvitation(invitation: Invitation, roomUri: string, options: JoinOptions): Promise<RoomHandle>
}

/**
 * A room offers a file it stored (its policy pushes files to everyone, RFC 5547 §8.2 with the
 * focus as sender): handed up like any file when we are in that room; from a room we are not
 * in, refused with 403 (we take files from rooms only as their participant).
 */
export function onRoomFilePush(backend: CalledBackend, invitation: Invitation, direct: DirectChats): void {
  const from = identityKey(invitation.from.uri)
  const room = backend.room(identityKeyOrText(from))
  if (room === undefined || (room.state !== 'joined' && room.state !== 'suspended')) {
    backend.log().info(`${backend.uri}: refused a file pushed by ${from}: not in that room`)
    invitation.reject(403, 'Forbidden - not a participant of that room')
    return
  }
  // Without an MSRP listener (a browser page) the file could never be taken: say so at once
  // rather than let the room's offer ring until it gives up.
  if (!direct.takesFiles) {
    invitation.reject(488, 'Not Acceptable Here - this endpoint does not take files')
    return
  }
  direct.onRoomPush(invitation, room.uri)
}

/**
 * A room calls us in: handed to `onInvitation` when set, else to the listeners as an
 * 'invitation' event (declined with 603 when none of them answered it).
 */
export function onRoomInvitation(backend: CalledBackend, invitation: Invitation): void {
  const roomUri = identityKey(invitation.from.uri)
  const handler = backend.onInvitation()
  if (!backend.online() || (handler === undefined && !backend.hasListeners())) {
    invitation.reject(603, 'Decline')
    return
  }
  const referredBy = invitation.request.message.headers.get('Referred-By')
  invitation.progress(180)
  let answered = false
  const decline = (status = 603): void => {
    answered = true
    if (invitation.state === 'received' || invitation.state === 'ringing') invitation.reject(status)
  }
  const roomInvitation: RoomInvitation = {
    room: roomUri,
    by: referredBy === undefined ? undefined : identityKey(referredBy),
    accept: (options = {}) => {
      answered = true
      return backend.track(backend.acceptInvitation(invitation, roomUri, options))
    },
    decline,
    get answered() {
      return answered
    },
  }
  if (handler === undefined) {
    backend.emit({ type: 'invitation', invitation: roomInvitation })
    return
  }
  try {
    handler(roomInvitation)
  } catch (error) {
    backend.log().warn(`the invitation handler threw; declining the invitation to ${roomUri}: ${String(error)}`)
    decline(500)
  }
}

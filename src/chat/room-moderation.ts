/**
 * A room's moderation requests: removing a participant (REFER method=BYE, RFC 4579 §5.5),
 * inviting someone in (REFER method=INVITE and its NOTIFYs, RFC 3515) and muting (an
 * msrp-bot moderation MESSAGE in the chat session), each with its answer read as a typed error.
 *
 * @module
 */
import type { SipResponse } from '../sip/message.ts'
import { newCallId, newTag } from '../sip/ids.ts'
import type { Session } from '../sip/ua/session.ts'
import type { UserAgent } from '../sip/ua/user-agent.ts'
import { MODERATION_TYPE } from '../rooms/content-types.ts'
import { buildModerationRequest } from '../rooms/moderation.ts'
import { InvitationError, SendError } from './backend-errors.ts'
import { toModerationError } from './error-mapping.ts'
import type { StepRunner } from './step-guard.ts'

/** What a moderation request needs from its room. */
export interface ModeratedRoom {
  readonly uri: string
  readonly ua: UserAgent
  /** The bot's own URI (Referred-By of an invitation). */
  readonly self: string
  /** Counts work in flight (for `settled()` in tests). */
  track<T>(work: Promise<T>): Promise<T>
  /** Runs a step under the room's deadline. */
  readonly step: StepRunner
  /** Throws a SendError unless the room is joined and connected. */
  assertLive(): void
  /** The room's INVITE session, while there is one. */
  session(): Session | undefined
}

type ModerationRequest = { method: string; outOfDialog?: boolean; headers: Array<readonly [string, string]>; body?: string; contentType?: string }

/** Asks the focus to remove a participant from the room. */
export function removeParticipant(room: ModeratedRoom, participantUri: string): Promise<void> {
  const target = participantUri.replace(/^<|>$/g, '').split(';', 1)[0] ?? participantUri
  // RFC 4579 §5.5: REFER to the conference URI with the participant's URI and the method=BYE
  // URI parameter. Some foci (SylkServer) read `method` only as a Refer-To header parameter,
  // which RFC 3515 §2.1's grammar allows as a generic-param (and a focus that does not know it
  // ignores), so it is written in both places. It goes out of dialog, to the room URI: a REFER
  // inside the chat session is a call transfer to some foci (SylkServer answers 202, then a
  // 500 sipfrag, and removes nobody). Refer-Sub: false (RFC 4488) asks for no implicit
  // subscription; a focus that sends its NOTIFYs anyway gets 481 for them.
  return moderate(room, 'removing a participant', participantUri, {
    method: 'REFER',
    outOfDialog: true,
    headers: [['Refer-To', `<${target};method=BYE>;method=BYE`], ['Refer-Sub', 'false'], ['Supported', 'norefersub']],
  })
}

/** Mutes or unmutes a participant of the room. */
export function setMuted(room: ModeratedRoom, participantUri: string, muted: boolean): Promise<void> {
  return moderate(room, muted ? 'mute' : 'unmute', participantUri, {
    method: 'MESSAGE',
    headers: [],
    body: buildModerationRequest({ action: muted ? 'mute' : 'unmute', target: participantUri }),
    contentType: MODERATION_TYPE,
  })
}

/**
 * Asks the room to invite `uri`: REFER method=INVITE out of dialog to the room (as for removal,
 * see removeParticipant), and the NOTIFYs of its implicit subscription (RFC 3515 §2.4.4), which
 * arrive in the dialog the 202 formed: caught by Call-ID and our tag. Bounded by the step
 * deadline; resolves once the invitee answered.
 */
export async function inviteToRoom(room: ModeratedRoom, uri: string): Promise<void> {
  room.assertLive()
  const { ua } = room
  const target = uri.replace(/^<|>$/g, '').split(';', 1)[0] ?? uri
  const tag = newTag()
  const request = ua.createRequest('REFER', room.uri, { headers: [['Refer-To', `<${target};method=INVITE>`], ['Referred-By', `<${room.self}>`]] })
  request.headers.set('From', `${request.headers.get('From')!};tag=${tag}`)
  const callId = newCallId()
  request.headers.set('Call-ID', callId)
  let settle: ((result: { status: number; reason: string }) => void) | undefined
  const outcome = new Promise<{ status: number; reason: string }>((resolve) => (settle = resolve))
  const stop = ua.expectNotify(callId, tag, (incoming) => {
    incoming.respond(200)
    const frag = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(incoming.message.body.toString('utf8'))
    const status = frag === null ? 0 : Number(frag[1])
    if (status >= 200) settle?.({ status, reason: frag![2]!.trim() })
    else if (/terminated/i.test(incoming.message.headers.get('Subscription-State') ?? '')) settle?.({ status: 500, reason: 'the focus ended the invitation without a result' })
  })
  try {
    let response: SipResponse
    try {
      response = await ua.sendRequest(request)
    } catch (error) {
      throw toModerationError(error, 'inviting', room.uri, target)
    }
    if (response.status === 403 || response.status === 405 || response.status === 501) throw toModerationError({ status: response.status, message: `${response.status} ${response.reason}` }, 'inviting', room.uri, target)
    // Any other refusal of the REFER (503: too many invitations ringing, 400 ...) fails this invitation.
    if (response.status >= 300) throw new InvitationError(target, room.uri, response.status, `the room refused the REFER: ${response.reason}`)
    const result = await room.step(`invitation of ${target} to ${room.uri}`, outcome)
    if (result.status >= 300) throw new InvitationError(target, room.uri, result.status, result.reason)
  } finally {
    stop()
  }
}

async function moderate(room: ModeratedRoom, action: string, target: string, request: ModerationRequest): Promise<void> {
  room.assertLive()
  const session = room.session()
  if (session === undefined) throw new SendError('disconnected', `not connected to ${room.uri}`)
  const { ua } = room
  let response: SipResponse
  try {
    const init = {
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
    }
    response = await room.track(
      request.outOfDialog === true
        ? ua.sendRequest(ua.createRequest(request.method, room.uri, init))
        : ua.sendRequest(session.dialog.createRequest(request.method, init), { dialog: session.dialog }),
    )
  } catch (error) {
    throw toModerationError(error, action, room.uri, target)
  }
  if (response.status >= 300) throw toModerationError({ status: response.status, message: `${response.status} ${response.reason}` }, action, room.uri, target)
}

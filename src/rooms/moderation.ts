/**
 * msrp-bot extension: muting and unmuting participants. RFC 4579 §5.5 defines removal (REFER
 * method=BYE) but no mute, and inventing a REFER method would misuse RFC 3515. So a moderator
 * sends a SIP MESSAGE (RFC 3428) to the room URI with this body type:
 *
 * ```
 * MESSAGE sip:lobby@example.test SIP/2.0
 * Content-Type: application/vnd.msrp-bot.moderation+json
 *
 * {"action":"mute","target":"sip:troll@example.test"}
 * ```
 *
 * `action` is `mute` or `unmute`; `target` the participant's URI (every session of it is
 * affected). Answers: 200 done, 400 malformed body, 403 not a moderator, 404 no such
 * participant, 415 any other body type (with `Accept` naming this one). Muting shows in the
 * roster as the participant's media status `recvonly` (RFC 4575 §5.7) and the participant's
 * messages then get MSRP 403.
 *
 * @module
 */

/* The body's Content-Type is `MODERATION_TYPE` in content-types.ts. */


/** A parsed moderation request. */
export interface ModerationRequest {
  action: 'mute' | 'unmute'
  target: string
}

/** Parses a moderation body; returns a message saying what is wrong instead when it is malformed. */
export function parseModerationRequest(body: Uint8Array): ModerationRequest | string {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(body))
  } catch {
    return 'the body is not JSON'
  }
  if (typeof value !== 'object' || value === null) return 'the body must be a JSON object'
  const { action, target } = value as Record<string, unknown>
  if (action !== 'mute' && action !== 'unmute') return 'action must be "mute" or "unmute"'
  if (typeof target !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(target)) return 'target must be a participant URI'
  return { action, target }
}

/** Builds a moderation body (for clients and bots). */
export function buildModerationRequest(request: ModerationRequest): string {
  return JSON.stringify(request)
}

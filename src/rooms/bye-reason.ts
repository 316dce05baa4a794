/**
 * The `Reason` header (RFC 3326) on the BYEs a chat-room focus sends, both sides of it: the table
 * the server writes ({@link BYE_REASONS}) and the reading the room client makes of any focus's BYE
 * ({@link byeMeaning}). RFC 3326 §2 lets a `SIP` cause carry any SIP status code; the codes
 * chosen say what the participant should do next:
 *
 * | why                          | header value                                        | client reading           |
 * |------------------------------|-----------------------------------------------------|--------------------------|
 * | removed by a moderator       | `SIP;cause=403;text="Removed by moderator"`         | forbidden now: `kicked`  |
 * | room deleted / closed        | `SIP;cause=410;text="Room closed"`                  | gone for good: `closed`  |
 * | server shutting down         | `SIP;cause=503;text="Server shutting down"`         | come back: `restarting`  |
 * | MSRP session failed/not bound| `SIP;cause=408;text="MSRP session failed"`          | re-join: `media-failed`  |
 * | stopped reading its messages | `SIP;cause=408;text="Not reading messages"`         | re-join: `media-failed`  |
 *
 * (RFC 4579 §5.5 defines the REFER that removes a participant but no Reason; 403 says "the
 * focus no longer lets you in", 410 "this room is gone", 503 "try again later".) Other foci may
 * word a reason only in `text`, so the text is read too; a BYE with no Reason at all (e.g.
 * SylkServer) reads as `unknown` and the caller decides (msrp-bot probes the room with OPTIONS).
 *
 * @module
 */

/** Why the focus ends a participant's session. */
export type ByeCause = 'kicked' | 'room-closed' | 'shutdown' | 'media-failed' | 'slow-receiver'

/** The RFC 3326 `Reason` header value the server sends for each {@link ByeCause}. */
export const BYE_REASONS: Readonly<Record<ByeCause, string>> = {
  kicked: 'SIP;cause=403;text="Removed by moderator"',
  'room-closed': 'SIP;cause=410;text="Room closed"',
  shutdown: 'SIP;cause=503;text="Server shutting down"',
  'media-failed': 'SIP;cause=408;text="MSRP session failed"',
  // A receiver whose unread output passed the write bound (MSRP_WRITE_OVERFLOW): dropped so the
  // rest of the room is not held up or the server's memory filled (docs/security.md).
  'slow-receiver': 'SIP;cause=408;text="Not reading messages"',
}

/** What a focus's BYE means for the participant. */
export type ByeMeaning = 'kicked' | 'closed' | 'restarting' | 'media-failed' | 'unknown'

/** One parsed RFC 3326 reason-value. */
export interface ReasonValue {
  readonly protocol: string
  readonly cause: number | undefined
  readonly text: string | undefined
}

/** Parses a Reason header value (possibly several comma-separated values); never throws. */
export function parseReasonHeader(value: string | undefined): ReasonValue[] {
  if (value === undefined) return []
  const out: ReasonValue[] = []
  // RFC 3326 §2: reason-value = protocol *(SEMI reason-params); text is a quoted-string that may hold commas.
  for (const part of value.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const [protocol = '', ...params] = part.match(/(?:[^;"]|"(?:[^"\\]|\\.)*")+/g) ?? []
    let cause: number | undefined
    let text: string | undefined
    for (const param of params) {
      const eq = param.indexOf('=')
      const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase()
      const raw = eq < 0 ? '' : param.slice(eq + 1).trim()
      if (name === 'cause' && /^\d{1,3}$/.test(raw)) cause = Number(raw)
      else if (name === 'text') text = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
    }
    if (protocol.trim() !== '') out.push({ protocol: protocol.trim().toUpperCase(), cause, text })
  }
  return out
}

/** What a BYE's Reason header says about the room (`unknown` when it says nothing usable). */
export function byeMeaning(value: string | undefined): ByeMeaning {
  for (const reason of parseReasonHeader(value)) {
    if (reason.protocol === 'SIP') {
      switch (reason.cause) {
        case 403:
          return 'kicked'
        case 404:
        case 410:
          return 'closed'
        case 503:
          return 'restarting'
        case 408:
          return 'media-failed'
      }
    }
    const text = reason.text ?? ''
    if (/kick|remov|boot|banned/i.test(text)) return 'kicked'
    if (/shut|restart|maintenance/i.test(text)) return 'restarting'
    if (/delet|closed|ended|destroy/i.test(text)) return 'closed'
  }
  return 'unknown'
}

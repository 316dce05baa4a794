/**
 * Reads the `Reason` header (RFC 3326) of a BYE from a chat-room focus, to tell why the
 * session ended. msrp-bot's mixer sends (see src/mixer/server/bye-reason.ts):
 * `SIP;cause=403` removed by a moderator, `SIP;cause=410` room closed, `SIP;cause=503` server
 * shutting down, `SIP;cause=408` MSRP session failed. Other foci may word a reason only in
 * `text`, so the text is read too; a BYE with no Reason at all (e.g. SylkServer) reads as
 * `unknown` and the caller decides (msrp-bot probes the room with OPTIONS).
 *
 * @module
 */

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

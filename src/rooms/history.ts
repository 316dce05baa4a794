/**
 * Room history on the wire: how the focus marks the public messages it replays to a newcomer,
 * and how a participant tells them from live ones.
 *
 * A replayed message is the CPIM object its sender sent (From, To and content unchanged,
 * RFC 7701 §6.1) with two kinds of header put in front of the sender's headers:
 *
 * - `DateTime` (RFC 3862 §3.3.5), added by the focus when it stored a message that had none,
 *   so every replayed message says when it was said;
 * - `NS: msrp-bot <urn:msrp-bot:params:cpim-headers>` and `msrp-bot.History: replay`: a header
 *   in this project's own namespace (RFC 3862 §3.3.7), which tells a replay from a live message.
 *
 * The lines go first because RFC 3862 scopes `NS` to the headers after it: ahead of the sender's
 * own declarations they are read in the namespaces meant, and a sender's later prefix of the
 * same name cannot change their meaning. A participant may not send the marker itself (the
 * msrp-bot focus refuses such a message), so a marked message came from the focus.
 *
 * @module
 */
import { getCpimHeader } from '../cpim/index.ts'
import type { CpimMessage } from '../cpim/index.ts'

/** The CPIM header namespace of msrp-bot's own headers (a private URN, compared as a string). */
export const MSRP_BOT_CPIM_NAMESPACE = 'urn:msrp-bot:params:cpim-headers'

/** The prefix the focus declares for {@link MSRP_BOT_CPIM_NAMESPACE}. */
export const MSRP_BOT_CPIM_PREFIX = 'msrp-bot'

/** The marker header's name within the namespace, and its value on a replay. */
export const HISTORY_HEADER = 'History'
/** The value of {@link HISTORY_HEADER} on a replayed message. */
export const HISTORY_REPLAY = 'replay'

/** True when the CPIM message carries the history marker (namespace resolved, value `replay`). */
export function isHistoryReplay(cpim: Pick<CpimMessage, 'headers'>): boolean {
  return getCpimHeader(cpim, MSRP_BOT_CPIM_NAMESPACE, HISTORY_HEADER)?.trim().toLowerCase() === HISTORY_REPLAY
}

/** True when a CPIM message carries any header in msrp-bot's namespace (which only the focus may write). */
export function hasMsrpBotHeader(cpim: { readonly headers: ReadonlyArray<{ readonly namespace: string }> }): boolean {
  return cpim.headers.some((h) => h.namespace === MSRP_BOT_CPIM_NAMESPACE)
}

/**
 * The CPIM object with a `DateTime` header (RFC 3862 §3.3.5) in front, for a message whose
 * sender gave none; the rest is byte-identical.
 *
 * @example
 * ```ts
 * const kept = cpim.dateTime === undefined ? withCpimDateTime(body, new Date()) : body
 * ```
 */
export function withCpimDateTime(body: Uint8Array, at: Date): Uint8Array {
  return prepend(body, [`DateTime: ${at.toISOString()}`])
}

/** The CPIM object marked as a history replay (see the module notes); the rest is byte-identical. */
export function markHistoryReplay(body: Uint8Array): Uint8Array {
  return prepend(body, [`NS: ${MSRP_BOT_CPIM_PREFIX} <${MSRP_BOT_CPIM_NAMESPACE}>`, `${MSRP_BOT_CPIM_PREFIX}.${HISTORY_HEADER}: ${HISTORY_REPLAY}`])
}

/** Header lines in front of the CPIM message headers, with the line ending the object uses. */
function prepend(body: Uint8Array, lines: string[]): Uint8Array {
  const lf = body.indexOf(0x0a)
  const eol = lf > 0 && body[lf - 1] === 0x0d ? '\r\n' : lf >= 0 ? '\n' : '\r\n'
  const head = new TextEncoder().encode(lines.map((l) => l + eol).join(''))
  const out = new Uint8Array(head.length + body.length)
  out.set(head, 0)
  out.set(body, head.length)
  return out
}

/**
 * The focus calling someone into a room (RFC 4579 §5.5 "adding a participant", after a REFER
 * with `method=INVITE`): an INVITE from the room with the room's SDP offer (the focus is the
 * offerer), ringing bounded by a deadline (then CANCEL), and the outcome as a status line for
 * the REFER's NOTIFY (RFC 3515 message/sipfrag).
 *
 * @module
 */
import type { Clock } from '../clock.ts'
import type { UserAgentCore } from '../sip/core/user-agent-core.ts'
import type { Dialog } from '../sip/dialog.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import { readCSeq } from '../sip/headers/cseq.ts'

/** Default time an invitee has to answer before the call is cancelled (ms). */
export const DEFAULT_CALL_OUT_TIMEOUT_MS = 30_000

/** What to call. */
export interface CallOut {
  /** The room's URI: From of the INVITE. */
  readonly roomUri: string
  /** The invitee's address of record: To of the INVITE. */
  readonly target: string
  /** The registered contact the INVITE goes to (its Request-URI). */
  readonly contact: string
  /** Where that contact is reached (its registration flow). */
  readonly destination: Destination
  /** The focus's Contact (with `isfocus`, RFC 4579 §3). */
  readonly focusContact: string
  /** The room's SDP offer. */
  readonly offer: string
  /** Extra headers (Allow, Allow-Events ...). */
  readonly headers: ReadonlyArray<readonly [string, string]>
}

/** How a call-out ended: the status line the REFER's final NOTIFY reports. */
export interface CallOutResult {
  readonly status: number
  readonly reason: string
}

/** What the focus makes of a 2xx: the dialog (it took the invitee in), or a refusal (then BYE). */
export type AnswerVerdict = { readonly dialog: Dialog } | { readonly refused: CallOutResult }

/**
 * Sends the INVITE and waits for its final answer (at most `timeoutMs`, then CANCEL: reported
 * as 408). On a 2xx, `onAnswered` decides before the ACK goes out (so the MSRP session is
 * registered before the invitee connects): it makes the dialog, or refuses, and the call is
 * then ACKed and hung up. `onProgress` sees each provisional response.
 */
export async function callOut(
  core: UserAgentCore,
  call: CallOut,
  options: { clock: Clock; timeoutMs: number; onProgress: (response: SipResponse) => void; onAnswered: (request: SipRequest, response: SipResponse) => AnswerVerdict; signal?: AbortSignal },
): Promise<CallOutResult> {
  const request = core.createRequest('INVITE', call.contact, {
    from: `<${call.roomUri}>`,
    to: `<${call.target}>`,
    headers: [['Contact', call.focusContact], ...call.headers],
    body: call.offer,
    contentType: 'application/sdp',
  })
  let timedOut = false
  const timer = options.clock.setTimeout(() => {
    timedOut = true
    core.cancel(request, 'Timeout')
  }, options.timeoutMs)
  // The caller gave up (e.g. the invitee left the room): CANCEL, reported as the 487 it brings.
  const abandon = (): void => void core.cancel(request, 'Abandoned')
  options.signal?.addEventListener('abort', abandon, { once: true })
  let response: SipResponse
  try {
    response = await core.sendRequest(request, { destination: call.destination, onProvisional: (r) => options.onProgress(r) })
  } catch (error) {
    return { status: 408, reason: 'Request Timeout' }
  } finally {
    options.clock.clearTimeout(timer)
    options.signal?.removeEventListener('abort', abandon)
  }
  if (response.status >= 300) return response.status === 487 && timedOut ? { status: 408, reason: 'Request Timeout' } : { status: response.status, reason: response.reason }
  const verdict = options.onAnswered(request, response)
  const dialog = 'dialog' in verdict ? verdict.dialog : core.createUacDialog(request, response)
  await core.sendAck(dialog.createAck(readCSeq(response.headers).seq), call.destination)
  if ('dialog' in verdict) return { status: response.status, reason: response.reason }
  // RFC 3261 §13.2.2.4: a 2xx we cannot use is ACKed, then ended with BYE.
  await core.sendRequest(dialog.createRequest('BYE'), { dialog, destination: call.destination }).catch(() => undefined)
  core.removeDialog(dialog)
  return verdict.refused
}

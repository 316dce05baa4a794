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
import { CallOutAuthError, type CallOutAuth } from './call-out-auth.ts'

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
 * then ACKed and hung up. `onProgress` sees each provisional response. With `auth`, a digest
 * challenge from the call-out proxy is answered (see call-out-auth.ts); one that cannot be met
 * ends the call-out with the challenge's status and a reason for the inviter.
 */
export async function callOut(
  core: UserAgentCore,
  call: CallOut,
  options: { clock: Clock; timeoutMs: number; onProgress: (response: SipResponse) => void; onAnswered: (request: SipRequest, response: SipResponse) => AnswerVerdict; signal?: AbortSignal; auth?: CallOutAuth | undefined },
): Promise<CallOutResult> {
  const request = core.createRequest('INVITE', call.contact, {
    from: `<${call.roomUri}>`,
    to: `<${call.target}>`,
    headers: [['Contact', call.focusContact], ...call.headers],
    body: call.offer,
    contentType: 'application/sdp',
  })
  let timedOut = false
  // The INVITE on the wire: the first, then its authenticated retry (a CANCEL must name that one).
  let current = request
  let cancelled: { reason: string } | undefined
  const cancel = (reason: string): void => {
    cancelled = { reason }
    core.cancel(current, reason)
  }
  const timer = options.clock.setTimeout(() => {
    timedOut = true
    cancel('Timeout')
  }, options.timeoutMs)
  // The caller gave up (e.g. the invitee left the room): CANCEL, reported as the 487 it brings.
  const abandon = (): void => cancel('Abandoned')
  options.signal?.addEventListener('abort', abandon, { once: true })
  const sendOptions = {
    onProvisional: (r: SipResponse) => options.onProgress(r),
    onAttempt: (attempt: SipRequest) => {
      current = attempt
      // Cancelled while a challenge was being answered: the retry is cancelled once it has its transaction.
      if (cancelled !== undefined && attempt !== request) queueMicrotask(() => core.cancel(attempt, cancelled!.reason))
    },
  }
  let response: SipResponse
  try {
    response = options.auth === undefined
      ? await core.sendRequest(request, { destination: call.destination, ...sendOptions })
      : await options.auth.send(core, request, call.destination, sendOptions)
  } catch (error) {
    if (error instanceof CallOutAuthError) return { status: error.status, reason: error.reason }
    return { status: 408, reason: 'Request Timeout' }
  } finally {
    options.clock.clearTimeout(timer)
    options.signal?.removeEventListener('abort', abandon)
  }
  if (response.status >= 300) return response.status === 487 && timedOut ? { status: 408, reason: 'Request Timeout' } : { status: response.status, reason: response.reason }
  const verdict = options.onAnswered(current, response)
  const dialog = 'dialog' in verdict ? verdict.dialog : core.createUacDialog(current, response)
  await core.sendAck(dialog.createAck(readCSeq(response.headers).seq), call.destination)
  if ('dialog' in verdict) return { status: response.status, reason: response.reason }
  // RFC 3261 §13.2.2.4: a 2xx we cannot use is ACKed, then ended with BYE.
  const bye = dialog.createRequest('BYE')
  const byeOptions = { dialog, destination: call.destination }
  await (options.auth === undefined ? core.sendRequest(bye, byeOptions) : options.auth.send(core, bye, call.destination, byeOptions)).catch(() => undefined)
  core.removeDialog(dialog)
  return verdict.refused
}

/**
 * Requests the server sends inside dialogs it holds (BYE to participants, NOTIFYs to
 * watchers), over the flow the dialog was formed on (RFC 5626 style: back through the
 * participant's own connection, which also works behind NAT).
 *
 * @module
 */

import type { IncomingRequest } from '../sip/core/incoming-request.ts'
import type { SendRequestOptions, UserAgentCore } from '../sip/core/user-agent-core.ts'
import type { Dialog, DialogRequestOptions } from '../sip/dialog.ts'
import type { SipRequest, SipResponse } from '../sip/message.ts'
import type { Destination } from '../sip/transaction/transport-port.ts'
import type { ChatServerLogger } from './options.ts'

/** A dialog and where its peer is reached. */
export interface DialogLeg {
  readonly dialog: Dialog
  /** The source of the request that formed the dialog (connection id kept for TCP/WS/memory). */
  readonly destination: Destination
  /**
   * How requests in the dialog are sent, when not straight through the core: a dialog the focus
   * formed through its call-out proxy answers that proxy's challenges (call-out-auth.ts).
   */
  readonly send?: DialogSender | undefined
}

/** Sends one request in a dialog and resolves with its final response. */
export type DialogSender = (request: SipRequest, options: SendRequestOptions) => Promise<SipResponse>

/**
 * Sends `method` in the dialog; resolves with the final response, or undefined when it could not
 * be sent or timed out (logged; the dialog is then over, RFC 3261 §12.2.1.2).
 */
export async function sendInDialog(core: UserAgentCore, leg: DialogLeg, method: string, options: DialogRequestOptions, log: ChatServerLogger): Promise<SipResponse | undefined> {
  if (leg.dialog.state === 'terminated') return undefined
  try {
    const request = leg.dialog.createRequest(method, options)
    const route = { dialog: leg.dialog, destination: leg.destination }
    return await (leg.send === undefined ? core.sendRequest(request, route) : leg.send(request, route))
  } catch (error) {
    log.debug(`${method} in dialog ${leg.dialog.id.callId} failed: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  }
}

/**
 * Wraps an in-dialog request handler so a fault answers 500 (RFC 3261 §21.5.1) instead of
 * leaving the request unanswered.
 */
export function guarded(handler: (incoming: IncomingRequest) => void, log: ChatServerLogger): (incoming: IncomingRequest) => void {
  return (incoming) => {
    try {
      handler(incoming)
    } catch (error) {
      log.warn(`${incoming.method} in dialog failed: ${error instanceof Error ? error.message : String(error)}`)
      if (!incoming.answered) incoming.respond(500)
    }
  }
}

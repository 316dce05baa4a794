import { MsrpBotError } from '../errors.ts'
import { SipHeaders } from './header-list.ts'
import { readContacts } from './headers/contact.ts'
import { readCSeq } from './headers/cseq.ts'
import { type NameAddr, readNameAddrHeader, readNameAddrList, serializeNameAddr, tagOf } from './headers/name-addr.ts'
import type { SipRequest, SipResponse } from './message.ts'
import { type SipUri, type Uri, parseUri, serializeUri } from './uri.ts'

/** Named dialog states (RFC 3261 §12). */
export type DialogState = 'early' | 'confirmed' | 'terminated'

/** What identifies a dialog (RFC 3261 §12): Call-ID and both tags. */
export interface DialogId {
  readonly callId: string
  readonly localTag: string
  readonly remoteTag: string
}

/** A map key for a dialog id. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`
}

/** Methods whose requests and 2xx responses refresh the remote target (RFC 3261 §12.2, RFC 3311, RFC 6665 §4.1.2.3). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER'])

/** Options for {@link Dialog.createRequest}. */
export interface DialogRequestOptions {
  /** Extra header fields, in order (Content-Type goes here or in `contentType`). */
  readonly headers?: ReadonlyArray<readonly [string, string]>
  /** Body bytes (or text, sent as UTF-8). */
  readonly body?: Buffer | string
  /** Content-Type of the body. */
  readonly contentType?: string
  /** CSeq number to use instead of the next one (ACK and CANCEL reuse the INVITE's, §12.2.1.1). */
  readonly cseq?: number
}

/** Why a request inside a dialog must be refused. */
export interface DialogRejection {
  readonly status: number
  readonly reason: string
  /** Seconds for a Retry-After header (500 to a re-INVITE during another, §14.2). */
  readonly retryAfter?: number
}

/** Thrown when a message cannot create a dialog (no tag, no Contact ...). */
export class DialogError extends MsrpBotError {}

/**
 * A SIP dialog (RFC 3261 §12): the peer-to-peer state that in-dialog requests are built from.
 *
 * Created from a dialog-creating request and its 1xx-with-tag or 2xx on the UAC side
 * ({@link Dialog.forUac}) or from the request on the UAS side ({@link Dialog.forUas}). It builds
 * in-dialog requests (§12.2.1.1: To/From/Call-ID, CSeq, Request-URI and Route from the route set
 * with loose or strict routing), checks incoming CSeq order (§12.2.2) and refreshes the remote
 * target from Contact on re-INVITE / UPDATE and their 2xx.
 */
export class Dialog {
  readonly id: DialogId
  #state: DialogState
  /** Our last CSeq number; undefined on the UAS side until we send a request. */
  localSeq: number | undefined
  /** The peer's last CSeq number; undefined until it sends one (UAC side). */
  remoteSeq: number | undefined
  /** Our address with our tag (From in our requests). */
  readonly local: NameAddr
  /** The peer's address with its tag (To in our requests). */
  readonly remote: NameAddr
  /** Where in-dialog requests go: the peer's Contact. */
  remoteTarget: Uri
  /** Route set from Record-Route (reversed on the UAC side, §12.1.2); fixed once confirmed. */
  routeSet: NameAddr[]
  /** Whether the dialog is secure (sips Request-URI over TLS, §12.1.1). */
  readonly secure: boolean
  /** The Contact we put in target-refresh requests. */
  localContact: string | undefined
  /** Which side created it. */
  readonly role: 'uac' | 'uas'
  /** An in-dialog INVITE of ours awaits its final response (glare detection, §14.1). */
  #outgoingInvite = false
  /** An in-dialog INVITE of the peer awaits our final response (§14.2). */
  #incomingInvite = false

  private constructor(init: {
    id: DialogId
    state: DialogState
    localSeq: number | undefined
    remoteSeq: number | undefined
    local: NameAddr
    remote: NameAddr
    remoteTarget: Uri
    routeSet: NameAddr[]
    secure: boolean
    localContact: string | undefined
    role: 'uac' | 'uas'
  }) {
    this.id = init.id
    this.#state = init.state
    this.localSeq = init.localSeq
    this.remoteSeq = init.remoteSeq
    this.local = init.local
    this.remote = init.remote
    this.remoteTarget = init.remoteTarget
    this.routeSet = init.routeSet
    this.secure = init.secure
    this.localContact = init.localContact
    this.role = init.role
  }

  /** Current state. */
  get state(): DialogState {
    return this.#state
  }

  /** The map key of this dialog. */
  get key(): string {
    return dialogKey(this.id)
  }

  /**
   * The UAC side (RFC 3261 §12.1.2): from our request and a 2xx or 101-199 response with a To
   * tag. Route set = the response's Record-Route reversed; remote target = its Contact.
   */
  static forUac(request: SipRequest, response: SipResponse): Dialog {
    const local = need(readNameAddrHeader(request.headers, 'From'), 'From')
    const remote = need(readNameAddrHeader(response.headers, 'To'), 'To')
    const localTag = tagOf(local)
    const remoteTag = tagOf(remote)
    if (localTag === undefined) throw new DialogError('SIP_DIALOG_NO_TAG', 'the request has no From tag, so no dialog can be formed (RFC 3261 §8.1.1.3)')
    if (remoteTag === undefined) throw new DialogError('SIP_DIALOG_NO_TAG', `the ${response.status} response has no To tag, so it creates no dialog (RFC 3261 §12.1.2)`)
    const callId = need(request.headers.get('Call-ID'), 'Call-ID')
    const requestUri = parseUri(request.uri)
    return new Dialog({
      id: { callId, localTag, remoteTag },
      state: response.status >= 200 ? 'confirmed' : 'early',
      localSeq: readCSeq(request.headers).seq,
      remoteSeq: undefined,
      local,
      remote,
      remoteTarget: contactUri(response) ?? requestUri,
      routeSet: readNameAddrList(response.headers, 'Record-Route').reverse(),
      secure: requestUri.kind === 'sip' && requestUri.scheme === 'sips',
      localContact: request.headers.get('Contact'),
      role: 'uac',
    })
  }

  /**
   * The UAS side (RFC 3261 §12.1.1): from the request and the To tag we put in our response.
   * Route set = the request's Record-Route in order; remote target = its Contact.
   */
  static forUas(request: SipRequest, localTag: string, localContact?: string, state: DialogState = 'confirmed'): Dialog {
    const remote = need(readNameAddrHeader(request.headers, 'From'), 'From')
    const to = need(readNameAddrHeader(request.headers, 'To'), 'To')
    const remoteTag = tagOf(remote)
    if (remoteTag === undefined) throw new DialogError('SIP_DIALOG_NO_TAG', 'the request has no From tag; an RFC 2543 peer cannot share a dialog with this UA (RFC 3261 §12.1.1)')
    const local: NameAddr = { ...to, params: new Map(to.params).set('tag', localTag) }
    const requestUri = parseUri(request.uri)
    const target = contactUri(request)
    if (!target) throw new DialogError('SIP_DIALOG_NO_CONTACT', `the ${request.method} has no Contact, so no dialog can be formed (RFC 3261 §12.1.1)`)
    return new Dialog({
      id: { callId: need(request.headers.get('Call-ID'), 'Call-ID'), localTag, remoteTag },
      state,
      localSeq: undefined,
      remoteSeq: readCSeq(request.headers).seq,
      local,
      remote,
      remoteTarget: target,
      routeSet: readNameAddrList(request.headers, 'Record-Route'),
      secure: requestUri.kind === 'sip' && requestUri.scheme === 'sips',
      localContact,
      role: 'uas',
    })
  }

  /** Marks the dialog terminated (BYE, 481, 408 to an in-dialog request, §12.3). */
  terminate(): void {
    this.#state = 'terminated'
  }

  /**
   * Builds an in-dialog request (RFC 3261 §12.2.1.1) without Via (the UA core adds it):
   * To/From with tags, Call-ID, CSeq (next local number unless `cseq` is given), Max-Forwards,
   * Contact on target-refresh methods, and Request-URI + Route per the route set: loose
   * routing (first route has `lr`) keeps the remote target as Request-URI; strict routing puts
   * the first route in the Request-URI and the remote target last in Route.
   */
  createRequest(method: string, options: DialogRequestOptions = {}): SipRequest {
    if (this.#state === 'terminated') throw new DialogError('SIP_DIALOG_TERMINATED', `cannot send ${method}: the dialog is terminated`)
    let seq = options.cseq
    if (seq === undefined) {
      // §12.2.1.1: the UAS side starts from any value when it sends its first request.
      seq = this.localSeq === undefined ? 1 : this.localSeq + 1
      this.localSeq = seq
    }
    const h = new SipHeaders()
    let requestUri = serializeUri(this.remoteTarget)
    const first = this.routeSet[0]
    if (first && !isLooseRoute(first)) {
      // Strict router: its URI becomes the Request-URI, stripped of what a Request-URI may not carry.
      const uri = first.uri.kind === 'sip' ? { ...first.uri, headers: [], params: new Map([...first.uri.params].filter(([k]) => k !== 'method')) } : first.uri
      requestUri = serializeUri(uri)
      for (const route of this.routeSet.slice(1)) h.append('Route', serializeNameAddr(route))
      h.append('Route', `<${serializeUri(this.remoteTarget)}>`)
    } else {
      for (const route of this.routeSet) h.append('Route', serializeNameAddr(route))
    }
    if (method === 'INVITE' && this.#state === 'confirmed') this.#outgoingInvite = true
    h.append('Max-Forwards', '70')
    h.append('From', serializeNameAddr(this.local))
    h.append('To', serializeNameAddr(this.remote))
    h.append('Call-ID', this.id.callId)
    h.append('CSeq', `${seq} ${method}`)
    if (this.localContact !== undefined && TARGET_REFRESH.has(method)) h.append('Contact', this.localContact)
    for (const [name, value] of options.headers ?? []) h.append(name, value)
    const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : (options.body ?? Buffer.alloc(0))
    if (options.contentType !== undefined && body.length > 0) h.set('Content-Type', options.contentType)
    return { kind: 'request', method, uri: requestUri, version: 'SIP/2.0', headers: h, body }
  }

  /** The ACK for a 2xx to an INVITE with CSeq number `inviteSeq` (RFC 3261 §13.2.2.4), optionally with an answer body. */
  createAck(inviteSeq: number, options: Omit<DialogRequestOptions, 'cseq'> = {}): SipRequest {
    return this.createRequest('ACK', { ...options, cseq: inviteSeq })
  }

  /**
   * Checks and absorbs a request received in this dialog (RFC 3261 §12.2.2): a CSeq lower than
   * the last one is refused with 500 (ACK and CANCEL carry the INVITE's number and are exempt);
   * target-refresh requests (re-INVITE, UPDATE ...) update the remote target from Contact.
   * Returns the rejection to send, or undefined to go on.
   */
  receiveRequest(request: SipRequest): DialogRejection | undefined {
    if (this.#state === 'terminated') return { status: 481, reason: 'Call/Transaction Does Not Exist' }
    const { seq } = readCSeq(request.headers)
    if (request.method !== 'ACK' && request.method !== 'CANCEL') {
      if (this.remoteSeq !== undefined && seq <= this.remoteSeq) {
        // Equal numbers are retransmissions, absorbed by the transaction layer before they get here.
        return { status: 500, reason: 'Server Internal Error - CSeq out of order' }
      }
      this.remoteSeq = seq
    }
    if (request.method === 'INVITE') {
      // §14.2: a re-INVITE while ours is pending is glare (491); while theirs is, 500 + Retry-After.
      if (this.#outgoingInvite) return { status: 491, reason: 'Request Pending' }
      if (this.#incomingInvite) return { status: 500, reason: 'Server Internal Error - re-INVITE in progress', retryAfter: Math.floor(Math.random() * 10) }
      this.#incomingInvite = true
    }
    if (TARGET_REFRESH.has(request.method)) {
      const target = contactUri(request)
      if (target) this.remoteTarget = target
    }
    return undefined
  }

  /**
   * Absorbs a response to a request sent in (or creating) this dialog: 2xx confirms an early
   * dialog (route set recomputed from its Record-Route, §12.2.1.2 / §13.2.2.4); a 2xx to a target
   * refresh updates the remote target; 481 and 408 terminate the dialog (§12.2.1.2).
   */
  receiveResponse(response: SipResponse, method: string): void {
    const { status } = response
    if (method === 'INVITE' && status >= 200) this.#outgoingInvite = false
    if (status === 481 || status === 408) {
      this.terminate()
      return
    }
    if (status >= 200 && status < 300) {
      if (this.#state === 'early' && this.role === 'uac') {
        this.routeSet = readNameAddrList(response.headers, 'Record-Route').reverse()
        this.#state = 'confirmed'
      }
      if (TARGET_REFRESH.has(method)) {
        const target = contactUri(response)
        if (target) this.remoteTarget = target
      }
    } else if (status > 100 && status < 200 && this.#state === 'early' && TARGET_REFRESH.has(method)) {
      const target = contactUri(response)
      if (target) this.remoteTarget = target
    }
  }

  /** Records our final response to a request received in this dialog (ends a re-INVITE in progress). */
  answered(method: string, status: number): void {
    if (method === 'INVITE' && status >= 200) this.#incomingInvite = false
  }

  /** Confirms an early UAS dialog when our 2xx is sent. */
  confirm(): void {
    if (this.#state === 'early') this.#state = 'confirmed'
  }
}

function isLooseRoute(route: NameAddr): boolean {
  return route.uri.kind === 'sip' && (route.uri as SipUri).params.has('lr')
}

function contactUri(message: SipRequest | SipResponse): Uri | undefined {
  const contacts = readContacts(message.headers)
  return contacts === '*' ? undefined : contacts[0]?.uri
}

function need<T>(value: T | undefined, header: string): T {
  if (value === undefined) throw new DialogError('SIP_DIALOG_MISSING_HEADER', `cannot form a dialog: the message has no ${header} header`)
  return value
}

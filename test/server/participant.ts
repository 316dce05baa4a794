/**
 * A small test participant for the chat-server tests: a SIP UA core on its own transport
 * (memory, TCP or UDP), one MSRP session per joined room, CPIM in and out. Deliberately thin and
 * protocol-level so each test can see status codes and bodies as they are on the wire.
 */
import { buildCpim } from '../../src/cpim/builder.ts'
import { parseCpim } from '../../src/cpim/parser.ts'
import type { CpimMessage } from '../../src/cpim/types.ts'
import type { ChatServer } from '../../src/server/chat-server.ts'
import { MsrpConnection } from '../../src/msrp/connection.ts'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { MsrpRequestError } from '../../src/msrp/errors.ts'
import { MsrpSession, generateSessionId } from '../../src/msrp/session.ts'
import { streamTransport } from '../../src/msrp/transport.ts'
import { dialMsrp } from '../../src/msrp/node-dial.ts'
import { parseMsrpSdp } from '../../src/sdp/parse.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import type { MsrpMedia } from '../../src/sdp/types.ts'
import type { IncomingRequest } from '../../src/sip/core/incoming-request.ts'
import { sourceOf, transportSetPort } from '../../src/sip/core/transport-adapter.ts'
import { UserAgentCore } from '../../src/sip/core/user-agent-core.ts'
import type { Dialog } from '../../src/sip/dialog.ts'
import { DigestClient } from '../../src/sip/digest.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import type { SipRequest, SipResponse } from '../../src/sip/message.ts'
import type { Destination } from '../../src/sip/transaction/transport-port.ts'
import { TcpTransport } from '../../src/sip/transport/tcp.ts'
import { TransportSet } from '../../src/sip/transport/transport-set.ts'
import { UdpTransport } from '../../src/sip/transport/udp.ts'

export type ParticipantTransport = 'memory' | 'tcp' | 'udp'

/** A list whose items can be awaited. `next` rejects after `timeoutMs` so a broken test fails instead of hanging. */
export class Inbox<T> {
  readonly items: T[] = []
  readonly #waiters: Array<{ match: (t: T) => boolean; resolve: (t: T) => void }> = []
  #taken = new Set<T>()

  push(item: T): void {
    this.items.push(item)
    const i = this.#waiters.findIndex((w) => w.match(item))
    if (i >= 0) {
      const [w] = this.#waiters.splice(i, 1)
      this.#taken.add(item)
      w!.resolve(item)
    }
  }

  /** The first item (not returned before) that matches, now or when it arrives. */
  next(match: (t: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const found = this.items.find((t) => !this.#taken.has(t) && match(t))
    if (found !== undefined) {
      this.#taken.add(found)
      return Promise.resolve(found)
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter)
        if (i >= 0) this.#waiters.splice(i, 1)
        reject(new Error(`Inbox.next: nothing matched within ${timeoutMs} ms (${this.items.length} items seen)`))
      }, timeoutMs)
      const waiter = { match, resolve: (t: T) => { clearTimeout(timer); resolve(t) } }
      this.#waiters.push(waiter)
    })
  }
}

/** A chat message a participant received. */
export interface Received {
  room: string
  cpim: CpimMessage
  text: string
  contentType: string | undefined
}

/** A NOTIFY a participant received. */
export interface ReceivedNotify {
  callId: string
  event: string
  state: string
  contentType: string | undefined
  body: string
}

/** One joined room. */
export interface RoomSession {
  room: string
  dialog: Dialog
  session: MsrpSession
  /** The focus's SDP answer, parsed. */
  answer: MsrpMedia
  /** The 200 to the INVITE. */
  response: SipResponse
}

let counter = 0

/** The test participant. */
export class TestParticipant {
  readonly user: string
  readonly uri: string
  readonly core: UserAgentCore
  readonly set: TransportSet
  readonly server: ChatServer
  readonly transport: ParticipantTransport
  readonly serverDestination: Destination
  readonly messages = new Inbox<Received>()
  readonly notifies = new Inbox<ReceivedNotify>()
  readonly byes = new Inbox<string>()
  /** The BYEs received, with their RFC 3326 Reason header. */
  readonly byeReasons = new Inbox<{ room: string; reason: string | undefined }>()
  readonly sipMessages = new Inbox<SipRequest>()
  /** Calls (INVITEs) this participant answered; set {@link acceptCalls} first. */
  readonly calls = new Inbox<{ request: SipRequest; dialog: Dialog }>()
  /** Requests received inside answered calls (ACK, BYE ...), by method. */
  readonly callRequests = new Inbox<string>()
  acceptCalls = false
  readonly rooms = new Map<string, RoomSession>()
  readonly #digest: DigestClient | undefined
  readonly #cleanups: Array<() => Promise<void>> = []
  readonly #host: string
  readonly #port: number

  private constructor(server: ChatServer, user: string, transport: ParticipantTransport, set: TransportSet, host: string, port: number, password: string | undefined, uri: string | undefined) {
    this.server = server
    this.user = user
    this.uri = uri ?? `sip:${user}@${server.domain}`
    this.transport = transport
    this.set = set
    this.#host = host
    this.#port = port
    this.#digest = password === undefined ? undefined : new DigestClient({ credentials: { username: user, password } })
    this.core = new UserAgentCore({ port: transportSetPort(set), tryingDelayMs: 50 })
    set.on('message', (bytes, meta) => this.core.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
    const a = transport === 'memory' ? server.addresses.sip.find((x) => x.transport === 'memory')! : server.addresses.sip.find((x) => x.transport === transport)!
    this.serverDestination = { host: a.host, port: a.port, transport: transport.toUpperCase() }
    this.core.onRequest((incoming) => this.#onRequest(incoming))
    this.core.onOrphanRequest((incoming) => {
      if (incoming.method !== 'NOTIFY') return false
      this.#onNotify(incoming)
      return true
    })
  }

  /**
   * Creates a participant `user` talking to `server` over `transport`; its From/To URI is
   * `sip:<user>@<domain>` unless `uri` gives another (an attacker's crafted identity); `host`
   * names its memory-network address (default `<user>-N.invalid`).
   */
  static async create(server: ChatServer, user: string, options: { transport?: ParticipantTransport; password?: string; uri?: string; host?: string } = {}): Promise<TestParticipant> {
    const transport = options.transport ?? (server.network !== undefined ? 'memory' : 'tcp')
    let set: TransportSet
    let host: string
    let port: number
    if (transport === 'memory') {
      host = options.host ?? `${user}-${++counter}.invalid`
      port = 5060
      set = new TransportSet([server.network!.sip.createTransport({ host, port })])
      await set.listen()
    } else if (transport === 'tcp') {
      set = new TransportSet([new TcpTransport({ host: '127.0.0.1', port: 0 })])
      await set.listen()
      host = '127.0.0.1'
      port = set.localAddress('tcp').port
    } else {
      set = new TransportSet([new UdpTransport({ host: '127.0.0.1', port: 0 })])
      await set.listen()
      host = '127.0.0.1'
      port = set.localAddress('udp').port
    }
    return new TestParticipant(server, user, transport, set, host, port, options.password, options.uri)
  }

  /** Our Contact. */
  get contact(): string {
    return `<sip:${this.user}@${this.#host}:${this.#port};transport=${this.transport}>`
  }

  /** Sends an out-of-dialog request to the server and answers digest challenges once. */
  async request(method: string, target: string, init: { headers?: Array<[string, string]>; body?: string | Buffer; contentType?: string; to?: string } = {}): Promise<{ request: SipRequest; response: SipResponse }> {
    const request = this.core.createRequest(method, target, {
      from: `<${this.uri}>`,
      ...(init.to === undefined ? {} : { to: init.to }),
      headers: [...(init.headers ?? []), ...(['INVITE', 'SUBSCRIBE', 'REFER', 'REGISTER'].includes(method) ? [['Contact', this.contact] as [string, string]] : [])],
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.contentType === undefined ? {} : { contentType: init.contentType }),
    })
    let response = await this.core.sendRequest(request, { destination: this.serverDestination })
    if ((response.status === 401 || response.status === 407) && this.#digest !== undefined) {
      const kind = response.status === 401 ? 'www' : 'proxy'
      const challenge = response.headers.getAllLines(kind === 'www' ? 'WWW-Authenticate' : 'Proxy-Authenticate')
      const retry: SipRequest = { ...request, headers: request.headers.clone() }
      retry.headers.delete('Via')
      const cseq = readCSeq(request.headers)
      retry.headers.set('CSeq', `${cseq.seq + 1} ${method}`)
      for (const h of this.#digest.answer(kind, challenge, { method, uri: request.uri, body: request.body })) retry.headers.append(h.name, h.value)
      response = await this.core.sendRequest(retry, { destination: this.serverDestination })
      return { request: retry, response }
    }
    return { request, response }
  }

  /** REGISTER our contact (expires seconds). */
  async register(expires = 3600): Promise<SipResponse> {
    const { response } = await this.request('REGISTER', `sip:${this.server.domain}`, { headers: [['Expires', String(expires)]], to: `<${this.uri}>` })
    return response
  }

  /**
   * Joins a room: INVITE with an MSRP offer (we are active, RFC 6135), then connects MSRP.
   * Resolves with the session, or the failure response.
   */
  async join(room: string, options: { setup?: 'active' | 'actpass' } = {}): Promise<RoomSession | SipResponse> {
    const roomUri = this.server.roomUri(room)
    const sessionId = generateSessionId()
    const localUri = `msrp://${this.#host}:2855/${sessionId};tcp`
    const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: options.setup ?? 'active' })
    const { request, response } = await this.request('INVITE', roomUri, { body: offer, contentType: 'application/sdp' })
    if (response.status !== 200) return response
    const dialog = this.core.createUacDialog(request, response, (incoming) => this.#inDialog(incoming, roomUri))
    await this.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), this.serverDestination)
    const answer = parseMsrpSdp(response.body.toString('utf8')).media[0]!
    let session: MsrpSession
    const sessionOptions = { localUri, remotePath: answer.path.join(' '), transactionTimeoutMs: 5000 }
    if (this.server.network !== undefined) {
      const first = answer.path[0]!
      const m = /^msrp:\/\/([^:/]+):(\d+)\//.exec(first)!
      const stream = this.server.network.msrp.connect(m[1]!, Number(m[2]))
      const connection = new MsrpConnection(streamTransport(stream, 'memory'), { role: 'active' })
      session = await MsrpSession.connect({ ...sessionOptions, connection, bind: false })
    } else {
      session = await MsrpSession.connect({ ...sessionOptions, dial: dialMsrp, bind: false })
    }
    // Listen before binding, as a room client does: the room's history follows the bind at once.
    const joined = this.#attach(roomUri, dialog, session, answer, response)
    await session.sendBinding()
    return joined
  }

  /**
   * Joins offering `a=setup:passive` (RFC 6135): we listen and the focus connects to us and
   * binds with an empty SEND.
   */
  async joinPassive(room: string): Promise<RoomSession> {
    const roomUri = this.server.roomUri(room)
    let listener: MsrpListener
    let port: number
    if (this.server.network !== undefined) {
      listener = new MsrpListener()
      port = 3000 + ++counter
      const stop = this.server.network.msrp.listen(this.#host, port, (stream) => listener.accept(stream))
      this.#cleanups.push(async () => { stop(); await listener.close() })
    } else {
      listener = await MsrpListener.listen({ host: '127.0.0.1', port: 0 })
      port = listener.address!.port
      this.#cleanups.push(() => listener.close())
    }
    const localUri = `msrp://${this.#host}:${port}/${generateSessionId()};tcp`
    const session = new MsrpSession({ localUri, listener, transactionTimeoutMs: 5000 })
    const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'passive' })
    const { request, response } = await this.request('INVITE', roomUri, { body: offer, contentType: 'application/sdp' })
    if (response.status !== 200) throw new Error(`${this.user} could not join ${room}: ${response.status}`)
    const dialog = this.core.createUacDialog(request, response, (incoming) => this.#inDialog(incoming, roomUri))
    await this.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), this.serverDestination)
    const answer = parseMsrpSdp(response.body.toString('utf8')).media[0]!
    session.setRemotePath(answer.path.join(' '))
    await session.opened()
    return this.#attach(roomUri, dialog, session, answer, response)
  }

  #attach(roomUri: string, dialog: Dialog, session: MsrpSession, answer: MsrpMedia, response: SipResponse): RoomSession {
    session.on('message', (m) => {
      try {
        const cpim = parseCpim(m.body)
        this.messages.push({ room: roomUri, cpim, text: Buffer.from(cpim.body).toString('utf8'), contentType: cpim.contentType })
      } catch {
        // not CPIM: ignored by the tests
      }
    })
    const joined: RoomSession = { room: roomUri, dialog, session, answer, response }
    this.rooms.set(roomUri, joined)
    return joined
  }

  /** Like {@link join}, failing when refused. */
  async joinOk(room: string): Promise<RoomSession> {
    const result = await this.join(room)
    if ('status' in result) throw new Error(`${this.user} could not join ${room}: ${result.status} ${result.reason}`)
    return result
  }

  /** Sends a CPIM message in a room; resolves with the MSRP status (200 or the error code). */
  async say(room: string, text: string, options: { to?: string; from?: string; contentType?: string; body?: string | Buffer } = {}): Promise<number> {
    const joined = this.#room(room)
    const cpim = buildCpim({
      from: { uri: options.from ?? this.uri },
      to: [{ uri: options.to ?? joined.room }],
      contentType: options.contentType ?? 'text/plain;charset=UTF-8',
      body: options.body ?? text,
    })
    try {
      await joined.session.send({ contentType: 'message/cpim', body: cpim })
      return 200
    } catch (error) {
      if (error instanceof MsrpRequestError) return error.status
      throw error
    }
  }

  /** Sends a raw MSRP body (any content type); resolves with the status. */
  async sendRaw(room: string, contentType: string, body: string | Buffer): Promise<number> {
    try {
      await this.#room(room).session.send({ contentType, body })
      return 200
    } catch (error) {
      if (error instanceof MsrpRequestError) return error.status
      throw error
    }
  }

  /** NICKNAME; resolves with the status. */
  async nickname(room: string, nickname: string): Promise<number> {
    try {
      await this.#room(room).session.setNickname(nickname)
      return 200
    } catch (error) {
      if (error instanceof MsrpRequestError) return error.status
      throw error
    }
  }

  /** SUBSCRIBE to an event package at `target`; NOTIFYs land in {@link notifies}. */
  async subscribe(target: string, event: string, expires = 600): Promise<{ request: SipRequest; response: SipResponse; dialog?: Dialog }> {
    const result = await this.request('SUBSCRIBE', target, { headers: [['Event', event], ['Expires', String(expires)], ['Accept', event === 'presence' ? 'application/pidf+xml' : 'application/conference-info+xml']] })
    if (result.response.status >= 200 && result.response.status < 300) {
      const dialog = this.core.createUacDialog(result.request, result.response, (incoming) => this.#inDialog(incoming, target))
      return { ...result, dialog }
    }
    return result
  }

  /** Sends a request inside a room's dialog (BYE, REFER ...). */
  async inDialog(room: string, method: string, init: { headers?: Array<[string, string]>; body?: string; contentType?: string } = {}): Promise<SipResponse> {
    const joined = this.#room(room)
    const request = joined.dialog.createRequest(method, { ...(init.headers === undefined ? {} : { headers: init.headers }), ...(init.body === undefined ? {} : { body: init.body }), ...(init.contentType === undefined ? {} : { contentType: init.contentType }) })
    return this.core.sendRequest(request, { dialog: joined.dialog, destination: this.serverDestination })
  }

  /** Leaves a room with BYE. */
  async leave(room: string): Promise<SipResponse> {
    const response = await this.inDialog(room, 'BYE')
    await this.#room(room).session.close()
    this.rooms.delete(this.server.roomUri(room))
    return response
  }

  /** Closes everything. */
  async close(): Promise<void> {
    for (const r of this.rooms.values()) await r.session.close()
    for (const cleanup of this.#cleanups) await cleanup()
    this.core.close()
    await this.set.close()
  }

  #room(room: string): RoomSession {
    const joined = this.rooms.get(this.server.roomUri(room))
    if (joined === undefined) throw new Error(`${this.user} is not in ${room}`)
    return joined
  }

  #onRequest(incoming: IncomingRequest): void {
    if (incoming.method === 'ACK') return
    if (incoming.method === 'MESSAGE') {
      this.sipMessages.push(incoming.message)
      incoming.respond(200)
      return
    }
    if (incoming.method === 'NOTIFY') {
      this.#onNotify(incoming)
      return
    }
    if (incoming.method === 'INVITE' && this.acceptCalls) {
      const dialog = this.core.createUasDialog(incoming, this.contact, (inCall) => {
        this.callRequests.push(inCall.method)
        if (inCall.method !== 'ACK') inCall.respond(200)
      })
      incoming.respond(200, { headers: [['Contact', this.contact]], body: incoming.message.body, contentType: 'application/sdp' })
      this.calls.push({ request: incoming.message, dialog })
      return
    }
    incoming.respond(incoming.method === 'OPTIONS' ? 200 : 405)
  }

  #inDialog(incoming: IncomingRequest, room: string): void {
    switch (incoming.method) {
      case 'BYE':
        incoming.respond(200)
        this.byes.push(room)
        this.byeReasons.push({ room, reason: incoming.message.headers.get('Reason') })
        return
      case 'NOTIFY':
        this.#onNotify(incoming)
        return
      case 'ACK':
        return
      default:
        incoming.respond(405)
    }
  }

  #onNotify(incoming: IncomingRequest): void {
    const h = incoming.message.headers
    incoming.respond(200)
    this.notifies.push({
      callId: h.get('Call-ID') ?? '',
      event: h.get('Event') ?? '',
      state: h.get('Subscription-State') ?? '',
      contentType: h.get('Content-Type'),
      body: incoming.message.body.toString('utf8'),
    })
  }
}

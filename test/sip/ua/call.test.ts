import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createOffer } from '../../../src/sdp/index.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { parseSipMessage } from '../../../src/sip/parser.ts'
import { FakeClock } from '../../../src/clock.ts'
import { UdpTransport } from '../../../src/sip/transport/udp.ts'
import { Inviter, SipResponseError, UserAgent, type Invitation, type Session } from '../../../src/sip/ua/index.ts'
import { digestGuard, settle, until, world } from './helpers.ts'
import { nodeTransports } from '../../../src/sip/ua/node-transports.ts'

const offer = createOffer({ path: ['msrp://alice.test:2855/alicesess;tcp'] })
const answer = createOffer({ path: ['msrp://bob.test:2855/bobsess;tcp'], setup: 'passive' })

describe('Inviter / Invitation / Session', () => {
  const w = world()
  after(() => w.close())

  /** Alice calls `callee`; `onInvite` decides. */
  async function call(callerName: string, calleeName: string, onInvite: (inv: Invitation) => void | Promise<void>) {
    const caller = await w.ua(callerName)
    const callee = await w.ua(calleeName)
    const invitations: Invitation[] = []
    callee.on('invite', (inv) => {
      invitations.push(inv)
      void onInvite(inv)
    })
    const inviter = new Inviter(caller, `sip:${calleeName}@${calleeName}.test:5060`, { sdp: offer })
    return { caller, callee, inviter, invitations }
  }

  it('full call: 180, 200 with the MSRP answer, ACK, then BYE from the caller ends both sides', async () => {
    let calleeSession: Promise<Session> | undefined
    const { inviter, invitations } = await call('a1', 'b1', (inv) => {
      inv.progress(180)
      calleeSession = inv.accept(answer)
    })
    const progress: number[] = []
    inviter.on('progress', (r) => progress.push(r.status))
    const session = await inviter.invite()
    assert.deepEqual(progress.filter((s) => s > 100), [180])
    assert.equal(inviter.state, 'answered')
    assert.equal(session.remoteSdp, answer)
    assert.equal(session.state, 'established')
    const bobSession = await calleeSession!
    assert.equal(invitations[0]!.state, 'accepted')
    assert.equal(bobSession.remoteSdp, offer)
    assert.match(invitations[0]!.remoteSdp, /m=message \d+ TCP\/MSRP \*/)
    const ended = new Promise<string>((resolve) => bobSession.once('terminated', resolve))
    const bye = await session.bye()
    assert.equal(bye.status, 200)
    assert.equal(await ended, 'remote-bye')
    assert.equal(session.state, 'terminated')
  })

  it('BYE from the callee ends the caller session with remote-bye', async () => {
    let calleeSession: Promise<Session> | undefined
    const { inviter } = await call('a2', 'b2', (inv) => { calleeSession = inv.accept(answer) })
    const session = await inviter.invite()
    const ended = new Promise<string>((resolve) => session.once('terminated', resolve))
    await (await calleeSession!).bye()
    assert.equal(await ended, 'remote-bye')
  })

  it('cancel() after 180 makes invite() reject with 487 and the callee sees cancelled', async () => {
    const { inviter, invitations } = await call('a3', 'b3', (inv) => inv.progress(180))
    inviter.on('progress', (r) => {
      if (r.status === 180) inviter.cancel()
    })
    const cancelled = until(() => invitations[0]?.state === 'cancelled', 'callee cancelled')
    const error = await inviter.invite().then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof SipResponseError)
    assert.equal(error.status, 487)
    assert.equal(inviter.state, 'cancelled')
    await cancelled
  })

  it('reject(486) makes invite() reject with status 486', async () => {
    const { inviter } = await call('a4', 'b4', (inv) => inv.reject(486))
    await assert.rejects(inviter.invite(), (e: unknown) => e instanceof SipResponseError && e.status === 486)
    assert.equal(inviter.state, 'failed')
  })

  it('a re-INVITE is answered 200 with the same SDP, and INFO is surfaced as a request event', async () => {
    let calleeSession: Promise<Session> | undefined
    const { caller, inviter } = await call('a5', 'b5', (inv) => { calleeSession = inv.accept(answer) })
    const session = await inviter.invite()
    const bob = await calleeSession!
    const refreshed = new Promise<string>((resolve) => bob.once('refreshed', resolve))
    const reinvite = session.dialog.createRequest('INVITE', { body: offer, contentType: 'application/sdp' })
    const response = await caller.sendRequest(reinvite, { dialog: session.dialog })
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), answer)
    await caller.core.sendAck(session.dialog.createAck(readCSeq(response.headers).seq))
    assert.equal(await refreshed, 'received')
    bob.on('request', (r) => r.respond(200, { body: Buffer.from('ok'), contentType: 'text/plain' }))
    const info = await caller.sendRequest(session.dialog.createRequest('INFO', { body: 'ping', contentType: 'text/plain' }), { dialog: session.dialog })
    assert.equal(info.body.toString(), 'ok')
  })

  it('session timers (RFC 4028): the refresher UAC sends UPDATE at half the interval; the callee stays up', async () => {
    const caller = await w.ua('a6')
    const callee = await w.ua('b6')
    let calleeSession: Promise<Session> | undefined
    callee.on('invite', (inv) => { calleeSession = inv.accept(answer) })
    const session = await new Inviter(caller, 'sip:b6@b6.test:5060', { sdp: offer, sessionExpires: 90 }).invite()
    const bob = await calleeSession!
    assert.deepEqual(session.sessionTimer, { interval: 90, weRefresh: true })
    assert.deepEqual(bob.sessionTimer, { interval: 90, weRefresh: false })
    const refreshed = new Promise<string>((resolve) => bob.once('refreshed', resolve))
    w.clock.advance(45_000)
    assert.equal(await refreshed, 'received')
    await settle()
    w.clock.advance(45_000) // the callee's BYE deadline (60 s after the last refresh) has not come
    await settle()
    assert.equal(bob.state, 'established')
    assert.equal(session.state, 'established')
  })

  it('session timers: when the refresher goes quiet, the other side hangs up before expiry (RFC 4028 §10)', async () => {
    const caller = await w.ua('a8')
    const callee = await w.ua('b8')
    let calleeSession: Promise<Session> | undefined
    callee.on('invite', (inv) => { calleeSession = inv.accept(answer) })
    const session = await new Inviter(caller, 'sip:b8@b8.test:5060', { sdp: offer, sessionExpires: 90 }).invite()
    const bob = await calleeSession!
    // The caller stops refreshing (as a crashed caller would).
    caller.core.removeDialog(session.dialog)
    const ended = new Promise<string>((resolve) => bob.once('terminated', resolve))
    session.dialog.terminate()
    w.clock.advance(45_000) // the caller's refresh would fail: its dialog is gone
    await settle()
    w.clock.advance(15_000) // 90 - min(32, 30) = 60 s
    assert.equal(await ended, 'session-timer')
  })

  it('authenticates an INVITE challenged with 407 (new CSeq, same Call-ID) and ACKs the 2xx with its CSeq', async () => {
    const proxy = await w.server('pbx.test')
    const auth = digestGuard()
    const acks: number[] = []
    proxy.handler = async (r) => {
      if (r.method !== 'INVITE') return
      const result = await auth.verify(r.message.headers.getAllLines('Proxy-Authorization'), { method: 'INVITE' })
      if (!result.ok) {
        r.respond(407, { headers: auth.challenge().map((v) => ['Proxy-Authenticate', v] as const) })
        return
      }
      proxy.core.createUasDialog(r, '<sip:pbx.test:5060;transport=memory>', (inDialog) => {
        if (inDialog.method === 'ACK') acks.push(readCSeq(inDialog.message.headers).seq)
        else inDialog.respond(200)
      })
      r.respond(200, { headers: [['Contact', '<sip:pbx.test:5060;transport=memory>']], body: Buffer.from(answer), contentType: 'application/sdp' })
    }
    const caller = await w.ua('a7', { outboundProxy: 'sip:pbx.test:5060;lr' })
    const session = await new Inviter(caller, 'sip:conf@example.test', { sdp: offer }).invite()
    const invites = proxy.of('INVITE')
    assert.equal(invites.length, 2)
    assert.equal(invites[0]!.headers.get('Call-ID'), invites[1]!.headers.get('Call-ID'))
    assert.equal(readCSeq(invites[1]!.headers).seq, readCSeq(invites[0]!.headers).seq + 1)
    await until(() => acks.length === 1, 'ACK')
    assert.deepEqual(acks, [readCSeq(invites[1]!.headers).seq])
    await session.bye()
  })
})

describe('2xx retransmission until ACK (RFC 3261 §13.3.1.4), over UDP', () => {
  it('the callee re-sends its 200 at T1, 2T1 ... until the ACK arrives, then stops', async () => {
    const clock = new FakeClock()
    const bob = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:bob@example.test', transport: 'udp', clock })
    await bob.start()
    let session: Promise<Session> | undefined
    bob.on('invite', (inv) => { session = inv.accept(answer) })
    const raw = new UdpTransport()
    await raw.listen()
    const oks: string[] = []
    raw.on('message', (bytes) => {
      const m = parseSipMessage(bytes, { datagram: true })
      if (m.kind === 'response' && m.status === 200) oks.push(m.headers.get('To')!)
    })
    const local = raw.localAddress()
    const bobAddr = bob.localAddress
    const callId = randomBytes(6).toString('hex')
    const head = (method: string, seq: number, to: string, branch: string) => [
      `${method} sip:bob@${bobAddr.address}:${bobAddr.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${branch}`,
      'Max-Forwards: 70', 'From: <sip:alice@example.test>;tag=al1', `To: ${to}`, `Call-ID: ${callId}`, `CSeq: ${seq} ${method}`,
      `Contact: <sip:alice@${local.address}:${local.port}>`,
    ]
    const invite = [...head('INVITE', 1, '<sip:bob@example.test>', 'inv1'), 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(offer)}`, '', offer].join('\r\n')
    await raw.send(Buffer.from(invite), { host: bobAddr.address, port: bobAddr.port })
    await until(() => oks.length === 1, 'first 200')
    clock.advance(500)
    await until(() => oks.length === 2, '200 retransmitted at T1')
    clock.advance(1000)
    await until(() => oks.length === 3, '200 retransmitted at 2*T1')
    const ack = [...head('ACK', 1, oks[0]!, 'ack1'), 'Content-Length: 0', '', ''].join('\r\n')
    await raw.send(Buffer.from(ack), { host: bobAddr.address, port: bobAddr.port })
    const s = await session!
    assert.equal(s.state, 'established')
    clock.advance(10_000)
    await settle()
    assert.equal(oks.length, 3, 'no retransmission after the ACK')
    s.dialog.terminate()
    await raw.close()
    await bob.stop()
  })

  it('without an ACK, accept() rejects after 64*T1 and the callee hangs up with BYE', async () => {
    const clock = new FakeClock()
    const bob = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:bob@example.test', transport: 'udp', clock })
    await bob.start()
    let accepting: Promise<Session> | undefined
    bob.on('invite', (inv) => { accepting = inv.accept(answer) })
    const raw = new UdpTransport()
    await raw.listen()
    const seen: string[] = []
    raw.on('message', (bytes) => {
      const m = parseSipMessage(bytes, { datagram: true })
      seen.push(m.kind === 'request' ? m.method : String(m.status))
      if (m.kind === 'request' && m.method === 'BYE') {
        const via = m.headers.get('Via')!
        const resp = ['SIP/2.0 200 OK', `Via: ${via}`, `From: ${m.headers.get('From')}`, `To: ${m.headers.get('To')}`, `Call-ID: ${m.headers.get('Call-ID')}`, `CSeq: ${m.headers.get('CSeq')}`, 'Content-Length: 0', '', ''].join('\r\n')
        const bobAddr = bob.localAddress
        void raw.send(Buffer.from(resp), { host: bobAddr.address, port: bobAddr.port })
      }
    })
    const local = raw.localAddress()
    const bobAddr = bob.localAddress
    const invite = [
      `INVITE sip:bob@${bobAddr.address}:${bobAddr.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bKnoack`,
      'Max-Forwards: 70', 'From: <sip:alice@example.test>;tag=al2', 'To: <sip:bob@example.test>', 'Call-ID: noack-1', 'CSeq: 1 INVITE',
      `Contact: <sip:alice@${local.address}:${local.port}>`, 'Content-Length: 0', '', '',
    ].join('\r\n')
    await raw.send(Buffer.from(invite), { host: bobAddr.address, port: bobAddr.port })
    await until(() => accepting !== undefined && seen.includes('200'), '200')
    const failure = accepting!.then(() => undefined, (e: unknown) => e)
    for (let t = 0; t < 32_000; t += 4000) {
      clock.advance(4000)
      await settle(5)
    }
    const error = await failure
    assert.ok(error instanceof Error && (error as { code?: string }).code === 'SIP_UA_TIMEOUT')
    await until(() => seen.includes('BYE'), 'BYE after the ACK timeout')
    assert.ok(seen.filter((s) => s === '200').length >= 7, 'the 200 was retransmitted while waiting')
    await settle()
    await raw.close()
    await bob.stop()
  })
})

describe('Inviter.cancel edge cases', () => {
  const w = world()
  after(() => w.close())

  it('cancel() before invite() marks the call cancelled and invite() refuses to send', async () => {
    const ua = await w.ua('c1')
    const inviter = new Inviter(ua, 'sip:nobody@example.test', { sdp: offer })
    assert.equal(inviter.cancel(), true)
    assert.equal(inviter.state, 'cancelled')
    await assert.rejects(inviter.invite(), /cancelled before the INVITE was sent/)
  })

  it('cancel() while a 407 is being answered cancels the authenticated retry', async () => {
    const proxy = await w.server('pbx2.test')
    const auth = digestGuard()
    let inviter: Inviter | undefined
    proxy.handler = async (r) => {
      if (r.method !== 'INVITE') return
      const result = await auth.verify(r.message.headers.getAllLines('Proxy-Authorization'), { method: 'INVITE' })
      if (!result.ok) {
        inviter!.cancel()
        r.respond(407, { headers: auth.challenge().map((v) => ['Proxy-Authenticate', v] as const) })
        return
      }
      r.respond(180)
    }
    const ua = await w.ua('c2', { outboundProxy: 'sip:pbx2.test:5060;lr' })
    inviter = new Inviter(ua, 'sip:conf@example.test', { sdp: offer })
    await assert.rejects(inviter.invite(), (e: unknown) => e instanceof SipResponseError && e.status === 487)
    assert.equal(inviter.state, 'cancelled')
    assert.equal(proxy.of('INVITE').length, 2)
  })
})

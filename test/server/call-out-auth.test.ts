// The focus's call-outs at a proxy that challenges them (RFC 3261 §22): answered once with the
// server's callOutCredentials, refused credentials and missing ones fail with a clear reason,
// and no one but the proxy ever gets the credentials. A fake proxy on the memory network.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { callOut, type CallOutResult } from '../../src/server/call-out.ts'
import { CallOutAuth } from '../../src/server/call-out-auth.ts'
import type { CallOutCredentials } from '../../src/server/options.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import type { IncomingRequest } from '../../src/sip/core/incoming-request.ts'
import type { SipRequest } from '../../src/sip/message.ts'
import { parseSipMessage } from '../../src/sip/parser.ts'
import { digestGuard, until, world, type ScriptedServer, type UaWorld } from '../sip/ua/helpers.ts'

const PROXY = { host: 'proxy.test', port: 5060, transport: 'MEMORY' } as const
const PHONE = { host: 'phone.test', port: 5060, transport: 'MEMORY' } as const
const GOOD: CallOutCredentials = { username: 'lobby', password: 'secret' }

/** Captures what the server logs, to check what an operator reads (and that no password is in it). */
function capture(): { lines: string[]; log: { debug(m: string): void; info(m: string): void; warn(m: string): void } } {
  const lines: string[] = []
  return { lines, log: { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m) } }
}

describe('call-outs through a proxy that challenges them', () => {
  let w: UaWorld
  let focus: ScriptedServer
  let proxy: ScriptedServer
  beforeEach(async () => {
    w = world()
    focus = await w.server('focus.test')
    proxy = await w.server('proxy.test')
  })
  afterEach(() => w.close())

  /** The proxy challenges every INVITE and BYE without valid Proxy-Authorization; `onInvite` answers the rest. */
  function challenging(server: ScriptedServer, host: string, options: { byeToo?: boolean; password?: string; stale?: boolean } = {}): { byes: SipRequest[]; acks: SipRequest[] } {
    const guard = digestGuard('example.test', options.password ?? 'secret')
    const byes: SipRequest[] = []
    const acks: SipRequest[] = []
    let staled = false
    const admit = async (r: IncomingRequest): Promise<boolean> => {
      const answered = r.message.headers.has('Proxy-Authorization')
      // Once: the first answer's nonce is called stale (as after a proxy restart); the client must answer again.
      const stale = options.stale === true && !staled && answered
      if (stale) staled = true
      const verdict = stale ? { ok: false } : await guard.verify(r.message.headers.getAllLines('Proxy-Authorization'), { method: r.method })
      if (verdict.ok) return true
      r.respond(407, { headers: guard.challenge({ stale }).map((v) => ['Proxy-Authenticate', v] as const) })
      return false
    }
    server.handler = async (r) => {
      if (r.method !== 'INVITE') return
      if (!(await admit(r))) return
      server.core.createUasDialog(r, `<sip:bob@${host}:5060;transport=memory>`, async (inDialog) => {
        if (inDialog.method === 'ACK') {
          acks.push(inDialog.message)
          return
        }
        if (inDialog.method === 'BYE') {
          byes.push(inDialog.message)
          if (options.byeToo === true && !(await admit(inDialog))) return
        }
        inDialog.respond(200)
      })
      r.respond(200, { headers: [['Contact', `<sip:bob@${host}:5060;transport=memory>`]], body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' })
    }
    return { byes, acks }
  }

  function call(auth: CallOutAuth, destination: typeof PROXY | typeof PHONE = PROXY, refuse = false): Promise<CallOutResult> {
    return callOut(
      focus.core,
      { roomUri: 'sip:lobby@example.test', target: 'sip:bob@example.test', contact: 'sip:bob@example.test', destination, focusContact: '<sip:lobby@focus.test:5060;transport=memory>;isfocus', offer: 'v=0\r\n', headers: [] },
      {
        clock: w.clock,
        timeoutMs: 30_000,
        auth,
        onProgress: () => undefined,
        onAnswered: (request, response) => (refuse ? { refused: { status: 488, reason: 'Not Acceptable Here' } } : { dialog: focus.core.createUacDialog(request, response) }),
      },
    )
  }

  it('407 → the INVITE again with Proxy-Authorization, same Call-ID, CSeq + 1 → 200; the ACK carries the retry\'s CSeq', async () => {
    const { acks } = challenging(proxy, 'proxy.test')
    const { log, lines } = capture()
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: GOOD, log }))
    assert.deepEqual(result, { status: 200, reason: 'OK' })
    const [first, retry] = proxy.of('INVITE')
    assert.ok(first && retry && proxy.of('INVITE').length === 2)
    assert.equal(first.headers.has('Proxy-Authorization'), false)
    assert.match(retry.headers.get('Proxy-Authorization') ?? '', /username="lobby"/)
    assert.equal(retry.headers.get('Call-ID'), first.headers.get('Call-ID'))
    assert.equal(readCSeq(retry.headers).seq, readCSeq(first.headers).seq + 1)
    await until(() => acks.length === 1, 'ACK')
    assert.equal(readCSeq(acks[0]!.headers).seq, readCSeq(retry.headers).seq)
    assert.ok(lines.every((l) => !l.includes('secret')), 'the password is never logged')
  })

  it('a stale=true challenge to the answered INVITE is answered again (a new nonce, not a refusal)', async () => {
    challenging(proxy, 'proxy.test', { stale: true })
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: GOOD, log: capture().log }))
    assert.equal(result.status, 200)
    assert.equal(proxy.of('INVITE').length, 3)
  })

  it('a second 407 after answering (wrong password) ends the call-out: 407 with a reason for the inviter, the fix in the log', async () => {
    challenging(proxy, 'proxy.test', { password: 'other' })
    const { log, lines } = capture()
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: GOOD, log }))
    assert.equal(result.status, 407)
    assert.match(result.reason, /proxy refused the room server's credentials/)
    assert.equal(proxy.of('INVITE').length, 2, 'answered once, not again')
    assert.ok(lines.some((l) => /refused the server's callOutCredentials \(user "lobby"\).*check the user name and password/.test(l)), lines.join('\n'))
    assert.ok(lines.every((l) => !l.includes('secret')), 'the password is never logged')
  })

  it('no credentials: 407 for the inviter, and the log names the missing option', async () => {
    challenging(proxy, 'proxy.test')
    const { log, lines } = capture()
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: undefined, log }))
    assert.equal(result.status, 407)
    assert.match(result.reason, /no credentials at the proxy/)
    assert.equal(proxy.of('INVITE').length, 1)
    assert.ok(lines.some((l) => /has no callOutCredentials.*--call-out-user/.test(l)), lines.join('\n'))
  })

  it('credentials bound to another realm are not sent: the log says which realm to set', async () => {
    challenging(proxy, 'proxy.test')
    const { log, lines } = capture()
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: { ...GOOD, realm: 'elsewhere.test' }, log }))
    assert.equal(result.status, 407)
    assert.equal(proxy.of('INVITE').length, 1)
    assert.ok(lines.some((l) => /callOutCredentials are for realm "elsewhere.test"/.test(l)), lines.join('\n'))
  })

  it('attack: a registered contact (not the proxy) that challenges the INVITE gets no credentials to crack offline', async () => {
    const phone = await w.server('phone.test')
    challenging(phone, 'phone.test')
    const { log } = capture()
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: GOOD, log }), PHONE)
    assert.equal(result.status, 407)
    assert.match(result.reason, /host other than the room server's proxy/)
    assert.deepEqual(phone.of('INVITE').map((r) => r.headers.has('Proxy-Authorization') || r.headers.has('Authorization')), [false])
  })

  it('a BYE in the dialog (a 2xx the focus refuses) is answered with credentials too, CSeq + 1', async () => {
    const { byes } = challenging(proxy, 'proxy.test', { byeToo: true })
    const result = await call(new CallOutAuth({ proxy: PROXY, credentials: GOOD, log: capture().log }), PROXY, true)
    assert.equal(result.status, 488)
    await until(() => byes.length === 2, 'the authenticated BYE')
    assert.equal(byes[0]!.headers.has('Proxy-Authorization'), false)
    assert.match(byes[1]!.headers.get('Proxy-Authorization') ?? '', /username="lobby"/)
    assert.equal(readCSeq(byes[1]!.headers).seq, readCSeq(byes[0]!.headers).seq + 1)
  })

  it('a timeout after the challenge CANCELs the authenticated retry (the CANCEL carries no credentials, RFC 3261 §22.1)', async () => {
    const guard = digestGuard()
    const pending: IncomingRequest[] = []
    // The core answers CANCEL itself: read it off the wire.
    const cancels: SipRequest[] = []
    proxy.set.on('message', (bytes) => {
      const message = parseSipMessage(bytes)
      if (message.kind === 'request' && message.method === 'CANCEL') cancels.push(message)
    })
    proxy.handler = async (r) => {
      if (r.method !== 'INVITE') return
      const verdict = await guard.verify(r.message.headers.getAllLines('Proxy-Authorization'), { method: 'INVITE' })
      if (!verdict.ok) r.respond(407, { headers: guard.challenge().map((v) => ['Proxy-Authenticate', v] as const) })
      else {
        r.respond(180)
        pending.push(r)
      }
    }
    const result = call(new CallOutAuth({ proxy: PROXY, credentials: GOOD, log: capture().log }))
    await until(() => pending.length === 1, 'the ringing retry')
    w.clock.advance(30_000)
    await until(() => cancels.length === 1, 'CANCEL')
    const [cancel] = cancels
    const retry = proxy.of('INVITE')[1]!
    assert.equal(readCSeq(cancel!.headers).seq, readCSeq(retry.headers).seq)
    assert.equal(cancel!.headers.has('Proxy-Authorization'), false)
    // The retry's transaction ended with the 487 the CANCEL brought (a CANCEL of the first would leave it ringing).
    assert.deepEqual(await result, { status: 408, reason: 'Request Timeout' })
    assert.equal(pending[0]!.cancelled, true)
  })
})

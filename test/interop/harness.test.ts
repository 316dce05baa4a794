/**
 * Proves the interop harness (a private Kamailio + sipp), then uses it for the first interop
 * checks of this stack's own pieces: digest (RFC 2069 form and qop=auth) and TCP keepalive
 * against Kamailio.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { parseSipMessage } from '../../src/sip/parser.ts'
import { isResponse, type SipResponse } from '../../src/sip/message.ts'
import { DigestClient } from '../../src/sip/digest.ts'
import { TcpTransport, TlsTransport, UdpTransport, type SipTransport } from '../../src/sip/transport/index.ts'
import { peersAvailable, runSipp, startKamailio, type KamailioInstance } from './harness/index.ts'
import { selfSignedCert } from '../sip/transport/helpers.ts'

const available = peersAvailable()
const skip = available.ok ? false : available.why

function register(transport: SipTransport, kam: KamailioInstance, user: string, cseq: number, callId: string, extra: string[] = []): Buffer {
  const local = transport.localAddress()
  const proto = transport.protocol.toUpperCase()
  return Buffer.from([
    `REGISTER sip:${kam.domain} SIP/2.0`,
    `Via: SIP/2.0/${proto} ${local.address}:${local.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@${kam.domain}>;tag=${callId.slice(0, 8)}`,
    `To: <sip:${user}@${kam.domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: <sip:${user}@${local.address}:${local.port};transport=${transport.protocol}>`,
    'Expires: 60',
    ...extra,
    'Content-Length: 0',
    '', '',
  ].join('\r\n'))
}

function nextResponse(transport: SipTransport): Promise<SipResponse> {
  return new Promise((resolve) => {
    const listener = (bytes: Buffer) => {
      const message = parseSipMessage(bytes, { datagram: transport.protocol === 'udp' })
      if (isResponse(message) && message.status >= 200) {
        transport.off('message', listener)
        resolve(message)
      }
    }
    transport.on('message', listener)
  })
}

/** REGISTER, answer the 401 with DigestClient, expect 200; returns both responses. */
async function registerWithDigest(transport: SipTransport, kam: KamailioInstance, password: string, port = kam.sipPort) {
  const target = { host: kam.host, port }
  const callId = randomBytes(8).toString('hex')
  const digest = new DigestClient({ credentials: { username: 'alice', password } })
  let pending = nextResponse(transport)
  await transport.send(register(transport, kam, 'alice', 1, callId), target)
  const challenge = await pending
  assert.equal(challenge.status, 401)
  const [header] = digest.answer('www', challenge.headers.getAllLines('WWW-Authenticate'), { method: 'REGISTER', uri: `sip:${kam.domain}` })
  pending = nextResponse(transport)
  await transport.send(register(transport, kam, 'alice', 2, callId, [`${header!.name}: ${header!.value}`]), target)
  return { challenge, final: await pending, digest, sent: header!.value }
}

describe('interop harness: Kamailio + sipp', { skip }, () => {
  let kam: KamailioInstance
  before(async () => {
    kam = await startKamailio()
  })
  after(async () => {
    await kam?.stop()
  })

  it('sipp register.xml: 401 then 200, and unREGISTER', async () => {
    const result = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${kam.sipPort}`, args: ['-s', 'alice', '-au', 'alice', '-ap', 'secret', '-recv_timeout', '5000'] })
    assert.equal(result.exitCode, 0, `${result.command}\n${result.errors}\n${result.stderr}`)
    assert.match(result.messages, /SIP\/2\.0 401 Unauthorized/)
    assert.match(result.messages, /SIP\/2\.0 200 OK/)
    assert.equal(result.stats['SuccessfulCall(C)'], '1')
  })

  it('sipp register.xml with a wrong password exits 1', async () => {
    const result = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${kam.sipPort}`, args: ['-s', 'alice', '-au', 'alice', '-ap', 'wrong', '-recv_timeout', '5000'] })
    assert.equal(result.exitCode, 1, result.command)
    assert.equal(result.stats['FailedCall(C)'], '1')
  })

  it('DigestClient answers Kamailio\'s RFC 2069 challenge (no qop) over UDP', async () => {
    const udp = new UdpTransport()
    await udp.listen()
    try {
      const { challenge, final } = await registerWithDigest(udp, kam, 'secret')
      assert.doesNotMatch(challenge.headers.get('WWW-Authenticate')!, /qop/)
      assert.equal(final.status, 200, kam.log().slice(-1500))
    } finally {
      await udp.close()
    }
  })

  it('a wrong password is refused: the second challenge is not stale, so DigestClient stops', async () => {
    const udp = new UdpTransport()
    await udp.listen()
    try {
      const { final, digest, sent } = await registerWithDigest(udp, kam, 'wrong')
      assert.equal(final.status, 401)
      assert.throws(() => digest.answer('www', final.headers.getAllLines('WWW-Authenticate'), { method: 'REGISTER', uri: `sip:${kam.domain}` }, [sent]), { code: 'SIP_DIGEST_REJECTED' })
    } finally {
      await udp.close()
    }
  })

  it('TCP: REGISTER with digest over one connection, and Kamailio answers CRLF keepalive pings', async () => {
    const tcp = new TcpTransport({ keepalive: { intervalMs: 20, timeoutMs: 5000 } })
    await tcp.listen()
    try {
      const { final } = await registerWithDigest(tcp, kam, 'secret')
      assert.equal(final.status, 200)
      assert.equal(tcp.connectionIds().length, 1)
      const pong = await new Promise<string>((resolve) => tcp.on('keepalive', (_id, event) => { if (event === 'pong-received') resolve(event) }))
      assert.equal(pong, 'pong-received')
    } finally {
      await tcp.close()
    }
  })
})

describe('interop: Kamailio with WITH_QOP', { skip }, () => {
  let kam: KamailioInstance
  before(async () => {
    kam = await startKamailio({ defines: ['WITH_QOP'] })
  })
  after(async () => {
    await kam?.stop()
  })

  it('DigestClient answers qop="auth" with nc and cnonce over UDP', async () => {
    const udp = new UdpTransport()
    await udp.listen()
    try {
      const { challenge, final } = await registerWithDigest(udp, kam, 'secret')
      assert.match(challenge.headers.get('WWW-Authenticate')!, /qop="auth"/)
      assert.equal(final.status, 200, kam.log().slice(-1500))
    } finally {
      await udp.close()
    }
  })

  it('sipp register.xml passes with qop too', async () => {
    const result = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${kam.sipPort}`, args: ['-s', 'bob', '-au', 'bob', '-ap', 'secret', '-recv_timeout', '5000'] })
    assert.equal(result.exitCode, 0, `${result.command}\n${result.errors}`)
  })
})

describe('interop: Kamailio over TLS (WITH_TLS)', { skip }, () => {
  let kam: KamailioInstance
  before(async () => {
    kam = await startKamailio({ defines: ['WITH_TLS'] })
  })
  after(async () => {
    await kam?.stop()
  })

  it('TlsTransport verifies Kamailio\'s certificate (CN example.test), gets 200 to OPTIONS and registers with digest', async () => {
    const tls = new TlsTransport({ ...selfSignedCert(), ca: kam.tlsCert!, servername: 'example.test' })
    await tls.listen()
    try {
      const pending = nextResponse(tls)
      const local = tls.localAddress()
      const probe = Buffer.from([
        `OPTIONS sip:${kam.domain} SIP/2.0`,
        `Via: SIP/2.0/TLS ${local.address}:${local.port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
        'Max-Forwards: 70', `From: <sip:probe@${kam.domain}>;tag=p1`, `To: <sip:${kam.domain}>`,
        `Call-ID: ${randomBytes(6).toString('hex')}`, 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', '',
      ].join('\r\n'))
      await tls.send(probe, { host: kam.host, port: kam.sipsPort! })
      assert.equal((await pending).status, 200)
      const { final } = await registerWithDigest(tls, kam, 'secret', kam.sipsPort!)
      assert.equal(final.status, 200)
      assert.equal(tls.connectionIds().length, 1) // everything over the one TLS connection
    } finally {
      await tls.close()
    }
  })

  it('an untrusted certificate (no ca) is refused by TlsTransport', async () => {
    const tls = new TlsTransport({ servername: 'example.test' })
    try {
      await assert.rejects(tls.send(Buffer.from('\r\n'), { host: kam.host, port: kam.sipsPort! }), { code: 'SIP_TRANSPORT_CONNECT_FAILED' })
    } finally {
      await tls.close()
    }
  })
})

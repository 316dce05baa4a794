import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TlsTransport, TransportError, type MessageMeta } from '../../../src/sip/transport/index.ts'
import { connectionSuite } from './connection-suite.ts'
import { nextEvent, selfSignedCert, sipRequest } from './helpers.ts'

const { cert, key } = selfSignedCert()

connectionSuite('TLS', async ({ keepalive }) => {
  const server = new TlsTransport({ cert, key })
  await server.listen()
  const client = new TlsTransport({ ca: cert, keepalive: keepalive ?? false })
  return { server, client, target: server.localAddress() }
})

test('TLS: the client checks the certificate name via servername', async () => {
  const server = new TlsTransport({ cert, key })
  await server.listen()
  const client = new TlsTransport({ ca: cert, servername: 'localhost' })
  try {
    assert.equal(server.protocol, 'tls')
    const arrived = nextEvent<[Buffer, MessageMeta]>(server, 'message')
    await client.send(sipRequest('secure'), { host: '127.0.0.1', port: server.localAddress().port })
    const [bytes, meta] = await arrived
    assert.deepEqual(bytes, sipRequest('secure'))
    assert.equal(meta.protocol, 'tls')
  } finally {
    await client.close()
    await server.close()
  }
})

test('TLS: an untrusted server certificate fails the connect; the server reports the failed handshake', async () => {
  const server = new TlsTransport({ cert, key })
  await server.listen()
  const client = new TlsTransport() // Node's default roots do not include the self-signed cert
  try {
    const serverError = nextEvent<[TransportError]>(server, 'error')
    await assert.rejects(client.send(sipRequest(), { host: '127.0.0.1', port: server.localAddress().port }), (error: unknown) => {
      assert.ok(error instanceof TransportError)
      assert.equal(error.code, 'SIP_TRANSPORT_CONNECT_FAILED')
      assert.match(error.message, /self.signed|certificate/i)
      return true
    })
    assert.equal((await serverError)[0].code, 'SIP_TRANSPORT_SOCKET')
    assert.deepEqual(client.connectionIds(), [])
  } finally {
    await client.close()
    await server.close()
  }
})

test('TLS: listening without cert and key is refused with a clear error', async () => {
  const server = new TlsTransport()
  await assert.rejects(server.listen(), { code: 'SIP_TRANSPORT_UNSUPPORTED' })
})

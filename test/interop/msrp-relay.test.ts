/**
 * Interop with a real MSRP relay (RFC 4976): Kamailio's msrp module, configured by
 * test/interop/peers/kamailio. Starts its own instance on free ports and stops it afterwards.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connectMsrp } from '../../src/msrp/node-dial.ts'
import { MsrpRequestError } from '../../src/msrp/errors.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'
import { authenticateRelay, openRelaySession } from '../../src/msrp/relay-client.ts'
import { generateTransactionId } from '../../src/msrp/serializer.ts'
import { MsrpSession, generateSessionId, localMsrpUri } from '../../src/msrp/session.ts'
import type { IncomingMsrpMessage } from '../../src/msrp/session.ts'
import { formatMsrpUri, parseMsrpUri } from '../../src/msrp/uri.ts'
import { peersAvailable, startKamailio, type KamailioInstance } from './harness/index.ts'

const available = peersAvailable()
const skip = available.ok ? false : available.why
let kam: KamailioInstance
/** The relay's MSRP port, and its URI (known once Kamailio runs). */
let PORT = 0
let RELAY = ''

describe('MSRP relay interop (Kamailio msrp module, RFC 4976)', { skip }, () => {
  before(async () => {
    kam = await startKamailio()
    PORT = kam.msrpPort
    RELAY = `msrp://127.0.0.1:${PORT};tcp`
  })

  after(async () => {
    await kam?.stop()
  })

  it('AUTH: 401 with a Digest challenge, then 200 with Use-Path and Expires', async () => {
    const connection = await connectMsrp({ host: '127.0.0.1', port: PORT })
    try {
      const localUri = localMsrpUri({ host: '127.0.0.1', port: connection.transport.local!.port })
      // First AUTH by hand to see the 401 the SDK answers.
      const probe: MsrpRequest = {
        type: 'request',
        method: 'AUTH',
        transactionId: generateTransactionId(),
        headers: { 'To-Path': [parseMsrpUri(RELAY)], 'From-Path': [localUri] },
        extensionHeaders: [],
        continuation: '$',
      }
      const challenge = await connection.request(probe).response
      assert.equal(challenge?.status, 401)
      assert.match(challenge?.headers['WWW-Authenticate'] ?? '', /^Digest .*realm="example.test".*nonce="/)

      const auth = await authenticateRelay({ relay: RELAY, localUri, username: 'alice', password: 'secret', connection })
      assert.equal(auth.realm, 'example.test')
      assert.equal(auth.usePath.length, 1)
      assert.match(formatMsrpUri(auth.usePath[0]!), new RegExp(`^msrp://127\\.0\\.0\\.1:${PORT}/[^;]+;tcp$`))
      assert.equal(auth.expires, 3600)

      await assert.rejects(
        authenticateRelay({ relay: RELAY, localUri, username: 'alice', password: 'wrong', connection }),
        (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_AUTH_FAILED' && e.status === 401,
      )
    } finally {
      connection.close()
    }
  })

  it('a SEND from one SDK session reaches another through the relay, body intact; 481 for an unknown session', async () => {
    // Alice AUTHs and is reachable at Use-Path + her URI; the relay delivers to her AUTH connection.
    const aliceConnection = await connectMsrp({ host: '127.0.0.1', port: PORT })
    const aliceUri = localMsrpUri({ host: '127.0.0.1', port: aliceConnection.transport.local!.port })
    const auth = await authenticateRelay({ relay: RELAY, localUri: aliceUri, username: 'alice', password: 'secret', connection: aliceConnection })
    const alice = openRelaySession(auth)

    // Bob connects to the relay without AUTH; his From-Path names his real address so the
    // relay can route alice's responses back to him (see test/interop/peers/README.md).
    const bobConnection = await connectMsrp({ host: '127.0.0.1', port: PORT })
    const bobUri = localMsrpUri({ host: '127.0.0.1', port: bobConnection.transport.local!.port, sessionId: generateSessionId() })
    const bob = await MsrpSession.connect({ localUri: bobUri, remotePath: [...auth.usePath, aliceUri], connection: bobConnection, bind: false, chunkSize: 1000 })
    try {
      const got = new Promise<IncomingMsrpMessage>((resolve) => alice.once('message', resolve))
      const body = Buffer.concat([Buffer.from('hello via relay\r\n'), randomBytes(3000)])
      const result = await bob.send({ contentType: 'application/octet-stream', body })
      assert.equal(result.chunks, 4)
      const message = await got
      assert.ok(message.body.equals(body), 'body intact through the relay')
      assert.equal(message.contentType, 'application/octet-stream')
      // The relay put itself in front of bob in From-Path.
      assert.equal(message.fromPath.length, 2)
      assert.equal(message.fromPath[1]?.sessionId, bobUri.sessionId)

      // A second message: the relay's own 200 and alice's forwarded 200 both arrive; one resolve.
      const second = new Promise<IncomingMsrpMessage>((resolve) => alice.once('message', resolve))
      await bob.send({ contentType: 'text/plain', body: 'second' })
      assert.equal((await second).body.toString(), 'second')

      const stray = await MsrpSession.connect({
        localUri: bobUri.sessionId === undefined ? bobUri : { ...bobUri, sessionId: generateSessionId() },
        remotePath: [parseMsrpUri(`msrp://127.0.0.1:${PORT}/nosuchsession;tcp`), aliceUri],
        connection: bobConnection,
        bind: false,
      })
      await assert.rejects(stray.send({ contentType: 'text/plain', body: 'hi' }), (e: unknown) => e instanceof MsrpRequestError && e.status === 481)
      await stray.close()
    } finally {
      await bob.close()
      await alice.close()
      bobConnection.close()
      aliceConnection.close()
    }
  })
})

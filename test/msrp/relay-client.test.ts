import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { MsrpRequestError } from '../../src/msrp/errors.ts'
import { authenticateRelay, openRelaySession } from '../../src/msrp/relay-client.ts'
import { parseDigestChallenge } from '../../src/msrp/digest.ts'
import { formatMsrpUri, parseMsrpUri } from '../../src/msrp/uri.ts'
import { connectionWithRawPeer, nextMessage } from './helpers.ts'
import type { RawPeer } from './helpers.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'

const md5 = (s: string) => createHash('md5').update(s).digest('hex')
const RELAY = 'msrps://relay.example.com;tcp'
const USE_PATH = 'msrps://relay.example.com:2855/hjdhfsfhlk;tcp'

function answer(peer: RawPeer, req: MsrpRequest, status: number, comment: string, headers: Record<string, unknown> = {}): void {
  peer.send({
    type: 'response',
    transactionId: req.transactionId,
    status,
    comment,
    headers: { 'To-Path': req.headers['From-Path'], 'From-Path': req.headers['To-Path'], ...headers },
    extensionHeaders: [],
    continuation: '$',
  })
}

describe('MSRP relay client (RFC 4976)', () => {
  it('AUTHs with qop=auth digest, retries a 423 with Min-Expires, and returns Use-Path and Expires', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const localUri = 'msrps://alice.example.com:9892/98cjs;tcp'
    const authing = authenticateRelay({ relay: RELAY, localUri, username: 'alice', password: 'secret', connection, expires: 10 })

    const first = await peer.nextRequest()
    assert.equal(first.method, 'AUTH')
    assert.equal(first.headers.Authorization, undefined)
    assert.equal(formatMsrpUri(first.headers['To-Path'][0]!), RELAY)
    answer(peer, first, 401, 'Unauthorized', { 'WWW-Authenticate': 'Digest realm="intra.example.com", qop="auth", nonce="n0nce"' })

    const second = await peer.nextRequest()
    const authz = second.headers.Authorization ?? ''
    const fields = Object.fromEntries([...authz.matchAll(/(\w+)="?([^",]+)"?/g)].map((m) => [m[1], m[2]]))
    const ha1 = md5('alice:intra.example.com:secret')
    const ha2 = md5(`AUTH:${RELAY}`)
    assert.equal(fields['response'], md5(`${ha1}:n0nce:${fields['nc']}:${fields['cnonce']}:auth:${ha2}`))
    assert.equal(second.headers.Expires, 10)
    answer(peer, second, 423, 'Interval Out-of-Bounds', { 'Min-Expires': 300 })

    const third = await peer.nextRequest()
    assert.equal(third.headers.Expires, 300)
    answer(peer, third, 200, 'OK', { 'Use-Path': [parseMsrpUri(USE_PATH)], Expires: 900 })

    const auth = await authing
    assert.deepEqual(auth.usePath, [parseMsrpUri(USE_PATH)])
    assert.equal(auth.expires, 900)
    assert.equal(auth.realm, 'intra.example.com')

    // The session sends via Use-Path and receives on the AUTH connection.
    const session = openRelaySession(auth, { remotePath: 'msrp://bob.example.com:8888/9di4eae923wzd;tcp' })
    const sending = session.send({ contentType: 'text/plain', body: 'via relay' })
    const send = await peer.nextRequest()
    assert.deepEqual(send.headers['To-Path'].map(formatMsrpUri), [USE_PATH, 'msrp://bob.example.com:8888/9di4eae923wzd;tcp'])
    answer(peer, send, 200, 'OK')
    await sending
    const incoming = nextMessage(session)
    peer.send({ ...send, transactionId: 'inbound1', headers: { ...send.headers, 'To-Path': [parseMsrpUri(localUri)], 'From-Path': [parseMsrpUri(USE_PATH), parseMsrpUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp')] } })
    assert.equal((await incoming).body.toString(), 'via relay')
    assert.equal((await peer.nextResponse()).status, 200)
    await session.close()
    connection.close()
  })

  it('reports wrong credentials as MSRP_AUTH_FAILED 401', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const authing = authenticateRelay({ relay: RELAY, localUri: 'msrps://a.example.com:1/s1;tcp', username: 'alice', password: 'bad', connection })
    const first = await peer.nextRequest()
    answer(peer, first, 401, 'Unauthorized', { 'WWW-Authenticate': 'Digest realm="r", nonce="n"' })
    const second = await peer.nextRequest()
    assert.ok(parseDigestChallenge('Digest realm="r", nonce="n"'))
    answer(peer, second, 401, 'Unauthorized', { 'WWW-Authenticate': 'Digest realm="r", nonce="n2"' })
    await assert.rejects(authing, (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_AUTH_FAILED' && e.status === 401 && /wrong user name or password/.test(e.message))
    connection.close()
  })
})

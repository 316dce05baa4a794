import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Publisher, SipResponseError } from '../../../src/sip/ua/index.ts'
import { settle, until, world } from './helpers.ts'

describe('Publisher (RFC 3903)', () => {
  const w = world()
  after(() => w.close())

  /** A presence server: SIP-ETag e<n>, 412 for unknown tags. */
  async function esc(host: string) {
    const server = await w.server(host)
    const known = new Set<string>()
    let n = 0
    server.handler = (r) => {
      const ifMatch = r.message.headers.get('SIP-If-Match')
      if (ifMatch !== undefined && !known.has(ifMatch)) {
        r.respond(412)
        return
      }
      if (ifMatch !== undefined) known.delete(ifMatch)
      const expires = r.message.headers.get('Expires')!
      if (expires === '0') {
        r.respond(200, { headers: [['Expires', '0']] })
        return
      }
      const etag = `e${++n}`
      known.add(etag)
      r.respond(200, { headers: [['SIP-ETag', etag], ['Expires', expires]] })
    }
    return { server, known }
  }

  it('initial PUBLISH with body, refresh with SIP-If-Match and no body before expiry, modify, remove', async () => {
    const { server } = await esc('esc1.test')
    const ua = await w.ua('p1', { outboundProxy: 'sip:esc1.test:5060;lr' })
    const publisher = new Publisher(ua, 'sip:p1@example.test', 'presence', { expires: 60 })
    await publisher.publish('<presence v="1"/>')
    assert.equal(publisher.etag, 'e1')
    assert.equal(publisher.state, 'published')
    const [initial] = server.of('PUBLISH')
    assert.equal(initial!.body.toString(), '<presence v="1"/>')
    assert.equal(initial!.headers.get('Content-Type'), 'application/pidf+xml')
    assert.equal(initial!.headers.get('Event'), 'presence')
    assert.equal(initial!.headers.has('SIP-If-Match'), false)
    w.clock.advance(53_000)
    await settle()
    assert.equal(server.of('PUBLISH').length, 1)
    w.clock.advance(1_000)
    await until(() => publisher.etag === 'e2', 'refresh')
    const refresh = server.of('PUBLISH')[1]!
    assert.equal(refresh.headers.get('SIP-If-Match'), 'e1')
    assert.equal(refresh.body.length, 0)
    await publisher.publish('<presence v="2"/>')
    const modify = server.of('PUBLISH')[2]!
    assert.equal(modify.headers.get('SIP-If-Match'), 'e2')
    assert.equal(modify.body.toString(), '<presence v="2"/>')
    await publisher.unpublish()
    const remove = server.of('PUBLISH')[3]!
    assert.equal(remove.headers.get('Expires'), '0')
    assert.equal(remove.headers.get('SIP-If-Match'), 'e3')
    assert.equal(publisher.state, 'unpublished')
    assert.equal(new Set(server.of('PUBLISH').map((p) => p.headers.get('Call-ID'))).size, 1)
  })

  it('412 Conditional Request Failed starts over with an initial PUBLISH of the last body', async () => {
    const { server, known } = await esc('esc2.test')
    const ua = await w.ua('p2', { outboundProxy: 'sip:esc2.test:5060;lr' })
    const publisher = new Publisher(ua, 'sip:p2@example.test', 'presence')
    await publisher.publish('<state/>')
    known.clear() // the server forgot us
    const response = await publisher.refresh()
    assert.equal(response.status, 200)
    const [, refresh, restart] = server.of('PUBLISH')
    assert.equal(refresh!.headers.get('SIP-If-Match'), 'e1')
    assert.equal(restart!.headers.has('SIP-If-Match'), false)
    assert.equal(restart!.body.toString(), '<state/>')
    assert.equal(publisher.etag, 'e2')
  })

  it('423 Interval Too Brief is retried with Min-Expires', async () => {
    const server = await w.server('esc4.test')
    server.handler = (r) => {
      const expires = Number(r.message.headers.get('Expires'))
      if (expires < 600) r.respond(423, { headers: [['Min-Expires', '600']] })
      else r.respond(200, { headers: [['SIP-ETag', 'm1'], ['Expires', String(expires)]] })
    }
    const ua = await w.ua('p4', { outboundProxy: 'sip:esc4.test:5060;lr' })
    const publisher = new Publisher(ua, 'sip:p4@example.test', 'presence', { expires: 60 })
    await publisher.publish('<p/>')
    assert.deepEqual(server.of('PUBLISH').map((r) => r.headers.get('Expires')), ['60', '600'])
    assert.equal(publisher.expires, 600)
    assert.equal(server.of('PUBLISH')[1]!.body.toString(), '<p/>')
  })

  it('a 489 Bad Event rejects with SipResponseError', async () => {
    const server = await w.server('esc3.test')
    server.handler = (r) => r.respond(489)
    const ua = await w.ua('p3', { outboundProxy: 'sip:esc3.test:5060;lr' })
    await assert.rejects(new Publisher(ua, 'sip:p3@example.test', 'dialog').publish('x'), (e: unknown) => e instanceof SipResponseError && e.status === 489)
  })
})

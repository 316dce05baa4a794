import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PresencePublisher } from '../../../src/sip/ua/presence-publisher.ts'
import { parsePidf, summarizePresence } from '../../../src/presence/index.ts'
import { world } from './helpers.ts'

describe('PresencePublisher', () => {
  const w = world()
  after(() => w.close())

  it('publishes the status as PIDF through PUBLISH (event presence), then modifies it with SIP-If-Match', async () => {
    const server = await w.server('pa.test')
    let n = 0
    server.handler = (r) => r.respond(200, { headers: [['SIP-ETag', `tag${++n}`], ['Expires', '3600']] })
    const ua = await w.ua('bot', { outboundProxy: 'sip:pa.test:5060;lr' })
    const presence = new PresencePublisher(ua)
    const published: unknown[] = []
    presence.on('published', (s) => published.push(s))
    await presence.setStatus({ open: true, note: 'ready to chat' })
    await presence.setNote('in a meeting')
    const [first, second] = server.of('PUBLISH')
    assert.equal(first!.headers.get('Event'), 'presence')
    assert.equal(first!.headers.get('Content-Type'), 'application/pidf+xml')
    assert.equal(first!.uri, 'sip:bot@example.test')
    const doc = parsePidf(first!.body)
    assert.equal(doc.entity, 'sip:bot@example.test')
    assert.deepEqual(summarizePresence(doc), { open: true, note: 'ready to chat', activities: [] })
    assert.equal(second!.headers.get('SIP-If-Match'), 'tag1')
    assert.equal(summarizePresence(parsePidf(second!.body)).note, 'in a meeting')
    assert.equal(published.length, 2)
    assert.equal(presence.publisher.etag, 'tag2')
  })

  it('setStatus({ open: false, activities }) publishes closed with RPID activities; remove() sends Expires 0', async () => {
    const server = await w.server('pa2.test')
    server.handler = (r) => r.respond(200, { headers: [['SIP-ETag', 'x'], ['Expires', r.message.headers.get('Expires')!]] })
    const ua = await w.ua('bot2', { outboundProxy: 'sip:pa2.test:5060;lr' })
    const presence = new PresencePublisher(ua)
    await presence.setStatus({ open: false, activities: ['busy'] })
    assert.deepEqual(summarizePresence(parsePidf(server.of('PUBLISH')[0]!.body)), { open: false, note: undefined, activities: ['busy'] })
    await presence.remove()
    assert.equal(server.of('PUBLISH')[1]!.headers.get('Expires'), '0')
  })
})

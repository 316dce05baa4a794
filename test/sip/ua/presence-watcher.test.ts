import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PresenceWatcher, type PresenceUpdate } from '../../../src/sip/ua/presence-watcher.ts'
import { buildSimplePresence } from '../../../src/presence/index.ts'
import type { Notifier } from '../../../src/sip/ua/index.ts'
import { until, world } from './helpers.ts'

describe('PresenceWatcher', () => {
  const w = world()
  after(() => w.close())

  it('subscribes to presence with Accept PIDF and emits summarized updates from NOTIFY bodies', async () => {
    const alice = await w.ua('alice')
    const bob = await w.ua('bob')
    let notifier: Notifier | undefined
    let accept: string | undefined
    alice.on('subscribe', (s) => {
      accept = s.request.message.headers.get('Accept')
      notifier = s.accept({ body: buildSimplePresence({ entity: 'sip:alice@example.test', note: 'hello' }), contentType: 'application/pidf+xml' })
    })
    const watcher = new PresenceWatcher(bob, 'sip:alice@alice.test:5060')
    const updates: PresenceUpdate[] = []
    watcher.on('presence', (u) => updates.push(u))
    await watcher.start()
    await until(() => updates.length === 1, 'first presence')
    assert.equal(accept, 'application/pidf+xml')
    assert.equal(updates[0]!.entity, 'sip:alice@example.test')
    assert.equal(updates[0]!.open, true)
    assert.equal(updates[0]!.note, 'hello')
    await notifier!.notify({ body: buildSimplePresence({ entity: 'sip:alice@example.test', open: false, activities: ['away'] }), contentType: 'application/pidf+xml' })
    assert.equal(updates.length, 2)
    assert.equal(watcher.last?.open, false)
    assert.deepEqual(watcher.last?.activities, ['away'])
  })

  it('a NOTIFY whose body is not PIDF is answered 200 and reported as invalid', async () => {
    const carol = await w.ua('carol')
    const dave = await w.ua('dave')
    carol.on('subscribe', (s) => s.accept({ body: '<not-pidf/>', contentType: 'application/pidf+xml' }))
    const watcher = new PresenceWatcher(dave, 'sip:carol@carol.test:5060')
    const invalid: string[] = []
    watcher.on('invalid', (e) => invalid.push(e.code))
    await watcher.start()
    await until(() => invalid.length === 1, 'invalid body reported')
    assert.equal(watcher.subscriber.state, 'active')
    await watcher.stop()
  })
})

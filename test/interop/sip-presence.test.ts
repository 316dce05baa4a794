/**
 * Presence through Kamailio's presence server (RFC 3856, 3903, 6665): one SDK UA publishes PIDF
 * with PresencePublisher (PUBLISH, 407, SIP-ETag), another watches it with PresenceWatcher
 * (SUBSCRIBE, 407, NOTIFY with the PIDF); refresh, modify, unsubscribe.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PresencePublisher, PresenceWatcher, type PresenceUpdate } from '../../src/sip/ua/index.ts'
import type { UserAgent } from '../../src/sip/ua/index.ts'
import { startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers, wireLog } from './sip-ua-helpers.ts'

const skip = requirePeers()

function next(watcher: PresenceWatcher, predicate: (u: PresenceUpdate) => boolean): Promise<PresenceUpdate> {
  return new Promise((resolve) => {
    const listener = (u: PresenceUpdate): void => {
      if (!predicate(u)) return
      watcher.off('presence', listener)
      resolve(u)
    }
    watcher.on('presence', listener)
  })
}

describe('interop: PUBLISH + SUBSCRIBE/NOTIFY presence through Kamailio', { skip }, () => {
  let kam: KamailioInstance
  let carol: UserAgent
  let dan: UserAgent
  before(async () => {
    kam = await startKamailio()
    carol = await kamailioUa(kam, 'carol')
    dan = await kamailioUa(kam, 'dan', { transport: 'tcp' })
  })
  after(async () => {
    await carol?.stop()
    await dan?.stop()
    await kam?.stop()
  })

  it('carol publishes, dan subscribes and gets her PIDF in a NOTIFY; a modified status is notified again', async () => {
    const carolWire = wireLog(carol)
    const presence = new PresencePublisher(carol, { expires: 120 })
    const published = await presence.setStatus({ open: true, note: 'sdk-open-note' })
    assert.equal(published.status, 200)
    assert.ok(presence.publisher.etag, 'SIP-ETag received')
    assert.ok(carolWire.includes('407 PUBLISH'), 'the PUBLISH was challenged and answered')

    const watcher = new PresenceWatcher(dan, 'sip:carol@example.test', { expires: 120 })
    const first = next(watcher, (u) => u.note === 'sdk-open-note')
    const subscribed = await watcher.start()
    assert.ok(subscribed.status >= 200 && subscribed.status < 300)
    const update = await first
    assert.equal(update.open, true)
    assert.match(update.entity, /^sip:carol@example\.test/)
    assert.equal(watcher.subscriber.state, 'active')

    const busy = next(watcher, (u) => u.note === 'sdk-busy-note')
    const etag = presence.publisher.etag
    await presence.setStatus({ open: false, note: 'sdk-busy-note' })
    const second = await busy
    assert.equal(second.open, false)
    assert.notEqual(presence.publisher.etag, etag, 'the modification got a new entity tag')

    // Refreshes (what the timers do before expiry).
    const refreshedPub = await presence.publisher.refresh()
    assert.equal(refreshedPub.status, 200)
    const refreshedSub = await watcher.subscriber.refresh()
    assert.ok(refreshedSub.status >= 200 && refreshedSub.status < 300)

    const ended = new Promise<string | undefined>((resolve) => watcher.subscriber.once('terminated', resolve))
    await watcher.stop()
    assert.equal(await ended, 'timeout', 'Kamailio ends the subscription with terminated;reason=timeout')
    await presence.remove()
    assert.equal(presence.publisher.state, 'unpublished')
  })
})

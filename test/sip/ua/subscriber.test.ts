import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { Subscriber, SipResponseError, type Notification, type Notifier } from '../../../src/sip/ua/index.ts'
import { settle, until, world } from './helpers.ts'

describe('Subscriber / Notifier (RFC 6665)', () => {
  const w = world()
  after(() => w.close())

  async function pair(watcherName: string, resourceName: string, expires = 120) {
    const watcher = await w.ua(watcherName)
    const resource = await w.ua(resourceName)
    const notifiers: Notifier[] = []
    resource.on('subscribe', (s) => {
      assert.equal(s.event?.package, 'conference')
      notifiers.push(s.accept({ body: '<v1/>', contentType: 'application/conference-info+xml' }))
    })
    const subscriber = new Subscriber(watcher, `sip:${resourceName}@${resourceName}.test:5060`, 'conference', { expires, accept: ['application/conference-info+xml'] })
    const notes: Notification[] = []
    subscriber.on('notify', (n) => notes.push(n))
    return { watcher, resource, notifiers, subscriber, notes }
  }

  it('subscribes, gets the immediate NOTIFY, then later NOTIFYs with increasing CSeq and Subscription-State', async () => {
    const { subscriber, notifiers, notes } = await pair('w1', 'r1')
    const response = await subscriber.subscribe()
    assert.equal(response.status, 200)
    await until(() => notes.length === 1, 'first NOTIFY')
    assert.equal(subscriber.state, 'active')
    assert.equal(notes[0]!.text, '<v1/>')
    assert.equal(notes[0]!.contentType, 'application/conference-info+xml')
    assert.equal(notes[0]!.subscriptionState.state, 'active')
    assert.equal(notes[0]!.subscriptionState.expires, 120)
    await notifiers[0]!.notify({ body: '<v2/>', contentType: 'application/conference-info+xml' })
    assert.equal(notes.length, 2)
    assert.equal(notes[1]!.text, '<v2/>')
    assert.ok(readCSeq(notes[1]!.request.headers).seq > readCSeq(notes[0]!.request.headers).seq)
    assert.equal(notes[1]!.request.headers.get('Event'), 'conference')
  })

  it('refreshes before expiry with an in-dialog SUBSCRIBE; the notifier answers and notifies again', async () => {
    const { subscriber, notifiers, notes } = await pair('w2', 'r2', 120)
    await subscriber.subscribe()
    await until(() => notes.length === 1, 'first NOTIFY')
    const refreshed = new Promise<number>((resolve) => notifiers[0]!.once('refreshed', resolve))
    w.clock.advance(107_000)
    await settle()
    assert.equal(notes.length, 1, 'no refresh before 90% of the interval')
    w.clock.advance(1_000)
    assert.equal(await refreshed, 120)
    await until(() => notes.length === 2, 'NOTIFY after the refresh')
    assert.equal(subscriber.state, 'active')
  })

  it('unsubscribe sends Expires: 0; the final NOTIFY terminated;reason=timeout ends it without resubscribing', async () => {
    const { subscriber, notes, resource } = await pair('w3', 'r3')
    let subscribes = 0
    resource.on('subscribe', () => subscribes++)
    await subscriber.subscribe()
    await until(() => notes.length === 1, 'first NOTIFY')
    const ended = new Promise<string | undefined>((resolve) => subscriber.once('terminated', resolve))
    const response = await subscriber.unsubscribe()
    assert.equal(response?.status, 200)
    assert.equal(await ended, 'timeout')
    assert.equal(notes.at(-1)!.subscriptionState.state, 'terminated')
    await settle()
    assert.equal(subscribes, 1, 'no new subscription')
    assert.equal(subscriber.state, 'terminated')
  })

  it('terminated;reason=deactivated makes the subscriber subscribe again at once (§4.1.3)', async () => {
    const { subscriber, notifiers, notes } = await pair('w4', 'r4')
    await subscriber.subscribe()
    await until(() => notes.length === 1, 'first NOTIFY')
    await notifiers[0]!.terminate('deactivated')
    await until(() => notifiers.length === 2, 'a new SUBSCRIBE')
    await until(() => subscriber.state === 'active', 'active again')
    assert.notEqual(notifiers[1]!.dialog.id.callId, notifiers[0]!.dialog.id.callId)
  })

  it('terminated;reason=rejected is final', async () => {
    const { subscriber, notifiers, notes } = await pair('w5', 'r5')
    await subscriber.subscribe()
    await until(() => notes.length === 1, 'first NOTIFY')
    await notifiers[0]!.terminate('rejected')
    await settle()
    assert.equal(subscriber.state, 'terminated')
    assert.equal(notifiers.length, 1)
  })

  it('a NOTIFY that arrives before the 2xx creates the dialog (§4.1.2.4)', async () => {
    const server = await w.server('early.test')
    server.handler = (r) => {
      if (r.method !== 'SUBSCRIBE') return
      const dialog = server.core.createUasDialog(r, '<sip:early.test:5060;transport=memory>')
      const notify = dialog.createRequest('NOTIFY', { headers: [['Event', 'presence'], ['Subscription-State', 'active;expires=60']], body: 'early', contentType: 'text/plain' })
      void server.core.sendRequest(notify, { dialog }).then(() => r.respond(202, { headers: [['Expires', '60'], ['Contact', '<sip:early.test:5060;transport=memory>']] }))
    }
    const watcher = await w.ua('w6')
    const subscriber = new Subscriber(watcher, 'sip:early.test:5060', 'presence')
    const notes: Notification[] = []
    subscriber.on('notify', (n) => notes.push(n))
    const response = await subscriber.subscribe()
    assert.equal(response.status, 202)
    assert.equal(notes.length, 1)
    assert.equal(notes[0]!.text, 'early')
    assert.equal(subscriber.state, 'active')
    assert.ok(subscriber.dialog)
    assert.equal(watcher.core.dialogCount >= 1, true)
  })

  it('the notifier ends an unrefreshed subscription at expiry with terminated;reason=timeout', async () => {
    const watcher = await w.ua('w8')
    const resource = await w.ua('r8')
    let notifier: Notifier | undefined
    resource.on('subscribe', (s) => { notifier = s.accept({ expires: 30 }) })
    const subscriber = new Subscriber(watcher, 'sip:r8@r8.test:5060', 'conference', { expires: 30 })
    const notes: Notification[] = []
    subscriber.on('notify', (n) => notes.push(n))
    await subscriber.subscribe()
    await until(() => notes.length === 1, 'first NOTIFY')
    assert.equal(notes[0]!.subscriptionState.expires, 30)
    // Keep the watcher from refreshing, as a vanished watcher would.
    watcher.core.removeDialog(subscriber.dialog!)
    const ended = new Promise<string>((resolve) => notifier!.once('terminated', resolve))
    w.clock.advance(30_000)
    assert.equal(await ended, 'timeout')
    assert.equal(notifier!.state, 'terminated')
  })

  it('489 Bad Event rejects with SipResponseError', async () => {
    const watcher = await w.ua('w7')
    await w.ua('r7') // no subscribe listener: 489
    const subscriber = new Subscriber(watcher, 'sip:r7@r7.test:5060', 'conference')
    await assert.rejects(subscriber.subscribe(), (e: unknown) => e instanceof SipResponseError && e.status === 489)
    assert.equal(subscriber.state, 'terminated')
  })
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PresenceAgent, type PresenceAgentOptions, type PublishRequest } from '../../../src/server/core/index.ts'
import { FakeClock } from '../../../src/clock.ts'

const BOT = 'sip:bot@example.test'
const WATCHER = 'sip:alice@example.test'
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b))
const OPEN = enc('<presence entity="sip:bot@example.test"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>')
const CLOSED = enc('<presence entity="sip:bot@example.test"><tuple id="t1"><status><basic>closed</basic></status></tuple></presence>')

function setup(options: PresenceAgentOptions = {}) {
  const clock = new FakeClock()
  let n = 0
  let s = 0
  const agent = new PresenceAgent({ clock, newEtag: () => `etag${++n}`, newSubscriptionId: () => `sub${++s}`, ...options })
  return { clock, agent }
}
const pub = (over: Partial<PublishRequest>): PublishRequest => ({ presentity: BOT, event: 'presence', expires: 3600, contentType: 'application/pidf+xml', body: OPEN, ...over })

test('initial PUBLISH creates an entity tag; refresh without body and with SIP-If-Match gets a new one', () => {
  const { agent } = setup()
  const first = agent.publish(pub({}))
  assert.ok(first.status === 200)
  assert.deepEqual(first.headers, { 'SIP-ETag': 'etag1', Expires: '3600' })
  const refresh = agent.publish(pub({ ifMatch: 'etag1', body: undefined, contentType: undefined }))
  assert.ok(refresh.status === 200 && refresh.etag === 'etag2')
  assert.deepEqual(refresh.notify, [], 'a refresh changes no state, so no NOTIFY')
  assert.equal(dec(agent.stateOf(BOT)?.body), dec(OPEN), 'the body survives a refresh')
  const old = agent.publish(pub({ ifMatch: 'etag1', body: undefined }))
  assert.ok(old.status === 412 && old.reason === 'Conditional Request Failed', 'the replaced tag is no longer valid')
})

test('412 for an unknown ETag; 489 for other or missing events; 400 for an initial PUBLISH without body; 415 for other types', () => {
  const { agent } = setup()
  const unknown = agent.publish(pub({ ifMatch: 'nope' }))
  assert.equal(unknown.status, 412)
  const other = agent.publish(pub({ event: 'dialog' }))
  assert.ok(other.status === 489 && other.headers['Allow-Events'] === 'presence')
  assert.equal(agent.publish(pub({ event: undefined })).status, 489)
  assert.equal(agent.publish(pub({ event: 'Presence;id=1' })).status, 200, 'event parameters and case are ignored')
  assert.equal(agent.publish(pub({ body: undefined })).status, 400)
  const html = agent.publish(pub({ contentType: 'text/html' }))
  assert.ok(html.status === 415 && html.headers['Accept'] === 'application/pidf+xml')
})

test('423 with Min-Expires for a too short publication; long ones are shortened', () => {
  const { agent } = setup({ minExpires: 120, maxPublicationExpires: 1800 })
  const short = agent.publish(pub({ expires: 30 }))
  assert.ok(short.status === 423 && short.headers['Min-Expires'] === '120')
  const long = agent.publish(pub({ expires: 99999 }))
  assert.ok(long.status === 200 && long.expires === 1800)
})

test('modify replaces the body and notifies active watchers; remove with Expires 0 notifies an empty state', () => {
  const { agent } = setup()
  const first = agent.publish(pub({}))
  assert.ok(first.status === 200)
  const sub = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 600 })
  assert.ok(sub.status === 200)
  assert.equal(sub.notify.state, 'active')
  assert.equal(sub.notify.expiresIn, 600)
  assert.equal(dec(sub.notify.body), dec(OPEN))
  const modify = agent.publish(pub({ ifMatch: first.etag, body: CLOSED }))
  assert.ok(modify.status === 200)
  assert.equal(modify.notify.length, 1)
  assert.deepEqual([modify.notify[0]?.subscriptionId, modify.notify[0]?.state, dec(modify.notify[0]?.body)], ['sub1', 'active', dec(CLOSED)])
  const remove = agent.publish(pub({ ifMatch: modify.etag, expires: 0, body: undefined }))
  assert.ok(remove.status === 200 && remove.expires === 0 && remove.headers['Expires'] === '0')
  assert.equal(remove.notify.length, 1)
  assert.match(dec(remove.notify[0]?.body) ?? '', /<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bot@example.test"\/>/)
  assert.equal(agent.stateOf(BOT), undefined)
  assert.equal(agent.publish(pub({ ifMatch: modify.etag, body: undefined })).status, 412, 'removed tag is gone')
})

test('publications expire on the clock and watchers are told', () => {
  const { clock, agent } = setup()
  agent.publish(pub({ expires: 120 }))
  agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 3600 })
  assert.equal(agent.nextExpiry(), 120_000)
  clock.advance(119_999)
  assert.deepEqual(agent.expire(), [])
  clock.advance(1)
  const notes = agent.expire()
  assert.equal(notes.length, 1)
  assert.equal(notes[0]?.state, 'active')
  assert.doesNotMatch(dec(notes[0]?.body) ?? '', /tuple/)
  assert.deepEqual(agent.publicationsOf(BOT), [])
  assert.equal(agent.publish(pub({ ifMatch: 'etag1', body: undefined })).status, 412, 'an expired tag gets 412')
})

test('several publications: watchers get the most recently modified one', () => {
  const { clock, agent } = setup()
  const phone = agent.publish(pub({ body: OPEN }))
  clock.advance(1000)
  agent.publish(pub({ body: CLOSED }))
  assert.equal(dec(agent.stateOf(BOT)?.body), dec(CLOSED))
  clock.advance(1000)
  assert.ok(phone.status === 200)
  agent.publish(pub({ ifMatch: phone.etag, body: undefined }))
  assert.equal(dec(agent.stateOf(BOT)?.body), dec(CLOSED), 'a refresh does not make a publication more recent')
  assert.equal(agent.publicationsOf(BOT).length, 2)
})

test('subscriptions: refresh, unsubscribe, expiry and 481 for a gone subscription', () => {
  const { clock, agent } = setup()
  const s = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 600 })
  assert.ok(s.status === 200 && s.subscriptionId === 'sub1')
  assert.equal(dec(s.notify.body)?.includes('entity="sip:bot@example.test"'), true, 'no publication yet: an empty document')
  clock.advance(300_000)
  const refresh = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 600, id: 'sub1', inDialog: true })
  assert.ok(refresh.status === 200 && refresh.notify.expiresIn === 600)
  const unsub = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 0, id: 'sub1', inDialog: true })
  assert.ok(unsub.status === 200 && unsub.notify.state === 'terminated')
  assert.deepEqual(agent.watchersOf(BOT), [])
  const gone = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 600, id: 'sub1', inDialog: true })
  assert.equal(gone.status, 481)

  const s2 = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 60 })
  assert.ok(s2.status === 200)
  clock.advance(60_000)
  assert.deepEqual(agent.expire(), [{ subscriptionId: s2.subscriptionId, watcher: WATCHER, presentity: BOT, state: 'terminated', reason: 'timeout' }])
  assert.equal(agent.nextExpiry(), undefined)
})

test('subscribe: 489 for other events, 423 for too short, fetch (Expires 0) returns state in a terminated NOTIFY', () => {
  const { agent } = setup()
  agent.publish(pub({}))
  const bad = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'dialog' })
  assert.ok(bad.status === 489 && bad.headers['Allow-Events'] === 'presence')
  assert.equal(agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 5 }).status, 423)
  const fetch = agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence', expires: 0 })
  assert.ok(fetch.status === 200 && fetch.notify.state === 'terminated' && dec(fetch.notify.body) === dec(OPEN))
  assert.deepEqual(agent.watchersOf(BOT), [])
})

test('authorisation: deny is 403, pending NOTIFYs carry no state, approval sends the state', () => {
  const policy = new Map<string, 'allow' | 'pending' | 'deny'>([['sip:eve@example.test', 'deny'], ['sip:carol@example.test', 'pending']])
  const { agent } = setup({ authorize: (watcher) => policy.get(watcher) ?? 'allow' })
  agent.publish(pub({}))
  assert.equal(agent.subscribe({ presentity: BOT, watcher: 'sip:eve@example.test', event: 'presence' }).status, 403)
  const carol = agent.subscribe({ presentity: BOT, watcher: 'sip:carol@example.test', event: 'presence' })
  assert.ok(carol.status === 200 && carol.notify.state === 'pending' && carol.notify.body === undefined)
  const modify = agent.publish(pub({ ifMatch: 'etag1', body: CLOSED }))
  assert.ok(modify.status === 200 && modify.notify.length === 0, 'pending watchers are not told about changes')
  const approved = agent.reauthorize(carol.subscriptionId, 'allow')
  assert.ok(approved?.state === 'active' && dec(approved.body) === dec(CLOSED))
  assert.equal(agent.reauthorize(carol.subscriptionId, 'allow'), undefined)
  const revoked = agent.reauthorize(carol.subscriptionId, 'deny')
  assert.deepEqual([revoked?.state, revoked?.reason, revoked?.body], ['terminated', 'rejected', undefined])
  assert.deepEqual(agent.watchersOf(BOT), [])
})

test('an expiry noticed by a later PUBLISH (before expire() ran) still notifies watchers', () => {
  const { clock, agent } = setup()
  agent.publish(pub({ expires: 60, body: OPEN }))
  clock.advance(1)
  const laptop = agent.publish(pub({ expires: 3600, body: CLOSED }))
  assert.ok(laptop.status === 200)
  agent.subscribe({ presentity: BOT, watcher: WATCHER, event: 'presence' })
  clock.advance(60_000)
  assert.equal(agent.publicationsOf(BOT).length, 1, 'reads ignore the expired publication')
  const refresh = agent.publish(pub({ ifMatch: laptop.etag, body: undefined }))
  assert.ok(refresh.status === 200)
  assert.equal(refresh.notify.length, 1, 'the phone publication lapsed, so watchers hear about it')
  assert.deepEqual(agent.expire(), [], 'and expire() does not report it twice')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConferenceRoster, buildFullRoster, buildPartialRoster, diffRoomParticipants, parseConferenceInfo } from '../../src/conference/index.ts'
import type { RosterEntry } from '../../src/conference/index.ts'
import { ParseError } from '../../src/errors.ts'
import { RFC4575_FULL, RFC4575_PARTIAL } from './fixtures.ts'

const ROOM = { entity: 'sip:lobby@chat.example.test' }
const alice = { uri: 'sip:alice@example.test', nickname: 'alice' }
const bob = { uri: 'sip:bob@example.test', nickname: 'bob' }
const carol = { uri: 'sip:carol@example.test', nickname: 'carol' }

const uris = (ps: { uri: string }[]): string[] => ps.map((p) => p.uri).sort()

test('RFC 4575 full then partial: Bob reconnects and is reported as joined', () => {
  const r = new ConferenceRoster()
  const first = r.applyXml(RFC4575_FULL)
  assert.equal(first.kind, 'applied')
  // Bob's only endpoint is disconnected, so only Alice is present.
  assert.deepEqual(uris(r.participants), ['sip:alice@example.com'])
  assert.equal(r.users.length, 2)
  assert.equal(r.participant('sip:alice@example.com')?.status, 'connected')
  const second = r.applyXml(RFC4575_PARTIAL)
  assert.ok(second.kind === 'applied')
  assert.deepEqual(uris(second.diff.joined), ['sip:bob@example.com'])
  const bobNow = r.participant('sip:bob@example.com')!
  assert.equal(bobNow.status, 'connected')
  // Partial merge kept everything not mentioned: display text, media, disconnection info.
  assert.equal(bobNow.displayText, 'Bob Hoskins')
  assert.equal(bobNow.nickname, "Bob's Laptop")
  assert.equal(bobNow.endpoints[0]?.media[0]?.srcId, '432424')
  assert.equal(r.info?.description?.subject, "Agenda: This month's goals")
  assert.equal(r.version, 2)
})

test('server builder → client roster: join, rename, leave diffs', () => {
  const r = new ConferenceRoster()
  let res = r.applyXml(buildFullRoster({ ...ROOM, version: 1, subject: 'hi' }, [alice, bob]))
  assert.ok(res.kind === 'applied')
  assert.deepEqual(uris(res.diff.joined), [alice.uri, bob.uri])
  assert.equal(r.byNickname('bob')?.uri, bob.uri)

  res = r.applyXml(buildPartialRoster({ ...ROOM, version: 2 }, { upserted: [carol, { ...bob, nickname: 'bobby' }], userCount: 3 }))
  assert.ok(res.kind === 'applied')
  assert.deepEqual(uris(res.diff.joined), [carol.uri])
  assert.equal(res.diff.renamed.length, 1)
  assert.equal(res.diff.renamed[0]?.participant.nickname, 'bobby')
  assert.equal(res.diff.renamed[0]?.previousNickname, 'bob')
  assert.equal(r.info?.conferenceState?.userCount, 3)
  assert.equal(r.info?.description?.subject, 'hi')

  res = r.applyXml(buildPartialRoster({ ...ROOM, version: 3 }, { removed: [alice.uri] }))
  assert.ok(res.kind === 'applied')
  assert.deepEqual(uris(res.diff.left), [alice.uri])
  assert.deepEqual(uris(r.participants), [bob.uri, carol.uri])
})

test('a participant whose endpoint goes disconnected has left, even before deletion', () => {
  const r = new ConferenceRoster()
  r.applyXml(buildFullRoster({ ...ROOM, version: 1 }, [alice, bob]))
  const res = r.applyXml(buildPartialRoster({ ...ROOM, version: 2 }, { upserted: [{ ...alice, status: 'disconnected' }] }))
  assert.ok(res.kind === 'applied')
  assert.deepEqual(uris(res.diff.left), [alice.uri])
  assert.equal(r.users.length, 2)
})

test('version rules (RFC 4575 §4.6): stale ignored, gap → resubscribe, full resyncs', () => {
  const r = new ConferenceRoster()
  assert.deepEqual(r.applyXml(buildPartialRoster({ ...ROOM, version: 1 }, { upserted: [alice] })), {
    kind: 'resubscribe', reason: 'no-full-state', expectedVersion: undefined, receivedVersion: 1,
  })
  r.applyXml(buildFullRoster({ ...ROOM, version: 5 }, [alice]))
  assert.deepEqual(r.applyXml(buildFullRoster({ ...ROOM, version: 5 }, [bob])), { kind: 'ignored', reason: 'stale-version', version: 5, currentVersion: 5 })
  assert.deepEqual(r.applyXml(buildPartialRoster({ ...ROOM, version: 4 }, { upserted: [bob] })), { kind: 'ignored', reason: 'stale-version', version: 4, currentVersion: 5 })
  assert.deepEqual(r.applyXml(buildPartialRoster({ ...ROOM, version: 7 }, { upserted: [bob] })), {
    kind: 'resubscribe', reason: 'version-gap', expectedVersion: 6, receivedVersion: 7,
  })
  assert.deepEqual(uris(r.participants), [alice.uri], 'state untouched by rejected documents')
  // A full document with any later version is accepted, and replaces the state wholesale.
  const res = r.applyXml(buildFullRoster({ ...ROOM, version: 9 }, [bob, carol]))
  assert.ok(res.kind === 'applied')
  assert.deepEqual(uris(res.diff.joined), [bob.uri, carol.uri])
  assert.deepEqual(uris(res.diff.left), [alice.uri])
  assert.equal(r.version, 9)
})

test('partial merge: user without state replaces; users state=full replaces the list; deleted conference empties it', () => {
  const r = new ConferenceRoster()
  r.applyXml(buildFullRoster({ ...ROOM, version: 1 }, [{ ...alice, roles: ['moderator'] }, bob]))
  // A user element with no state attribute is full (schema default) and replaces the old one.
  r.apply(parseConferenceInfo(`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${ROOM.entity}" state="partial" version="2">
    <users state="partial"><user entity="${alice.uri}"><display-text>al</display-text></user></users></conference-info>`))
  const a = r.users.find((u) => u.uri === alice.uri)!
  assert.deepEqual(a.roles, [])
  assert.equal(a.nickname, 'al')
  // users state=full inside a partial document replaces the whole list.
  let res = r.apply(parseConferenceInfo(`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${ROOM.entity}" state="partial" version="3">
    <users state="full"><user entity="${carol.uri}"/></users></conference-info>`))
  assert.deepEqual(uris(r.participants), [carol.uri])
  res = r.apply(parseConferenceInfo(`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${ROOM.entity}" state="deleted" version="4"/>`))
  assert.ok(res.kind === 'applied')
  assert.deepEqual(uris(res.diff.left), [carol.uri])
  assert.deepEqual(r.participants, [])
})

test('partial endpoint merge updates media by id and keeps other endpoints', () => {
  const r = new ConferenceRoster()
  r.applyXml(buildFullRoster({ ...ROOM, version: 1 }, [{ ...alice, endpoint: 'sip:alice@pc', media: [{ id: '1', type: 'message', status: 'sendrecv' }, { id: '2', type: 'audio' }] }]))
  r.apply(parseConferenceInfo(`<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${ROOM.entity}" state="partial" version="2">
    <users state="partial"><user entity="${alice.uri}" state="partial">
      <endpoint entity="sip:alice@pc" state="partial"><media id="2"><status>inactive</status></media></endpoint>
      <endpoint entity="sip:alice@phone"><status>on-hold</status></endpoint>
    </user></users></conference-info>`))
  const p = r.participant(alice.uri)!
  assert.equal(p.endpoints.length, 2)
  assert.deepEqual(p.endpoints[0]?.media, [{ id: '1', type: 'message', status: 'sendrecv' }, { id: '2', type: 'audio', status: 'inactive' }])
  assert.equal(p.status, 'connected')
  assert.equal(p.nickname, 'alice')
})

test('applyXml surfaces malformed bodies as ParseError and leaves state alone', () => {
  const r = new ConferenceRoster()
  r.applyXml(buildFullRoster({ ...ROOM, version: 1 }, [alice]))
  assert.throws(() => r.applyXml('<nope'), ParseError)
  assert.equal(r.version, 1)
  r.reset()
  assert.equal(r.info, undefined)
})

test('diffRoomParticipants drives partial NOTIFYs that keep a client roster in sync', () => {
  const snapshots: RosterEntry[][] = [
    [alice],
    [alice, bob],
    [alice, { ...bob, nickname: 'robert' }],
    [{ ...alice, roles: ['moderator'] }, { ...bob, nickname: 'robert' }, carol],
    [carol],
  ]
  const client = new ConferenceRoster()
  client.applyXml(buildFullRoster({ ...ROOM, version: 1 }, snapshots[0]!))
  let version = 1
  for (let i = 1; i < snapshots.length; i++) {
    const changes = diffRoomParticipants(snapshots[i - 1]!, snapshots[i]!)
    assert.ok(changes)
    const res = client.applyXml(buildPartialRoster({ ...ROOM, version: ++version }, changes))
    assert.equal(res.kind, 'applied')
    assert.deepEqual(
      client.participants.map((p) => [p.uri, p.nickname, p.roles]).sort(),
      snapshots[i]!.map((p) => [p.uri, p.nickname, p.roles ?? []]).sort(),
    )
  }
  assert.equal(diffRoomParticipants([alice], [{ ...alice }]), undefined)
})

test('property: full(v1) + partial diffs ≡ full(vN), and replayed NOTIFYs are ignored', () => {
  const person = fc.record({
    uri: fc.constantFrom('sip:a@x.test', 'sip:b@x.test', 'sip:c@x.test', 'sip:d@x.test'),
    nickname: fc.constantFrom('a', 'b', 'c', 'zed'),
    status: fc.constantFrom('connected', 'on-hold', 'disconnected') as fc.Arbitrary<'connected' | 'on-hold' | 'disconnected'>,
    roles: fc.constantFrom('participant', 'moderator').map((r) => [r]),
  })
  const snapshot = fc.uniqueArray(person, { maxLength: 4, selector: (p) => p.uri })
  fc.assert(fc.property(fc.array(snapshot, { minLength: 1, maxLength: 6 }), (snaps) => {
    const incremental = new ConferenceRoster()
    incremental.applyXml(buildFullRoster({ ...ROOM, version: 1 }, snaps[0]!))
    let version = 1
    let lastDoc: string | undefined
    for (let i = 1; i < snaps.length; i++) {
      const changes = diffRoomParticipants(snaps[i - 1]!, snaps[i]!)
      if (!changes) continue
      lastDoc = buildPartialRoster({ ...ROOM, version: ++version }, changes)
      assert.equal(incremental.applyXml(lastDoc).kind, 'applied')
    }
    if (lastDoc) assert.equal(incremental.applyXml(lastDoc).kind, 'ignored')
    const fresh = new ConferenceRoster()
    fresh.applyXml(buildFullRoster({ ...ROOM, version }, snaps[snaps.length - 1]!))
    const view = (r: ConferenceRoster): unknown => r.users.map((p) => [p.uri, p.nickname, p.status, p.roles]).sort()
    assert.deepEqual(view(incremental), view(fresh))
  }), { numRuns: 100 })
})

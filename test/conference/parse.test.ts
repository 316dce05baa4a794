import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseConferenceInfo, buildConferenceInfo } from '../../src/conference/index.ts'
import type { ConferenceInfo } from '../../src/conference/index.ts'
import { ParseError } from '../../src/errors.ts'
import { RFC4575_FULL, RFC4575_PARTIAL } from './fixtures.ts'

function assertConfError(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ParseError && e.protocol === 'conference-info' && e.code === code)
}

test('RFC 4575 full-state example', () => {
  const info = parseConferenceInfo(RFC4575_FULL)
  assert.equal(info.entity, 'sips:conf233@example.com')
  assert.equal(info.state, 'full')
  assert.equal(info.version, 1)
  assert.equal(info.description?.subject, "Agenda: This month's goals")
  assert.deepEqual(info.description?.serviceUris, [{ uri: 'http://sharepoint/salesgroup/', purpose: 'web-page' }])
  assert.equal(info.conferenceState?.userCount, 33)
  const [bob, alice] = info.users!.list
  assert.equal(bob?.displayText, 'Bob Hoskins')
  assert.equal(bob?.endpoints[0]?.status, 'disconnected')
  assert.deepEqual(bob?.endpoints[0]?.disconnectionInfo, { when: '2005-03-04T20:00:00Z', reason: 'bad voice quality', by: 'sip:mike@example.com' })
  assert.deepEqual(bob?.endpoints[0]?.media[0], { id: '1', displayText: 'main audio', type: 'audio', label: '34567', srcId: '432424', status: 'sendrecv' })
  assert.equal(alice?.endpoints[0]?.entity, 'sip:4kfk4j392jsu@example.com;grid=433kj4j3u')
  assert.equal(alice?.endpoints[0]?.joiningMethod, 'dialed-out')
  assert.deepEqual(alice?.endpoints[0]?.joiningInfo, { when: '2005-03-04T20:00:00Z', by: 'sip:mike@example.com' })
})

test('RFC 4575 partial example keeps per-element state', () => {
  const info = parseConferenceInfo(RFC4575_PARTIAL)
  assert.equal(info.state, 'partial')
  assert.equal(info.users?.state, 'partial')
  assert.equal(info.users?.list[0]?.state, 'partial')
  assert.equal(info.users?.list[0]?.endpoints[0]?.state, 'partial')
})

test('any prefix bound to the namespace is accepted; foreign elements are ignored', () => {
  const info = parseConferenceInfo(`<ci:conference-info xmlns:ci="urn:ietf:params:xml:ns:conference-info" xmlns:x="urn:example:ext" entity="sip:room@x" version="7">
    <ci:users><ci:user entity="sip:a@x"><ci:display-text>alice</ci:display-text><x:display-text>not this</x:display-text>
    <ci:roles><ci:entry>participant</ci:entry><ci:entry>moderator</ci:entry></ci:roles>
    <ci:endpoint entity="sip:a@host"><ci:status>connected</ci:status><ci:call-info><ci:sip><ci:call-id>c1</ci:call-id><ci:from-tag>f</ci:from-tag><ci:to-tag>t</ci:to-tag></ci:sip></ci:call-info></ci:endpoint>
    </ci:user></ci:users></ci:conference-info>`)
  assert.equal(info.state, 'full')
  assert.equal(info.version, 7)
  const u = info.users!.list[0]!
  assert.equal(u.displayText, 'alice')
  assert.deepEqual(u.roles, ['participant', 'moderator'])
  assert.deepEqual(u.endpoints[0]?.callInfo, { callId: 'c1', fromTag: 'f', toTag: 't' })
})

test('malformed documents → ParseError("conference-info")', () => {
  assertConfError(() => parseConferenceInfo('<conference-info'), 'CONFERENCE_BAD_XML')
  assertConfError(() => parseConferenceInfo('<a><b></a>'), 'CONFERENCE_BAD_XML')
  assertConfError(() => parseConferenceInfo('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), 'CONFERENCE_BAD_XML')
  assertConfError(() => parseConferenceInfo('<p:x xmlns:q="u"/>'), 'CONFERENCE_BAD_XML')
  assertConfError(() => parseConferenceInfo('<conference-info entity="sip:r@x"/>'), 'CONFERENCE_WRONG_ROOT')
  assertConfError(() => parseConferenceInfo('<conference-info xmlns="urn:ietf:params:xml:ns:conference-info"/>'), 'CONFERENCE_MISSING_ATTRIBUTE')
  assertConfError(() => parseConferenceInfo('<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:r@x" state="weird"/>'), 'CONFERENCE_BAD_STATE')
  assertConfError(() => parseConferenceInfo('<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:r@x" version="-1"/>'), 'CONFERENCE_BAD_NUMBER')
  assertConfError(() => parseConferenceInfo('<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:r@x"><users><user/></users></conference-info>'), 'CONFERENCE_MISSING_ATTRIBUTE')
  assertConfError(() => parseConferenceInfo('<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:r@x"><conference-state><active>maybe</active></conference-state></conference-info>'), 'CONFERENCE_BAD_BOOLEAN')
})

test('build escapes text and attributes', () => {
  const xml = buildConferenceInfo({
    entity: 'sip:room@x?a=1&b=2', state: 'full', version: 3,
    users: { list: [{ entity: 'sip:"q"@x', displayText: '<script>&"\'', endpoints: [] }] },
  })
  assert.ok(!xml.includes('<script>'))
  const back = parseConferenceInfo(xml)
  assert.equal(back.entity, 'sip:room@x?a=1&b=2')
  assert.equal(back.users?.list[0]?.entity, 'sip:"q"@x')
  assert.equal(back.users?.list[0]?.displayText, '<script>&"\'')
})

const text = fc.string({ maxLength: 12 }).map((s) => s.trim()).filter((s) => s !== '' && !/[\u0000-\u001f\ufffe\uffff]/.test(s))
const uri = fc.stringMatching(/^sip:[a-z]{1,6}@[a-z]{1,6}\.test$/)

test('property: parse(build(x)) round-trips', () => {
  const endpoint = fc.record({
    entity: uri,
    displayText: fc.option(text, { nil: undefined }),
    status: fc.option(fc.constantFrom('connected', 'disconnected', 'on-hold'), { nil: undefined }),
    media: fc.array(fc.record({ id: fc.stringMatching(/^[0-9]{1,3}$/), type: fc.constantFrom('message', 'audio') }), { maxLength: 2 }),
  }, { requiredKeys: ['entity', 'media'] })
  const user = fc.record({
    entity: uri,
    state: fc.constantFrom('full', 'partial', 'deleted') as fc.Arbitrary<'full' | 'partial' | 'deleted'>,
    displayText: text,
    roles: fc.array(fc.constantFrom('participant', 'moderator'), { maxLength: 2 }),
    endpoints: fc.array(endpoint, { maxLength: 2 }),
  }, { requiredKeys: ['entity', 'endpoints'] })
  fc.assert(fc.property(uri, fc.nat(1e6), fc.option(text, { nil: undefined }), fc.array(user, { maxLength: 3 }), (entity, version, subject, users) => {
    const info: ConferenceInfo = { entity, state: 'partial', version, users: { state: 'partial', list: users } }
    if (subject !== undefined) info.description = { subject }
    const back = parseConferenceInfo(buildConferenceInfo(info))
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(info)))
  }), { numRuns: 150 })
})

test('property: garbage never throws anything but ParseError', () => {
  const piece = fc.constantFrom('<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="e">', '</conference-info>', '<users>', '</users>', '<user entity="u">', '</user>', '<endpoint>', '<status>', 'x', '&amp;', '&', '<', '>', '"', '<a:b>', 'version="x"')
  fc.assert(fc.property(fc.oneof(fc.array(piece, { maxLength: 20 }).map((p) => p.join('')), fc.string({ maxLength: 60 })), (s) => {
    try {
      parseConferenceInfo(s)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
    }
  }), { numRuns: 300 })
})

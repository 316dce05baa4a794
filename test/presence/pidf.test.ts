import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parsePidf, buildPidf, summarizePresence, buildSimplePresence } from '../../src/presence/index.ts'
import type { PresenceDocument } from '../../src/presence/index.ts'
import { MsrpBotError, ParseError } from '../../src/errors.ts'

function assertPidfError(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ParseError && e.protocol === 'pidf' && e.code === code)
}

// RFC 3863 examples: prefixed form.
const RFC3863_PREFIXED = `<?xml version="1.0" encoding="UTF-8"?>
<impp:presence xmlns:impp="urn:ietf:params:xml:ns:pidf"
     entity="pres:someone@example.com">
  <impp:tuple id="sg89ae">
    <impp:status>
      <impp:basic>open</impp:basic>
    </impp:status>
    <impp:contact priority="0.8">tel:+09012345678</impp:contact>
  </impp:tuple>
</impp:presence>`

// RFC 3863 examples: default namespace, extensions, multilingual notes.
const RFC3863_FULL = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
    xmlns:im="urn:ietf:params:xml:ns:pidf:im"
    xmlns:myex="http://id.example.com/presence/"
    entity="pres:someone@example.com">
  <tuple id="bs35r9">
    <status>
      <basic>open</basic>
      <im:im>busy</im:im>
      <myex:location>home</myex:location>
    </status>
    <contact priority="0.8">im:someone@mobilecarrier.net</contact>
    <note xml:lang="en">Don't Disturb Please!</note>
    <note xml:lang="fr">Ne d&#233;rangez pas, s'il vous plait</note>
    <timestamp>2001-10-27T16:49:29Z</timestamp>
  </tuple>
  <tuple id="eg92n8">
    <status>
      <basic>open</basic>
    </status>
    <contact priority="1.0">mailto:someone@example.com</contact>
  </tuple>
  <note>I'll be in Tokyo next week</note>
</presence>`

// RFC 4480-style person with activities, using unusual prefixes on purpose.
const RPID_DOC = `<?xml version="1.0" encoding="UTF-8"?>
<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:d="urn:ietf:params:xml:ns:pidf:data-model"
    xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bot@example.test">
  <p:tuple id="t1"><p:status><p:basic>closed</p:basic></p:status></p:tuple>
  <d:person id="p1">
    <r:activities><r:on-the-phone/><r:busy/><r:other>coding</r:other></r:activities>
    <d:note xml:lang="en">In a call</d:note>
    <d:note xml:lang="de">Im Gespräch</d:note>
    <d:timestamp>2026-11-26T10:00:00Z</d:timestamp>
  </d:person>
</p:presence>`

test('RFC 3863 prefixed example', () => {
  const d = parsePidf(RFC3863_PREFIXED)
  assert.deepEqual(d, {
    entity: 'pres:someone@example.com',
    tuples: [{ id: 'sg89ae', basic: 'open', contact: { uri: 'tel:+09012345678', priority: 0.8 }, notes: [] }],
    persons: [],
    notes: [],
  })
})

test('RFC 3863 full example: notes with xml:lang, timestamp, extensions ignored', () => {
  const d = parsePidf(RFC3863_FULL)
  assert.equal(d.tuples.length, 2)
  assert.deepEqual(d.tuples[0]?.notes, [
    { text: "Don't Disturb Please!", lang: 'en' },
    { text: "Ne dérangez pas, s'il vous plait", lang: 'fr' },
  ])
  assert.equal(d.tuples[0]?.timestamp, '2001-10-27T16:49:29Z')
  assert.equal(d.tuples[1]?.contact?.priority, 1)
  assert.deepEqual(d.notes, [{ text: "I'll be in Tokyo next week" }])
})

test('RFC 4480 activities and data-model person under any prefix', () => {
  const d = parsePidf(RPID_DOC)
  assert.deepEqual(d.persons, [{
    id: 'p1',
    activities: ['on-the-phone', 'busy'],
    otherActivities: ['coding'],
    notes: [{ text: 'In a call', lang: 'en' }, { text: 'Im Gespräch', lang: 'de' }],
    timestamp: '2026-11-26T10:00:00Z',
  }])
  assert.deepEqual(summarizePresence(d, 'de'), { open: false, note: 'Im Gespräch', activities: ['on-the-phone', 'busy'] })
  assert.equal(summarizePresence(d).note, 'In a call')
})

test('elements in the wrong namespace are not mistaken for PIDF ones', () => {
  assertPidfError(() => parsePidf('<presence xmlns="urn:example:not-pidf" entity="sip:a@x"/>'), 'PIDF_WRONG_ROOT')
  const d = parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:x" entity="sip:a@x"><x:tuple id="z"/><x:note>no</x:note></presence>')
  assert.deepEqual(d.tuples, [])
  assert.deepEqual(d.notes, [])
})

test('malformed PIDF → ParseError("pidf")', () => {
  assertPidfError(() => parsePidf('<presence'), 'PIDF_BAD_XML')
  assertPidfError(() => parsePidf(''), 'PIDF_BAD_XML')
  assertPidfError(() => parsePidf('<x:presence entity="a"/>'), 'PIDF_BAD_XML')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf"/>'), 'PIDF_MISSING_ATTRIBUTE')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><tuple><status/></tuple></presence>'), 'PIDF_MISSING_ATTRIBUTE')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><tuple id="1"/></presence>'), 'PIDF_MISSING_STATUS')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><tuple id="1"><status><basic>ajar</basic></status></tuple></presence>'), 'PIDF_BAD_BASIC')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><tuple id="1"><status/><contact priority="2">sip:a@x</contact></tuple></presence>'), 'PIDF_BAD_PRIORITY')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><tuple id="1"><status/></tuple><tuple id="1"><status/></tuple></presence>'), 'PIDF_DUPLICATE_ID')
  assertPidfError(() => parsePidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="a"><dm:person/></presence>'), 'PIDF_MISSING_ATTRIBUTE')
  assertPidfError(() => parsePidf('<!DOCTYPE lol [<!ENTITY lol "lol">]><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="&lol;"/>'), 'PIDF_BAD_XML')
  assertPidfError(() => parsePidf('<a/>'.padEnd(2 * 1024 * 1024, ' ')), 'PIDF_BAD_XML')
})

test('buildSimplePresence: the usual bot PUBLISH body', () => {
  const xml = buildSimplePresence({ entity: 'sip:echo@example.test', contact: 'sip:echo@example.test', note: 'I echo <things> & "stuff"', activities: ['busy'] })
  const d = parsePidf(xml)
  assert.deepEqual(summarizePresence(d), { open: true, note: 'I echo <things> & "stuff"', activities: ['busy'] })
  assert.equal(d.tuples[0]?.contact?.uri, 'sip:echo@example.test')
  const closed = parsePidf(buildSimplePresence({ entity: 'sip:echo@example.test', open: false }))
  assert.equal(closed.tuples[0]?.basic, 'closed')
  assert.deepEqual(closed.persons, [])
})

test('buildPidf refuses values it cannot write', () => {
  assert.throws(() => buildPidf({ entity: 'sip:a@x', persons: [{ id: 'p', activities: ['not a name'] }] }), MsrpBotError)
  assert.throws(() => buildPidf({ entity: 'sip:a@x', tuples: [{ id: 't', notes: [], contact: { uri: 'sip:a@x', priority: 3 } }] }), MsrpBotError)
})

const text = fc.string({ maxLength: 15 }).map((s) => s.trim()).filter((s) => !/[\u0000-\u001f\ufffe\uffff]/.test(s))
const note = fc.record({ text, lang: fc.constantFrom('en', 'fr', 'de-CH') }, { requiredKeys: ['text'] })

test('property: parse(build(x)) round-trips', () => {
  const tuple = fc.record({
    id: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
    basic: fc.constantFrom('open', 'closed') as fc.Arbitrary<'open' | 'closed'>,
    contact: fc.record({ uri: fc.stringMatching(/^sip:[a-z]{1,5}@x\.test$/), priority: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000) }, { requiredKeys: ['uri'] }),
    notes: fc.array(note, { maxLength: 2 }),
    timestamp: fc.constant('2026-01-01T00:00:00Z'),
  }, { requiredKeys: ['id', 'notes'] })
  const person = fc.record({
    id: fc.stringMatching(/^p[0-9]{1,3}$/),
    activities: fc.uniqueArray(fc.constantFrom('away', 'busy', 'on-the-phone', 'meeting'), { maxLength: 3 }),
    otherActivities: fc.array(text.filter((s) => s !== ''), { maxLength: 1 }),
    notes: fc.array(note, { maxLength: 2 }),
  })
  fc.assert(fc.property(fc.uniqueArray(tuple, { maxLength: 3, selector: (t) => t.id }), fc.array(person, { maxLength: 2 }), fc.array(note, { maxLength: 2 }), (tuples, persons, notes) => {
    const doc: PresenceDocument = { entity: 'pres:a&b@example.test', tuples, persons, notes }
    const back = parsePidf(buildPidf(doc))
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(doc)))
  }), { numRuns: 150 })
})

test('property: garbage never throws anything but ParseError', () => {
  const piece = fc.constantFrom('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="e">', '</presence>', '<tuple id="1">', '</tuple>', '<status>', '</status>', '<basic>open</basic>', '<contact priority="x">', '</contact>', '&lt;', '&', '<', 'xml:lang="en"', '<dm:person>')
  fc.assert(fc.property(fc.oneof(fc.array(piece, { maxLength: 20 }).map((p) => p.join('')), fc.string({ maxLength: 60 })), (s) => {
    try {
      parsePidf(s)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
    }
  }), { numRuns: 300 })
})

test('deep nesting is refused without exhausting the stack', () => {
  const deep = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="e">' + '<x>'.repeat(20000) + '</x>'.repeat(20000) + '</presence>'
  assertPidfError(() => parsePidf(deep), 'PIDF_BAD_XML')
})

// msrp-bot's conference-info extension: <files> in <conference-description> lists the room's stored files.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildFullRoster, buildPartialRoster } from '../../src/conference/documents.ts'
import { parseConferenceInfo } from '../../src/conference/parse.ts'
import { ConferenceRoster } from '../../src/conference/roster.ts'
import { MSRP_BOT_CONFERENCE_NAMESPACE } from '../../src/conference/types.ts'
import type { ConferenceFile } from '../../src/conference/types.ts'

const SHA_A = 'a'.repeat(40)
const SHA_B = '0123456789abcdef0123456789abcdef01234567'
const FILE_A: ConferenceFile = { name: 'notes <1>.txt', type: 'text/plain', size: 12, sha1: SHA_A, sender: 'sip:alice@example.test', date: '2026-12-07T22:00:00.000Z' }
const FILE_B: ConferenceFile = { name: 'cat.png', type: 'image/png', size: 5_000_000, sha1: SHA_B, sender: 'sip:bob@example.test', date: '2026-12-07T22:01:00.000Z' }

function doc(files: string): string {
  return `<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" xmlns:m="${MSRP_BOT_CONFERENCE_NAMESPACE}" entity="sip:lobby@example.test" state="full" version="1"><conference-description><subject>x</subject><m:files>${files}</m:files></conference-description></conference-info>`
}

describe('conference-info <files> extension', () => {
  it('round-trips every field, escaped, in the msrp-bot namespace after the schema elements', () => {
    const xml = buildFullRoster({ entity: 'sip:lobby@example.test', version: 1, subject: 'hi', files: [FILE_A, FILE_B] }, [])
    assert.match(xml, new RegExp(`<subject>hi</subject><files xmlns="${MSRP_BOT_CONFERENCE_NAMESPACE}"><file><name>notes &lt;1&gt;.txt</name>`))
    assert.ok(xml.includes(`<hash algorithm="sha-1">${SHA_A}</hash>`))
    assert.deepEqual(parseConferenceInfo(xml).description?.files, [FILE_A, FILE_B])
  })

  it('leaves <files> out when the room lists none', () => {
    const xml = buildFullRoster({ entity: 'sip:lobby@example.test', version: 1 }, [])
    assert.ok(!xml.includes('<files'))
    assert.equal(parseConferenceInfo(xml).description?.files, undefined)
  })

  it('skips a <file> without a name or a SHA-1 hash, and ignores <files> in another namespace', () => {
    const ok = `<m:file><m:name>ok</m:name><m:hash>${SHA_B.toUpperCase()}</m:hash></m:file>`
    const noName = `<m:file><m:hash>${SHA_A}</m:hash></m:file>`
    const badHash = '<m:file><m:name>x</m:name><m:hash>not-hex</m:hash></m:file>'
    const md5 = `<m:file><m:name>y</m:name><m:hash algorithm="md5">${SHA_A}</m:hash></m:file>`
    const badSize = `<m:file><m:name>z</m:name><m:size>-4</m:size><m:hash>${SHA_A}</m:hash></m:file>`
    assert.deepEqual(parseConferenceInfo(doc(ok + noName + badHash + md5 + badSize)).description?.files, [{ name: 'ok', sha1: SHA_B }, { name: 'z', sha1: SHA_A }])
    const foreign = `<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:lobby@example.test"><conference-description><files><file><name>n</name><hash>${SHA_A}</hash></file></files></conference-description></conference-info>`
    assert.equal(parseConferenceInfo(foreign).description?.files, undefined)
  })

  it('a partial document with a new list replaces the list and keeps the users', () => {
    const roster = new ConferenceRoster()
    roster.applyXml(buildFullRoster({ entity: 'sip:lobby@example.test', version: 1, subject: 's', files: [FILE_A] }, [{ uri: 'sip:alice@example.test', nickname: 'alice' }]))
    assert.deepEqual(roster.files.map((f) => f.name), ['notes <1>.txt'])
    const partial = buildPartialRoster({ entity: 'sip:lobby@example.test', version: 2, files: [FILE_A, FILE_B] }, {})
    assert.ok(!partial.includes('<users'), 'a files-only document carries no users')
    roster.applyXml(partial)
    assert.deepEqual(roster.files.map((f) => f.sha1), [SHA_A, SHA_B])
    assert.deepEqual(roster.participants.map((p) => p.nickname), ['alice'])
    assert.equal(roster.info?.description?.subject, 's', 'the subject survives the partial description')
    // A later roster change without a description keeps the files.
    roster.applyXml(buildPartialRoster({ entity: 'sip:lobby@example.test', version: 3 }, { upserted: [{ uri: 'sip:bob@example.test' }], userCount: 2 }))
    assert.equal(roster.files.length, 2)
    roster.applyXml(buildPartialRoster({ entity: 'sip:lobby@example.test', version: 4, files: [] }, {}))
    assert.deepEqual(roster.files, [])
  })
})

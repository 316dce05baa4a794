// msrp-bot's conference-info extension: <automaton> in a <user> says whether it is a bot.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildFullRoster } from '../../src/conference/documents.ts'
import { parseConferenceInfo } from '../../src/conference/parse.ts'
import { MSRP_BOT_CONFERENCE_NAMESPACE } from '../../src/conference/types.ts'

const ROOM = { entity: 'sip:lobby@example.test', version: 1 }

describe('conference-info <automaton> extension', () => {
  it('round-trips true and false, and stays absent when unknown', () => {
    const xml = buildFullRoster(ROOM, [
      { uri: 'sip:echo@example.test', nickname: 'echo', isBot: true },
      { uri: 'sip:alice@example.test', nickname: 'alice', isBot: false },
      { uri: 'sip:carol@example.test' },
    ])
    assert.ok(xml.includes(`<automaton xmlns="${MSRP_BOT_CONFERENCE_NAMESPACE}">true</automaton>`))
    const users = parseConferenceInfo(xml).users?.list ?? []
    assert.deepEqual(users.map((u) => u.automaton), [true, false, undefined])
  })

  it('ignores an automaton element in another namespace, and values other than true/false', () => {
    const doc = (inner: string) =>
      `<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" xmlns:m="${MSRP_BOT_CONFERENCE_NAMESPACE}" entity="sip:lobby@example.test" state="full" version="1"><users><user entity="sip:a@example.test">${inner}</user></users></conference-info>`
    assert.equal(parseConferenceInfo(doc('<automaton>true</automaton>')).users?.list[0]?.automaton, undefined)
    assert.equal(parseConferenceInfo(doc('<m:automaton>yes</m:automaton>')).users?.list[0]?.automaton, undefined)
    assert.equal(parseConferenceInfo(doc('<m:automaton> true </m:automaton>')).users?.list[0]?.automaton, true)
  })
})

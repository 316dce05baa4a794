import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildFullRoster, buildPartialRoster } from '../../src/conference/index.ts'
import { RoomRoster } from '../../src/chat/room-roster.ts'

const ROOM = 'sip:lobby@example.test'
const alice = { uri: 'sip:alice@example.test', nickname: 'alice' }
const bob = { uri: 'sip:bob@example.test', nickname: 'bob' }

const full = (version: number, people: Array<{ uri: string; nickname: string }>) => buildFullRoster({ entity: ROOM, version }, people)

describe('RoomRoster', () => {
  it('the first full state seeds without events; a later one yields the differences', () => {
    const r = new RoomRoster()
    assert.deepEqual(r.apply(full(1, [alice])), { kind: 'changes', changes: [] })
    assert.equal(r.seeded, true)
    const update = r.apply(full(2, [{ ...alice, nickname: 'ally' }, bob]))
    assert.equal(update.kind, 'changes')
    assert.deepEqual(update.kind === 'changes' && update.changes.map((c) => [c.type, c.participant.uri]), [
      ['nickname', alice.uri],
      ['join', bob.uri],
    ])
    assert.deepEqual(r.participants.map((p) => p.nickname), ['ally', 'bob'])
    assert.equal(r.byNickname('bob')?.uri, bob.uri)
  })

  it('a nickname a focus stored with the quotes of its quoted-string form (SylkServer) shows without them', () => {
    const r = new RoomRoster()
    r.apply(full(1, [{ uri: 'sip:echo@example.test', nickname: '"echo"' }, alice]))
    assert.deepEqual(r.participants.map((p) => p.nickname), ['echo', 'alice'])
    assert.equal(r.byNickname('echo')?.uri, 'sip:echo@example.test')
  })

  it('after restart() (new subscription, versions from 1 again) reports only what changed', () => {
    const r = new RoomRoster()
    r.apply(full(7, [alice, bob]))
    r.restart()
    const update = r.apply(full(1, [alice]))
    assert.deepEqual(update.kind === 'changes' && update.changes.map((c) => [c.type, c.participant.uri]), [['leave', bob.uri]])
  })

  it('the bot\'s own nickname shows at once after setOwnNickname; the roster update still reports it', () => {
    const r = new RoomRoster()
    r.apply(full(1, [alice, bob]))
    r.setOwnNickname('<sip:bob@EXAMPLE.test>', 'bobby')
    assert.deepEqual(r.participants.map((p) => p.nickname), ['alice', 'bobby'])
    assert.equal(r.find(bob.uri)?.nickname, 'bobby')
    assert.equal(r.byNickname('bobby')?.uri, bob.uri)
    // A NOTIFY sent before the change still lists the old nickname: the snapshot keeps the new one.
    r.apply(full(2, [alice, bob]))
    assert.equal(r.find(bob.uri)?.nickname, 'bobby')
    const update = r.apply(full(3, [alice, { ...bob, nickname: 'bobby' }]))
    assert.deepEqual(update.kind === 'changes' && update.changes.map((c) => [c.type, c.participant.nickname, c.type === 'nickname' ? c.previousNickname : '']), [['nickname', 'bobby', 'bob']])
    // Once the focus published it, the focus is the source again.
    r.apply(full(4, [alice, { ...bob, nickname: 'rob' }]))
    assert.equal(r.find(bob.uri)?.nickname, 'rob')
  })

  it('asks for a resubscribe on a partial before the full state; ignores garbage', () => {
    const r = new RoomRoster()
    const partial = buildPartialRoster({ entity: ROOM, version: 3 }, { upserted: [bob] })
    assert.equal(r.apply(partial).kind, 'resubscribe')
    assert.equal(r.apply('<not-xml').kind, 'ignored')
  })
})

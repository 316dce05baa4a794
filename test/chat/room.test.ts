import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ChatServer } from '../../src/server/index.ts'
import type { BackendEvent, RoomHandle } from '../../src/chat/backend.ts'
import { LOBBY, client, quiet, startServer } from './helpers.ts'
import type { Client } from './helpers.ts'

describe('SipChatBackend in a room (in-process server)', () => {
  let server: ChatServer
  let alice: Client
  let bob: Client
  let ra: RoomHandle
  let rb: RoomHandle
  const all = () => [alice.backend, bob.backend]

  before(async () => {
    server = await startServer()
    alice = await client(server, 'alice')
    bob = await client(server, 'bob')
    ra = await alice.backend.join(LOBBY, { nickname: 'alice' })
    rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, all())
  })

  after(async () => {
    await alice.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('join confirms the nickname and fills the roster snapshot with the full state', () => {
    assert.equal(ra.nickname, 'alice')
    assert.equal(rb.nickname, 'bob')
    const nicks = rb.participants.map((p) => p.nickname).sort()
    assert.deepEqual(nicks, ['alice', 'bob'])
    assert.ok(rb.participants.some((p) => p.uri === 'sip:alice@example.test'))
  })

  it('the full state seeds the roster without join events; later arrivals are join events', () => {
    const bobJoins = bob.events.filter((e) => e.type === 'join')
    assert.deepEqual(bobJoins, [])
    const aliceJoins = alice.events.filter((e): e is Extract<BackendEvent, { type: 'join' }> => e.type === 'join')
    assert.deepEqual(aliceJoins.map((e) => e.participant.uri), ['sip:bob@example.test'])
  })

  it('public messages go both ways, with sender nickname, after the focus confirmed them', async () => {
    const receipt = await ra.send('hello bob')
    assert.ok(receipt.messageId.length > 0)
    await rb.send({ contentType: 'text/plain', body: 'hi alice' })
    await quiet(server, all())
    assert.ok(bob.texts().includes('alice: hello bob'))
    assert.ok(alice.texts().includes('bob: hi alice'))
    const m = bob.events.find((e) => e.type === 'message' && e.body === 'hello bob')
    assert.ok(m !== undefined && m.type === 'message')
    assert.equal(m.private, false)
    assert.equal(m.contentType, 'text/plain')
    assert.equal(m.messageId, receipt.messageId, 'the CPIM imdn.Message-ID survives the focus')
    assert.ok(m.timestamp instanceof Date)
  })

  it('private messages go both ways and reach only the recipient', async () => {
    const carol = await client(server, 'carol')
    await carol.backend.join(LOBBY, { nickname: 'carol' })
    await ra.sendPrivate('sip:bob@example.test', 'psst bob')
    await rb.sendPrivate('sip:alice@example.test', 'psst alice')
    await quiet(server, [...all(), carol.backend])
    assert.ok(bob.texts().includes('(private) alice: psst bob'))
    assert.ok(alice.texts().includes('(private) bob: psst alice'))
    assert.ok(!carol.texts().some((t) => t.includes('psst')), 'carol must not see private messages')
    await carol.backend.stop()
    await quiet(server, all())
  })

  it('a private message to someone not in the room rejects PARTICIPANT_NOT_FOUND or SEND_REJECTED', async () => {
    await assert.rejects(ra.sendPrivate('sip:nobody@example.test', 'hello?'), (err: Error & { code?: string }) => {
      assert.ok(err.code === 'PARTICIPANT_NOT_FOUND' || err.code === 'SEND_REJECTED', err.code)
      return true
    })
  })

  it('composing indications arrive as composing events, not messages', async () => {
    const before = alice.events.length
    await rb.sendComposing(true)
    await rb.sendComposing(false)
    await quiet(server, all())
    const composing = alice.events.slice(before).filter((e) => e.type === 'composing')
    assert.deepEqual(composing.map((e) => e.type === 'composing' && [e.sender.uri, e.active]), [
      ['sip:bob@example.test', true],
      ['sip:bob@example.test', false],
    ])
    assert.equal(alice.events.slice(before).filter((e) => e.type === 'message').length, 0)
  })

  it('a nickname change is a nickname event with the previous one; 425 and 424 map to typed errors', async () => {
    await rb.setNickname('bobby')
    assert.equal(rb.nickname, 'bobby')
    assert.equal(rb.participants.find((p) => p.uri === 'sip:bob@example.test')?.nickname, 'bobby', 'own entry updated at once')
    await quiet(server, all())
    const change = alice.events.find((e) => e.type === 'nickname' && e.participant.uri === 'sip:bob@example.test' && e.participant.nickname === 'bobby')
    assert.ok(change !== undefined && change.type === 'nickname')
    assert.equal(change.participant.nickname, 'bobby')
    assert.equal(change.previousNickname, 'bob')
    await assert.rejects(rb.setNickname('alice'), { code: 'NICKNAME_TAKEN' })
    await assert.rejects(rb.setNickname('x'.repeat(200)), { code: 'NICKNAME_INVALID' })
    assert.equal(rb.nickname, 'bobby')
  })

  it('joining with a taken nickname rejects NICKNAME_TAKEN and hands over the live room', async () => {
    const dave = await client(server, 'dave')
    const error = await dave.backend.join(LOBBY, { nickname: 'alice' }).then(
      () => assert.fail('expected NICKNAME_TAKEN'),
      (e: Error & { code?: string; room?: RoomHandle }) => e,
    )
    assert.equal(error.code, 'NICKNAME_TAKEN')
    assert.ok(error.room !== undefined, 'error.room is the joined room')
    await error.room.setNickname('dave')
    assert.equal(error.room.nickname, 'dave')
    await error.room.send('made it')
    await quiet(server, [...all(), dave.backend])
    assert.ok(alice.events.some((e) => e.type === 'message' && e.sender.uri === 'sip:dave@example.test' && e.body === 'made it'))
    await dave.backend.stop()
    await quiet(server, all())
  })

  it('joining an unknown room rejects JOIN_FAILED with the status', async () => {
    await assert.rejects(alice.backend.join('sip:nowhere@example.test', {}), (err: Error & { code?: string; statusCode?: number }) => {
      assert.equal(err.code, 'JOIN_FAILED')
      assert.equal(err.statusCode, 404)
      assert.match(err.message, /no such room/)
      return true
    })
  })

  it('leave: the others see a leave event, and the handle refuses sends with SEND_DISCONNECTED', async () => {
    const erin = await client(server, 'erin')
    const re = await erin.backend.join(LOBBY, { nickname: 'erin' })
    await quiet(server, [...all(), erin.backend])
    await re.leave()
    await re.leave() // idempotent
    await quiet(server, [...all(), erin.backend])
    const left = alice.events.find((e) => e.type === 'leave' && e.participant.uri === 'sip:erin@example.test')
    assert.ok(left !== undefined)
    await assert.rejects(re.send('anyone?'), { code: 'SEND_DISCONNECTED' })
    assert.ok(!ra.participants.some((p) => p.uri === 'sip:erin@example.test'))
    await erin.backend.stop()
  })
})

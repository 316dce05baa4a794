// Invitations (RFC 4579 §5.5): a participant or bot REFERs someone into the room with
// method=INVITE; the msrp-bot server calls them with the room's offer and reports progress in
// NOTIFYs (RFC 3515 sipfrag); accepting joins, declining rejects the inviter's promise.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import type { Bot } from 'msrp-bot'

describe('invitations to a room', () => {
  let chat: TestChat
  let alice: TestParticipant
  let bot: Bot

  before(async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    bot = chat.createBot({ uri: 'sip:host@example.test' })
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'host' })
    alice = await chat.participant('alice')
    await alice.join()
    await chat.settled()
  })

  after(() => chat.close())

  it('an accepted invitation brings the invitee into the roster, and the inviter hears so', async () => {
    const bob = await chat.participant('bob')
    const invited = alice.invite('bob')
    const invitation = await bob.expectInvitation()
    assert.equal(invitation.room, chat.roomUri('lobby'))
    assert.equal(invitation.by, 'sip:alice@example.test')
    const room = await invitation.accept()
    await invited
    assert.equal(bob.room, room)
    await chat.settled()
    assert.ok(alice.room!.participants.some((p) => p.uri === 'sip:bob@example.test' && p.nickname === 'bob'))
    await bob.say('thanks for having me')
    await alice.expectMessage('thanks for having me', { from: 'bob' })
  })

  it('a declined invitation rejects the inviter with a typed error naming 603', async () => {
    await chat.participant('carol', { invitations: 'decline' })
    await assert.rejects(alice.invite('carol'), (error: { code?: string; statusCode?: number; message: string }) =>
      error.code === 'INVITATION_DECLINED' && error.statusCode === 603 && /603/.test(error.message))
    assert.ok(!alice.room!.participants.some((p) => p.uri === 'sip:carol@example.test'))
  })

  it('busy: a decline with 486 is named too', async () => {
    const dave = await chat.participant('dave')
    const invited = bot.room(chat.roomUri('lobby'))!.invite('sip:dave@example.test')
    ;(await dave.expectInvitation()).decline(486)
    await assert.rejects(invited, (error: { code?: string; statusCode?: number }) => error.code === 'INVITATION_DECLINED' && error.statusCode === 486)
  })

  it('someone offline cannot be invited: INVITATION_FAILED, 480', async () => {
    await assert.rejects(alice.invite('nobody'), (error: { code?: string; statusCode?: number }) => error.code === 'INVITATION_FAILED' && error.statusCode === 480)
  })

  it('only participants (or owners and moderators) may invite: a stranger gets 403 to its REFER', async () => {
    const erin = await chat.participant('erin', { invitations: 'accept' })
    const frank = await chat.participant('frank')
    // frank is registered but not in the room.
    const ua = frank.backend.userAgent!
    const refer = ua.createRequest('REFER', chat.roomUri('lobby'), { headers: [['Refer-To', '<sip:erin@example.test;method=INVITE>']] })
    const response = await ua.sendRequest(refer)
    assert.equal(response.status, 403)
    await chat.settled()
    assert.deepEqual(erin.invitations, [])
  })

  it('someone already in the room is not called again: the invitation succeeds at once', async () => {
    const before = alice.room!.participants.length
    await alice.invite('host')
    assert.equal(alice.room!.participants.length, before)
  })

  it('at most 8 invitations ring at once per room: the 9th REFER is refused with 503', async () => {
    const invitees = await Promise.all(Array.from({ length: 9 }, (_, i) => chat.participant(`guest${i}`)))
    const ringing = invitees.slice(0, 8).map((g) => alice.invite(g.name))
    const held = await Promise.all(invitees.slice(0, 8).map((g) => g.expectInvitation()))
    await assert.rejects(alice.invite('guest8'), (error: { code?: string; statusCode?: number }) => error.code === 'INVITATION_FAILED' && error.statusCode === 503)
    assert.deepEqual(invitees[8]!.invitations, [])
    for (const invitation of held) invitation.decline()
    await Promise.allSettled(ringing)
    // A slot is free again.
    const again = alice.invite('guest8')
    await (await invitees[8]!.expectInvitation()).accept()
    await again
  })

  it('the REFER gets 202, then NOTIFYs with sipfrag 100 Trying, 180 Ringing and the final status (RFC 3515)', async () => {
    const gina = await chat.participant('gina')
    const ua = alice.backend.userAgent!
    const refer = ua.createRequest('REFER', chat.roomUri('lobby'), { headers: [['Refer-To', '<sip:gina@example.test;method=INVITE>']] })
    refer.headers.set('From', `${refer.headers.get('From')!};tag=refertest`)
    refer.headers.set('Call-ID', 'refer-sipfrag-test')
    const notifies: Array<{ body: string; state: string; type: string }> = []
    let done: (() => void) | undefined
    const finished = new Promise<void>((resolve) => (done = resolve))
    const stop = ua.expectNotify('refer-sipfrag-test', 'refertest', (incoming) => {
      incoming.respond(200)
      const state = incoming.message.headers.get('Subscription-State') ?? ''
      notifies.push({ body: incoming.message.body.toString('utf8').trim(), state: state.split(';')[0]!, type: incoming.message.headers.get('Content-Type') ?? '' })
      if (state.startsWith('terminated')) done?.()
    })
    try {
      const response = await ua.sendRequest(refer)
      assert.equal(response.status, 202)
      ;(await gina.expectInvitation()).decline()
      await finished
    } finally {
      stop()
    }
    assert.deepEqual(notifies.map((n) => [n.body, n.state]), [
      ['SIP/2.0 100 Trying', 'active'],
      ['SIP/2.0 180 Ringing', 'active'],
      ['SIP/2.0 603 Decline', 'terminated'],
    ])
    assert.ok(notifies.every((n) => n.type.startsWith('message/sipfrag')))
  })
})

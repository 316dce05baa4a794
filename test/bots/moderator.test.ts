// bots/moderator.ts on the in-process chat server, driven by scripted participants through
// `msrp-bot/testing`. The bot file reads its settings (SIP_URI, BOT_OWNERS, BANNED_WORDS,
// FLOOD_MAX, FLOOD_SECONDS) and makes its bot when imported, so the environment is set first and
// the module is imported in before(). node:test runs each test file in its own process, so this
// file's env and module instance (with its strike counts) are its own.
//
// Flooding is measured on the bot's clock (ctx.clock, never the sender's CPIM DateTime):
// with a one-hour window every burst below falls inside it whatever the machine's speed, so the
// count alone decides and the tests are deterministic.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Bot } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'

const BOT = 'sip:moderator@example.test'
const FLOOD_MAX = 3

describe('bots/moderator.ts', () => {
  let chat: TestChat
  let bot: Bot
  let owner: TestParticipant
  let alice: TestParticipant
  const lobby = () => chat.roomUri('lobby')

  /** A new participant in the lobby (a fresh identity: strikes are counted per person). */
  async function newcomer(name: string): Promise<TestParticipant> {
    const p = await chat.participant(name)
    await p.join('lobby')
    await chat.settled()
    return p
  }

  /** Nicknames in the lobby's roster as `who` sees it. */
  function roster(who: TestParticipant): string[] {
    return (who.room?.participants ?? []).map((p) => p.nickname ?? p.uri).sort()
  }

  /**
   * Says the message that gets `who` removed. The focus answers a SEND once every recipient has
   * taken its copy, and the bot (one recipient) may have the sender removed before the others
   * answered: then the sender's session closes first and its send rejects SEND_DISCONNECTED,
   * though the room did get the message. Either outcome is fine here.
   */
  async function sayLast(who: TestParticipant, text: string): Promise<void> {
    await who.say(text).catch((error: unknown) => assert.equal((error as { code?: string }).code, 'SEND_DISCONNECTED'))
  }

  before(async () => {
    process.env['MSRP_BOT_LOG_LEVEL'] ??= 'warn'
    process.env['SIP_URI'] = BOT
    process.env['BOT_OWNERS'] = 'sip:owner@example.test, sip:Boss@example.test'
    process.env['BANNED_WORDS'] = 'spam,scam'
    process.env['FLOOD_MAX'] = String(FLOOD_MAX)
    process.env['FLOOD_SECONDS'] = '3600'
    // The focus lets the bot moderate the lobby, but not the "open" room.
    chat = await createTestChat({ rooms: { lobby: { moderators: [BOT] }, open: {} } })
    bot = chat.attach((await import('../../bots/moderator.ts')).default)
    await bot.start()
    await bot.join(lobby(), { nickname: 'moderator' })
    await bot.join(chat.roomUri('open'), { nickname: 'moderator' })
    owner = await newcomer('owner')
    alice = await newcomer('alice')
  })

  after(() => chat.close())

  it('welcomes people by nickname when they join', async () => {
    alice.clear()
    const carol = await chat.participant('carol', { nickname: 'caro' })
    await carol.join('lobby')
    await chat.settled()
    assert.deepEqual(alice.lines, ['moderator: Welcome, caro! Send me /rules to read the room rules.'])
    await carol.leave()
    await chat.settled()
  })

  it('sends the rules privately, even when asked in the room', async () => {
    alice.clear()
    owner.clear()
    await alice.say('/rules')
    await chat.settled()
    assert.equal(alice.whispers.length, 1)
    assert.match(alice.whispers[0] ?? '', /^Room rules:/)
    assert.match(alice.whispers[0] ?? '', /No spam, scam, and no flooding \(at most 3 messages in 3600 s\)/)
    assert.deepEqual(alice.lines, ['alice: /rules'])
    assert.deepEqual(owner.lines, ['alice: /rules'])
    assert.deepEqual(owner.whispers, [])
  })

  it('answers a direct message with what it does, and the rules on "rules"', async () => {
    alice.clear()
    await alice.message('moderator', 'hello?')
    await alice.expectMessage(/I moderate chat rooms/, { kind: 'direct' })
    await alice.message('moderator', 'rules')
    await alice.expectMessage(/^Room rules:/, { kind: 'direct' })
    await chat.settled()
    assert.deepEqual(owner.transcript.filter((e) => e.kind === 'direct'), [])
  })

  it('/help lists the commands in the room', async () => {
    alice.clear()
    await alice.say('/help')
    const help = await alice.expectMessage(/\/rules/, { from: 'moderator', kind: 'public' })
    assert.match(help.text, /\/kick <nickname>, \/mute <nickname>, \/unmute <nickname>/)
  })

  it('a banned word: a warning first, removal the second time (their room closes, the roster shows them gone)', async () => {
    const bob = await newcomer('bob')
    alice.clear()
    await bob.say('buy my SPAM now')
    await chat.settled()
    assert.deepEqual(alice.lines, ['bob: buy my SPAM now', 'moderator: bob, please mind the words you use (/rules). Next time you will be removed.'])
    assert.deepEqual(bob.events.filter((e) => e.type === 'room-closed'), [])

    await sayLast(bob, 'this is not a scam')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'moderator: bob was removed.')
    assert.deepEqual(bob.events.filter((e) => e.type === 'room-closed'), [{ type: 'room-closed', room: lobby(), reason: 'kicked' }])
    assert.ok(!roster(alice).includes('bob'), `alice's roster: ${roster(alice).join(', ')}`)
    assert.ok(!bot.room(lobby())!.participants.some((p) => p.nickname === 'bob'))
  })

  it('words are matched whole: "spammer" or "scampi" are fine', async () => {
    const erin = await newcomer('erin')
    alice.clear()
    await erin.say('the spammer ate scampi')
    await chat.settled()
    assert.deepEqual(alice.lines, ['erin: the spammer ate scampi'])
    await erin.leave()
    await chat.settled()
  })

  it(`flooding: up to FLOOD_MAX (${FLOOD_MAX}) messages in the window are fine; one more warns, the next flood removes`, async () => {
    const dave = await newcomer('dave')
    alice.clear()
    for (let i = 1; i <= FLOOD_MAX; i++) await dave.say(`message ${i}`)
    await chat.settled()
    assert.equal(alice.lines.filter((l) => l.startsWith('moderator:')).length, 0)

    await dave.say('one too many')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'moderator: dave, please slow down (/rules). Next time you will be removed.')

    // The warning starts a new count: FLOOD_MAX more are fine, the one after removes.
    for (let i = 1; i <= FLOOD_MAX; i++) await dave.say(`again ${i}`)
    await chat.settled()
    assert.equal(alice.lines.at(-1), `dave: again ${FLOOD_MAX}`)
    await sayLast(dave, 'and again')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'moderator: dave was removed.')
    assert.deepEqual(dave.events.filter((e) => e.type === 'room-closed').map((e) => e.type === 'room-closed' && e.reason), ['kicked'])
    assert.ok(!roster(alice).includes('dave'))
  })

  it('owners are never warned or removed', async () => {
    alice.clear()
    for (let i = 0; i <= FLOOD_MAX + 1; i++) await owner.say(`spam ${i}`)
    await chat.settled()
    assert.deepEqual(alice.lines.filter((l) => l.startsWith('moderator:')), [])
    assert.ok(roster(alice).includes('owner'))
  })

  it('others cannot /kick or /mute: the bot tells them privately and does nothing', async () => {
    const frank = await newcomer('frank')
    alice.clear()
    await alice.say('/kick frank')
    await alice.say('/mute frank')
    await chat.settled()
    assert.deepEqual(alice.whispers, ['Only room owners can /kick.', 'Only room owners can /mute.'])
    assert.deepEqual(alice.lines, ['alice: /kick frank', 'alice: /mute frank'])
    assert.ok(roster(alice).includes('frank'))
    await frank.say('still here')
    await frank.leave()
    await chat.settled()
  })

  it('an owner mutes someone (the server refuses their messages), then unmutes them', async () => {
    const troll = await newcomer('troll')
    alice.clear()
    await owner.say('/mute troll')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'moderator: troll was muted.')
    await assert.rejects(troll.say('can anyone hear me?'), { code: 'SEND_REJECTED' })
    await chat.settled()
    assert.ok(!alice.lines.includes('troll: can anyone hear me?'))

    await owner.say('/unmute troll')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'moderator: troll was unmuted.')
    await troll.say('sorry')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'troll: sorry')
    await troll.leave()
    await chat.settled()
  })

  it('an owner kicks someone by nickname', async () => {
    const gus = await newcomer('gus')
    alice.clear()
    await owner.say('/kick gus')
    await chat.settled()
    assert.equal(alice.lines.at(-1), 'moderator: gus was removed.')
    assert.deepEqual(gus.events.filter((e) => e.type === 'room-closed').map((e) => e.type === 'room-closed' && e.reason), ['kicked'])
    assert.ok(!roster(alice).includes('gus'))
  })

  it('/kick of an unknown nickname, or with none, tells the owner privately', async () => {
    owner.clear()
    alice.clear()
    await owner.say('/kick nobody')
    await owner.say('/mute')
    await chat.settled()
    assert.deepEqual(owner.whispers, ['Nobody called nobody is here.', 'Usage: /mute <nickname>'])
    assert.deepEqual(alice.lines, ['owner: /kick nobody', 'owner: /mute'])
  })

  it('where the focus does not make it a moderator, it says so instead of failing', async () => {
    // BOT_OWNERS matched case-insensitively: sip:Boss@... in the env, sip:boss@... here.
    const boss = await chat.participant('boss')
    const henry = await chat.participant('henry')
    await boss.join('open')
    await henry.join('open')
    await chat.settled()
    await boss.say('/kick henry')
    await boss.say('/mute henry')
    await chat.settled()
    assert.deepEqual(boss.whispers, [
      'I cannot kick henry: I am not a moderator of this room.',
      'I cannot mute henry: I am not a moderator of this room.',
    ])
    assert.deepEqual(henry.events.filter((e) => e.type === 'room-closed'), [])
    await henry.say('still here')
  })
})

// Direct chats outside rooms: page-mode MESSAGE (RFC 3428) and 1:1 MSRP sessions (RFC 4975) to a
// bot's own address, through the in-process server's registrar and proxy.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTestChat } from 'msrp-bot/testing'
import type { TestChat, TestParticipant } from 'msrp-bot/testing'
import { createBot } from 'msrp-bot'
import type { Bot } from 'msrp-bot'
import { SipChatBackend } from '../../src/chat/index.ts'
import { Inviter, UserAgent } from '../../src/sip/ua/index.ts'
import { memoryAcceptor } from '../../src/chat/msrp-acceptor.ts'
import { MsrpSession } from '../../src/msrp/session.ts'
import { createOffer, parseMsrpSdp } from '../../src/sdp/index.ts'

describe('direct chats with a bot', () => {
  let chat: TestChat
  let bot: Bot
  let alice: TestParticipant
  const seen: Array<{ path: string; text: string }> = []
  let closedWaiter: (() => void) | undefined

  before(async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
    bot = chat.createBot({ uri: 'sip:echo@example.test' })
    bot.on('direct:text', (ctx) => {
      seen.push({ path: ctx.direct.path, text: ctx.text })
      return ctx.reply(`you said: ${ctx.text}`)
    })
    bot.on('direct-closed', () => closedWaiter?.())
    bot.on('direct:media', (ctx) => ctx.reply(`got ${ctx.body.byteLength} bytes of ${ctx.contentType}`))
    await bot.start()
    alice = await chat.participant('alice')
  })

  after(() => chat.close())

  it('answers a page-mode MESSAGE with a MESSAGE', async () => {
    alice.clear()
    await alice.message('echo', 'hello bot')
    const answer = await alice.expectMessage('you said: hello bot', { kind: 'direct' })
    assert.equal(answer.from, 'sip:echo@example.test')
    assert.equal(answer.room, '')
    assert.deepEqual(seen.at(-1), { path: 'message', text: 'hello bot' })
  })

  it('takes a message/cpim MESSAGE and believes only the SIP sender', async () => {
    seen.length = 0
    alice.clear()
    const cpim = ['From: Mallory <sip:mallory@example.test>', 'To: <sip:echo@example.test>', '', 'Content-Type: text/plain', '', 'wrapped'].join('\r\n')
    await alice.message('echo', { contentType: 'message/cpim', body: cpim })
    await alice.expectMessage('you said: wrapped', { kind: 'direct' })
    await chat.settled()
    assert.deepEqual(seen, [{ path: 'message', text: 'wrapped' }])
  })

  it('refuses a MESSAGE over the size bound with 413, and an unknown type with 415', async () => {
    await assert.rejects(alice.message('echo', 'x'.repeat(17 * 1024)), (error: { code?: string; statusCode?: number }) => error.code === 'SEND_REJECTED' && error.statusCode === 413)
    await assert.rejects(alice.message('echo', { contentType: 'application/json', body: '{}' }), (error: { statusCode?: number }) => error.statusCode === 415)
  })

  it('refuses a MESSAGE to someone not registered with 404', async () => {
    await assert.rejects(alice.message('nobody', 'hi'), (error: { statusCode?: number }) => error.statusCode === 404)
  })

  it('holds a 1:1 MSRP chat: text both ways on the session, closed by BYE', async () => {
    seen.length = 0
    alice.clear()
    const session = await alice.chatWith('echo')
    await session.send('one')
    await alice.expectMessage('you said: one', { kind: 'direct' })
    await session.send('two')
    await alice.expectMessage('you said: two', { kind: 'direct' })
    assert.deepEqual(seen, [{ path: 'session', text: 'one' }, { path: 'session', text: 'two' }])
    const closed = new Promise<void>((resolve) => (closedWaiter = resolve))
    await session.close()
    await closed
    await assert.rejects(session.send('three'), (error: { code?: string }) => error.code === 'SEND_DISCONNECTED')
  })

  it('tells a room from a person: opening a 1:1 chat with a room URI says to join it', async () => {
    await assert.rejects(alice.chatWith(chat.roomUri('lobby')), (error: { code?: string }) => error.code === 'DIRECT_TARGET_IS_ROOM')
  })
})

describe('direct chats: bounds', () => {
  let chat: TestChat

  before(async () => {
    chat = await createTestChat({ rooms: ['lobby'] })
  })

  after(() => chat.close())

  it('refuses a 1:1 chat over the cap with 486, and a message over the size bound with MSRP 413', async () => {
    const backend = new SipChatBackend({ uri: 'sip:busy@example.test', transport: 'tcp' }, { maxDirectSessions: 1, maxDirectMessageBytes: 1024 })
    const bot = chat.attach(createBot({ uri: 'sip:busy@example.test' }, { backend }))
    bot.on('direct:text', (ctx) => ctx.reply('ok'))
    await bot.start()
    const alice = await chat.participant('alice')
    const bob = await chat.participant('bob')
    const first = await alice.chatWith('busy')
    await assert.rejects(bob.chatWith('busy'), (error: Error & { code?: string }) => error.code === 'JOIN_FAILED' && /486/.test(error.message))
    await assert.rejects(first.send('x'.repeat(2048)), (error: { code?: string; statusCode?: number }) => error.code === 'SEND_REJECTED' && error.statusCode === 413)
    await first.send('small')
    await alice.expectMessage('ok', { kind: 'direct' })
    await first.close()
    // The slot is free again once the first chat ended.
    await chat.settled()
    const second = await bob.chatWith('busy')
    await second.close()
  })

  it('answers 503 to MESSAGEs while the bot is behind (a bounded backlog), and takes them again after', async () => {
    const backend = new SipChatBackend({ uri: 'sip:slow@example.test', transport: 'tcp' }, { maxDirectBacklog: 2 })
    const bot = chat.attach(createBot({ uri: 'sip:slow@example.test' }, { backend }))
    let open: (() => void) | undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    const handled: string[] = []
    bot.on('direct:text', async (ctx) => {
      await gate
      handled.push(ctx.text)
    })
    await bot.start()
    const carol = await chat.participant('carol')
    // The first is being handled (held at the gate), the next two wait: the backlog is full.
    for (const text of ['one', 'two', 'three']) await carol.message('slow', text)
    await assert.rejects(carol.message('slow', 'four'), (error: { statusCode?: number }) => error.statusCode === 503)
    open!()
    await chat.settled()
    await carol.message('slow', 'five')
    await chat.settled()
    assert.deepEqual(handled, ['one', 'two', 'three', 'five'])
  })

  it('a MESSAGE reaches the bot only from someone the server authenticated (407 otherwise)', async () => {
    const locked = await createTestChat({ rooms: ['lobby'], users: { guarded: 'pw', alice: 'pw' } })
    try {
      const bot = locked.attach(createBot({ uri: 'sip:guarded@example.test', password: 'pw' }))
      const seen: string[] = []
      bot.on('direct:text', (ctx) => void seen.push(`${ctx.sender.uri} ${ctx.text}`))
      await bot.start()
      const stranger = new UserAgent({ uri: 'sip:mallory@example.test', transport: locked.network.sip.createTransport({ host: 'mallory.clients.invalid', port: 5060 }) })
      await stranger.start()
      try {
        const refused = await stranger.sendMessage('sip:guarded@example.test', 'let me in').then((r) => r.status, (error: { status?: number }) => error.status)
        assert.equal(refused, 407)
      } finally {
        await stranger.stop()
      }
      const alice = await locked.participant('alice')
      await alice.message('guarded', 'hello')
      await locked.settled()
      assert.deepEqual(seen, ['sip:alice@example.test hello'])
    } finally {
      await locked.close()
    }
  })

  it('an offer of a=setup:passive (the bot would connect out) gets 488 unless directDial allows it', async () => {
    const caller = new UserAgent({ uri: 'sip:hank@example.test', transport: chat.network.sip.createTransport({ host: 'hank.clients.invalid', port: 5060 }) })
    await caller.start()
    const acceptor = await memoryAcceptor(chat.network.msrp)('hank.clients.invalid')
    try {
      const strict = chat.attach(createBot({ uri: 'sip:strict@example.test' }))
      const dialer = chat.attach(createBot({ uri: 'sip:dialer@example.test' }, { backend: new SipChatBackend({ uri: 'sip:dialer@example.test', transport: 'tcp' }, { directDial: true }) }))
      dialer.on('direct:text', (ctx) => ctx.reply(`dialed: ${ctx.text}`))
      await strict.start()
      await dialer.start()
      const offer = (id: string): string => createOffer({ path: [`msrp://hank.clients.invalid:2855/${id};tcp`], setup: 'passive', acceptTypes: ['text/plain'] })

      await assert.rejects(new Inviter(caller, 'sip:strict@example.test', { sdp: offer('s1') }).invite(), (error: { status?: number }) => error.status === 488)

      const session = new MsrpSession({ localUri: 'msrp://hank.clients.invalid:2855/s2;tcp', acceptTypes: ['text/plain'] })
      acceptor.register(session)
      const call = await new Inviter(caller, 'sip:dialer@example.test', { sdp: offer('s2') }).invite()
      await session.opened() // the bot connected and bound (RFC 4975 §5.4)
      session.setRemotePath(parseMsrpSdp(call.remoteSdp).media[0]!.path.join(' '))
      const answered = new Promise<string>((resolve) => session.on('message', (m) => resolve(`${m.contentType} ${m.body.toString('utf8')}`)))
      await session.send({ contentType: 'text/plain', body: 'hello' })
      assert.equal(await answered, 'text/plain;charset=utf-8 dialed: hello')
      await call.bye()
      await session.close()
    } finally {
      await acceptor.close()
      await caller.stop()
    }
  })
})

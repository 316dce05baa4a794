/**
 * Bots and people of msrp-bot in rooms hosted by SylkServer (the other RFC 7701 focus), with
 * people on the SIP SIMPLE SDK's client (`sipsimple-chat.py`) in the same rooms. No registrar:
 * everyone joins through SylkServer as outbound proxy, as `msrp-bot run` does without
 * `--registrar` ("reachable only in rooms").
 *
 * One SylkServer for the file; each scenario has its own room and they run side by side.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { createBot } from '../../src/index.ts'
import type { Context } from '../../src/index.ts'
import { LineProcess, sipsimpleChat, startSylkServer, sylkServerAvailable, type SylkServerInstance } from './harness/index.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const available = sylkServerAvailable()

/** `msrp-bot <args>` as a child process, without the developer's SIP_* environment. */
function msrpBot(args: string[], env: NodeJS.ProcessEnv = {}, stdin = false): LineProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIP_') && k !== 'MSRP_BOT_LOG_LEVEL' && k !== 'BOT_OWNERS'))
  return new LineProcess(process.execPath, ['bin/msrp-bot.js', ...args], { cwd: REPO, env: { ...base, ...env }, label: `msrp-bot ${args[0]}`, stdin })
}

/**
 * How sipsimple-chat.py reports being removed: SylkServer ends the session with a BYE, or closes
 * the MSRP connection first (then the client ends the session itself, before it meant to leave).
 */
const REMOVED = /ENDED by (remote|local \(before LEAVING)/

/** Lines a person saw that are a bot answering what the room itself said. */
function answersToNotices(lines: readonly string[]): string[] {
  return lines.filter((l) => /MESSAGE .*(you said|Welcome, |please ).*(Welcome!|has joined|has left)/.test(l))
}

describe('interop: msrp-bot in SylkServer rooms', { skip: available.ok ? false : available.why, concurrency: true }, () => {
  let sylk: SylkServerInstance
  let proxy: string
  let hop: string
  const cleanup: Array<() => unknown> = []

  before(async () => {
    sylk = await startSylkServer()
    proxy = `sip:127.0.0.1:${sylk.sipPort};transport=tcp;lr`
    hop = `127.0.0.1:${sylk.sipPort}`
  })
  after(async () => {
    for (const step of cleanup.reverse()) await step()
    await sylk?.stop()
  })

  it('msrp-bot run bots/echo.ts without a registrar: "hello" from a SIP SIMPLE client gets "you said: hello", a private message a private answer, notices no answer', { timeout: 90_000 }, async () => {
    const room = 'sip:echo-room@example.test'
    const bot = msrpBot(['run', 'bots/echo.ts', '--uri', 'sip:echo@example.test', '--outbound-proxy', proxy, '--room', room, '--log-level', 'warn'])
    cleanup.push(() => bot.kill())
    await bot.waitFor(/running; Ctrl-C stops the bot/)
    assert.ok(bot.lines.includes('msrp-bot: sip:echo@example.test started without a registrar (reachable only in the rooms it joins)'), bot.transcript())
    assert.ok(bot.lines.includes(`msrp-bot: joined ${room} as echo`), bot.transcript())

    const alice = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:alice@example.test', nickname: 'alice', messages: ['hello'], privates: [['sip:echo@example.test', 'psst']], listen: 2 })
    cleanup.push(() => alice.kill())
    await alice.waitFor(/MESSAGE echo <sip:echo@example\.test> text\/plain.*: you said: hello$/)
    await alice.waitFor(/MESSAGE echo <sip:echo@example\.test> private text\/plain.*: only you can see this: you said "psst"$/)
    assert.equal(await alice.exit(), 0, alice.transcript())
    assert.ok(alice.lines.some((l) => /RESULT OK .*nickname=ok, sent=2, delivered=2/.test(l)), alice.transcript())
    // The welcome went to alice only; "alice has joined" went to the bot, which did not answer it.
    assert.deepEqual(answersToNotices(alice.lines), [], alice.transcript())
    assert.ok(!alice.lines.some((l) => /you said: .*has joined/.test(l)), alice.transcript())

    assert.equal(await bot.interrupt(), 0, bot.transcript())
    assert.ok(bot.lines.includes('msrp-bot: stopping (leaving rooms)'), bot.transcript())
  })

  it('a bot joining a room with history does not answer the messages SylkServer replays to it', { timeout: 90_000 }, async () => {
    const room = 'sip:history-room@example.test'
    // Someone chats before the bot comes; SylkServer keeps it in the room's history as long as
    // the room lives (someone in it).
    const anchor = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:anchor@example.test', listen: 40 })
    cleanup.push(() => anchor.kill())
    await anchor.waitFor(/JOINED/)
    const early = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:early@example.test', nickname: 'early', messages: ['old news'], listen: 2 })
    cleanup.push(() => early.kill())
    assert.equal(await early.exit(), 0, early.transcript())
    // (early's message is now at least its 2 s --listen old, older than the allowed clock skew)
    const bot = msrpBot(['run', 'bots/echo.ts', '--uri', 'sip:echo2@example.test', '--outbound-proxy', proxy, '--room', room, '--log-level', 'warn'])
    cleanup.push(() => bot.kill())
    await bot.waitFor(/running; Ctrl-C stops the bot/)
    const late = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:late@example.test', nickname: 'late', messages: ['fresh'], listen: 2 })
    cleanup.push(() => late.kill())
    await late.waitFor(/MESSAGE .*<sip:echo2@example\.test> text\/plain.*: you said: fresh$/)
    assert.equal(await late.exit(), 0, late.transcript())
    assert.ok(late.lines.some((l) => /MESSAGE .*<sip:early@example\.test> text\/plain.*: old news$/.test(l)), `the replay reached late too:\n${late.transcript()}`)
    assert.ok(!late.lines.some((l) => /you said: old news/.test(l)), late.transcript())
    assert.equal(await bot.interrupt(), 0, bot.transcript())
    anchor.kill()
  })

  it('msrp-bot run bots/moderator.ts: greets a person by nickname from the conference-info roster, sends /rules privately, and /kick removes them (REFER method=BYE)', { timeout: 90_000 }, async () => {
    const room = 'sip:mod-room@example.test'
    const bot = msrpBot(['run', 'bots/moderator.ts', '--uri', 'sip:moderator@example.test', '--outbound-proxy', proxy, '--room', room, '--log-level', 'warn'], { BOT_OWNERS: 'sip:alice@example.test' })
    cleanup.push(() => bot.kill())
    await bot.waitFor(/running; Ctrl-C stops the bot/)

    const bob = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:bob@example.test', nickname: 'bob', listen: 40 })
    cleanup.push(() => bob.kill())
    await bob.waitFor(/NICKNAME ok 'bob'/)
    await bob.waitFor(/MESSAGE moderator <sip:moderator@example\.test> text\/plain.*: Welcome, bob! Send me \/rules/)

    const alice = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:alice@example.test', nickname: 'alice', messages: ['/rules', '/kick bob'], listen: 2 })
    cleanup.push(() => alice.kill())
    await alice.waitFor(/MESSAGE moderator <sip:moderator@example\.test> private text\/plain.*: Room rules:/)
    // bob is removed: SylkServer ends his session (BYE from the room).
    await bob.waitFor(REMOVED)
    await bob.exit()
    assert.equal(await alice.exit(), 0, alice.transcript())
    assert.deepEqual(answersToNotices([...alice.lines, ...bob.lines]), [], `${alice.transcript()}\n${bob.transcript()}`)
    assert.match(sylk.log(), /sip:moderator@example\.test removed sip:bob@example\.test/)
    assert.equal(await bot.interrupt(), 0, bot.transcript())
  })

  it('createBot with registrar: false: notices (welcome, "has joined") as notice events, roster and nickname from conference-info, room and private messages both ways, kick', { timeout: 90_000 }, async () => {
    const room = 'sip:sdk-room@example.test'
    const bot = createBot({ uri: 'sip:helper@example.test', registrar: false, outboundProxy: proxy, transport: 'tcp', logLevel: 'silent' })
    const notices: Array<{ text: string; notice: string | undefined }> = []
    const messages: Context[] = []
    let wake: (() => void) | undefined
    const until = async (what: string, test: () => boolean, boundMs = 20_000): Promise<void> => {
      const deadline = Date.now() + boundMs
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`no ${what} within ${boundMs} ms; notices ${JSON.stringify(notices)}, messages ${JSON.stringify(messages.map((m) => m.text))}`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 250)
        })
      }
    }
    bot.on('notice', (ctx) => {
      notices.push({ text: ctx.text, notice: ctx.notice })
      wake?.()
    })
    bot.on(['message', 'private'], (ctx) => {
      messages.push(ctx)
      wake?.()
      if (ctx.isPrivate) return ctx.reply(`private hello, ${ctx.sender.nickname ?? ctx.sender.uri}`)
      return undefined
    })
    bot.on(['join', 'nickname'], () => wake?.())
    cleanup.push(() => bot.stop())
    await bot.start()
    const lobby = await bot.join(room, { nickname: 'helper' })
    await until('welcome notice', () => notices.some((n) => n.notice === 'info' && n.text.startsWith('Welcome!')))

    const alice = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:alice@example.test', nickname: 'alice', messages: ['hi helper'], privates: [['sip:helper@example.test', 'a secret']], listen: 30 })
    cleanup.push(() => alice.kill())
    await until('"alice has joined" status notice', () => notices.some((n) => n.notice === 'status' && /alice@example\.test has joined/.test(n.text)))
    await until('the roster with alice by nickname', () => lobby.participants.some((p) => p.uri === 'sip:alice@example.test' && p.nickname === 'alice'))
    await until('alice\'s messages', () => messages.some((m) => m.text === 'hi helper') && messages.some((m) => m.isPrivate && m.text === 'a secret'))
    const publicOne = messages.find((m) => m.text === 'hi helper')!
    assert.equal(publicOne.sender?.uri, 'sip:alice@example.test')
    assert.equal(publicOne.isPrivate, false)
    await alice.waitFor(/MESSAGE helper <sip:helper@example\.test> private text\/plain.*: private hello, alice$/)

    await lobby.send('hello alice')
    // SylkServer shows the bot's nickname as the sender's display name.
    await alice.waitFor(/MESSAGE helper <sip:helper@example\.test> text\/plain.*: hello alice$/)
    // SylkServer keeps the quotes of RFC 7701's quoted nickname; the roster shows it without them.
    assert.ok(lobby.participants.some((p) => p.uri === 'sip:helper@example.test' && p.nickname === 'helper'), JSON.stringify(lobby.participants))

    await lobby.kick('alice')
    await alice.waitFor(REMOVED)
    await alice.exit()
    // No notice became a person's message.
    assert.deepEqual(messages.filter((m) => /Welcome!|has joined|has left/.test(m.text ?? '')).map((m) => m.text), [])
    await bot.stop()
  })

  it('msrp-bot chat: a person in the terminal joins a SylkServer room, sees the notices, talks with a SIP SIMPLE client', { timeout: 90_000 }, async () => {
    const room = 'sip:chat-room@example.test'
    const carol = msrpBot(['chat', room, '--uri', 'sip:carol@example.test', '--outbound-proxy', proxy, '-n', 'carol', '--log-level', 'warn'], {}, true)
    cleanup.push(() => carol.kill())
    await carol.waitFor(/^\* you are carol in sip:chat-room@example\.test/)
    await carol.waitFor(/^\* Welcome! You are the first participant/)

    const dave = sipsimpleChat(sylk, { room, proxy: hop, user: 'sip:dave@example.test', nickname: 'dave', messages: ['hi carol'], listen: 30 })
    cleanup.push(() => dave.kill())
    await carol.waitFor(/^\* dave@example\.test has joined the room/)
    await carol.waitFor(/^<dave> hi carol$/)
    carol.type('hello dave')
    await dave.waitFor(/MESSAGE carol <sip:carol@example\.test> text\/plain.*: hello dave$/)
    carol.type('/quit')
    assert.equal(await carol.exit(), 0, carol.transcript())
    await dave.waitFor(/has left the room/)
    dave.kill()
  })
})

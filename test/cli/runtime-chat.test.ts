// `msrp-bot chat`: the terminal chat against a running `msrp-bot dev` (echo bot in the lobby),
// fed line by line through stdin, plus unit tests of handleLine and describeEvent.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { BackendEvent, OutgoingContent, Participant as RosterEntry, RoomHandle } from '../../src/chat/index.ts'
import { runDevCommand } from '../../src/cli/dev-runtime.ts'
import { main } from '../../src/cli/msrp-bot.ts'
import { describeEvent, handleLine } from '../../src/cli/terminal-chat.ts'
import { REPO_ROOT } from './helpers.ts'
import { lineIo, localServerOptions } from './runtime-helpers.ts'

const ECHO = join(REPO_ROOT, 'bots/echo.ts')
const LOBBY = 'sip:lobby@localhost'

describe('msrp-bot chat against msrp-bot dev', () => {
  it('says, whispers, lists, renames and quits; the echo bot answers; unknown nicknames are reported', { timeout: 30_000 }, async () => {
    const devIo = lineIo()
    const stopDev = new AbortController()
    const dev = runDevCommand({ botFiles: [ECHO], server: localServerOptions(), chat: false }, { io: devIo, signal: stopDev.signal })
    dev.catch(() => undefined)
    const io = lineIo()
    let chat: Promise<number> | undefined
    try {
      await Promise.race([devIo.stdout.waitFor(/Ctrl-C stops the server/), dev])
      // Run exactly the command dev tells the person to run from another terminal.
      const hint = /join from another terminal with: npx msrp-bot chat (.*)$/m.exec(devIo.stdout.text)
      assert.ok(hint, devIo.stdout.text)
      const argv = hint[1]!.split(' ').map((a) => a.replace('sip:you@', 'sip:carol@').replace(/^'(.*)'$/, '$1'))
      chat = main(['chat', ...argv, '--log-level', 'silent'], io, { signal: new AbortController().signal })
      const failed = chat.then((code) => `chat exited ${code}: ${io.stderr.text}`)
      const line = async (pattern: RegExp, from = 0): Promise<string> => {
        const got = await Promise.race([io.stdout.waitFor(pattern, from), failed])
        assert.match(got, pattern, io.stdout.text)
        return got
      }
      const type = (text: string): number => {
        const mark = io.stdout.lines.length
        io.stdin.write(`${text}\n`)
        return mark
      }

      assert.equal(await line(/^\* you are/), `* you are carol in ${LOBBY}; here: echo. /? for help`)

      let mark = type('hello')
      await line(/^<echo> you said: hello$/, mark)

      mark = type('/msg echo psst')
      await line(/^\(to echo\) psst$/, mark)
      await line(/^\(private\) <echo> only you can see this: you said "psst"$/, mark)

      mark = type('/msg nobody hi')
      await line(/^! nobody called nobody is here \(\/who lists who is\)$/, mark)

      mark = type('/who')
      const who = await line(/^\* here: /, mark)
      assert.deepEqual(who.slice('* here: '.length).split(', ').sort(), ['carol', 'echo'])

      mark = type('/nick newname')
      await line(/^\* you are now newname$/, mark)
      mark = type('/who')
      assert.match(await line(/^\* here: /, mark), /\bnewname\b/)
      mark = type('still here')
      await line(/^<echo> you said: still here$/, mark)

      // A round trip the echo bot ignores, so its last reply has settled before we leave (see
      // runtime-dev.test.ts: leaving at once races the focus and stalls the bot's stop).
      type('/ping')
      type('/quit')
      assert.equal(await chat, 0, io.stderr.text)
      // Our own nickname change is not printed twice (the roster echo of it is hidden).
      assert.equal(io.stdout.lines.filter((l) => l.includes('is now newname')).length, 0, io.stdout.text)
      assert.equal(io.stderr.text, '')
    } finally {
      io.stdin.end()
      await chat?.catch(() => undefined)
      stopDev.abort()
      await dev.catch(() => undefined)
    }
    await dev
  })
})

describe('msrp-bot chat with a bot (a 1:1 chat, not a room)', () => {
  it('opens a 1:1 MSRP chat with sip:echo@localhost: the echo bot answers there, /quit ends it', { timeout: 30_000 }, async () => {
    const devIo = lineIo()
    const stopDev = new AbortController()
    const dev = runDevCommand({ botFiles: [ECHO], server: localServerOptions(), chat: false }, { io: devIo, signal: stopDev.signal })
    dev.catch(() => undefined)
    const io = lineIo()
    let chat: Promise<number> | undefined
    try {
      await Promise.race([devIo.stdout.waitFor(/Ctrl-C stops the server/), dev])
      const hint = /join from another terminal with: npx msrp-bot chat (.*)$/m.exec(devIo.stdout.text)
      assert.ok(hint, devIo.stdout.text)
      // The same account flags, the bot's address instead of the room's.
      const argv = hint[1]!.split(' ').map((a) => a.replace('sip:you@', 'sip:dora@').replace(/^'(.*)'$/, '$1').replace(LOBBY, 'sip:echo@localhost'))
      assert.ok(argv.includes('sip:echo@localhost'), argv.join(' '))
      chat = main(['chat', ...argv, '--log-level', 'silent'], io, { signal: new AbortController().signal })
      const failed = chat.then((code) => `chat exited ${code}: ${io.stderr.text}`)
      const line = async (pattern: RegExp, from = 0): Promise<string> => {
        const got = await Promise.race([io.stdout.waitFor(pattern, from), failed])
        assert.match(got, pattern, io.stdout.text)
        return got
      }
      assert.equal(await line(/^\* you are/), '* you are in a 1:1 chat with sip:echo@localhost (not a room). /quit ends it')
      const mark = io.stdout.lines.length
      io.stdin.write('just between us\n')
      await line(/^<echo> you said: just between us$/, mark)
      io.stdin.write('/quit\n')
      assert.equal(await chat, 0, io.stderr.text)
      assert.equal(io.stderr.text, '')
    } finally {
      io.stdin.end()
      await chat?.catch(() => undefined)
      stopDev.abort()
      await dev.catch(() => undefined)
    }
    await dev
  })
})

/** A RoomHandle that records what the terminal chat asked of it. */
function fakeRoom(participants: RosterEntry[]): RoomHandle & { sent: string[] } {
  const sent: string[] = []
  let nickname: string | undefined = 'me'
  return {
    uri: LOBBY,
    get nickname() {
      return nickname
    },
    get participants() {
      return participants
    },
    sent,
    async send(content: OutgoingContent) {
      if (content === 'fail') throw Object.assign(new Error('the focus said 403'), { code: 'SEND_REJECTED' })
      sent.push(`room: ${String(content)}`)
      return { messageId: 'm1' }
    },
    async sendPrivate(uri: string, content: OutgoingContent) {
      sent.push(`${uri}: ${String(content)}`)
      return { messageId: 'm2' }
    },
    async setNickname(next: string) {
      if (next === 'taken') throw Object.assign(new Error('425 nickname taken'), { code: 'NICKNAME_TAKEN' })
      nickname = next
    },
    async sendComposing() {},
    async removeParticipant() {},
    async setMuted() {},
    async leave() {},
  }
}

describe('handleLine', () => {
  const roster: RosterEntry[] = [
    { uri: 'sip:me@localhost', nickname: 'me' },
    { uri: 'sip:echo@localhost', nickname: 'Echo' },
    { uri: 'sip:anon@localhost', nickname: undefined },
  ]

  it('sends plain lines and bot commands to the room, prints nothing for them', async () => {
    const room = fakeRoom(roster)
    assert.equal(await handleLine(room, '  hello there  '), undefined)
    assert.equal(await handleLine(room, '/help'), undefined)
    assert.equal(await handleLine(room, '   '), undefined)
    assert.deepEqual(room.sent, ['room: hello there', 'room: /help'])
  })

  it('/msg finds people by nickname (any case) or URI, and says when nobody matches', async () => {
    const room = fakeRoom(roster)
    assert.equal(await handleLine(room, '/msg echo a secret'), '(to Echo) a secret')
    assert.equal(await handleLine(room, '/msg sip:anon@localhost hi'), '(to sip:anon@localhost) hi')
    assert.equal(await handleLine(room, '/msg ghost boo'), '! nobody called ghost is here (/who lists who is)')
    assert.deepEqual(room.sent, ['sip:echo@localhost: a secret', 'sip:anon@localhost: hi'])
  })

  it('/who, /nick, /?, /quit and /exit', async () => {
    const room = fakeRoom(roster)
    assert.equal(await handleLine(room, '/who'), '* here: me, Echo, sip:anon@localhost')
    assert.equal(await handleLine(room, '/nick  Neo '), '* you are now Neo')
    // The roster still says 'me' (no NOTIFY yet); with the person's URI, /who shows the new name.
    assert.equal(await handleLine(room, '/who', 'SIP:me@localhost'), '* here: Neo, Echo, sip:anon@localhost')
    assert.match(String(await handleLine(room, '/?')), /\/msg <nickname> <text>/)
    assert.equal(await handleLine(room, '/quit'), 'quit')
    assert.equal(await handleLine(room, '/exit'), 'quit')
  })

  it('prints failures with their code instead of throwing', async () => {
    const room = fakeRoom(roster)
    assert.equal(await handleLine(room, '/nick taken'), '! not delivered (NICKNAME_TAKEN): 425 nickname taken')
    assert.equal(await handleLine(room, 'fail'), '! not delivered (SEND_REJECTED): the focus said 403')
  })
})

describe('describeEvent', () => {
  const alice = { uri: 'sip:alice@localhost', nickname: 'alice' }
  const message = (over: Partial<Extract<BackendEvent, { type: 'message' }>>): BackendEvent => ({
    type: 'message', room: LOBBY, private: false, sender: alice, contentType: 'text/plain', body: 'hi', timestamp: new Date(0), messageId: 'x', ...over,
  })

  it("the room's history: with its time, dimmed on a terminal", () => {
    const at = new Date(2026, 11, 7, 9, 5)
    const replay = message({ history: true, timestamp: at })
    assert.equal(describeEvent(replay, LOBBY, undefined, { now: new Date(2026, 11, 7, 18, 0) }), '[09:05] <alice> hi')
    assert.equal(describeEvent(replay, LOBBY, undefined, { now: new Date(2026, 11, 8, 8, 0) }), '[2026-12-07 09:05] <alice> hi', 'another day: the date too')
    assert.equal(describeEvent(replay, LOBBY, undefined, { now: at, color: true }), '\x1b[2m[09:05] <alice> hi\x1b[22m')
    assert.equal(describeEvent(message({}), LOBBY, undefined, { color: true }), '<alice> hi', 'live messages are not dimmed')
  })

  it('one line per room event', () => {
    assert.equal(describeEvent(message({}), LOBBY), '<alice> hi')
    assert.equal(describeEvent(message({ private: true }), LOBBY), '(private) <alice> hi')
    assert.equal(describeEvent(message({ sender: { uri: 'sip:x@localhost', nickname: undefined } }), LOBBY), '<sip:x@localhost> hi')
    assert.equal(describeEvent(message({ contentType: 'image/png', body: new Uint8Array(3) }), LOBBY), '<alice> [image/png, 3 bytes]')
    assert.equal(describeEvent({ type: 'join', room: LOBBY, participant: alice }, LOBBY), '* alice joined')
    assert.equal(describeEvent({ type: 'direct', path: 'message', chat: undefined, sender: { uri: 'sip:echo@localhost', nickname: undefined }, contentType: 'text/plain', body: 'psst', timestamp: new Date(0), messageId: 'd' }, LOBBY), '(direct) <echo> psst')
    assert.equal(describeEvent({ type: 'leave', room: LOBBY, participant: { uri: 'sip:x@localhost', nickname: undefined } }, LOBBY), '* sip:x@localhost left')
    assert.equal(describeEvent({ type: 'nickname', room: LOBBY, participant: { uri: alice.uri, nickname: 'al' }, previousNickname: 'alice' }, LOBBY), '* alice is now al')
    assert.equal(describeEvent({ type: 'room-closed', room: LOBBY, reason: 'kicked' }, LOBBY), '* you were removed from the room')
    assert.equal(describeEvent({ type: 'room-closed', room: LOBBY, reason: 'closed' }, LOBBY), '* the room was closed')
    assert.equal(describeEvent({ type: 'connection', state: 'disconnected' }, LOBBY), '* connection lost, reconnecting…')
    assert.equal(describeEvent({ type: 'connection', state: 'reconnected' }, LOBBY), '* reconnected')
  })

  it('ignores other rooms and events not worth a line', () => {
    assert.equal(describeEvent(message({ room: 'sip:other@localhost' }), LOBBY), undefined)
    assert.equal(describeEvent({ type: 'composing', room: LOBBY, private: false, sender: alice, active: true }, LOBBY), undefined)
    assert.equal(describeEvent({ type: 'presence', contact: alice.uri, presence: { status: 'away' } }, LOBBY), undefined)
  })
})

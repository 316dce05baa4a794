// Type-level tests: this file only compiles (npx tsc --noEmit -p .) if filter queries narrow the
// context as documented. The runtime part checks that the same handlers run.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Participant, Sender } from '../../src/chat/backend.ts'
import type { Bot } from '../../src/bot/bot.ts'
import type { CommandInfo } from '../../src/bot/commands.ts'
import { Composer } from '../../src/bot/composer.ts'
import { Context } from '../../src/bot/context.ts'
import type { ContactPresence } from '../../src/bot/context.ts'
import type { Filter } from '../../src/bot/filter.ts'
import type { Room } from '../../src/bot/room.ts'
import { ALICE, LOBBY, started } from './helpers.ts'

/** Compiles only if A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(_: T): void {}

class MyContext extends Context {
  greeting = 'hello'
}

// Never called: only type-checked.
function typeChecks(bot: Bot, composer: Composer<MyContext>): void {
  bot.use((ctx) => {
    // @ts-expect-error -- before narrowing, text may be undefined
    const t: string = ctx.text
    // @ts-expect-error -- before narrowing, participant may be undefined
    const p: Participant = ctx.participant
    // @ts-expect-error -- before narrowing, room may be undefined
    const r: Room = ctx.room
    void t, p, r
  })

  bot.on('message', (ctx) => {
    const text: string = ctx.text
    const sender: Sender = ctx.sender
    const room: Room = ctx.room
    const id: string = ctx.messageId
    assertType<Equal<typeof ctx.kind, 'message'>>(true)
    assertType<Equal<typeof ctx.isPrivate, false>>(true)
    void text, sender, room, id
  })

  bot.on('private', (ctx) => {
    const text: string = ctx.text
    const uri: string = ctx.sender.uri
    assertType<Equal<typeof ctx.isPrivate, true>>(true)
    void text, uri
  })

  bot.on('message:media', (ctx) => {
    const bytes: Uint8Array = ctx.body
    void bytes
  })

  bot.on('message:text', (ctx) => {
    const body: string = ctx.body
    void body
  })

  bot.on('join', (ctx) => {
    const p: Participant = ctx.participant
    const nick: string | undefined = ctx.participant.nickname
    // @ts-expect-error -- a join has no sender
    const s: Sender = ctx.sender
    void p, nick, s
  })

  bot.on('nickname', (ctx) => {
    const before: string | undefined = ctx.previousNickname
    const p: Participant = ctx.participant
    void before, p
  })

  bot.on('composing', (ctx) => {
    const typing: boolean = ctx.composing
    void typing
  })

  bot.on('presence', (ctx) => {
    const presence: ContactPresence = ctx.presence
    // @ts-expect-error -- presence updates are not tied to a room
    const room: Room = ctx.room
    void presence, room
  })

  bot.on('connection:reconnected', (ctx) => {
    assertType<Equal<typeof ctx.connection, 'reconnected'>>(true)
  })

  // A list of queries gives a union: what both guarantee is available.
  bot.on(['message', 'private'], (ctx) => {
    const text: string = ctx.text
    const isPrivate: boolean = ctx.isPrivate
    void text, isPrivate
  })
  bot.on(['join', 'leave'], (ctx) => {
    const p: Participant = ctx.participant
    void p
  })

  // Narrowing chains: the composer on() returns keeps the narrowed type.
  bot.on('message').filter((ctx) => ctx.text.length > 3).use((ctx) => {
    const text: string = ctx.text
    void text
  })

  bot.command('start', (ctx) => {
    const info: CommandInfo = ctx.command
    const raw: string = ctx.match
    const text: string = ctx.text
    const room: Room = ctx.room
    void info, raw, text, room
  })

  bot.hears(/^roll (\d+)$/, (ctx) => {
    const m: RegExpMatchArray = ctx.match
    const n: string | undefined = ctx.match[1]
    void m, n
  })

  // Type-guard filters narrow too.
  const fromAlice = (ctx: Context): ctx is Filter<Context, 'message'> & { sender: { uri: 'sip:alice' } } =>
    ctx.kind === 'message'
  bot.filter(fromAlice, (ctx) => {
    const uri: 'sip:alice' = ctx.sender.uri
    void uri
  })

  // Custom context properties survive narrowing.
  composer.on('private', (ctx) => {
    const g: string = ctx.greeting
    const t: string = ctx.text
    void g, t
  })

  // @ts-expect-error -- unknown filter query
  bot.on('mesage', () => {})
  // @ts-expect-error -- hears handlers get a RegExpMatchArray, not a string
  bot.hears('x', (ctx) => ctx.match.toUpperCase())
}
void typeChecks

describe('filter narrowing (runtime side)', () => {
  it('runs the narrowed handlers with the fields the types promise', async () => {
    const seen: string[] = []
    const { lobby } = await started((bot) => {
      bot.on('private', (ctx) => {
        seen.push(`private:${ctx.sender.nickname}:${ctx.text}`)
      })
      bot.on('join', (ctx) => {
        seen.push(`join:${ctx.participant.nickname}`)
      })
      bot.on('message', (ctx) => {
        seen.push(`message:${ctx.room.uri}:${ctx.text}`)
      })
    })
    await lobby.whisper('alice', 'psst')
    await lobby.say('bob', 'hi all')
    await lobby.add('sip:carol@example.test', 'carol')
    assert.deepEqual(seen, ['private:alice:psst', `message:${LOBBY}:hi all`, 'join:carol'])
    void ALICE
  })
})

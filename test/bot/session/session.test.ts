import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { session, sessionKeys } from '../../../src/bot/session/session.ts'
import type { SessionContext } from '../../../src/bot/session/session.ts'
import { memoryStorage } from '../../../src/bot/session/storage.ts'
import type { StorageAdapter } from '../../../src/bot/session/storage.ts'
import { ALICE, BOB, LOBBY, started } from '../helpers.ts'

type Ctx = SessionContext<{ count: number }>

/** A memory storage that records every call. */
function recording<T>(): StorageAdapter<T> & { calls: string[] } {
  const inner = memoryStorage<T>()
  const calls: string[] = []
  return {
    calls,
    read: (key) => (calls.push(`read ${key}`), inner.read(key)),
    write: (key, value) => (calls.push(`write ${key} ${JSON.stringify(value)}`), inner.write(key, value)),
    delete: (key) => (calls.push(`delete ${key}`), inner.delete(key)),
  }
}

const aliceKey = `session:${LOBBY} ${ALICE}`

describe('session()', () => {
  it('gives each person in a room their own ctx.session, loaded before and saved after the handler', async () => {
    const storage = recording<{ count: number }>()
    const { lobby } = await started<Ctx>((bot) => {
      bot.use(session({ initial: () => ({ count: 0 }), storage }))
      bot.command('count', (ctx) => ctx.reply(`count ${++ctx.session.count}`))
    })
    await lobby.say('alice', '/count')
    await lobby.say('alice', '/count')
    await lobby.say('bob', '/count')
    assert.deepEqual(lobby.publicTexts(), ['count 1', 'count 2', 'count 1'])
    assert.deepEqual(await storage.read(aliceKey), { count: 2 })
    assert.deepEqual(await storage.read(`session:${LOBBY} ${BOB}`), { count: 1 })
  })

  it('writes only when the session changed', async () => {
    const storage = recording<{ count: number }>()
    const { lobby } = await started<Ctx>((bot) => {
      bot.use(session({ initial: () => ({ count: 0 }), storage }))
      bot.command('peek', (ctx) => ctx.reply(`count ${ctx.session.count}`))
      bot.command('bump', (ctx) => void ctx.session.count++)
    })
    await lobby.say('alice', '/peek')
    await lobby.say('alice', '/bump')
    await lobby.say('alice', '/peek')
    assert.deepEqual(
      storage.calls.filter((c) => c.includes(ALICE)),
      [`read ${aliceKey}`, `read ${aliceKey}`, `write ${aliceKey} {"count":1}`, `read ${aliceKey}`],
    )
  })

  it('handles two updates from one person one after the other, never interleaved', async () => {
    const events: string[] = []
    let releaseFirst!: () => void
    const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve))
    const { bot, lobby } = await started<Ctx>((bot) => {
      bot.use(session({ initial: () => ({ count: 0 }) }))
      bot.on('message', async (ctx) => {
        const seen = ctx.session.count
        events.push(`${ctx.text} read ${seen}`)
        if (ctx.text === 'first') await firstMayEnd // a slow handler: an API call, say
        ctx.session.count = seen + 1
        events.push(`${ctx.text} wrote ${seen + 1}`)
      })
    })
    const message = (text: string, from: string) => ({
      type: 'message' as const, room: LOBBY, private: false, sender: { uri: from, nickname: undefined },
      contentType: 'text/plain', body: text, timestamp: new Date(), messageId: text,
    })
    // Delivered together, as a backend that does not await each handler would.
    const first = bot.handleUpdate(message('first', ALICE))
    const second = bot.handleUpdate(message('second', ALICE))
    const other = bot.handleUpdate(message('bob says', BOB))
    await other // another person's message is not held up
    assert.deepEqual(events, ['first read 0', 'bob says read 0', 'bob says wrote 1'])
    releaseFirst()
    await Promise.all([first, second])
    assert.deepEqual(events.slice(3), ['first wrote 1', 'second read 1', 'second wrote 2'])
    void lobby
  })

  it('does not save when a handler throws, and deletes the session assigned null', async () => {
    const storage = recording<{ count: number }>()
    const errors: unknown[] = []
    const { bot, lobby } = await started<Ctx>((bot) => {
      bot.use(session({ initial: () => ({ count: 0 }), storage }))
      bot.command('bump', (ctx) => void ctx.session.count++)
      bot.command('fail', (ctx) => {
        ctx.session.count = 100
        throw new Error('handler failed')
      })
      bot.command('reset', (ctx) => {
        ;(ctx as { session: unknown }).session = null
      })
    })
    bot.catch((err) => void errors.push(err.error))
    await lobby.say('alice', '/bump')
    await lobby.say('alice', '/fail')
    assert.equal(errors.length, 1)
    assert.deepEqual(await storage.read(aliceKey), { count: 1 })
    await lobby.say('alice', '/reset')
    assert.equal(await storage.read(aliceKey), undefined)
    assert.ok(storage.calls.includes(`delete ${aliceKey}`))
  })

  it("offers room-wide and person-wide keys, and a function; updates without a key throw on ctx.session", async () => {
    const byRoom = recording<{ count: number }>()
    const byPerson = recording<{ count: number }>()
    const errors: Array<{ code?: string }> = []
    const { bot, lobby } = await started<Ctx>((bot) => {
      bot.use(session({ initial: () => ({ count: 0 }), storage: byRoom, getSessionKey: 'room', prefix: 'room:', property: 'roomSession' }))
      bot.use(session({ initial: () => ({ count: 0 }), storage: byPerson, getSessionKey: 'person', prefix: 'person:' }))
      bot.on('message', (ctx) => {
        ctx.session.count++
        ;(ctx as unknown as { roomSession: { count: number } }).roomSession.count++
      })
      bot.on('presence', (ctx) => void ctx.session.count)
    })
    bot.catch((err) => void errors.push(err.error as { code?: string }))
    await lobby.say('alice', 'one')
    await lobby.say('bob', 'two')
    assert.deepEqual(await byRoom.read(`room:${LOBBY}`), { count: 2 })
    assert.deepEqual(await byPerson.read(`person:${ALICE}`), { count: 1 })
    await bot.handleUpdate({ type: 'presence', contact: ALICE, presence: { status: 'away' } })
    assert.deepEqual(errors.map((e) => e.code), ['BOT_SESSION_NO_KEY'])
    assert.equal(sessionKeys['room+person']({ room: { uri: 'SIP:Lobby@X' }, sender: { uri: 'sip:a@x;transport=tcp' } } as never), 'sip:Lobby@x sip:a@x')
    assert.throws(() => session({} as never), /needs initial/)
    assert.throws(() => session({ initial: () => 0, getSessionKey: 'everyone' as never }), /use 'room\+person'/)
  })
})

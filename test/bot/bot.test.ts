import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsrpBotError } from '../../src/errors.ts'
import { createBot } from '../../src/bot/bot.ts'
import { setDefaultBackendFactory } from '../../src/bot/backend-factory.ts'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import { NicknameError, SendError } from '../../src/chat/backend-errors.ts'
import { FakeClock, flushMicrotasks } from '../../src/clock.ts'
import { Context } from '../../src/bot/context.ts'
import { BotConfigError, BotError, BotStateError } from '../../src/bot/errors.ts'
import { FakeChatBackend } from '../../src/bot/fake-backend.ts'
import { silentLogger } from '../../src/logger.ts'
import { ALICE, BOB, BOT_URI, LOBBY, setup, started } from './helpers.ts'

describe('bot lifecycle', () => {
  it('bot.use after start() throws an error explaining why', async () => {
    const { bot } = setup()
    await bot.start()
    assert.throws(
      () => bot.on('message', () => {}),
      (err: unknown) => {
        assert.ok(err instanceof BotStateError)
        assert.equal(err.code, 'BOT_USE_AFTER_START')
        assert.match(err.message, /before start\(\)/)
        assert.match(err.message, /memory leak/)
        return true
      },
    )
    assert.throws(() => bot.command('x', () => {}), /after bot\.start\(\)/)
    await bot.stop()
  })

  it('start() twice, and start() after stop(), fail with the reason', async () => {
    const { bot } = setup()
    await bot.start()
    await assert.rejects(bot.start(), /called twice/)
    await bot.stop()
    await assert.rejects(bot.start(), /cannot be restarted/)
  })

  it('a failed start() leaves the bot idle, so it can be retried', async () => {
    const { bot, backend } = setup()
    backend.startError = new MsrpBotError('REGISTRATION_FAILED', '403 Forbidden')
    await assert.rejects(bot.start(), /403/)
    assert.equal(bot.state, 'idle')
    backend.startError = undefined
    await bot.start()
    assert.equal(bot.state, 'running')
    await bot.stop()
  })

  it('join() before start() explains what to do', async () => {
    const { bot } = setup()
    await assert.rejects(bot.join(LOBBY), /await bot\.start\(\) first/)
  })

  it('without a backend and no default factory, runs on the SIP chat backend over sockets', () => {
    const bot = createBot({ uri: BOT_URI }, { logger: silentLogger })
    assert.ok(bot.backend instanceof SipChatBackend)
    assert.equal(bot.backend.uri, BOT_URI)
  })

  it('uses the registered default backend factory', async () => {
    const made: FakeChatBackend[] = []
    const previous = setDefaultBackendFactory((config) => {
      const b = new FakeChatBackend({ uri: config.uri })
      made.push(b)
      return b
    })
    try {
      const bot = createBot({ uri: BOT_URI }, { logger: silentLogger })
      assert.equal(bot.backend, made[0])
    } finally {
      setDefaultBackendFactory(previous)
    }
  })

  it('stop() drains pending sends, leaves rooms and stops the backend', async () => {
    const { bot, backend, lobby, room } = await started(() => {})
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    backend.sendHook = async () => gate
    const sends = [room.send('one'), room.send('two'), room.sendPrivate('alice', 'three')]
    const stopping = bot.stop()
    await flushMicrotasks()
    assert.equal(backend.calls.stop, 0, 'the backend must not stop while sends are pending')
    release()
    await stopping
    const receipts = await Promise.all(sends)
    assert.equal(receipts.length, 3)
    assert.deepEqual(lobby.publicTexts(), ['one', 'two'])
    assert.deepEqual(lobby.privateTexts('alice'), ['three'])
    assert.equal(backend.calls.stop, 1)
    assert.equal(lobby.botPresent, false)
    assert.equal(bot.rooms.length, 0)
    assert.equal(bot.state, 'stopped')
    await bot.stop() // idempotent
  })

  it('stop() gives up waiting after timeoutMs: queued sends are cancelled, rooms left anyway', async () => {
    const clock = new FakeClock()
    const { bot, backend, lobby, room } = await started(() => {}, {}, { clock })
    backend.sendHook = () => new Promise<void>(() => {}) // the focus never answers
    const inFlight = room.send('stuck')
    const queued = room.send('waiting')
    queued.catch(() => {})
    const stopping = bot.stop({ timeoutMs: 1000 })
    await clock.advanceAsync(999)
    assert.equal(bot.state, 'stopping')
    await clock.advanceAsync(1)
    await stopping
    await assert.rejects(queued, { code: 'SEND_CANCELLED' })
    assert.equal(bot.state, 'stopped')
    assert.equal(lobby.botPresent, false)
    assert.equal(backend.calls.stop, 1)
    void inFlight
  })

  it('stop() waits for handlers still running', async () => {
    let finished = false
    const { bot, lobby } = await started((b) => {
      b.on('message', async (ctx) => {
        await flushMicrotasks()
        await ctx.reply('done')
        finished = true
      })
    })
    const said = lobby.say('alice', 'work')
    await bot.stop()
    await said
    assert.equal(finished, true)
    assert.deepEqual(lobby.publicTexts(), ['done'])
  })
})

describe('errors in handlers', () => {
  it('bot.catch receives a BotError with the error and the context; the bot keeps going', async () => {
    const caught: BotError<Context>[] = []
    const seen: string[] = []
    const { bot, lobby } = await started((b) => {
      b.on('message', (ctx) => {
        if (ctx.text === 'fail') throw new Error('handler broke')
        seen.push(ctx.text)
      })
      b.catch((err) => {
        caught.push(err)
      })
    })
    await lobby.say('alice', 'fail')
    await lobby.say('alice', 'ok')
    assert.equal(caught.length, 1)
    assert.equal((caught[0]?.error as Error).message, 'handler broke')
    assert.equal(caught[0]?.ctx.text, 'fail')
    assert.deepEqual(seen, ['ok'])
    assert.equal(bot.metrics.snapshot().handlerErrors, 1)
  })

  it('without bot.catch, logs the error at error level and continues', async () => {
    const { logger, lobby } = await started((b) => {
      b.on('message', (ctx) => {
        if (ctx.text === 'fail') throw new TypeError('nope')
        return ctx.reply('still alive')
      })
    })
    await lobby.say('alice', 'fail')
    await lobby.say('alice', 'again')
    const errors = logger.entries.filter((e) => e.level === 'error')
    assert.equal(errors.length, 1)
    assert.match(errors[0]?.msg ?? '', /bot\.catch/)
    assert.ok(errors[0]?.fields['err'] instanceof TypeError)
    assert.equal(errors[0]?.fields['room'], LOBBY)
    assert.deepEqual(lobby.publicTexts(), ['still alive'])
  })

  it('a throwing bot.catch handler is logged, not propagated', async () => {
    const { logger, lobby } = await started((b) => {
      b.on('message', () => {
        throw new Error('first')
      })
      b.catch(() => {
        throw new Error('second')
      })
    })
    await lobby.say('alice', 'x')
    assert.ok(logger.entries.some((e) => e.level === 'error' && /bot\.catch\(\) handler itself threw/.test(e.msg ?? '')))
  })

  it('an un-awaited failing reply does not crash the process; it is logged and counted', async () => {
    const { bot, backend, logger, lobby } = await started((b) => {
      b.on('message', (ctx) => {
        void ctx.reply('lost?')
      })
    })
    backend.sendHook = () => {
      throw new SendError('rejected', '403 from the focus', { statusCode: 403 })
    }
    await lobby.say('alice', 'x')
    await bot.room(LOBBY)?.queue.drain()
    assert.equal(bot.metrics.snapshot().sendFailures, 1)
    assert.ok(logger.entries.some((e) => e.level === 'warn' && e.fields['code'] === 'SEND_REJECTED'))
  })
})

describe('ignoreSelf', () => {
  it('does not dispatch messages from the bot URI or its current nickname', async () => {
    const seen: string[] = []
    const { lobby } = await started((b) => {
      b.use((ctx) => {
        seen.push(`${ctx.kind}:${ctx.sender?.uri ?? ctx.participant?.uri}`)
      })
    })
    await lobby.say(BOT_URI, 'my own echo')
    await lobby.say('sip:echo@EXAMPLE.TEST;transport=tcp', 'host is case-insensitive, params ignored')
    await lobby.say('sip:ECHO@example.test', 'user part is case-sensitive: someone else')
    await lobby.say('echo', 'by nickname')
    await lobby.say('alice', 'real')
    assert.deepEqual(seen, ["message:sip:ECHO@example.test", `message:${ALICE}`])
  })

  it('ignores the bot\'s own nickname change and composing', async () => {
    const seen: string[] = []
    const { room, lobby } = await started((b) => {
      b.use((ctx) => {
        seen.push(ctx.kind)
      })
    })
    await room.setNickname('echo2')
    await lobby.composing('echo2', true)
    await lobby.composing('bob', true)
    assert.deepEqual(seen, ['composing'])
  })

  it('can be turned off', async () => {
    const seen: string[] = []
    const { lobby } = await started(
      (b) => {
        b.on('message', (ctx) => {
          seen.push(ctx.text)
        })
      },
      { ignoreSelf: false },
    )
    await lobby.say(BOT_URI, 'mine')
    assert.deepEqual(seen, ['mine'])
  })
})

describe('join', () => {
  it('retries with another nickname on 425 when asked', async () => {
    const { bot, lobby, logger } = setup()
    await bot.start()
    await lobby.add(ALICE, 'echo')
    lobby.reserve('echo2')
    const room = await bot.join(LOBBY, { nickname: 'echo', retryNicknames: true })
    assert.equal(room.nickname, 'echo3')
    assert.equal(lobby.botNickname, 'echo3')
    assert.equal(logger.entries.filter((e) => /nickname taken/.test(e.msg ?? '')).length, 2)
    await bot.stop()
  })

  it('retries by joining again when the backend left the room instead of attaching it', async () => {
    class LeavingBackend extends FakeChatBackend {
      override async join(roomUri: string, options: { nickname?: string }) {
        try {
          return await super.join(roomUri, options)
        } catch (error) {
          const room = (error as NicknameError).room
          ;(error as NicknameError).room = undefined
          await room?.leave()
          throw error
        }
      }
    }
    const backend = new LeavingBackend({ uri: BOT_URI })
    const bot = createBot({ uri: BOT_URI, rateLimit: false }, { backend, logger: silentLogger })
    await bot.start()
    backend.room(LOBBY).reserve('echo')
    const room = await bot.join(LOBBY, { nickname: 'echo', retryNicknames: true })
    assert.equal(room.nickname, 'echo2')
    assert.equal(backend.calls.join, 2)
    await bot.stop()
  })

  it('uses a custom nickname generator', async () => {
    const { bot, lobby } = setup()
    await bot.start()
    lobby.reserve('echo')
    const room = await bot.join(LOBBY, { nickname: 'echo', retryNicknames: (n, base) => `${base}-bot${n}` })
    assert.equal(room.nickname, 'echo-bot1')
    await bot.stop()
  })

  it('without retryNicknames, a taken nickname fails the join and leaves the room', async () => {
    const { bot, lobby } = setup()
    await bot.start()
    lobby.reserve('echo')
    await assert.rejects(bot.join(LOBBY, { nickname: 'echo' }), (err: unknown) => {
      assert.ok(err instanceof NicknameError)
      assert.equal(err.code, 'NICKNAME_TAKEN')
      assert.match(err.message, /retryNicknames/)
      return true
    })
    assert.equal(lobby.botSession, false)
    assert.equal(bot.room(LOBBY), undefined)
    await bot.stop()
  })

  it('gives up after maxNicknameAttempts, naming every nickname tried', async () => {
    const { bot, lobby } = setup()
    await bot.start()
    for (const n of ['echo', 'echo2', 'echo3']) lobby.reserve(n)
    await assert.rejects(
      bot.join(LOBBY, { nickname: 'echo', retryNicknames: true, maxNicknameAttempts: 3 }),
      /"echo", "echo2", "echo3"/,
    )
    assert.equal(lobby.botSession, false)
    await bot.stop()
  })

  it('does not retry an invalid nickname (424)', async () => {
    const { bot } = setup()
    await bot.start()
    await assert.rejects(bot.join(LOBBY, { nickname: ' spaced ', retryNicknames: true }), /NICKNAME_INVALID|invalid/)
    await bot.stop()
  })

  it('defaults the nickname to the URI user part, and returns the same room when joined twice', async () => {
    const { bot } = setup()
    await bot.start()
    const a = await bot.join(LOBBY)
    const b = await bot.join('sip:lobby@CHAT.example.test')
    assert.equal(a, b)
    assert.equal(a.nickname, 'echo')
    await bot.stop()
  })
})

describe('reply routing', () => {
  it('ctx.reply answers a public message publicly and a private one privately', async () => {
    const { lobby } = await started((b) => {
      b.on(['message', 'private'], (ctx) => ctx.reply(`re: ${ctx.text}`))
    })
    await lobby.say('alice', 'public q')
    await lobby.whisper('bob', 'private q')
    assert.deepEqual(lobby.publicTexts(), ['re: public q'])
    assert.deepEqual(lobby.privateTexts('bob'), ['re: private q'])
    assert.deepEqual(lobby.privateTexts('alice'), [])
  })

  it('ctx.replyPrivately goes to the sender, or to the participant of a join', async () => {
    const { lobby } = await started((b) => {
      b.on('message', (ctx) => ctx.replyPrivately('just for you'))
      b.on('join', (ctx) => ctx.replyPrivately(`welcome ${ctx.participant.nickname}`))
    })
    await lobby.say('alice', 'hello')
    await lobby.add('sip:carol@example.test', 'carol')
    assert.deepEqual(lobby.privateTexts('alice'), ['just for you'])
    assert.deepEqual(lobby.privateTexts('carol'), ['welcome carol'])
    assert.deepEqual(lobby.publicTexts(), [])
  })

  it('ctx.reply on a join is public; on presence it throws BOT_NO_RECIPIENT, even un-awaited', async () => {
    const caught: unknown[] = []
    const { lobby, backend } = await started((b) => {
      b.on('join', (ctx) => ctx.reply(`welcome ${ctx.participant.nickname}`))
      b.on('presence', (ctx) => {
        void ctx.reply('x')
      })
      b.catch((err) => {
        caught.push(err.error)
      })
    })
    await lobby.add('sip:carol@example.test', 'carol')
    await backend.contactPresence(ALICE, { status: 'away' })
    assert.deepEqual(lobby.publicTexts(), ['welcome carol'])
    assert.equal(caught.length, 1)
    assert.ok(caught[0] instanceof MsrpBotError && caught[0].code === 'BOT_NO_RECIPIENT')
  })

  it('an errorBoundary keeps its errors away from bot.catch', async () => {
    const boundary: string[] = []
    const global: string[] = []
    const { lobby } = await started((b) => {
      b.errorBoundary(
        (err) => {
          boundary.push((err.error as Error).message)
        },
        (ctx, next) => (ctx.text === 'inner' ? Promise.reject(new Error('inner')) : next()),
      )
      b.on('message', () => {
        throw new Error('outer')
      })
      b.catch((err) => {
        global.push((err.error as Error).message)
      })
    })
    await lobby.say('alice', 'inner')
    await lobby.say('alice', 'other')
    assert.deepEqual(boundary, ['inner'])
    assert.deepEqual(global, ['outer'])
  })

  it('room.sendPrivate by nickname or URI; unknown nickname rejects PARTICIPANT_NOT_FOUND', async () => {
    const { room, lobby } = await started(() => {})
    await room.sendPrivate('bob', 'by nick')
    await room.sendPrivate(BOB, 'by uri')
    await assert.rejects(room.sendPrivate('nobody', 'x'), { code: 'PARTICIPANT_NOT_FOUND' })
    assert.deepEqual(lobby.privateTexts('bob'), ['by nick', 'by uri'])
  })

  it('ctx.typing sends composing indications', async () => {
    const { lobby } = await started((b) => {
      b.on('message', async (ctx) => {
        await ctx.typing()
        await ctx.reply('answer')
      })
    })
    await lobby.say('alice', 'q')
    assert.deepEqual(lobby.composingSent, [true])
  })
})

describe('other updates', () => {
  it('leave, nickname and composing reach their handlers with their fields', async () => {
    const seen: string[] = []
    const { lobby } = await started((b) => {
      b.on('leave', (ctx) => {
        seen.push(`leave:${ctx.participant.nickname}`)
      })
      b.on('nickname', (ctx) => {
        seen.push(`nick:${ctx.previousNickname}->${ctx.participant.nickname}`)
      })
      b.on('composing', (ctx) => {
        seen.push(`typing:${ctx.sender.nickname}:${ctx.composing}`)
      })
    })
    await lobby.rename('alice', 'alicia')
    await lobby.composing('alicia', true)
    await lobby.remove('bob')
    assert.deepEqual(seen, ['nick:alice->alicia', 'typing:alicia:true', 'leave:bob'])
  })

  it('presence: setPresence and watch reach the backend; updates reach on("presence")', async () => {
    const seen: string[] = []
    const { bot, backend } = await started((b) => {
      b.on('presence', (ctx) => {
        seen.push(`${ctx.presence.contact}:${ctx.presence.status}:${ctx.presence.note}`)
      })
    })
    await bot.setPresence({ status: 'busy', note: 'thinking' })
    await bot.watch(ALICE)
    assert.deepEqual(backend.presence, { status: 'busy', note: 'thinking' })
    assert.ok(backend.watched.has(ALICE))
    await backend.contactPresence(ALICE, { status: 'away', note: 'lunch' })
    assert.deepEqual(seen, [`${ALICE}:away:lunch`])
  })

  it('room-closed is dispatched with the room, then the room is forgotten', async () => {
    const seen: string[] = []
    const { bot, lobby } = await started((b) => {
      b.on('room-closed', (ctx) => {
        seen.push(`${ctx.room.uri}:${ctx.closedReason}`)
      })
    })
    await lobby.close('kicked')
    assert.deepEqual(seen, [`${LOBBY}:kicked`])
    assert.equal(bot.room(LOBBY), undefined)
  })

  it('connection events are dispatched and reconnects counted', async () => {
    const seen: string[] = []
    const { bot, backend } = await started((b) => {
      b.on('connection', (ctx) => {
        seen.push(ctx.connection)
      })
    })
    await backend.disconnect(new Error('tcp reset'))
    await backend.reconnect()
    assert.deepEqual(seen, ['disconnected', 'reconnected'])
    assert.equal(bot.metrics.snapshot().reconnects, 1)
  })

  it('updates for a room the bot is not in are logged, not dispatched', async () => {
    const seen: string[] = []
    const { backend, logger } = await started((b) => {
      b.use(() => {
        seen.push('x')
      })
    })
    const other = backend.room('sip:other@chat.example.test')
    await other.say('sip:zed@example.test', 'hi')
    assert.deepEqual(seen, [])
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /not in/.test(e.msg ?? '')))
  })

  it('metrics count messages in and out, with an event per increment', async () => {
    const events: number[] = []
    const { bot, lobby } = await started((b) => {
      b.on('message', (ctx) => ctx.reply('ok'))
    })
    bot.metrics.on('messagesOut', (n) => events.push(n))
    await lobby.say('alice', 'a')
    await lobby.say('alice', 'b')
    assert.deepEqual(bot.metrics.snapshot(), {
      messagesIn: 2,
      messagesOut: 2,
      sendFailures: 0,
      reconnects: 0,
      handlerErrors: 0,
    })
    assert.deepEqual(events, [1, 2])
  })

  it('a custom context class is used for every update', async () => {
    class Loud extends Context {
      get shout(): string {
        return (this.text ?? '').toUpperCase()
      }
    }
    const { lobby } = await started<Loud>(
      (b) => {
        b.on('message', (ctx) => ctx.reply(ctx.shout))
      },
      {},
      { ContextConstructor: Loud },
    )
    await lobby.say('alice', 'hey')
    assert.deepEqual(lobby.publicTexts(), ['HEY'])
  })

  it('non-text content: text is "" and body holds the bytes; message:media matches it', async () => {
    const seen: string[] = []
    const { lobby } = await started((b) => {
      b.on('message:media', (ctx) => {
        seen.push(`${ctx.contentType}:${ctx.body.length}:${JSON.stringify(ctx.text)}`)
      })
      b.on('message:text', (ctx) => {
        seen.push(`text:${ctx.text}`)
      })
    })
    await lobby.say('alice', { contentType: 'image/png', body: new Uint8Array([1, 2, 3]) })
    await lobby.say('alice', 'words')
    assert.deepEqual(seen, ['image/png:3:""', 'text:words'])
  })
})

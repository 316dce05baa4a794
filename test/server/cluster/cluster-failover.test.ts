// Failover with real processes: `msrp-bot server --redis` nodes A and B, B owns the room and is
// killed with SIGKILL; once its lease runs out, A takes the room on the next join, with the
// history kept, and the room works again.
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { LineProcess } from '../../interop/harness/child-process.ts'
import { createBot, type Bot } from '../../../src/bot/bot.ts'
import { silentLogger } from '../../../src/logger.ts'
import { createNodeChatBackend } from '../../../src/chat/node-platform.ts'
import { TestParticipant } from '../participant.ts'
import { DOMAIN, redisAvailable, remoteServer, startRedis, type RedisServer } from './harness.ts'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
const available = redisAvailable()
const LEASE_MS = 1000
const LOBBY = `sip:lobby@${DOMAIN}`
const LEASE_KEY = `msrp-bot:${DOMAIN}:room:{${LOBBY}}:lease`

/** A node as a child process, and the TCP port it listens on for SIP. */
async function startNodeProcess(redis: string, node: string, room: string): Promise<{ process: LineProcess; port: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIP_') && k !== 'MSRP_BOT_LOG_LEVEL'))
  const child = new LineProcess(
    process.execPath,
    ['bin/msrp-bot.js', 'server', '--redis', redis, '--node-id', node, '--domain', DOMAIN, '--port', '0', '--msrp-port', '0', '--rooms', room, '--lease-ms', String(LEASE_MS)],
    { cwd: REPO, env, label: `msrp-bot server node ${node}` },
  )
  const ready = await child.waitFor(/ready/)
  return { process: child, port: Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(ready)![1]) }
}

describe('failover: the owner killed, its room served again by another node', { skip: available.ok ? false : available.why }, () => {
  let redisServer: RedisServer
  let redis: Redis
  let events: Redis
  let bot: Bot | undefined
  let botRejoined!: () => void
  const rejoined = new Promise<void>((resolve) => (botRejoined = resolve))
  let a: { process: LineProcess; port: number }
  let b: { process: LineProcess; port: number }
  const people: TestParticipant[] = []

  before(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    events = new Redis(redisServer.url)
    // Expiry events let the test await the lease running out instead of sleeping.
    await redis.config('SET', 'notify-keyspace-events', 'Ex')
    b = await startNodeProcess(redisServer.url, 'b', 'lobby')
    a = await startNodeProcess(redisServer.url, 'a', 'lobby2')
  })

  after(async () => {
    await bot?.stop()
    for (const p of people) await p.close()
    await a?.process.interrupt()
    b?.process.kill()
    await events?.quit()
    await redis?.quit()
    await redisServer?.stop()
  })

  async function person(port: number, user: string): Promise<TestParticipant> {
    const p = await TestParticipant.create(remoteServer(port), user, { transport: 'tcp' })
    people.push(p)
    return p
  }

  test('B owns lobby; people talk in it through A', async () => {
    assert.match((await redis.get(LEASE_KEY)) ?? '', / b sip:/)
    const alice = await person(a.port, 'alice')
    await alice.joinOk('lobby')
    assert.equal(await alice.nickname('lobby', 'Al'), 200)
    assert.equal(await alice.say('lobby', 'before the crash'), 200)
    assert.equal(await alice.say('lobby', 'still before'), 200)
  })

  test('a bot (the SDK over TCP) joins lobby through A', async () => {
    const log = {
      ...silentLogger,
      info: (text: string) => { if (/re-joined/.test(text)) botRejoined() },
    }
    const backend = createNodeChatBackend(
      { uri: `sip:echo@${DOMAIN}`, transport: 'tcp', registrar: `sip:127.0.0.1:${a.port};transport=tcp`, outboundProxy: `sip:127.0.0.1:${a.port};transport=tcp;lr` },
      { reconnect: { initialMs: 100, maxMs: 400 }, logger: log },
    )
    bot = createBot({ uri: `sip:echo@${DOMAIN}`, rateLimit: false }, { backend, logger: silentLogger })
    bot.on('message', (ctx) => ctx.reply(`echo: ${ctx.text}`))
    await bot.start()
    const room = await bot.join(LOBBY, { nickname: 'echo' })
    assert.equal(room.nickname, 'echo')
  })

  test('kill -9 B: after its lease expires, a join through A succeeds and finds the history', async () => {
    await events.subscribe('__keyevent@0__:expired')
    const expired = new Promise<void>((resolve) => events.on('message', (_channel: string, key: string) => { if (key === LEASE_KEY) resolve() }))
    b.process.child.kill('SIGKILL')
    await b.process.exited
    // While B's lease lasts, A still sends joins to B, which is gone: 480 with Retry-After, nothing hangs.
    const early = await person(a.port, 'early')
    const attempt = await early.join('lobby')
    // (On a slow machine the lease may already have run out: then the join simply succeeds.)
    if ('status' in attempt) {
      assert.equal(attempt.status, 480, 'the room is moving: try again later (not a failure of node A)')
      assert.equal(attempt.headers.get('Retry-After'), '1')
    }
    await expired
    const carol = await person(a.port, 'carol')
    await carol.joinOk('lobby')
    assert.match((await redis.get(LEASE_KEY)) ?? '', / a sip:/, 'A holds the lease now')
    const replayed = [await carol.messages.next((m) => m.text === 'before the crash'), await carol.messages.next((m) => m.text === 'still before')]
    assert.equal(replayed.length, 2)
  })

  test('the bot rejoins on its own, with its nickname, and answers again', async () => {
    await rejoined
    const alice = people[0]!
    alice.rooms.clear() // her session ended with B
    await alice.joinOk('lobby')
    assert.equal(bot!.room(LOBBY)?.nickname, 'echo')
    assert.equal(await alice.say('lobby', 'are you back?'), 200)
    await alice.messages.next((m) => m.text === 'echo: are you back?')
  })

  test('the room works again: alice keeps her nickname, and chats', async () => {
    const alice = people[0]!
    assert.equal(await alice.nickname('lobby', 'Al'), 200)
    const carol = people[2]!
    assert.equal(await carol.nickname('lobby', 'al'), 425)
    assert.equal(await alice.say('lobby', 'after the crash'), 200)
    await carol.messages.next((m) => m.text === 'after the crash')
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createBot } from '../../src/bot/bot.ts'
import { silentLogger } from '../../src/logger.ts'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import { startChatServer } from '../../src/server/index.ts'
import type { ChatServer } from '../../src/server/index.ts'
import { DOMAIN, LOBBY, client, quiet, startServer, until } from './helpers.ts'
import type { Client } from './helpers.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { testingHooksOf } from '../../src/chat/testing-hooks.ts'

const connectionStates = (c: Client) => c.events.flatMap((e) => (e.type === 'connection' ? [e.state] : []))

/** Restarts the server as a crash would: clients cut off, connections dropped, no goodbyes. */
async function crashAndRestart(server: ChatServer, clients: SipChatBackend[]): Promise<ChatServer> {
  const network = server.network!
  // Cut the clients off (no new connections), drop their connections and let the closes reach
  // the server, so that the old server's goodbyes go nowhere (a crash sends none).
  for (const c of clients) network.sip.partition(DOMAIN, c.userAgent!.localAddress.address)
  for (const c of clients) testingHooksOf(c).dropConnections()
  await new Promise((resolve) => setImmediate(resolve))
  await server.close()
  network.sip.heal()
  return startChatServer({ domain: DOMAIN, rooms: ['lobby'], transport: { kind: 'memory', network } })
}

describe('SipChatBackend reconnect', () => {
  it('after a dropped connection: disconnected, re-register, re-join with the nickname, reconnected', async () => {
    const server = await startServer()
    const alice = await client(server, 'alice')
    const bob = await client(server, 'bob')
    const ra = await alice.backend.join(LOBBY, { nickname: 'alice' })
    await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [alice.backend, bob.backend])

    testingHooksOf(alice.backend).dropConnections()
    await until(server, [alice.backend, bob.backend], () => connectionStates(alice).includes('reconnected'), 'alice reconnected')
    assert.deepEqual(connectionStates(alice), ['disconnected', 'reconnected'])
    assert.equal(alice.backend.state, 'online')
    assert.equal(ra.nickname, 'alice', 'nickname restored')
    await quiet(server, [alice.backend, bob.backend])
    assert.ok(ra.participants.some((p) => p.nickname === 'bob'))
    // The same handle works again, both ways.
    await ra.send('back again')
    await quiet(server, [alice.backend, bob.backend])
    assert.ok(bob.texts().includes('alice: back again'))
    await alice.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('after a server restart: rooms restored with nicknames; sends while away reject SEND_DISCONNECTED at once', async () => {
    let server = await startServer({ rooms: ['lobby'] })
    const alice = await client(server, 'alice')
    const bob = await client(server, 'bob')
    const ra = await alice.backend.join(LOBBY, { nickname: 'alice' })
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [alice.backend, bob.backend])

    testingHooksOf(alice.backend).dropConnections()
    assert.equal(alice.backend.state, 'reconnecting')
    await assert.rejects(ra.send('into the void'), { code: 'SEND_DISCONNECTED' })

    server = await crashAndRestart(server, [alice.backend, bob.backend])
    const both = [alice.backend, bob.backend]
    await until(server, both, () => alice.backend.state === 'online' && bob.backend.state === 'online' && ra.participants.length === 2 && rb.participants.length === 2, 'both back in the room')
    assert.equal(ra.nickname, 'alice')
    assert.equal(rb.nickname, 'bob')
    assert.equal(server.room('lobby')?.participants().length ?? 2, 2)
    await rb.send('after the restart')
    await quiet(server, both)
    assert.ok(alice.texts().includes('bob: after the restart'))
    assert.ok(!bob.texts().some((t) => t.includes('into the void')))
    await alice.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('nothing lost: a bot’s sends made during the outage arrive after the reconnect', async () => {
    const server = await startServer({ rooms: ['lobby'] })
    const alice = await client(server, 'alice')
    await alice.backend.join(LOBBY, { nickname: 'alice' })
    const backend = createNodeChatBackend({ uri: `sip:echo@${DOMAIN}`, transport: 'tcp' }, { memory: server.network!, reconnect: { initialMs: 5, maxMs: 50 } })
    const bot = createBot({ uri: `sip:echo@${DOMAIN}`, rateLimit: false }, { backend, logger: silentLogger })
    await bot.start()
    const room = await bot.join(LOBBY, { nickname: 'echo' })
    await quiet(server, [alice.backend, backend])

    testingHooksOf(backend).dropConnections()
    assert.equal(backend.state, 'reconnecting')
    const sends = [room.send('one'), room.send('two'), room.send('three')]
    const receipts = await Promise.all(sends)
    assert.equal(receipts.length, 3)
    await quiet(server, [alice.backend, backend])
    assert.deepEqual(alice.texts().filter((t) => t.startsWith('echo:')), ['echo: one', 'echo: two', 'echo: three'])
    assert.equal(bot.metrics.snapshot().reconnects, 1)
    await bot.stop()
    await alice.backend.stop()
    await server.close()
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { client, quiet, startServer, until } from './helpers.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'

describe('SipChatBackend presence', () => {
  it('start() publishes "available"; watch() reports a contact’s presence and its changes', async () => {
    const server = await startServer()
    const alice = await client(server, 'alice')
    const bob = await client(server, 'bob')
    await bob.backend.watch('sip:alice@example.test')
    await bob.backend.watch('sip:alice@example.test') // twice: no-op
    const presence = () => bob.events.flatMap((e) => (e.type === 'presence' ? [e] : []))
    await until(server, [alice.backend, bob.backend], () => presence().length > 0, 'first presence')
    assert.deepEqual(presence()[0], { type: 'presence', contact: 'sip:alice@example.test', presence: { status: 'available' } })

    await alice.backend.setPresence({ status: 'busy', note: 'in a meeting' })
    await until(server, [alice.backend, bob.backend], () => presence().some((p) => p.presence.status === 'busy'), 'busy')
    assert.deepEqual(presence().at(-1)?.presence, { status: 'busy', note: 'in a meeting' })

    await alice.backend.setPresence({ status: 'away' })
    await until(server, [alice.backend, bob.backend], () => presence().at(-1)?.presence.status === 'away', 'away')

    await bob.backend.unwatch('sip:alice@example.test')
    await quiet(server, [alice.backend, bob.backend])
    const count = presence().length
    await alice.backend.setPresence({ status: 'available' })
    await quiet(server, [alice.backend, bob.backend])
    assert.equal(presence().length, count, 'no updates after unwatch')

    await alice.backend.stop()
    await bob.backend.stop()
    await server.close()
  })

  it('the config maps to the user agent (auth user, password, display name, registrar); calls before start() are refused', async () => {
    const server = await startServer({ users: { helper: 'pw' } })
    const backend = createNodeChatBackend(
      { uri: 'sip:helper@example.test', username: 'helper', password: 'pw', displayName: 'Helper Bot', registrar: 'sip:example.test', transport: 'tcp' },
      { memory: server.network! },
    )
    await assert.rejects(backend.join('sip:lobby@example.test', {}), { code: 'BACKEND_NOT_STARTED' })
    await backend.start()
    const options = backend.userAgent!.options
    assert.equal(options.authorizationUser, 'helper')
    assert.equal(options.password, 'pw')
    assert.equal(options.displayName, 'Helper Bot')
    assert.equal(options.registrar, 'sip:example.test')
    assert.match(backend.userAgent!.fromHeader, /"?Helper Bot"? <sip:helper@example\.test>/)
    await backend.stop()
    await backend.stop() // idempotent
    assert.equal(backend.state, 'stopped')
    await server.close()
  })
})

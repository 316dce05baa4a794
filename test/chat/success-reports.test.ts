import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LOBBY, client, quiet, startServer } from './helpers.ts'

describe('SipChatBackend successReports: true (RFC 4975 §7.1.2 through the chat server)', () => {
  it('send() resolves once the focus reported delivery to the room; a refused send rejects at once', async () => {
    const server = await startServer()
    const mod = await client(server, 'mod')
    const bob = await client(server, 'bob', { successReports: true })
    const rm = await mod.backend.join(LOBBY, { nickname: 'mod' })
    const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
    await quiet(server, [mod.backend, bob.backend])
    const receipt = await rb.send('reported?')
    assert.equal(typeof receipt.messageId, 'string')
    await quiet(server, [mod.backend, bob.backend])
    assert.ok(mod.texts().includes('bob: reported?'))
    await rm.setMuted('sip:bob@example.test', true)
    await assert.rejects(rb.send('muted'), { code: 'SEND_REJECTED', statusCode: 403 })
    await mod.backend.stop()
    await bob.backend.stop()
    await server.close()
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import { RoomClient } from '../../src/chat/room-client.ts'
import { TESTING, testingHooksOf } from '../../src/chat/testing-hooks.ts'

describe('testing hooks of the chat layer', () => {
  it('are not on the public surface of SipChatBackend or RoomClient', () => {
    for (const name of ['useMemoryNetwork', 'track', 'busy', 'idle', 'dropConnections', 'activity']) {
      assert.equal(name in SipChatBackend.prototype, false, `SipChatBackend.${name} should be a testing hook`)
    }
    assert.equal('dropMedia' in RoomClient.prototype, false)
    assert.ok(TESTING in SipChatBackend.prototype && TESTING in RoomClient.prototype)
  })

  it('report an idle new backend; without a platform, start() says what to pass', async () => {
    const backend = new SipChatBackend({ uri: 'sip:hooks@example.test', transport: 'tcp' })
    const hooks = testingHooksOf(backend)
    assert.equal(hooks.busy, 0)
    await hooks.idle()
    hooks.dropConnections() // nothing to cut: must not throw
    await assert.rejects(backend.start(), /needs a transportFactory/)
  })
})

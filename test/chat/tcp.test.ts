import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { startChatServer } from '../../src/server/index.ts'
import type { ChatServer } from '../../src/server/index.ts'

const DOMAIN = 'example.test'
const LOBBY = `sip:lobby@${DOMAIN}`

/**
 * Resolves once `done()` holds, re-checking on every event of `backends` (real sockets: the
 * events are what moves). Rejects after a generous bound that only a lost event reaches.
 */
function eventually(backends: SipChatBackend[], done: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: Array<() => void> = []
    const finish = (error?: Error): void => {
      clearTimeout(timer)
      for (const off of offs) off()
      if (error === undefined) resolve()
      else reject(error)
    }
    const timer = setTimeout(() => finish(new Error(`over TCP: ${what} did not happen within 20 s`)), 20_000)
    if (done()) return finish()
    for (const backend of backends) offs.push(backend.subscribe(() => void (done() && finish())))
  })
}

describe('SipChatBackend over real TCP sockets (loopback)', () => {
  it('registers with a password, joins, talks publicly and privately, renames, leaves', async () => {
    const server: ChatServer = await startChatServer({
      domain: DOMAIN,
      rooms: ['lobby'],
      users: { alice: 'alice-pw', bob: 'bob-pw' },
      transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 },
    })
    const proxy = `${server.sipUri('tcp')};lr`
    const make = (name: string) =>
      createNodeChatBackend({ uri: `sip:${name}@${DOMAIN}`, password: `${name}-pw`, transport: 'tcp', outboundProxy: proxy })
    const alice = make('alice')
    const bob = make('bob')
    const bobEvents: BackendEvent[] = []
    const aliceEvents: BackendEvent[] = []
    bob.subscribe((e) => void bobEvents.push(e))
    alice.subscribe((e) => void aliceEvents.push(e))
    try {
      await alice.start()
      await bob.start()
      const ra = await alice.join(LOBBY, { nickname: 'alice' })
      const rb = await bob.join(LOBBY, { nickname: 'bob' })
      assert.deepEqual(rb.participants.map((p) => p.nickname).sort(), ['alice', 'bob'])
      await ra.send('hello over tcp')
      await rb.sendPrivate('sip:alice@example.test', 'psst over tcp')
      await eventually([alice, bob], () => bobEvents.some((e) => e.type === 'message') && aliceEvents.some((e) => e.type === 'message'), 'both messages')
      const got = bobEvents.find((e) => e.type === 'message')
      assert.ok(got !== undefined && got.type === 'message')
      assert.equal(got.body, 'hello over tcp')
      assert.equal(got.sender.nickname, 'alice')
      const whisper = aliceEvents.find((e) => e.type === 'message')
      assert.ok(whisper !== undefined && whisper.type === 'message')
      assert.equal(whisper.private, true)
      assert.equal(whisper.body, 'psst over tcp')
      await assert.rejects(rb.setNickname('alice'), { code: 'NICKNAME_TAKEN' })
      await rb.leave()
      await eventually([alice, bob], () => aliceEvents.some((e) => e.type === 'leave'), "bob's leave")
      assert.ok(aliceEvents.some((e) => e.type === 'leave' && e.participant.uri === 'sip:bob@example.test'))
    } finally {
      await alice.stop()
      await bob.stop()
      await server.close()
    }
  })

  it('a wrong password fails start() with REGISTRATION_FAILED', async () => {
    const server = await startChatServer({ domain: DOMAIN, users: { alice: 'right' }, transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
    const alice = createNodeChatBackend({ uri: `sip:alice@${DOMAIN}`, password: 'wrong', transport: 'tcp', outboundProxy: `${server.sipUri('tcp')};lr` })
    try {
      await assert.rejects(alice.start(), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'REGISTRATION_FAILED')
        assert.match(err.message, /credentials/)
        return true
      })
      assert.equal(alice.state, 'idle')
    } finally {
      await alice.stop()
      await server.close()
    }
  })
})

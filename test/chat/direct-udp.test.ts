// Direct MESSAGEs over real UDP sockets (loopback): the bot answers a person through the server's
// proxy, and an answer over 1300 bytes is refused before it is sent (RFC 3428 §7: a MESSAGE over
// UDP stays under the path MTU; use TCP or a 1:1 session for more).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { startChatServer } from '../../src/server/index.ts'

it('a bot on UDP answers a MESSAGE, and refuses to send one over 1300 bytes (SEND_REJECTED)', async () => {
  const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
  const proxy = `${server.sipUri('udp')};lr`
  const quiet = { debug() {}, info() {}, warn() {} }
  const bot = createNodeChatBackend({ uri: 'sip:echo@example.test', transport: 'udp', outboundProxy: proxy }, { reconnect: false, publishPresence: false, logger: quiet })
  const alice = createNodeChatBackend({ uri: 'sip:alice@example.test', transport: 'udp', outboundProxy: proxy }, { reconnect: false, publishPresence: false, automaton: false, logger: quiet })
  const outcomes: string[] = []
  let answered: ((event: BackendEvent) => void) | undefined
  const answer = new Promise<BackendEvent>((resolve) => (answered = resolve))
  bot.subscribe(async (event) => {
    if (event.type !== 'direct') return
    await bot.sendDirect({ peer: event.sender.uri, path: 'message' }, 'x'.repeat(1400)).then(() => outcomes.push('sent'), (error: { code?: string }) => outcomes.push(error.code ?? 'error'))
    await bot.sendDirect({ peer: event.sender.uri, path: 'message' }, `you said: ${String(event.body)}`)
  })
  alice.subscribe((event) => {
    if (event.type === 'direct') answered?.(event)
  })
  try {
    await bot.start()
    await alice.start()
    await alice.sendDirect({ peer: 'sip:echo@example.test', path: 'message' }, 'over udp')
    const event = await answer
    assert.equal(event.type === 'direct' ? event.body : '', 'you said: over udp')
    assert.deepEqual(outcomes, ['SEND_REJECTED'])
  } finally {
    await alice.stop()
    await bot.stop()
    await server.close()
  }
})

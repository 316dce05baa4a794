/**
 * RFC 4475 torture messages sent to a running chat server over UDP: whatever they do to the
 * parser, the server stays up and its participants keep chatting afterwards.
 *
 * Loopback only: each message's Via sent-by is pointed at the test's own UDP socket before it is
 * sent, so the server's answers (400s, 403s, 404s ...) come back here instead of to the RFC's
 * example addresses. Everything else in the bytes is as the RFC has it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { readFileSync, readdirSync } from 'node:fs'
import { startChatServer } from '../../src/server/index.ts'
import { TestParticipant } from './participant.ts'

const DIR = new URL('../../../shared/vectors/sip-torture/', import.meta.url)

test('RFC 4475 torture messages over UDP do not take the server down', async () => {
  // The torture messages address example.com users: make that the served domain, so they are
  // handled (404 unregistered, 403 foreign, 400 malformed ...) rather than relayed anywhere.
  const server = await startChatServer({ domain: 'example.com', rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0 } })
  const udp = server.addresses.sip.find((a) => a.transport === 'udp')!
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const port = socket.address().port
  const answers: string[] = []
  socket.on('message', (msg) => answers.push(msg.subarray(0, msg.indexOf(13)).toString('latin1')))
  const alice = await TestParticipant.create(server, 'alice')
  const bob = await TestParticipant.create(server, 'bob')
  try {
    await alice.joinOk('lobby')
    await bob.joinOk('lobby')
    const files = readdirSync(DIR).filter((f) => f.endsWith('.dat')).sort()
    assert.ok(files.length >= 49, `expected the 49 RFC 4475 messages, found ${files.length}`)
    for (const file of files) {
      const raw = readFileSync(new URL(file, DIR))
      const text = raw.toString('latin1').replace(/^((?:Via|v)[ \t]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*UDP[ \t]+)[^;\s,]+/im, `$1127.0.0.1:${port}`)
      await new Promise<void>((resolve, reject) => socket.send(Buffer.from(text, 'latin1'), udp.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))
    }
    // Chat still works after the storm (the messages are on the same event loop: this runs after them).
    assert.equal(await alice.say('lobby', 'still here?'), 200)
    assert.equal((await bob.messages.next()).text, 'still here?')
    assert.equal(await bob.say('lobby', 'yes'), 200)
    assert.equal((await alice.messages.next()).text, 'yes')
    // And the server answered the torture: at least some 400s for the malformed ones.
    assert.ok(answers.some((a) => a.startsWith('SIP/2.0 400')), `expected 400 answers, got ${answers.join(' | ')}`)
    const options = await alice.request('OPTIONS', 'sip:example.com')
    assert.equal(options.response.status, 200)
  } finally {
    socket.close()
    await server.close()
    await alice.close()
    await bob.close()
  }
})

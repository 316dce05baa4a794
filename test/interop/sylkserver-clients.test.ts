/**
 * The SIP SIMPLE SDK's chat client (`sipsimple-chat.py`, the stack of Blink and SylkServer) in
 * rooms of msrp-bot's own server: joining over TCP and UDP, nicknames as it sends them (bare,
 * `Use-Nickname: alice`), room and private messages with delivery reports, and the
 * conference-info roster that a bot in the room reads.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { SipChatBackend } from '../../src/chat/index.ts'
import type { BackendEvent, RoomHandle } from '../../src/chat/index.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import { installSylkPeer, sipsimpleChat, sylkServerAvailable, type SylkServerInstance } from './harness/index.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'

const available = sylkServerAvailable()
const SILENT = { debug() {}, info() {}, warn() {} }
const DOMAIN = 'example.test'

describe('interop: SIP SIMPLE clients in msrp-bot server rooms', { skip: available.ok ? false : available.why }, () => {
  let server: ChatServer
  let python: Pick<SylkServerInstance, 'python'>
  let watcher: SipChatBackend | undefined

  before(async () => {
    server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 }, logger: SILENT })
    // Only the peer's client (and its Python venv) is needed here, no SylkServer.
    python = { python: join(await installSylkPeer(), 'venv', 'bin', 'python') }
  })
  after(async () => {
    await watcher?.stop()
    await server?.close()
  })

  it('two people with bare nicknames (TCP and UDP) exchange a room message and a private message; the roster shows their nicknames', { timeout: 90_000 }, async () => {
    const port = server.addresses.sip.find((a) => a.transport === 'tcp')!.port
    const room = `sip:lobby@${DOMAIN}`
    const hop = `127.0.0.1:${port}`

    // An msrp-bot participant watches the roster (conference-info from the server).
    watcher = createNodeChatBackend({ uri: `sip:watcher@${DOMAIN}`, transport: 'tcp', registrar: false, outboundProxy: `sip:${hop};transport=tcp;lr` }, { reconnect: false, logger: SILENT })
    const events: BackendEvent[] = []
    watcher.subscribe((e) => void events.push(e))
    await watcher.start()
    const lobby: RoomHandle = await watcher.join(room, { nickname: 'watcher' })
    const nicknames = (): string[] => lobby.participants.map((p) => p.nickname ?? '?').sort()

    const bob = sipsimpleChat(python, { room, proxy: hop, transport: 'udp', user: `sip:bob@${DOMAIN}`, nickname: 'bob', listen: 30 })
    await bob.waitFor(/NICKNAME ok 'bob'/)
    const alice = sipsimpleChat(python, { room, proxy: hop, user: `sip:alice@${DOMAIN}`, displayName: 'Alice', nickname: 'alice', messages: ['hello room'], privates: [[`sip:bob@${DOMAIN}`, 'psst bob']], listen: 2 })
    try {
      await bob.waitFor(/MESSAGE .*<sip:alice@example\.test> text\/plain.*: hello room$/)
      await bob.waitFor(/MESSAGE .*<sip:alice@example\.test> private text\/plain.*: psst bob$/)
      assert.equal(await alice.exit(), 0, alice.transcript())
      assert.ok(alice.lines.some((l) => /RESULT OK .*nickname=ok, sent=2, delivered=2/.test(l)), alice.transcript())
      assert.ok(!alice.lines.some((l) => /psst bob/.test(l) && /MESSAGE/.test(l)), 'the private message went to bob only')
      // The watcher (an msrp-bot participant) got the room message, not the private one.
      assert.ok(events.some((e) => e.type === 'message' && e.body === 'hello room' && !e.private), JSON.stringify(events))
      assert.ok(!events.some((e) => e.type === 'message' && e.body === 'psst bob'), 'private stays private')
      // Bare nicknames are nicknames as written, no quotes (server roster, conference-info).
      const alices = events.filter((e) => (e.type === 'join' || e.type === 'nickname') && e.participant.uri === `sip:alice@${DOMAIN}`)
      assert.ok(alices.some((e) => (e.type === 'join' || e.type === 'nickname') && e.participant.nickname === 'alice'), JSON.stringify(alices))
      assert.ok(nicknames().includes('bob'), nicknames().join(','))
      // bob's session is alive: he leaves when he decides to (no BYE from the server).
      bob.kill()
      await bob.exited
      assert.ok(!bob.lines.some((l) => /ENDED by remote|STREAM-FAILED/.test(l)), bob.transcript())
    } finally {
      alice.kill()
      bob.kill()
    }
  })
})

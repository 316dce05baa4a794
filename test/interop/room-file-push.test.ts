/**
 * A room pushes a stored file through a real SIP proxy: alice and bob are registered with
 * Kamailio, not with the msrp-bot server, and reach the room through it (routing as in
 * bot-invitation.test.ts: the room is a binding at Kamailio whose contact is the server). The
 * room pushes files to everyone (`pushFiles`), so once alice's file is stored the server INVITEs
 * bob through its call-out proxy; Kamailio challenges the INVITE (From the room, in its domain),
 * the server answers with its account there (`callOutCredentials`), Kamailio relays it to bob's
 * registration, bob takes the file and its SHA-1 is checked as the bytes arrive.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BackendEvent, SipChatBackend } from '../../src/chat/index.ts'
import type { FileEvent } from '../../src/chat/file-contract.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { BufferSink, bufferSource } from '../../src/msrp/file-io.ts'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import type { PushOutcome } from '../../src/server/room-file-push.ts'
import type { UserAgent } from '../../src/sip/ua/index.ts'
import { startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers } from './sip-ua-helpers.ts'

const skip = requirePeers()
const quiet = { debug() {}, info() {}, warn() {} }

describe('interop: a room pushes a file to a participant through Kamailio', { skip }, () => {
  let kam: KamailioInstance
  let dir: string
  let server: ChatServer | undefined
  let roomBinding: UserAgent | undefined
  let alice: SipChatBackend | undefined
  let bob: SipChatBackend | undefined

  before(async () => {
    kam = await startKamailio({ defines: ['WITH_DEBUG'] })
    dir = await mkdtemp(join(tmpdir(), 'interop-room-file-push-'))
  })
  after(async () => {
    await alice?.stop()
    await bob?.stop()
    await roomBinding?.stop()
    await server?.close()
    await kam?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('the server INVITEs bob through Kamailio, answers its 407; bob takes the file, hash checked', { timeout: 60_000 }, async () => {
    const proxy = `sip:${kam.host}:${kam.sipPort};transport=tcp;lr`
    server = await startChatServer({
      domain: kam.domain,
      rooms: { lobby: { pushFiles: true } },
      files: { dir },
      transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 },
      callOutProxy: proxy,
      callOutCredentials: { username: 'lobby', password: kam.password },
    })
    const room = `sip:lobby@${kam.domain}`
    const serverPort = server.addresses.sip.find((a) => a.transport === 'tcp')!.port
    roomBinding = await kamailioUa(kam, 'lobby')
    const register = roomBinding.createRequest('REGISTER', `sip:${kam.host}:${kam.sipPort}`, {
      to: roomBinding.fromHeader,
      headers: [['Contact', `<sip:lobby@127.0.0.1:${serverPort};transport=tcp>;expires=300`], ['Expires', '300']],
    })
    assert.equal((await roomBinding.sendRequest(register)).status, 200)

    const participant = (user: string): SipChatBackend =>
      createNodeChatBackend({ uri: `sip:${user}@${kam.domain}`, password: kam.password, transport: 'tcp', outboundProxy: proxy }, { reconnect: false, automaton: false, publishPresence: false, logger: quiet })
    alice = participant('alice')
    bob = participant('bob')
    const offered = new Promise<FileEvent>((resolve) => {
      bob!.subscribe((event: BackendEvent) => {
        if (event.type === 'file' && event.pushed === true) resolve(event)
      })
    })
    await alice.start()
    await bob.start()
    await alice.join(room, { nickname: 'alice' })
    await bob.join(room, { nickname: 'bob' })
    assert.equal(server.registrar.locate(bob.uri).length, 0, 'bob is not registered with the server')
    const outcomes: PushOutcome[] = []
    const pushed = new Promise<void>((resolve) => server!.onFilePush((o) => {
      outcomes.push(o)
      resolve()
    }))

    const content = randomBytes(300 * 1024)
    const sha1 = createHash('sha1').update(content).digest('hex')
    await alice.sendFile(room, { name: 'report.pdf', type: 'application/pdf', size: content.length, sha1, source: bufferSource(content) })

    // A push that fails ends with its outcome before any offer reaches bob: say which.
    const offer = await Promise.race([offered, pushed.then(() => assert.fail(`the push ended before bob was offered the file: ${JSON.stringify(outcomes)}\n${kam.log()}`))])
    assert.equal(offer.room, room)
    assert.equal(offer.sender.nickname, 'alice', 'the room names the sharer (Referred-By)')
    assert.deepEqual({ name: offer.file.info.name, size: offer.file.info.size, sha1: offer.file.info.sha1 }, { name: 'report.pdf', size: content.length, sha1 })
    const sink = new BufferSink(1024 * 1024)
    const received = await offer.file.receive(sink)
    assert.equal(received.sha1, sha1, 'the SHA-1 checked at the receiver is the sender\'s')
    assert.ok(Buffer.from(sink.bytes()).equals(content))
    await pushed
    assert.deepEqual(outcomes.map((o) => [o.to, o.status]), [[bob.uri, 200]])

    // The push crossed Kamailio twice (challenged, then with the server's credentials).
    assert.equal(kam.log().match(/REQ INVITE \S+ .*From=sip:lobby@example\.test To=sip:bob@example\.test/g)?.length, 2, kam.log())
  })
})

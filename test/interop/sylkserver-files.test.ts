/**
 * Files in SylkServer rooms (RFC 5547), with SylkServer's `push_file_transfer` on (the
 * repository's test/interop/peers/sylkserver/push-files.ini): an msrp-bot room client pushes a
 * file into the room; SylkServer stores it, announces it, and offers it to the other
 * participant with an INVITE of its own (From the room, Contact `;isfocus`), which reaches
 * msrp-bot's receiving side as a `file` event with `room` set; the bytes arrive hash-checked.
 * The file can also be pulled from the room by its SHA-1.
 *
 * SylkServer sends its push INVITE to the participant's address of record (it has no
 * registrar), so the receiving participant's URI names the host and port it listens on, and
 * `;transport=tcp` (without it SylkServer sends the INVITE over UDP). SylkServer confirms the
 * upload with one success REPORT per chunk (each chunk's own Byte-Range).
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { BackendEvent } from '../../src/chat/backend.ts'
import type { FileEvent } from '../../src/chat/file-contract.ts'
import { BufferSink, outgoingFile } from '../../src/chat/node-files.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import type { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import { freePort, startSylkServer, sylkServerAvailable, type SylkServerInstance } from './harness/index.ts'

const available = sylkServerAvailable()
const quiet = { debug() {}, info() {}, warn() {} }
const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

/** Resolves with the first event `test` accepts from now on. */
function eventOf(backend: SipChatBackend, test: (e: BackendEvent) => boolean): Promise<BackendEvent> {
  return new Promise((resolve) => {
    const stop = backend.subscribe((event) => {
      if (!test(event)) return
      stop()
      resolve(event)
    })
  })
}

/** The text of a room message or a notice from the room. */
function textOf(event: BackendEvent): string {
  if (event.type === 'notice') return event.text
  if (event.type === 'message') return typeof event.body === 'string' ? event.body : Buffer.from(event.body).toString('utf8')
  return ''
}

describe('interop: files in SylkServer rooms', { skip: available.ok ? false : available.why }, () => {
  let sylk: SylkServerInstance
  const backends: SipChatBackend[] = []

  before(async () => {
    sylk = await startSylkServer({ pushFiles: true })
  })
  after(async () => {
    for (const backend of backends) await backend.stop().catch(() => undefined)
    await sylk?.stop()
  })

  it('a file pushed into the room is stored, announced and pushed by SylkServer to the other msrp-bot participant, hash checked; it can be pulled by its SHA-1 too', { timeout: 90_000 }, async () => {
    const proxy = `sip:127.0.0.1:${sylk.sipPort};transport=tcp;lr`
    const room = 'sip:files-room@127.0.0.1'
    const bobPort = await freePort()
    const alice = createNodeChatBackend({ uri: 'sip:alice@127.0.0.1', transport: 'tcp', outboundProxy: proxy, registrar: false }, { reconnect: false, automaton: false, publishPresence: false, logger: quiet })
    const bob = createNodeChatBackend({ uri: `sip:bob@127.0.0.1:${bobPort};transport=tcp`, transport: 'tcp', outboundProxy: proxy, registrar: false }, { reconnect: false, automaton: false, publishPresence: false, logger: quiet, listen: { host: '127.0.0.1', port: bobPort } })
    backends.push(alice, bob)
    await alice.start()
    await bob.start()
    await alice.join(room, { nickname: 'alice' })
    await bob.join(room, { nickname: 'bob' })

    const pushed = eventOf(bob, (e) => e.type === 'file' && e.room !== undefined) as Promise<FileEvent>
    const announced = eventOf(bob, (e) => /has uploaded file report\.bin/.test(textOf(e)))
    const content = randomBytes(200 * 1024)
    const receipt = await alice.sendFile(room, await outgoingFile(content, { name: 'report.bin' }))
    assert.equal(receipt.bytes, content.length)

    const offer = await pushed
    assert.equal(offer.room, room, `the push comes from the room (${sylk.log().slice(-2000)})`)
    assert.equal(offer.pushed, true)
    assert.equal(offer.file.info.name, 'report.bin')
    const sink = new BufferSink(1024 * 1024)
    const got = await offer.file.receive(sink, { maxBytes: 1024 * 1024 })
    assert.equal(got.sha1, sha1(content))
    assert.deepEqual(Buffer.from(sink.bytes()), content)
    await announced

    const pull = new BufferSink(1024 * 1024)
    const pulled = await bob.pullFile(room, sha1(content), pull, { maxBytes: 1024 * 1024 })
    assert.equal(pulled.sha1, sha1(content))
  })
})

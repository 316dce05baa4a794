// System notices (what the focus itself says) are told apart from people's messages, and the
// first thing a focus says after the bind SEND is not lost.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeChatMessage } from '../../src/rooms/chat-message.ts'
import { memoryDialer } from '../../src/chat/msrp-dialer.ts'
import { RoomMedia } from '../../src/chat/room-media.ts'
import { noticeKind } from '../../src/rooms/system-notice.ts'
import { parseCpim } from '../../src/cpim/index.ts'
import type { IncomingMsrpMessage } from '../../src/msrp/session.ts'
import { MemoryNetwork } from '../../src/msrp/memory-stream.ts'
import { serializeFrame } from '../../src/msrp/serializer.ts'
import { RawPeer } from '../msrp/helpers.ts'

const ROOM = 'sip:lobby@example.test'
const BOT = 'sip:echo@example.test'
const now = new Date('2026-01-02T03:04:05Z')

/** A CPIM body as SylkServer writes its notices (CRLF lines). */
function cpim(lines: string[], text: string): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\nContent-Type: text/plain; charset="utf8"\r\n\r\n${text}`)
}

const WELCOME = cpim(['From: Conference Room <sip:lobby@example.test>', 'To: Conference Room <sip:lobby@example.test>', 'DateTime: 2026-01-02T03:04:00Z'], 'Welcome! You are the first participant in the conference.')
const JOINED = cpim(
  ['From: Conference Room <sip:lobby@example.test>', 'To: Conference Room <sip:lobby@example.test>', 'NS: agp <urn:ag-projects:xml:ns:cpim>', 'agp.Message-Type: status'],
  'alice <alice@example.test> has joined the room with chat',
)

describe('system notices', () => {
  it('the room as sender is an info notice; the status marker makes a status notice', () => {
    assert.equal(noticeKind(parseCpim(WELCOME), ROOM), 'info')
    assert.equal(noticeKind(parseCpim(JOINED), ROOM), 'status')
    assert.equal(noticeKind(undefined, ROOM), 'info', 'a message without CPIM names no sender: the room')
  })

  it('a room known to the focus under another URI (From equals To) is still the room', () => {
    const rewritten = cpim(['From: Conference Room <sip:lobby@127.0.0.1>', 'To: Conference Room <sip:lobby@127.0.0.1>'], 'Welcome!')
    assert.equal(noticeKind(parseCpim(rewritten), ROOM), 'info')
  })

  it("a person's message, public or private, is no notice, whatever its text says", () => {
    const fake = cpim(['From: "alice" <sip:alice@example.test>', `To: <${ROOM}>`], 'Conference Room: bob has joined the room')
    assert.equal(noticeKind(parseCpim(fake), ROOM), undefined)
    const privateOne = cpim(['From: "alice" <sip:alice@example.test>', `To: <${BOT}>`], 'psst')
    assert.equal(noticeKind(parseCpim(privateOne), ROOM), undefined)
    // A status marker in another namespace means nothing.
    const otherNs = cpim(['From: <sip:alice@example.test>', `To: <${ROOM}>`, 'NS: x <urn:example:other>', 'x.Message-Type: status'], 'hi')
    assert.equal(noticeKind(parseCpim(otherNs), ROOM), undefined)
  })

  it('decodeChatMessage turns notices into notice, not message', () => {
    const welcome = decodeChatMessage({ contentType: 'message/cpim', body: WELCOME, messageId: 'm1' }, { self: BOT, room: ROOM, now })
    assert.deepEqual(welcome, { kind: 'notice', notice: 'info', text: 'Welcome! You are the first participant in the conference.', timestamp: new Date('2026-01-02T03:04:00Z'), messageId: 'm1' })
    const joined = decodeChatMessage({ contentType: 'message/cpim', body: JOINED, messageId: 'm2' }, { self: BOT, room: ROOM, now })
    assert.equal(joined.kind, 'notice')
    assert.equal(joined.kind === 'notice' && joined.notice, 'status')
    assert.equal(joined.kind === 'notice' && joined.timestamp.getTime(), now.getTime(), 'no DateTime: the time it arrived')
    const person = decodeChatMessage({ contentType: 'message/cpim', body: cpim(['From: <sip:alice@example.test>', `To: <${ROOM}>`], 'hello'), messageId: 'm3' }, { self: BOT, room: ROOM, now })
    assert.equal(person.kind, 'message')
  })
})

describe('RoomMedia and a focus that speaks right after the bind', () => {
  it('a message sent in the same write as the 200 to the bind SEND reaches the listener', async () => {
    const network = new MemoryNetwork()
    let peer: RawPeer | undefined
    const accepted = new Promise<void>((resolve) => {
      network.listen('focus.invalid', 2855, (stream) => {
        peer = new RawPeer(stream)
        resolve()
      })
    })
    const media = new RoomMedia({ dialer: memoryDialer(network), localHost: '127.0.0.1' })
    const answer = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=message 2855 TCP/MSRP *', 'a=accept-types:message/cpim', 'a=path:msrp://focus.invalid:2855/room1;tcp', 'a=setup:passive', ''].join('\r\n')
    const received: IncomingMsrpMessage[] = []
    media.on('message', (m) => received.push(m))
    const connecting = media.connect(answer)
    await accepted
    const bind = await peer!.nextRequest()
    assert.equal(bind.method, 'SEND')
    assert.equal(bind.body, undefined, 'the bind SEND is empty (RFC 4975 §5.4)')
    const ok = serializeFrame({ type: 'response', transactionId: bind.transactionId, status: 200, comment: 'OK', headers: { 'To-Path': bind.headers['From-Path'], 'From-Path': [bind.headers['To-Path'][0]!] }, extensionHeaders: [], continuation: '$' })
    const welcome = serializeFrame({
      type: 'request',
      method: 'SEND',
      transactionId: 'welcome1',
      headers: { 'To-Path': bind.headers['From-Path'], 'From-Path': [bind.headers['To-Path'][0]!], 'Message-ID': 'welcome-1', 'Byte-Range': { start: 1, end: WELCOME.length, total: WELCOME.length }, 'Content-Type': 'message/cpim' },
      extensionHeaders: [],
      body: WELCOME,
      continuation: '$',
    })
    peer!.stream.write(Buffer.concat([ok, welcome]))
    await connecting
    assert.equal((await peer!.nextResponse()).status, 200, 'the welcome was answered')
    assert.equal(received.length, 1)
    assert.match(Buffer.from(received[0]!.body).toString(), /Welcome!/)
    await media.close()
  })
})

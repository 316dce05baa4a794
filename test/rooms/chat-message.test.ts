import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseCpim } from '../../src/cpim/index.ts'
import { buildChatCpim, buildComposingCpim, decodeChatMessage, newMessageId } from '../../src/rooms/chat-message.ts'
import { contentOf } from '../../src/rooms/content.ts'
import { markHistoryReplay, withCpimDateTime } from '../../src/rooms/history.ts'

const ROOM = 'sip:lobby@example.test'
const BOT = 'sip:echo@example.test'
const now = new Date('2026-01-02T03:04:05Z')

describe('chat messages on the wire', () => {
  it('wraps content in CPIM with From, To, DateTime and imdn.Message-ID (RFC 3862, RFC 5438)', () => {
    const body = buildChatCpim({ from: BOT, displayName: 'Echo', to: ROOM, contentType: 'text/plain;charset=utf-8', body: 'héllo', messageId: 'abc123', now })
    const cpim = parseCpim(body)
    assert.equal(cpim.from.uri, BOT)
    assert.equal(cpim.from.displayName, 'Echo')
    assert.deepEqual(cpim.to.map((t) => t.uri), [ROOM])
    assert.equal(cpim.dateTime?.toISOString(), now.toISOString())
    assert.ok(cpim.headers.some((h) => h.name === 'Message-ID' && h.value === 'abc123'))
    assert.equal(Buffer.from(cpim.body).toString('utf8'), 'héllo')
  })

  it('decodes public, private and composing; private means CPIM To names the bot', () => {
    const pub = decodeChatMessage({ contentType: 'message/cpim', body: buildChatCpim({ from: 'sip:alice@example.test', to: ROOM, contentType: 'text/plain', body: 'hi', messageId: 'm1', now }), messageId: 'msrp-1' }, { self: BOT, room: ROOM, now })
    assert.deepEqual(pub, { kind: 'message', private: false, senderUri: 'sip:alice@example.test', senderName: undefined, contentType: 'text/plain', body: 'hi', timestamp: now, messageId: 'm1', history: false })
    const priv = decodeChatMessage({ contentType: 'Message/CPIM', body: buildChatCpim({ from: 'sip:alice@example.test', to: BOT, contentType: 'text/plain', body: 'psst', messageId: 'm2', now }), messageId: 'x' }, { self: BOT, room: ROOM, now })
    assert.equal(priv.kind === 'message' && priv.private, true)
    const typing = decodeChatMessage({ contentType: 'message/cpim', body: buildComposingCpim({ from: 'sip:alice@example.test', to: ROOM, messageId: 'm3', now, active: true }), messageId: 'x' }, { self: BOT, room: ROOM, now })
    assert.deepEqual(typing, { kind: 'composing', private: false, senderUri: 'sip:alice@example.test', senderName: undefined, active: true })
  })

  it("reads the focus's history marker on public messages (a marked private message is no history)", () => {
    const plain = buildChatCpim({ from: 'sip:alice@example.test', to: ROOM, contentType: 'text/plain', body: 'old', messageId: 'm1', now })
    const replay = decodeChatMessage({ contentType: 'message/cpim', body: markHistoryReplay(plain), messageId: 'x' }, { self: BOT, room: ROOM, now })
    assert.ok(replay.kind === 'message' && replay.history && replay.body === 'old' && replay.senderUri === 'sip:alice@example.test')
    assert.equal(replay.kind === 'message' && replay.timestamp.toISOString(), now.toISOString(), 'the DateTime still reads')
    const toBot = buildChatCpim({ from: 'sip:alice@example.test', to: BOT, contentType: 'text/plain', body: 'psst', messageId: 'm2', now })
    const priv = decodeChatMessage({ contentType: 'message/cpim', body: markHistoryReplay(toBot), messageId: 'x' }, { self: BOT, room: ROOM, now })
    assert.ok(priv.kind === 'message' && priv.private && !priv.history)
  })

  it('adds a DateTime in front and keeps the rest byte for byte', () => {
    const raw = Buffer.from('From: <sip:a@example.test>\r\nTo: <sip:lobby@example.test>\r\n\r\nContent-Type: text/plain\r\n\r\nhi')
    const dated = withCpimDateTime(raw, now)
    assert.equal(Buffer.from(dated).toString(), `DateTime: ${now.toISOString()}\r\n${raw.toString()}`)
    const lf = Buffer.from('From: <sip:a@example.test>\nTo: <sip:lobby@example.test>\n\nContent-Type: text/plain\n\nhi')
    assert.equal(parseCpim(markHistoryReplay(withCpimDateTime(lf, now))).dateTime?.toISOString(), now.toISOString(), 'LF-only objects get LF lines')
  })

  it('keeps non-text bodies as bytes; ignores malformed CPIM and IMDN instead of throwing', () => {
    const png = decodeChatMessage({ contentType: 'message/cpim', body: buildChatCpim({ from: 'sip:a@example.test', to: ROOM, contentType: 'image/png', body: new Uint8Array([1, 2, 3]), messageId: 'm', now }), messageId: 'x' }, { self: BOT, room: ROOM, now })
    assert.ok(png.kind === 'message' && png.body instanceof Uint8Array && png.body.length === 3)
    assert.equal(decodeChatMessage({ contentType: 'message/cpim', body: Buffer.from('garbage'), messageId: 'x' }, { self: BOT, room: ROOM, now }).kind, 'ignored')
    const imdn = decodeChatMessage({ contentType: 'message/cpim', body: buildChatCpim({ from: 'sip:a@example.test', to: BOT, contentType: 'message/imdn+xml', body: '<imdn/>', messageId: 'm', now }), messageId: 'x' }, { self: BOT, room: ROOM, now })
    assert.equal(imdn.kind, 'ignored')
  })

  it('strings are UTF-8 text/plain; message ids are valid MSRP idents', () => {
    assert.deepEqual(contentOf('x'), { contentType: 'text/plain;charset=utf-8', body: 'x' })
    assert.deepEqual(contentOf({ contentType: 'text/html', body: '<b>x</b>' }), { contentType: 'text/html;charset=utf-8', body: '<b>x</b>' })
    for (let i = 0; i < 20; i++) assert.match(newMessageId(), /^[A-Za-z0-9.+%=-]{4,32}$/)
  })
})

/**
 * MsrpSession as a chat-room focus uses it: copies of one shared serialization
 * (`sendShared`, byte-identical with the frame serializer) and the decider mode, where the SEND
 * that completes a message is answered only after the decision.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock } from '../../src/clock.ts'
import type { MsrpRequest } from '../../src/msrp/message.ts'
import { serializeFrame } from '../../src/msrp/serializer.ts'
import { MsrpSession, type IncomingMsrpMessage, type MsrpDecider, type MsrpVerdict } from '../../src/msrp/session.ts'
import { SharedSend, type CopyOutcome } from '../../src/msrp/shared-send.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { connectionWithRawPeer, until, type RawPeer } from './helpers.ts'

const LOCAL = 'msrp://127.0.0.1:2855/focus1234;tcp'
const REMOTE = ['msrp://127.0.0.1:9/relay99;tcp', 'msrp://127.0.0.1:7/user5678;tcp']
const CPIM = Buffer.from('From: <sip:a@x.test>\r\nTo: <sip:room@x.test>\r\n\r\nContent-Type: text/plain\r\n\r\nhello -------- room')

function bound(options: { decider?: MsrpDecider; clock?: FakeClock } = {}): { session: MsrpSession; peer: RawPeer; wire: Buffer[] } {
  const clock = options.clock ?? new FakeClock()
  const { connection, peer, peerStream } = connectionWithRawPeer({ clock })
  const wire: Buffer[] = []
  peerStream.on('data', (chunk: Buffer) => wire.push(chunk))
  const session = new MsrpSession({
    localUri: LOCAL,
    remotePath: REMOTE.map((u) => parseMsrpUri(u)),
    clock,
    transactionTimeoutMs: 10_000,
    acceptTypes: ['message/cpim'],
    ...(options.decider === undefined ? {} : { decider: options.decider }),
  })
  session.bind(connection)
  return { session, peer, wire }
}

function copy(session: MsrpSession, message: SharedSend): Promise<CopyOutcome> {
  return new Promise((resolve) => session.sendShared(message, resolve))
}

/** The frame the generic serializer writes for the same copy. */
function frameOf(message: SharedSend, tid: string): MsrpRequest {
  const frame: MsrpRequest = {
    type: 'request',
    method: 'SEND',
    transactionId: tid,
    headers: { 'To-Path': REMOTE.map((u) => parseMsrpUri(u)), 'From-Path': [parseMsrpUri(LOCAL)], 'Message-ID': message.messageId, 'Byte-Range': { start: 1, end: message.body.length, total: message.body.length } },
    extensionHeaders: [],
    continuation: '$',
  }
  if (message.partial) frame.headers['Failure-Report'] = 'partial'
  frame.headers['Content-Type'] = message.contentType
  frame.body = message.body
  return frame
}

function send(peer: RawPeer, body: Buffer, extra: Partial<MsrpRequest['headers']> = {}, options: { tid?: string; range?: { start: number; end: number; total: number }; continuation?: '$' | '+' } = {}): MsrpRequest {
  const frame: MsrpRequest = {
    type: 'request',
    method: 'SEND',
    transactionId: options.tid ?? 'peer0001',
    headers: {
      'To-Path': [parseMsrpUri(LOCAL)],
      'From-Path': [parseMsrpUri(REMOTE[1]!)],
      'Message-ID': 'm1msg',
      'Byte-Range': options.range ?? { start: 1, end: body.length, total: body.length },
      'Content-Type': 'message/cpim',
      ...extra,
    },
    extensionHeaders: [],
    continuation: options.continuation ?? '$',
    body,
  }
  peer.send(frame)
  return frame
}

describe('MsrpSession.sendShared: one serialization, many sessions', () => {
  for (const partial of [false, true]) {
    it(`writes exactly the generic serializer's bytes (Failure-Report ${partial ? 'partial' : 'absent'})`, async () => {
      const { session, peer, wire } = bound()
      const message = new SharedSend({ body: CPIM, messageId: 'msg.1', contentType: 'message/cpim', partial })
      const outcome = copy(session, message)
      const request = await peer.nextRequest()
      assert.deepEqual(Buffer.concat(wire), serializeFrame(frameOf(message, request.transactionId)))
      if (partial) assert.deepEqual(await outcome, { ok: true }, 'partial: delivered once written')
      else {
        peer.respond(request)
        assert.deepEqual(await outcome, { ok: true })
      }
    })
  }

  it('writes the same bytes when the message has no shared form (checked serializer path)', async () => {
    const { session, peer, wire } = bound()
    // A header value beyond printable ASCII is left to the checked serializer.
    const message = new SharedSend({ body: CPIM, messageId: 'msg.2', contentType: 'message/cpim;note=é', partial: false })
    assert.equal(message.rest, undefined)
    const outcome = copy(session, message)
    const request = await peer.nextRequest()
    assert.deepEqual(Buffer.concat(wire), serializeFrame(frameOf(message, request.transactionId)))
    peer.respond(request)
    assert.deepEqual(await outcome, { ok: true })
  })

  it('reports a refusal, a missing answer (408), an id the serializer refuses, and a closed session (481)', async () => {
    const clock = new FakeClock()
    const { session, peer } = bound({ clock })
    const refused = copy(session, new SharedSend({ body: CPIM, messageId: 'msg.3', contentType: 'message/cpim', partial: false }))
    peer.respond(await peer.nextRequest(), 415, 'Unsupported Media Type')
    assert.deepEqual(await refused, { ok: false, status: 415, reason: 'Unsupported Media Type' })

    const unanswered = copy(session, new SharedSend({ body: CPIM, messageId: 'msg.4', contentType: 'message/cpim', partial: false }))
    await peer.nextRequest()
    clock.advance(10_000)
    const late = await unanswered
    assert.equal(!late.ok && late.status, 408)
    assert.equal(!late.ok && late.stalled, true, 'nothing came back from the peer since the copy was written')

    const odd = await copy(session, new SharedSend({ body: CPIM, messageId: 'not an ident', contentType: 'message/cpim', partial: false }))
    assert.equal(odd.ok, false)
    await session.close()
    assert.deepEqual(await copy(session, new SharedSend({ body: CPIM, messageId: 'msg.5', contentType: 'message/cpim', partial: false })), { ok: false, status: 481, reason: 'Session does not exist' })
    assert.equal(peer.frames.length, 0, 'neither the refused id nor the copy after close reached the wire')
  })

  it('passes each copy\'s index back with its outcome (one function serves a whole fan-out)', async () => {
    const { session, peer } = bound()
    const message = new SharedSend({ body: CPIM, messageId: 'msg.8', contentType: 'message/cpim', partial: false })
    const seen: Array<[boolean, number]> = []
    const done = (outcome: CopyOutcome, index: number): void => void seen.push([outcome.ok, index])
    session.sendShared(message, done, 7)
    session.sendShared(message, done, 3)
    peer.respond(await peer.nextRequest())
    peer.respond(await peer.nextRequest(), 403, 'Forbidden')
    await until(() => seen.length === 2)
    assert.deepEqual(seen, [[true, 7], [false, 3]])
    await session.close()
    session.sendShared(message, done, 9)
    assert.deepEqual(seen[2], [false, 9], 'a copy to a closed session reports its index too')
  })

  it('picks a transaction id that does not occur after dashes in the body (RFC 4975 §7.1)', async () => {
    const { session, peer } = bound()
    const first = copy(session, new SharedSend({ body: CPIM, messageId: 'msg.6', contentType: 'message/cpim', partial: false }))
    const r1 = await peer.nextRequest()
    peer.respond(r1)
    await first
    // The next counter id after r1's, planted in the body behind the end-line's dashes.
    const next = `${r1.transactionId.slice(0, -1)}${(parseInt(r1.transactionId.slice(-1), 36) + 1).toString(36)}`
    const body = Buffer.from(`text -------${next}$ more`)
    const second = copy(session, new SharedSend({ body, messageId: 'msg.7', contentType: 'message/cpim', partial: false }))
    const r2 = await peer.nextRequest()
    assert.notEqual(r2.transactionId, next)
    assert.deepEqual(r2.body, body)
    peer.respond(r2)
    assert.deepEqual(await second, { ok: true })
  })
})

describe('MsrpSession decider mode: the SEND is answered after the decision', () => {
  class Decider implements MsrpDecider {
    limit = 1000
    readonly messages: IncomingMsrpMessage[] = []
    readonly nicknames: Array<string | undefined> = []
    #resolve: ((verdict: MsrpVerdict) => void) | undefined
    maxMessageBytes(): number {
      return this.limit
    }

    message(message: IncomingMsrpMessage): Promise<MsrpVerdict> {
      this.messages.push(message)
      return new Promise((resolve) => {
        this.#resolve = resolve
      })
    }

    decide(verdict: MsrpVerdict): void {
      this.#resolve?.(verdict)
    }

    nickname(nickname: string | undefined): MsrpVerdict {
      this.nicknames.push(nickname)
      return nickname === 'taken' ? { status: 425, comment: 'Nickname in use' } : { status: 200 }
    }
  }

  it('answers with the verdict only once decided, then sends the REPORT the sender asked for', async () => {
    const decider = new Decider()
    const { session, peer } = bound({ decider })
    let emitted = 0
    session.on('message', () => emitted++)
    send(peer, CPIM, { 'Success-Report': 'yes' })
    await until(() => decider.messages.length === 1)
    assert.deepEqual(decider.messages[0]!.body, CPIM)
    assert.equal(peer.frames.length, 0, 'no answer before the decision')
    let settled = false
    const settling = session.settle().then(() => (settled = true))
    await until(() => true, 3)
    assert.equal(settled, false, 'settle() waits for the undecided message')
    decider.decide({ status: 200 })
    const response = await peer.nextResponse()
    assert.equal(response.status, 200)
    const report = await peer.nextRequest()
    assert.equal(report.method, 'REPORT')
    assert.equal(report.headers.Status?.code, 200)
    assert.deepEqual(report.headers['Byte-Range'], { start: 1, end: CPIM.length, total: CPIM.length })
    await settling
    assert.equal(emitted, 0, 'the decider takes the message instead of the event')
  })

  it('answers a refusal with its status and comment; a failure REPORT only when a report was asked and Failure-Report is not no', async () => {
    const decider = new Decider()
    const { session, peer } = bound({ decider })
    send(peer, CPIM, { 'Success-Report': 'yes' }, { tid: 'txn1' })
    await until(() => decider.messages.length === 1)
    decider.decide({ status: 403, comment: 'Rate limited; retry in 500 ms' })
    const response = await peer.nextResponse()
    assert.deepEqual([response.status, response.comment], [403, 'Rate limited; retry in 500 ms'])
    const report = await peer.nextRequest()
    assert.deepEqual([report.method, report.headers.Status?.code, report.headers.Status?.comment], ['REPORT', 403, 'Rate limited; retry in 500 ms'])

    send(peer, CPIM, { 'Success-Report': 'yes', 'Failure-Report': 'no', 'Message-ID': 'm2msg' }, { tid: 'txn2' })
    await until(() => decider.messages.length === 2)
    decider.decide({ status: 403 })
    send(peer, CPIM, { 'Message-ID': 'm3msg' }, { tid: 'txn3' })
    await until(() => decider.messages.length === 3)
    decider.decide({ status: 404 })
    const third = await peer.nextResponse()
    assert.deepEqual([third.transactionId, third.status], ['txn3', 404], 'Failure-Report: no — no response, no REPORT for m2')
    await session.settle()
    assert.equal(peer.frames.length, 0)
  })

  it('answers earlier chunks at once and the completing chunk after the decision', async () => {
    const decider = new Decider()
    const { peer } = bound({ decider })
    const total = CPIM.length
    send(peer, CPIM.subarray(0, 10), {}, { tid: 'chk1', range: { start: 1, end: 10, total }, continuation: '+' })
    assert.equal((await peer.nextResponse()).transactionId, 'chk1')
    send(peer, CPIM.subarray(10), {}, { tid: 'chk2', range: { start: 11, end: total, total } })
    await until(() => decider.messages.length === 1)
    assert.deepEqual(decider.messages[0]!.body, CPIM)
    decider.decide({ status: 200 })
    const last = await peer.nextResponse()
    assert.deepEqual([last.transactionId, last.status], ['chk2', 200])
  })

  it("refuses with 413 a message over the decider's current limit, and caps chunk buffering at the limit with headroom", async () => {
    const decider = new Decider()
    const { session, peer } = bound({ decider })
    decider.limit = 10
    send(peer, CPIM)
    assert.equal((await peer.nextResponse()).status, 413)
    const report = await peer.nextRequest()
    assert.deepEqual([report.method, report.headers.Status?.code], ['REPORT', 413], 'RFC 4975 §7.1.2: the refused chunk is also reported')
    assert.equal(decider.messages.length, 0)
    assert.equal(session.maxChunkBytes(), 1024 * 1024)
    decider.limit = 4 * 1024 * 1024
    assert.equal(session.maxChunkBytes(), 4 * 1024 * 1024)
  })

  it('hands NICKNAME to the decider, also without Use-Nickname (RFC 7701 §7: drop the nickname)', async () => {
    const decider = new Decider()
    const { peer } = bound({ decider })
    const nickname = (value: string | undefined, tid: string): void =>
      peer.send({
        type: 'request',
        method: 'NICKNAME',
        transactionId: tid,
        headers: { 'To-Path': [parseMsrpUri(LOCAL)], 'From-Path': [parseMsrpUri(REMOTE[1]!)], ...(value === undefined ? {} : { 'Use-Nickname': value }) },
        extensionHeaders: [],
        continuation: '$',
      })
    nickname('taken', 'nick1')
    const refused = await peer.nextResponse()
    assert.deepEqual([refused.status, refused.comment], [425, 'Nickname in use'])
    nickname(undefined, 'nick2')
    assert.equal((await peer.nextResponse()).status, 200)
    assert.deepEqual(decider.nicknames, ['taken', undefined])
  })

  it('answers 403 when the decider throws, and the connection goes on', async () => {
    const decider = new Decider()
    decider.message = () => {
      throw new Error('boom')
    }
    const { session, peer } = bound({ decider })
    send(peer, CPIM)
    const response = await peer.nextResponse()
    assert.deepEqual([response.status, response.comment], [403, 'Request failed'])
    assert.equal(session.state, 'open')
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MsrpRequest } from '../../src/msrp/message.ts'
import { serializeFrame, transactionIdFor } from '../../src/msrp/serializer.ts'
import { pathLines, serializeSharedSend, SharedSend } from '../../src/msrp/shared-send.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'

const alice = parseMsrpUri('msrp://10.0.0.1:7000/alice;tcp')
const focus = parseMsrpUri('msrp://10.0.0.9:2855/focus-1;tcp')
const relay = parseMsrpUri('msrps://relay.example.test:2855/r1;tcp')

function frameFor(message: SharedSend, tid: string, toPath = [alice], fromPath = [focus]): MsrpRequest {
  const frame: MsrpRequest = {
    type: 'request',
    method: 'SEND',
    transactionId: tid,
    headers: { 'To-Path': toPath, 'From-Path': fromPath, 'Message-ID': message.messageId, 'Byte-Range': { start: 1, end: message.body.length, total: message.body.length } },
    extensionHeaders: [],
    continuation: '$',
  }
  frame.headers['Content-Type'] = 'message/cpim'
  frame.body = message.body
  if (message.partial) frame.headers['Failure-Report'] = 'partial'
  return frame
}

describe('SharedSend: one SEND serialized once for a fan-out', () => {
  const cpim = Buffer.from('From: <sip:bob@example.test>\r\nTo: <sip:lobby@example.test>\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nhé, all\r\n')

  for (const partial of [false, true]) {
    it(`writes the same bytes as the frame serializer (Failure-Report ${partial ? 'partial' : 'absent'})`, () => {
      const message = new SharedSend({ body: cpim, messageId: 'msg4711', contentType: 'message/cpim', partial })
      const shared = serializeSharedSend(message, 'tid1234', pathLines([alice], [focus]))
      assert.deepEqual(shared, serializeFrame(frameFor(message, 'tid1234')))
    })
  }

  it('is byte-identical for every copy of a fan-out, each with its own paths and transaction id', () => {
    const message = new SharedSend({ body: cpim, messageId: 'msg4712', contentType: 'message/cpim', partial: false })
    for (const [toPath, tid] of [[[alice], 'a1b2c3d4'], [[relay, alice], 'zz99yy88']] as const) {
      assert.deepEqual(serializeSharedSend(message, tid, pathLines(toPath, [focus])), serializeFrame(frameFor(message, tid, [...toPath])))
    }
  })

  it('keeps path lines in memory of their own, not in a slice of the shared buffer pool a session would pin', () => {
    const lines = pathLines([parseMsrpUri('msrp://127.0.0.1:9/peer1234;tcp')], [parseMsrpUri('msrp://127.0.0.1:2855/self1234;tcp')])
    assert.equal(lines.toString(), 'To-Path: msrp://127.0.0.1:9/peer1234;tcp\r\nFrom-Path: msrp://127.0.0.1:2855/self1234;tcp\r\n')
    assert.equal(lines.buffer.byteLength, lines.length)
  })

  it('matches when the body holds dashes and the id is picked against it (RFC 4975 §7.1)', () => {
    const body = Buffer.from('a line of -------abc$ dashes')
    const message = new SharedSend({ body, messageId: 'msg4713', contentType: 'message/cpim', partial: false })
    assert.equal(message.mayHoldEndLine, true)
    const tid = transactionIdFor(body)
    assert.deepEqual(serializeSharedSend(message, tid, pathLines([alice], [focus])), serializeFrame(frameFor(message, tid)))
  })

  it('has no shared form for an empty body or a Message-ID that is no ident, and says so', () => {
    const empty = new SharedSend({ body: Buffer.alloc(0), messageId: 'msg4714', contentType: 'message/cpim', partial: false })
    const badId = new SharedSend({ body: cpim, messageId: 'no spaces allowed', contentType: 'message/cpim', partial: false })
    assert.equal(empty.rest, undefined)
    assert.equal(badId.rest, undefined)
    assert.throws(() => serializeSharedSend(badId, 'tid1234', pathLines([alice], [focus])), /serialize it with serializeFrameParts/)
  })
})

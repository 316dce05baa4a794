import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { MsrpRequest, MsrpResponse } from '../../src/msrp/message.ts'
import { serializeFrame } from '../../src/msrp/serializer.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { FakeClock } from '../../src/clock.ts'
import { connectionWithRawPeer, until } from './helpers.ts'

function send(tid: string, failureReport?: 'partial'): MsrpRequest {
  return {
    type: 'request',
    method: 'SEND',
    transactionId: tid,
    headers: {
      'To-Path': [parseMsrpUri('msrp://127.0.0.1:9/peer1234;tcp')],
      'From-Path': [parseMsrpUri('msrp://127.0.0.1:8/self1234;tcp')],
      'Message-ID': 'm-1234',
      'Byte-Range': { start: 1, end: 2, total: 2 },
      ...(failureReport === undefined ? {} : { 'Failure-Report': failureReport }),
      'Content-Type': 'text/plain',
    },
    extensionHeaders: [],
    continuation: '$',
    body: Buffer.from('hi'),
  }
}

const prepared = (frame: MsrpRequest, expectResponse: boolean) => ({ transactionId: frame.transactionId, method: frame.method, bytes: [serializeFrame(frame)], expectResponse })

describe('prepared requests (wire form sent as is)', () => {
  it('requestPrepared matches the response by transaction id, like request()', async () => {
    const { connection, peer } = connectionWithRawPeer()
    const frame = send('tid00001')
    const out = connection.requestPrepared(prepared(frame, true))
    await out.written
    const got = await peer.nextRequest()
    assert.deepEqual({ ...got, headers: { ...got.headers } }, { ...frame, headers: { ...frame.headers, 'To-Path': got.headers['To-Path'], 'From-Path': got.headers['From-Path'] } })
    peer.respond(got, 200)
    assert.equal((await out.response)?.status, 200)
    connection.close()
  })

  it('sendPrepared calls back once: on the response, on the timeout (408), or when written if no response is due', async () => {
    const clock = new FakeClock()
    const { connection, peer } = connectionWithRawPeer({ clock })
    const calls: Array<[MsrpResponse | undefined, Error | undefined]> = []
    connection.sendPrepared(prepared(send('tid00002'), true), 5_000, (r, e) => calls.push([r, e]))
    peer.respond(await peer.nextRequest(), 486, 'Busy Here')
    await until(() => calls.length === 1)
    assert.equal(calls[0]![0]?.status, 486)

    connection.sendPrepared(prepared(send('tid00003'), true), 5_000, (r, e) => calls.push([r, e]))
    clock.advance(5_000)
    assert.equal(calls.length, 2)
    assert.equal((calls[1]![1] as { status?: number }).status, 408)

    connection.sendPrepared(prepared(send('tid00004', 'partial'), false), 5_000, (r, e) => calls.push([r, e]))
    assert.deepEqual(calls[2], [undefined, undefined], 'Failure-Report: partial: done once written')

    // One shared callback for many requests: each call gets the context given with its request.
    const contexts: string[] = []
    const shared = (r: MsrpResponse | undefined, e: Error | undefined, context: string): void => {
      contexts.push(`${context}:${r?.status ?? (e as { status?: number } | undefined)?.status}`)
    }
    connection.sendPrepared(prepared(send('tid00006'), true), 5_000, shared, 'first')
    connection.sendPrepared(prepared(send('tid00007'), true), 5_000, shared, 'second')
    let request = await peer.nextRequest()
    while (request.transactionId !== 'tid00007') request = await peer.nextRequest()
    peer.respond(request) // tid00006 is left unanswered
    await until(() => contexts.length === 1)
    clock.advance(5_000) // tid00006 was never answered
    assert.deepEqual(contexts, ['second:200', 'first:408'])

    connection.sendPrepared(prepared(send('tid00005'), true), 5_000, () => undefined)
    assert.throws(() => connection.sendPrepared(prepared(send('tid00005'), true), 5_000, () => undefined), /already in use/)
    connection.close()
  })
})

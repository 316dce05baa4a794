/**
 * Issue 16 item 3: a participant that stops reading must not make the server buffer without
 * limit, nor hold up the room. Bob joins and binds his MSRP session, then stops reading; alice
 * pipelines many messages. The focus drops bob with `BYE` +
 * `Reason: SIP;cause=408;text="Not reading messages"` either when the copies queued for him
 * pass the per-receiver bound (`limits.msrpMaxWriteBufferBytes`, large messages) or when
 * copies to him go unanswered within the delivery timeout (small messages: at once while
 * output still waits for him, else after three in a row). Either way alice gets a 200 for every message and carol receives every one.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildCpim } from '../../../src/cpim/builder.ts'
import { startChatServer } from '../../../src/mixer/server/index.ts'
import { MsrpRequestError } from '../../../src/msrp/errors.ts'
import { generateSessionId } from '../../../src/msrp/session.ts'
import { parseMsrpSdp } from '../../../src/sdp/parse.ts'
import { createOffer } from '../../../src/sdp/offer-answer.ts'
import { readCSeq } from '../../../src/sip/headers/cseq.ts'
import { RawPeer } from '../../msrp/helpers.ts'
import { TestParticipant } from './participant.ts'

async function stuckReceiver(t: { diagnostic(message: string): void }, scenario: { limit: number; messages: number; body: string; deliveryTimeoutMs: number }): Promise<void> {
  const { limit: LIMIT, messages: MESSAGES, body: BODY } = scenario
  const server = await startChatServer({
    domain: 'example.test',
    rooms: { lobby: { maxMessageSize: 128 * 1024, rateLimit: { burst: 10_000, perSecond: 10_000 } } },
    limits: { msrpMaxWriteBufferBytes: LIMIT },
    deliveryTimeoutMs: scenario.deliveryTimeoutMs,
  })
  const people: TestParticipant[] = []
  const stopRaw: Array<() => void> = []
  try {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((u) => TestParticipant.create(server, u)))
    people.push(alice!, bob!, carol!)
    await alice!.joinOk('lobby')
    await carol!.joinOk('lobby')

    // Bob joins by hand so the test holds his raw MSRP stream.
    const byes: Array<string | undefined> = []
    let byeArrived: () => void = () => undefined
    const bye = new Promise<void>((resolve) => { byeArrived = resolve })
    const roomUri = server.roomUri('lobby')
    const localUri = `msrp://bob-host.invalid:2855/${generateSessionId()};tcp`
    const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'active' })
    const { request, response } = await bob!.request('INVITE', roomUri, { body: offer, contentType: 'application/sdp' })
    assert.equal(response.status, 200)
    const dialog = bob!.core.createUacDialog(request, response, (incoming) => {
      if (incoming.method === 'BYE') {
        byes.push(incoming.message.headers.get('Reason'))
        byeArrived()
      }
      incoming.respond(200)
    })
    await bob!.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), bob!.serverDestination)
    const focusPath = parseMsrpSdp(response.body.toString('utf8')).media[0]!.path[0]!
    const m = /^msrp:\/\/([^:/]+):(\d+)\//.exec(focusPath)!
    const stream = server.network!.msrp.connect(m[1]!, Number(m[2]))
    stopRaw.push(() => stream.destroy())
    const raw = new RawPeer(stream)
    stream.write(`MSRP bind0001 SEND\r\nTo-Path: ${focusPath}\r\nFrom-Path: ${localUri}\r\nMessage-ID: bind-msg-1\r\nByte-Range: 1-0/0\r\n-------bind0001$\r\n`)
    assert.equal((await raw.nextResponse()).status, 200)
    assert.equal(server.room('lobby')!.participants().length, 3)
    stream.pause() // bob stops reading

    let maxPending = 0
    const sampler = setInterval(() => { maxPending = Math.max(maxPending, server.transportStats().msrpMaxPendingWriteBytes) }, 1)
    const joined = alice!.rooms.get(roomUri)!
    const statuses = await Promise.all(Array.from({ length: MESSAGES }, async (_, i) => {
      const cpim = buildCpim({ from: { uri: alice!.uri }, to: [{ uri: roomUri }], contentType: 'text/plain', body: `${i} ${BODY}` })
      try {
        await joined.session.send({ contentType: 'message/cpim', body: cpim })
        return 200
      } catch (error) {
        if (error instanceof MsrpRequestError) return error.status
        throw error
      }
    }))
    clearInterval(sampler)
    maxPending = Math.max(maxPending, server.transportStats().msrpMaxPendingWriteBytes)

    assert.deepEqual([...new Set(statuses)], [200], 'alice got a 200 for every message')
    for (let i = 0; i < MESSAGES; i++) assert.equal((await carol!.messages.next()).text, `${i} ${BODY}`)
    await bye
    assert.deepEqual(byes, ['SIP;cause=408;text="Not reading messages"'])
    assert.equal(server.room('lobby')!.participants().length, 2, 'bob left the roster')
    t.diagnostic(`most output queued for one receiver: ${maxPending} bytes (bound ${LIMIT} + one copy)`)
    assert.ok(maxPending <= LIMIT + 64 * 1024, `output queued for bob peaked at ${maxPending} bytes`)
  } finally {
    for (const stop of stopRaw) stop()
    await server.close()
    for (const p of people) await p.close()
  }
}

test('a receiver whose queued output passes the bound is dropped with a Reason; the sender is answered, the others get every message', async (t) => {
  // A delivery timeout far beyond the test: only the write bound can drop bob.
  await stuckReceiver(t, { limit: 256 * 1024, messages: 200, body: 'x'.repeat(60 * 1024), deliveryTimeoutMs: 60_000 })
})

test('a receiver that leaves copies unanswered is dropped after the delivery timeout', async (t) => {
  // Small messages: the write bound is never reached, the delivery timeout finds bob stuck.
  await stuckReceiver(t, { limit: 4 * 1024 * 1024, messages: 100, body: 'small message', deliveryTimeoutMs: 300 })
})

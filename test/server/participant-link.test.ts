import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { MsrpRequest } from '../../src/msrp/message.ts'
import { FakeClock } from '../../src/clock.ts'
import { ParticipantLink, RelayedMessage, type DeliveryMode, type LegOutcome, type LinkHandlers } from '../../src/server/participant-link.ts'
import { connectionWithRawPeer, type RawPeer } from '../msrp/helpers.ts'

const handlers: LinkHandlers = {
  maxMessageBytes: () => 1024,
  message: () => Promise.resolve({ status: 200 }),
  nickname: () => ({ status: 200 }),
  bound: () => undefined,
  closed: () => undefined,
}

function linked(mode: DeliveryMode, clock = new FakeClock()): { link: ParticipantLink; peer: RawPeer; clock: FakeClock } {
  const { connection, peer } = connectionWithRawPeer({ clock })
  const link = new ParticipantLink({
    id: 'focus1234',
    localUri: 'msrp://127.0.0.1:2855/focus1234;tcp',
    remotePath: ['msrp://127.0.0.1:9/relay99;tcp', 'msrp://127.0.0.1:7/user5678;tcp'],
    handlers,
    deliveryTimeoutMs: 10_000,
    deliveryMode: mode,
  })
  link.bind(connection)
  return { link, peer, clock }
}

function relay(link: ParticipantLink, message: RelayedMessage): Promise<LegOutcome> {
  return new Promise((resolve) => link.relay(message, resolve))
}

const BODY = Buffer.from('From: <sip:a@x.test>\r\nTo: <sip:room@x.test>\r\n\r\nContent-Type: text/plain\r\n\r\nhello -------- room')

describe('ParticipantLink relay (one serialization per fan-out)', () => {
  it('sends the same frame as the generic path, apart from the transaction id', async () => {
    const { link, peer } = linked('confirmed')
    const generic = link.deliver(BODY, 'msg.1')
    const viaGeneric = await peer.nextRequest()
    peer.respond(viaGeneric)
    assert.deepEqual(await generic, { ok: true })

    const relayed = relay(link, new RelayedMessage(BODY, 'msg.1', 'confirmed'))
    const viaRelay = await peer.nextRequest()
    assert.notEqual(viaRelay.transactionId, viaGeneric.transactionId)
    const strip = (r: MsrpRequest): unknown => ({ ...r, transactionId: 'x' })
    assert.deepEqual(strip(viaRelay), strip(viaGeneric))
    assert.equal(viaRelay.headers['Failure-Report'], undefined)
    assert.deepEqual(viaRelay.body, BODY)
    peer.respond(viaRelay)
    assert.deepEqual(await relayed, { ok: true })
  })

  it('reports a recipient refusal and a missing answer (408 on the delivery timeout)', async () => {
    const { link, peer, clock } = linked('confirmed')
    const refused = relay(link, new RelayedMessage(BODY, 'msg.2', 'confirmed'))
    peer.respond(await peer.nextRequest(), 415, 'Unsupported Media Type')
    assert.deepEqual(await refused, { ok: false, status: 415, reason: 'Unsupported Media Type' })

    const unanswered = relay(link, new RelayedMessage(BODY, 'msg.3', 'confirmed'))
    await peer.nextRequest()
    clock.advance(10_000)
    const outcome = await unanswered
    assert.equal(outcome.ok, false)
    assert.equal(!outcome.ok && outcome.status, 408)
  })

  it('in fast mode sends Failure-Report: partial and succeeds once written', async () => {
    const { link, peer } = linked('fast')
    const outcome = await relay(link, new RelayedMessage(BODY, 'msg.4', 'fast'))
    assert.deepEqual(outcome, { ok: true })
    const copy = await peer.nextRequest()
    assert.equal(copy.headers['Failure-Report'], 'partial')
    assert.deepEqual(copy.body, BODY)
  })

  it('answers 481 at once when the session is gone, and falls back to the checked path for odd ids', async () => {
    const { link, peer } = linked('confirmed')
    const odd = relay(link, new RelayedMessage(BODY, 'not an ident', 'confirmed'))
    const outcome = await odd
    assert.equal(outcome.ok, false, 'the serializer still refuses a Message-ID that is no ident')
    link.close()
    assert.deepEqual(await relay(link, new RelayedMessage(BODY, 'msg.5', 'confirmed')), { ok: false, status: 481, reason: 'Session does not exist' })
    assert.equal(peer.frames.length, 0)
  })
})

/**
 * INVITE with an MSRP SDP offer (src/sdp createOffer) from the SDK through Kamailio to a sipp
 * UAS (uas_invite.xml, registered by register_keep.xml): 407 answered (the transaction layer
 * ACKs it), 180, 200 with the MSRP answer, ACK and BYE along the Record-Route set. And the
 * other way: sipp invite_msrp.xml calls an SDK UA registered over TCP, which answers with
 * createAnswer, gets the ACK and the BYE.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createAnswer, createOffer, parseMsrpSdp } from '../../src/sdp/index.ts'
import type { SipRequest } from '../../src/sip/message.ts'
import { Inviter, Registerer, type Invitation, type Session, type UserAgent } from '../../src/sip/ua/index.ts'
import { freePort, runSipp, startKamailio, type KamailioInstance } from './harness/index.ts'
import { kamailioUa, requirePeers, sentRequests, udpPortBound, wireLog } from './sip-ua-helpers.ts'

const skip = requirePeers()

describe('interop: INVITE with MSRP SDP through Kamailio to sipp', { skip }, () => {
  let kam: KamailioInstance
  let alice: UserAgent
  before(async () => {
    kam = await startKamailio()
    alice = await kamailioUa(kam, 'alice')
  })
  after(async () => {
    await alice?.stop()
    await kam?.stop()
  })

  it('407 -> authenticated INVITE -> 180 -> 200 (MSRP answer) -> ACK and BYE via the record-routed proxy', async () => {
    const port = await freePort()
    const registered = await runSipp({
      scenario: 'register_keep.xml', remote: `${kam.host}:${kam.sipPort}`, localPort: port,
      args: ['-s', 'bob', '-au', 'bob', '-ap', 'secret', '-recv_timeout', '5000'],
    })
    assert.equal(registered.exitCode, 0, `${registered.command}\n${registered.errors}`)
    const uas = runSipp({ scenario: 'uas_invite.xml', localPort: port, timeoutMs: 20_000 })
    await udpPortBound(port)

    const wire = wireLog(alice)
    const sent = sentRequests(alice)
    const acks: SipRequest[] = []
    const sendAck = alice.core.sendAck.bind(alice.core)
    alice.core.sendAck = (ack, destination) => {
      acks.push(ack)
      return sendAck(ack, destination)
    }
    const offer = createOffer({ path: [`msrp://127.0.0.1:${await freePort()}/alicesess;tcp`], acceptTypes: ['text/plain'] })
    const inviter = new Inviter(alice, 'sip:bob@example.test', { sdp: offer })
    const progress: number[] = []
    inviter.on('progress', (r) => progress.push(r.status))
    const session = await inviter.invite()

    assert.ok(wire.includes('407 INVITE'), 'the first INVITE was challenged')
    assert.ok(progress.includes(180))
    const answer = parseMsrpSdp(session.remoteSdp)
    assert.match(answer.media[0]!.path.at(-1)!, /^msrp:\/\/127\.0\.0\.1:7394\/bobsess;tcp$/)
    // Record-Route from Kamailio became the route set; ACK and BYE carry it as Route.
    assert.equal(session.dialog.routeSet.length, 1)
    const route = session.dialog.routeSet[0]!
    assert.ok(route.uri.kind === 'sip' && route.uri.host === '127.0.0.1' && route.uri.port === kam.sipPort && route.uri.params.has('lr'))
    assert.equal(acks.length, 1)
    assert.match(acks[0]!.headers.get('Route')!, new RegExp(`^<sip:127\\.0\\.0\\.1:${kam.sipPort};lr`))
    assert.match(acks[0]!.uri, /^sip:bob@127\.0\.0\.1:\d+;transport=(udp|UDP)$/, 'ACK goes to the remote target (bob Contact)')

    const bye = await session.bye()
    assert.equal(bye.status, 200)
    const byeRequest = sent.find((r) => r.method === 'BYE')!
    assert.match(byeRequest.headers.get('Route')!, new RegExp(`^<sip:127\\.0\\.0\\.1:${kam.sipPort};lr`))
    assert.equal(session.state, 'terminated')
    const result = await uas
    assert.equal(result.exitCode, 0, `${result.command}\n${result.errors}\n${result.messages.slice(-4000)}`)
    assert.match(result.messages, /m=message \d+ TCP\/MSRP \*/)
  })

  it('sipp invite_msrp.xml -> Kamailio -> SDK UA over TCP: 180, 200 with createAnswer SDP, ACK, BYE from sipp ends the session', async () => {
    const callee = await kamailioUa(kam, 'callee', { transport: 'tcp' })
    try {
      await new Registerer(callee, { expires: 300 }).register()
      let invitation: Invitation | undefined
      let accepted: Promise<Session> | undefined
      callee.on('invite', (inv) => {
        invitation = inv
        const answer = createAnswer(inv.remoteSdp, { path: ['msrp://127.0.0.1:7395/bobsess;tcp'], acceptTypes: ['text/plain'] })
        if (!answer.ok) {
          inv.reject(488)
          return
        }
        inv.progress(180)
        accepted = inv.accept(answer.sdp)
      })
      const caller = runSipp({
        scenario: 'invite_msrp.xml', remote: `${kam.host}:${kam.sipPort}`, transport: 'u1',
        args: ['-s', 'callee', '-au', 'alice', '-ap', 'secret', '-recv_timeout', '5000'],
      })
      const result = await caller
      assert.equal(result.exitCode, 0, `${result.command}\n${result.errors}\n${result.messages.slice(-4000)}`)
      assert.ok(invitation && accepted, 'the SDK got the INVITE')
      const session = await accepted
      assert.equal(invitation.state, 'accepted')
      assert.match(session.remoteSdp, /m=message \d+ TCP\/MSRP \*/)
      // UDP in, TCP out: Kamailio record-routes twice (r2=on), once per interface.
      assert.equal(session.dialog.routeSet.length, 2, 'Kamailio record-routed the call on both transports')
      assert.ok(session.dialog.routeSet.every((r) => r.uri.kind === 'sip' && r.uri.host === '127.0.0.1' && r.uri.params.has('lr')))
      if (session.state !== 'terminated') await new Promise<void>((resolve) => session.once('terminated', () => resolve()))
      assert.equal(session.state, 'terminated', 'the BYE from sipp ended it')
    } finally {
      await callee.stop()
    }
  })
})

/**
 * `advertise`: the server binds one address (127.0.0.1 here) and names another (`localhost`,
 * which still resolves to it, so real clients connect) in Via sent-by, Contact, Record-Route
 * and the MSRP a=path it hands out.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startChatServer, type ChatServer } from '../../src/server/index.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import { TestParticipant } from './participant.ts'

const DOMAIN = 'example.test'

async function withAdvertisedServer(fn: (server: ChatServer, join: (user: string) => Promise<TestParticipant>) => Promise<void>): Promise<void> {
  const server = await startChatServer({
    domain: DOMAIN,
    rooms: ['lobby'],
    transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0, advertise: 'localhost' },
  })
  const people: TestParticipant[] = []
  try {
    await fn(server, async (user) => {
      const p = await TestParticipant.create(server, user, { transport: 'tcp' })
      people.push(p)
      return p
    })
  } finally {
    await server.close()
    for (const p of people) await p.close()
  }
}

/** The raw SIP text of every message `p` receives (the test's own listener, beside the core's). */
function tap(p: TestParticipant): string[] {
  const seen: string[] = []
  p.set.on('message', (bytes) => seen.push(bytes.toString('utf8')))
  return seen
}

test('bound to 127.0.0.1, advertised as localhost: addresses and sipUri', async () => {
  await withAdvertisedServer(async (server) => {
    assert.equal(server.addresses.advertise, 'localhost')
    // The listening addresses stay the bound ones.
    assert.ok(server.addresses.sip.every((a) => a.host === '127.0.0.1'))
    assert.equal(server.addresses.msrp.host, '127.0.0.1')
    const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
    assert.equal(server.sipUri('tcp'), `sip:localhost:${tcp.port};transport=tcp`)
  })
})

test('a participant joins: a=path and Contact name localhost, the focus NOTIFY Via too, and chat works', async () => {
  await withAdvertisedServer(async (server, join) => {
    const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    const aliceWire = tap(alice)
    const joined = await alice.joinOk('lobby')
    assert.match(joined.answer.path[0]!, new RegExp(`^msrp://localhost:${server.addresses.msrp.port}/[^/]+;tcp$`))
    assert.equal(joined.response.headers.get('Contact'), `<sip:lobby@localhost:${tcp.port};transport=tcp>;isfocus`)
    await bob.joinOk('lobby')
    assert.equal(await alice.say('lobby', 'hello over an advertised address'), 200)
    assert.equal((await bob.messages.next()).text, 'hello over an advertised address')
    assert.equal(await bob.say('lobby', 'heard you'), 200)
    assert.equal((await alice.messages.next()).text, 'heard you')
    // The server's own requests (conference NOTIFYs, RFC 4575) carry the advertised sent-by,
    // and their answers (Via: localhost) are matched to the server's transactions.
    const sub = await alice.subscribe(server.roomUri('lobby'), 'conference')
    assert.equal(sub.response.status, 200)
    await alice.notifies.next((n) => n.event === 'conference')
    const notify = aliceWire.find((m) => m.startsWith('NOTIFY '))
    assert.ok(notify !== undefined, 'alice received a NOTIFY')
    assert.match(notify, new RegExp(`^Via: SIP/2\\.0/TCP localhost:${tcp.port};`, 'mi'))
    assert.doesNotMatch(notify, /^(Via|Contact|Record-Route):.*127\.0\.0\.1/im)
  })
})

test('the proxy record-routes and Vias with the advertised host; in-dialog requests to it pass through', async () => {
  await withAdvertisedServer(async (server, join) => {
    const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
    const [alice, bob] = await Promise.all([join('alice'), join('bob')])
    bob.acceptCalls = true
    assert.equal((await bob.register()).status, 200)
    const offer = createOffer({ path: [`msrp://127.0.0.1:9/${'a'.repeat(10)};tcp`], acceptTypes: ['text/plain'] })
    const { request, response } = await alice.request('INVITE', bob.uri, { body: offer, contentType: 'application/sdp' })
    assert.equal(response.status, 200)
    assert.deepEqual(response.headers.getAllLines('Record-Route'), [`<sip:localhost:${tcp.port};transport=tcp;lr>`])
    const call = await bob.calls.next()
    assert.match(call.request.headers.getList('Via')[0] ?? '', new RegExp(`^SIP/2\\.0/TCP localhost:${tcp.port};`))
    // alice's route set now names localhost: the server must take that Route as its own.
    const dialog = alice.core.createUacDialog(request, response)
    await alice.core.sendAck(dialog.createAck(readCSeq(request.headers).seq))
    assert.equal(await bob.callRequests.next((m) => m === 'ACK'), 'ACK')
    const bye = await alice.core.sendRequest(dialog.createRequest('BYE'), { dialog })
    assert.equal(bye.status, 200)
    assert.equal(await bob.callRequests.next((m) => m === 'BYE'), 'BYE')
  })
})

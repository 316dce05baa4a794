import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { UserAgentCore } from '../../../src/sip/core/user-agent-core.ts'
import { sourceOf, transportSetPort } from '../../../src/sip/core/transport-adapter.ts'
import { TransportSet } from '../../../src/sip/transport/transport-set.ts'
import { createMemoryNetwork } from '../../../src/sip/transport/memory.ts'
import { UdpTransport } from '../../../src/sip/transport/udp.ts'
import { TcpTransport } from '../../../src/sip/transport/tcp.ts'
import { readTopVia } from '../../../src/sip/headers/via.ts'

test('two cores talk over the in-memory transport through TransportSet', async () => {
  const net = createMemoryNetwork()
  const setA = new TransportSet([net.createTransport({ host: 'alice.invalid', port: 5060 })])
  const setB = new TransportSet([net.createTransport({ host: 'bob.invalid', port: 5060 })])
  await setA.listen()
  await setB.listen()
  const alice = new UserAgentCore({ port: transportSetPort(setA), defaultTransport: 'MEMORY' })
  const bob = new UserAgentCore({ port: transportSetPort(setB), defaultTransport: 'MEMORY' })
  setA.on('message', (bytes, meta) => alice.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
  setB.on('message', (bytes, meta) => bob.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
  let seenVia = ''
  bob.onRequest((req) => {
    seenVia = req.message.headers.get('Via')!
    req.respond(200, { body: Buffer.from('pong'), contentType: 'text/plain' })
  })
  try {
    const request = alice.createRequest('MESSAGE', 'sip:bob@bob.invalid:5060', { from: '<sip:alice@alice.invalid>', body: 'ping', contentType: 'text/plain' })
    const response = await alice.sendRequest(request)
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'pong')
    const via = readTopVia(request.headers)
    assert.equal(via.transport, 'MEMORY')
    assert.equal(via.host, 'alice.invalid')
    assert.match(seenVia, /^SIP\/2\.0\/MEMORY alice\.invalid:5060;branch=z9hG4bK/)
  } finally {
    alice.close()
    bob.close()
    await setA.close()
    await setB.close()
  }
})

test('UDP and TCP on loopback: an INVITE with 2xx, ACK and BYE; a large MESSAGE switches to TCP', async () => {
  const setA = new TransportSet([new UdpTransport({ host: '127.0.0.1', port: 0 }), new TcpTransport({ host: '127.0.0.1', port: 0 })])
  const setB = new TransportSet([new UdpTransport({ host: '127.0.0.1', port: 0 }), new TcpTransport({ host: '127.0.0.1', port: 0 })])
  await setA.listen()
  await setB.listen()
  const alice = new UserAgentCore({ port: transportSetPort(setA) })
  const bob = new UserAgentCore({ port: transportSetPort(setB) })
  setA.on('message', (bytes, meta) => alice.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
  setB.on('message', (bytes, meta) => bob.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
  const bobUdp = setB.localAddress('udp')
  const bobTcp = setB.localAddress('tcp')
  const transports: string[] = []
  bob.onRequest((req) => {
    transports.push(`${req.method}/${req.source.transport}`)
    if (req.method === 'INVITE') {
      bob.createUasDialog(req, `<sip:bob@127.0.0.1:${bobUdp.port}>`, (inDialog) => {
        transports.push(`${inDialog.method}/${inDialog.source.transport}`)
        if (inDialog.method === 'BYE') inDialog.respond(200)
      })
      req.respond(200, { headers: [['Contact', `<sip:bob@127.0.0.1:${bobUdp.port}>`]] })
    } else if (req.method === 'MESSAGE') req.respond(202)
  })
  try {
    const invite = alice.createRequest('INVITE', `sip:bob@127.0.0.1:${bobUdp.port}`, { from: '<sip:alice@127.0.0.1>', headers: [['Contact', `<sip:alice@127.0.0.1:${setA.localAddress('udp').port}>`]] })
    const ok = await alice.sendRequest(invite)
    assert.equal(ok.status, 200)
    const dialog = alice.createUacDialog(invite, ok)
    await alice.sendAck(dialog.createAck(1))
    const bye = await alice.sendRequest(dialog.createRequest('BYE'), { dialog })
    assert.equal(bye.status, 200)
    const big = alice.createRequest('MESSAGE', `sip:bob@127.0.0.1:${bobTcp.port}`, { from: '<sip:alice@127.0.0.1>', body: 'y'.repeat(3000), contentType: 'text/plain' })
    assert.equal((await alice.sendRequest(big)).status, 202)
    assert.deepEqual(transports, ['INVITE/UDP', 'ACK/UDP', 'BYE/UDP', 'MESSAGE/TCP'])
    assert.equal(alice.dialogCount, 0)
    assert.equal(bob.dialogCount, 0)
  } finally {
    alice.close()
    bob.close()
    await setA.close()
    await setB.close()
  }
})

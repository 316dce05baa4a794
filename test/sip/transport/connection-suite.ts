import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ConnectionTransport, MessageMeta, KeepaliveOptions, TransportAddress } from '../../../src/sip/transport/index.ts'
import { collect, FakeTimers, nextEvent, sipRequest } from './helpers.ts'

/** Builds a listening server and a client of one connection transport. */
export type PairFactory = (options: { keepalive?: KeepaliveOptions }) => Promise<{
  server: ConnectionTransport
  client: ConnectionTransport
  /** Where the client reaches the server. */
  target: TransportAddress
}>

/** The behaviour every connection transport shares: run once per transport. */
export function connectionSuite(name: string, makePair: PairFactory): void {
  test(`${name}: request and response travel over one connection`, async () => {
    const { server, client, target } = await makePair({})
    try {
      assert.equal(client.reliable, true)
      const request = nextEvent<[Buffer, MessageMeta]>(server, 'message')
      await client.send(sipRequest('hi'), { host: target.address, port: target.port })
      const [bytes, meta] = await request
      assert.deepEqual(bytes, sipRequest('hi'))
      assert.equal(meta.protocol, server.protocol)
      assert.ok(meta.connectionId)
      // RFC 3261 §18.2.2: the response goes back over the connection the request came on.
      const response = nextEvent<[Buffer, MessageMeta]>(client, 'message')
      await server.send(sipRequest('back'), { host: 'unused.invalid', port: 1, connectionId: meta.connectionId })
      const [reply, replyMeta] = await response
      assert.deepEqual(reply, sipRequest('back'))
      assert.deepEqual(client.connectionIds(), [replyMeta.connectionId])
      // Addressing the peer by its source address also reuses the connection.
      const again = nextEvent<[Buffer, MessageMeta]>(client, 'message')
      await server.send(sipRequest('again'), { host: meta.remote.address, port: meta.remote.port })
      assert.equal((await again)[1].connectionId, replyMeta.connectionId)
      // And the client's next request reuses its connection too.
      const second = nextEvent<[Buffer, MessageMeta]>(server, 'message')
      await client.send(sipRequest('second'), { host: target.address, port: target.port })
      assert.equal((await second)[1].connectionId, meta.connectionId)
      assert.equal(server.connectionIds().length, 1)
      assert.equal(client.connectionIds().length, 1)
    } finally {
      await client.close()
      await server.close()
    }
  })

  test(`${name}: concurrent sends to a new peer open one connection, in order`, async () => {
    const { server, client, target } = await makePair({})
    try {
      const arrived = collect<[Buffer, MessageMeta]>(server, 'message', 5)
      await Promise.all([1, 2, 3, 4, 5].map((n) => client.send(sipRequest(`m${n}`), { host: target.address, port: target.port })))
      const got = await arrived
      assert.deepEqual(got.map(([b]) => b), [1, 2, 3, 4, 5].map((n) => sipRequest(`m${n}`)))
      assert.equal(client.connectionIds().length, 1)
    } finally {
      await client.close()
      await server.close()
    }
  })

  test(`${name}: closing one side tells the other, and sends after close reject`, async () => {
    const { server, client, target } = await makePair({})
    try {
      const request = nextEvent<[Buffer, MessageMeta]>(server, 'message')
      await client.send(sipRequest(), { host: target.address, port: target.port })
      const [, meta] = await request
      const serverSaw = nextEvent<[string, string]>(server, 'connection-closed')
      const clientSaw = nextEvent<[string, string]>(client, 'connection-closed')
      await client.close()
      assert.equal((await clientSaw)[1], 'local')
      const [id, reason] = await serverSaw
      assert.equal(id, meta.connectionId)
      assert.equal(reason, 'remote')
      assert.deepEqual(server.connectionIds(), [])
      await assert.rejects(client.send(sipRequest(), { host: target.address, port: target.port }), { code: 'SIP_TRANSPORT_CLOSED' })
    } finally {
      await client.close()
      await server.close()
    }
  })

  test(`${name}: keepalive pings get pongs and never reach 'message'`, async () => {
    const timers = new FakeTimers()
    const { server, client, target } = await makePair({ keepalive: { intervalMs: 30_000, timeoutMs: 10_000, timers } })
    try {
      const messages: Buffer[] = []
      server.on('message', (b) => messages.push(b))
      client.on('message', (b) => messages.push(b))
      const first = nextEvent(server, 'message')
      await client.send(sipRequest(), { host: target.address, port: target.port })
      await first
      for (let round = 0; round < 2; round++) {
        const ping = nextEvent<[string, string]>(server, 'keepalive')
        const clientSide = collect<[string, string]>(client, 'keepalive', 2)
        timers.advance(30_000)
        assert.equal((await ping)[1], 'ping-received')
        assert.deepEqual((await clientSide).map(([, event]) => event), ['ping-sent', 'pong-received'])
      }
      timers.advance(10_000) // the last pong cleared its timeout, so nothing closes
      assert.equal(client.connectionIds().length, 1)
      assert.equal(messages.length, 1)
    } finally {
      await client.close()
      await server.close()
    }
  })
}

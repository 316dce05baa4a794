import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock } from '../../../src/clock.ts'
import { Registerer, SipStateError, UserAgent, type IncomingMessage, type UaTransportKind } from '../../../src/sip/ua/index.ts'
import { settle, until, world } from './helpers.ts'
import { nodeTransports } from '../../../src/sip/ua/node-transports.ts'

describe('UserAgent facade', () => {
  for (const transport of ['udp', 'tcp', 'ws'] as UaTransportKind[]) {
    it(`creates its ${transport} transport on loopback and exchanges a MESSAGE with another UA`, async () => {
      const a = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:a@example.test', transport })
      const b = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:b@example.test', transport })
      await a.start()
      await b.start()
      try {
        assert.match(a.contactUri, new RegExp(`^sip:a@127\\.0\\.0\\.1:\\d+;transport=${transport}$`))
        const got: IncomingMessage[] = []
        b.on('message', (m) => got.push(m))
        const local = b.localAddress
        const response = await a.sendMessage(`sip:b@127.0.0.1:${local.port};transport=${transport}`, `over ${transport}`)
        assert.equal(response.status, 200)
        assert.equal(got[0]?.text, `over ${transport}`)
        assert.equal(got[0]?.request.source.transport, transport.toUpperCase())
      } finally {
        await a.stop()
        await b.stop()
      }
    })
  }

  it('adds ;ob to the Contact when keepalive is on (RFC 5626 §5.4)', async () => {
    const ua = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:k@example.test', transport: 'tcp', keepalive: { intervalMs: 100_000 } })
    await ua.start()
    assert.match(ua.contactUri, /;transport=tcp;ob$/)
    await ua.stop()
  })

  it('says what to do when used before start()', async () => {
    const ua = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:n@example.test' })
    assert.equal(ua.state, 'stopped')
    await assert.rejects(ua.sendMessage('sip:x@example.test', 'x'), (e: unknown) => e instanceof SipStateError && /await ua\.start\(\)/.test(e.message))
  })

  it('logs every state transition at debug level', async () => {
    const lines: string[] = []
    const w = world()
    const ua = await w.ua('logged', { logger: { debug: (m) => lines.push(m), warn: () => {} } })
    assert.ok(lines.some((l) => /UserAgent sip:logged@example\.test: starting -> started/.test(l)))
    await w.close()
    assert.equal(ua.state, 'stopped')
  })

  it('retries a failed refresh with back-off (RFC 5626 §4.5) and recovers', async () => {
    const w = world()
    const server = await w.server('registrar.test')
    let fail = false
    server.handler = (r) => r.respond(fail ? 503 : 200, { headers: [['Expires', '100']] })
    const ua = await w.ua('flaky', { outboundProxy: 'sip:registrar.test:5060;lr' })
    const registerer = new Registerer(ua, { retryBaseMs: 1000, random: () => 1 })
    const failures: string[] = []
    registerer.on('failed', (e) => failures.push(e.message))
    await registerer.register()
    fail = true
    w.clock.advance(90_000)
    await until(() => failures.length === 1, 'refresh failure')
    assert.match(failures[0]!, /503/)
    assert.equal(registerer.state, 'unregistered')
    fail = false
    w.clock.advance(999)
    await settle()
    assert.equal(server.of('REGISTER').length, 2, 'waits the back-off')
    w.clock.advance(1)
    await until(() => registerer.state === 'registered', 're-registered')
    assert.equal(server.of('REGISTER').length, 3)
    await w.close()
  })

  it('stop() is idempotent and ends owned objects', async () => {
    const clock = new FakeClock()
    const ua = new UserAgent({ transportFactory: nodeTransports, uri: 'sip:s@example.test', clock })
    await ua.start()
    await ua.stop()
    await ua.stop()
    assert.equal(ua.state, 'stopped')
  })
})

/** A memory network with SDK user agents and a scripted SIP server on a FakeClock. */
import { UserAgentCore } from '../../../src/sip/core/user-agent-core.ts'
import type { IncomingRequest } from '../../../src/sip/core/incoming-request.ts'
import { sourceOf, transportSetPort } from '../../../src/sip/core/transport-adapter.ts'
import { DigestServer } from '../../../src/sip/digest-server.ts'
import type { SipRequest } from '../../../src/sip/message.ts'
import { FakeClock } from '../../../src/clock.ts'
import { TransportSet } from '../../../src/sip/transport/transport-set.ts'
import { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from '../../../src/sip/transport/memory.ts'
import { UserAgent, type UserAgentOptions } from '../../../src/sip/ua/index.ts'

/** Lets queued deliveries (setImmediate on the memory network) and their follow-ups run. */
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/**
 * Resolves when `predicate` holds, polling on the event loop (bounded), then lets messages in
 * flight land, so a following FakeClock advance does not time out a transaction whose answer
 * was still on the way.
 */
export async function until(predicate: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) {
      await settle()
      return
    }
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** A SIP server core on the memory network whose request handling each test scripts. */
export class ScriptedServer {
  readonly core: UserAgentCore
  readonly transport: MemoryTransport
  readonly set: TransportSet
  readonly received: SipRequest[] = []
  handler: (request: IncomingRequest) => void = (r) => r.respond(200)

  constructor(network: MemoryNetwork, clock: FakeClock, host = 'server.test') {
    this.transport = network.createTransport({ host, port: 5060 })
    this.set = new TransportSet([this.transport])
    this.core = new UserAgentCore({ port: transportSetPort(this.set), clock, defaultTransport: 'MEMORY', methods: ['REGISTER', 'MESSAGE', 'INVITE', 'ACK', 'BYE', 'CANCEL', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'OPTIONS', 'UPDATE', 'INFO'] })
    this.set.on('message', (bytes, meta) => this.core.receiveBytes(bytes, sourceOf(meta), false))
    this.core.onRequest((r) => {
      this.received.push(r.message)
      this.handler(r)
    })
  }

  async start(): Promise<this> {
    await this.set.listen()
    return this
  }

  async stop(): Promise<void> {
    this.core.close()
    await this.set.close()
  }

  /** Received requests of one method. */
  of(method: string): SipRequest[] {
    return this.received.filter((r) => r.method === method)
  }
}

/** A challenge/verify helper: answers 401/407 until the credentials verify. */
export function digestGuard(realm = 'example.test', password = 'secret', options: { qop?: boolean; algorithms?: Array<'MD5' | 'SHA-256'> } = {}): DigestServer {
  return new DigestServer({ realm, lookup: () => ({ password }), qop: options.qop ?? true, algorithms: options.algorithms ?? ['MD5'] })
}

/** Everything a UA test needs. */
export interface UaWorld {
  readonly clock: FakeClock
  readonly network: MemoryNetwork
  ua(name: string, options?: Partial<UserAgentOptions>): Promise<UserAgent>
  server(host?: string): Promise<ScriptedServer>
  close(): Promise<void>
}

/** Creates a memory network, a FakeClock, and factories for UAs (`sip:<name>@example.test` on host `<name>.test`). */
export function world(): UaWorld {
  const clock = new FakeClock()
  const network = createMemoryNetwork()
  const uas: UserAgent[] = []
  const servers: ScriptedServer[] = []
  return {
    clock,
    network,
    async ua(name, options = {}) {
      const ua = new UserAgent({
        uri: `sip:${name}@example.test`,
        password: 'secret',
        transport: network.createTransport({ host: `${name}.test`, port: 5060 }),
        clock,
        ...options,
      })
      await ua.start()
      uas.push(ua)
      return ua
    },
    async server(host) {
      const server = await new ScriptedServer(network, clock, host).start()
      servers.push(server)
      return server
    },
    async close() {
      for (const ua of uas) {
        const stopping = ua.stop()
        // Let the disposers' requests complete over the memory network.
        for (let i = 0; i < 5; i++) {
          await settle()
          clock.advance(40_000)
        }
        await stopping
      }
      for (const server of servers) await server.stop()
    },
  }
}

/** Two UA cores joined by an in-test network on a FakeClock: messages are serialized, parsed and delivered on the microtask queue. */
import { UserAgentCore, type UserAgentCoreOptions } from '../../../src/sip/core/user-agent-core.ts'
import type { SipMessage } from '../../../src/sip/message.ts'
import { serializeSipMessage } from '../../../src/sip/serializer.ts'
import { FakeClock } from '../../../src/clock.ts'
import type { Destination, TransportPort } from '../../../src/sip/transaction/transport-port.ts'

export interface Wire {
  readonly from: string
  readonly to: Destination
  readonly message: SipMessage
  readonly at: number
}

export class TestNetwork {
  readonly clock = new FakeClock()
  readonly log: Wire[] = []
  readonly #nodes = new Map<string, UserAgentCore>()
  /** Return true to drop a message. */
  drop: (wire: Wire) => boolean = () => false

  /** A core listening on host:port (all transports share the address in this test network). */
  node(host: string, port: number, options: Partial<UserAgentCoreOptions> = {}): UserAgentCore {
    const net = this
    const transportPort: TransportPort & { sentBy(t: string): { host: string; port: number } } = {
      send(message, destination) {
        const wire = { from: `${host}:${port}`, to: destination, message, at: net.clock.now() }
        net.log.push(wire)
        if (net.drop(wire)) return Promise.resolve()
        const target = net.#nodes.get(`${destination.host}:${destination.port}`)
        const bytes = serializeSipMessage(message)
        if (target) {
          queueMicrotask(() => target.receiveBytes(bytes, { host, port, transport: destination.transport }, destination.transport === 'UDP'))
        }
        return Promise.resolve()
      },
      sentBy: () => ({ host, port }),
    }
    const core = new UserAgentCore({ port: transportPort, clock: this.clock, ...options })
    this.#nodes.set(`${host}:${port}`, core)
    return core
  }

  /** Messages sent so far, as "METHOD" or status numbers, optionally only from one node. */
  summary(from?: string): string[] {
    return this.log
      .filter((w) => from === undefined || w.from === from)
      .map((w) => (w.message.kind === 'request' ? w.message.method : String(w.message.status)))
  }
}

/** Lets queued deliveries (microtasks) and their follow-ups run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

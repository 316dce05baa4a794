/**
 * The SDK UA that sipp loads in test/bench/sip-load.bench.ts and test/interop/sipp-load.test.ts:
 * a {@link UserAgentCore} on a {@link TransportSet} (UDP and TCP on one port, as a bot's UA
 * listens) whose request handler answers every MESSAGE with 200 through its server
 * transaction — the same path a bot's UA takes (parse, Via stamping, transaction matching,
 * request checks, handler, response through the transaction, serialize, send).
 */
import { UserAgentCore, sourceOf, transportSetPort } from '../../src/sip/core/index.ts'
import { TcpTransport, TransportSet, UdpTransport } from '../../src/sip/transport/index.ts'

/** A running answerer: its port, its counters and how to stop it. */
export interface MessageAnswerer {
  /** The port UDP and TCP both listen on (127.0.0.1). */
  readonly port: number
  /** The core, for diagnostics (e.g. `core.transactions`). */
  readonly core: UserAgentCore
  /** MESSAGE requests answered with 200 (each a new server transaction, retransmissions excluded). */
  answered(): number
  /** Requests other than MESSAGE (answered 405 or 501) plus transport errors reported by the set. */
  problems(): number
  /** Forgets the counts (between measurement runs). */
  reset(): void
  /** Closes the core and both transports. */
  close(): Promise<void>
}

/**
 * Starts an answerer on 127.0.0.1 (`port` 0: a free one picked by the OS for UDP, then TCP on
 * the same number).
 */
export async function startMessageAnswerer(port = 0): Promise<MessageAnswerer> {
  const udp = new UdpTransport({ host: '127.0.0.1', port })
  await udp.listen()
  const bound = udp.localAddress().port
  const tcp = new TcpTransport({ host: '127.0.0.1', port: bound })
  try {
    await tcp.listen()
  } catch (error) {
    await udp.close()
    throw error
  }
  const set = new TransportSet([udp, tcp])
  const core = new UserAgentCore({ port: transportSetPort(set) })
  let answered = 0
  let problems = 0
  set.on('message', (bytes, meta) => core.receiveBytes(bytes, sourceOf(meta), meta.protocol === 'udp'))
  set.on('error', () => {
    problems++
  })
  core.onRequest((request) => {
    if (request.method === 'MESSAGE') {
      request.respond(200)
      answered++
    } else {
      request.respond(501)
      problems++
    }
  })
  return {
    port: bound,
    core,
    answered: () => answered,
    problems: () => problems,
    reset() {
      answered = 0
      problems = 0
    },
    async close() {
      core.close()
      await set.close()
    },
  }
}

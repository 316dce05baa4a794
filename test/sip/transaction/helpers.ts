/** Test doubles for the transaction layer: a recording transport port and message builders. */
import { FakeClock } from '../../../src/clock.ts'
import { sipTimers } from '../../../src/sip/timers.ts'
import { parseSipMessage } from '../../../src/sip/parser.ts'
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message.ts'
import type { Destination, TransportPort } from '../../../src/sip/transaction/transport-port.ts'
import type { TransactionContext } from '../../../src/sip/transaction/transaction.ts'
import { createResponse } from '../../../src/sip/response.ts'

/** A port that records what was sent and when. */
export class RecordingPort implements TransportPort {
  readonly sent: Array<{ at: number; message: SipMessage; destination: Destination }> = []
  fail = false
  constructor(readonly clock: FakeClock) {}
  send(message: SipMessage, destination: Destination): Promise<void> {
    if (this.fail) return Promise.reject(new Error('connection refused'))
    this.sent.push({ at: this.clock.now(), message, destination })
    return Promise.resolve()
  }
  /** Send times of messages matching a predicate. */
  times(filter: (m: SipMessage) => boolean): number[] {
    return this.sent.filter((s) => filter(s.message)).map((s) => s.at)
  }
}

/** A fresh context on a fake clock. */
export function context(): { clock: FakeClock; port: RecordingPort; ctx: TransactionContext } {
  const clock = new FakeClock()
  const port = new RecordingPort(clock)
  return { clock, port, ctx: { clock, port, timers: sipTimers() } }
}

export const UDP: Destination = { host: '192.0.2.10', port: 5060, transport: 'UDP' }
export const TCP: Destination = { host: '192.0.2.10', port: 5060, transport: 'TCP' }

/** A request with the given method and branch. */
export function request(method: string, branch = 'z9hG4bK74bf9', extra = ''): SipRequest {
  const text =
    `${method} sip:bob@biloxi.example.com SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=${branch}\r\n` +
    'Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n' +
    'From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n' +
    `Call-ID: 3848276298220188511@atlanta.example.com\r\nCSeq: 2 ${method}\r\n${extra}Content-Length: 0\r\n\r\n`
  return parseSipMessage(Buffer.from(text)) as SipRequest
}

/** A response to `req` with the To tag the server would add. */
export function response(req: SipRequest, status: number, toTag = 'srv1'): SipResponse {
  return createResponse(req, status, { toTag })
}

/** Flushes promise callbacks (transport failures are reported asynchronously). */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

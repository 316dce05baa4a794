/** Test helpers for MSRP connections: a hand-driven raw peer and session pairs over memory or TCP. */
import { setImmediate as tick } from 'node:timers/promises'
import type { Duplex } from 'node:stream'
import type { MsrpFrame, MsrpRequest, MsrpResponse } from '../../src/msrp/message.ts'
import { MsrpParser } from '../../src/msrp/parser.ts'
import { serializeFrame } from '../../src/msrp/serializer.ts'
import { MsrpConnection } from '../../src/msrp/connection.ts'
import type { MsrpConnectionOptions } from '../../src/msrp/connection.ts'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { createMemoryPair } from '../../src/msrp/memory-stream.ts'
import type { MemoryStream } from '../../src/msrp/memory-stream.ts'
import { MsrpSession, localMsrpUri } from '../../src/msrp/session.ts'
import { dialMsrp } from '../../src/msrp/node-dial.ts'
import type { IncomingMsrpMessage, MsrpSessionOptions } from '../../src/msrp/session.ts'
import { streamTransport } from '../../src/msrp/transport.ts'
import type { MsrpUri } from '../../src/msrp/uri.ts'

/** A peer driven by hand: reads frames into a queue, writes whatever frames the test gives it. */
export class RawPeer {
  readonly frames: MsrpFrame[] = []
  readonly #waiters: Array<(frame: MsrpFrame) => void> = []
  readonly #parser = new MsrpParser()

  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.#parser.feed(chunk, (frame) => {
        const waiter = this.#waiters.shift()
        if (waiter) waiter(frame)
        else this.frames.push(frame)
      })
    })
  }

  /** The next frame the peer receives. */
  next(): Promise<MsrpFrame> {
    const frame = this.frames.shift()
    if (frame) return Promise.resolve(frame)
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  async nextRequest(): Promise<MsrpRequest> {
    const f = await this.next()
    if (f.type !== 'request') throw new Error(`expected a request, got response ${f.status}`)
    return f
  }

  async nextResponse(): Promise<MsrpResponse> {
    const f = await this.next()
    if (f.type !== 'response') throw new Error(`expected a response, got ${f.method}`)
    return f
  }

  send(frame: MsrpFrame): void {
    this.stream.write(serializeFrame(frame))
  }

  /** Answers a request as an endpoint would. */
  respond(request: MsrpRequest, status = 200, comment = 'OK'): void {
    this.send({
      type: 'response',
      transactionId: request.transactionId,
      status,
      comment,
      headers: { 'To-Path': request.headers['From-Path'], 'From-Path': [request.headers['To-Path'][0]!] },
      extensionHeaders: [],
      continuation: '$',
    })
  }
}

/** A memory pair: an MSRP connection on one end, a raw peer on the other. */
export function connectionWithRawPeer(options: MsrpConnectionOptions = {}, highWaterMark?: number): { connection: MsrpConnection; peer: RawPeer; peerStream: MemoryStream } {
  const [a, b] = createMemoryPair({ highWaterMark })
  const connection = new MsrpConnection(streamTransport(a, 'memory'), { role: 'active', ...options })
  return { connection, peer: new RawPeer(b), peerStream: b }
}

/** Yields to the event loop until `condition` holds (at most `max` turns). */
export async function until(condition: () => boolean, max = 10_000): Promise<void> {
  for (let i = 0; i < max && !condition(); i++) await tick()
  if (!condition()) throw new Error('condition not reached')
}

export type PairKind = 'memory' | 'tcp'

export interface SessionPair {
  /** The side that connected (a=setup:active). */
  active: MsrpSession
  /** The side that listened (a=setup:passive). */
  passive: MsrpSession
  listener: MsrpListener
  /** The passive side's stream of the connection (memory pairs only), to pause it. */
  passiveStream: MemoryStream | undefined
  activeStream: MemoryStream | undefined
  close(): Promise<void>
}

/**
 * Two sessions over a memory pair or loopback TCP: the active one dials and binds with an
 * empty SEND; the passive one waits on a listener.
 */
export async function sessionPair(
  kind: PairKind,
  options: { active?: Partial<MsrpSessionOptions>; passive?: Partial<MsrpSessionOptions>; highWaterMark?: number } = {},
): Promise<SessionPair> {
  let listener: MsrpListener
  let passiveStream: MemoryStream | undefined
  let activeStream: MemoryStream | undefined
  let connection: MsrpConnection | undefined
  let port: number
  if (kind === 'tcp') {
    listener = await MsrpListener.listen({ host: '127.0.0.1', port: 0 })
    port = listener.address!.port
  } else {
    listener = new MsrpListener()
    port = 2855
    const [a, b] = createMemoryPair({ highWaterMark: options.highWaterMark })
    activeStream = a
    passiveStream = b
    listener.accept(b)
    connection = new MsrpConnection(streamTransport(a, 'memory'), { role: 'active', clock: options.active?.clock })
  }
  const passiveUri: MsrpUri = localMsrpUri({ host: '127.0.0.1', port })
  const activeUri: MsrpUri = localMsrpUri({ host: '127.0.0.1', port: 9 })
  const passive = new MsrpSession({ localUri: passiveUri, listener, remotePath: [activeUri], ...options.passive })
  const active = await MsrpSession.connect({ localUri: activeUri, remotePath: [passiveUri], connection, dial: dialMsrp, ...options.active })
  await passive.opened()
  return {
    active,
    passive,
    listener,
    passiveStream,
    activeStream,
    async close() {
      await active.close()
      await passive.close()
      connection?.close()
      await listener.close()
    },
  }
}

/** Resolves with the next `message` event of a session. */
export function nextMessage(session: MsrpSession): Promise<IncomingMsrpMessage> {
  return new Promise((resolve) => session.once('message', resolve))
}

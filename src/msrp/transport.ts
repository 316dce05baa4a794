/**
 * The byte pipe under an MSRP connection: a Node duplex stream (net.Socket, tls.TLSSocket, the
 * in-memory pair) or a WebSocket carrying one MSRP frame per message (RFC 7977 §5).
 */
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'

/** Address of one end of a transport, when it has one. */
export interface TransportAddress {
  readonly address: string
  readonly port: number
}

function address(host: string | undefined, port: number | undefined): TransportAddress | undefined {
  return host !== undefined && port !== undefined ? { address: host, port } : undefined
}

/** What {@link MsrpConnection} needs from a transport. */
export interface MsrpTransport {
  /** `tcp`, `tls`, `ws`, `wss` or `memory`. */
  readonly kind: string
  /** Local address, when known (a TCP socket's `localAddress:localPort`). */
  readonly local: TransportAddress | undefined
  /** Remote address, when known. */
  readonly remote: TransportAddress | undefined
  /** Bytes accepted but not yet handed to the operating system (or peer). */
  readonly bufferedBytes: number
  /** Writes one frame's parts; false means "wait for drain before writing more". */
  write(parts: readonly Buffer[]): boolean
  /** Ends the transport gracefully. */
  close(): void
  /** Drops the transport at once, unsent output included (a peer that stopped reading). */
  destroy?(): void
  /** Starts delivering events to the listeners (called once by the connection). */
  start(listeners: TransportListeners): void
}

/** Callbacks from a transport to its connection. */
export interface TransportListeners {
  data(chunk: Buffer): void
  drain(): void
  close(error: Error | undefined): void
}

/**
 * Frames written within one event-loop turn are gathered and handed to the stream as one write
 * at the end of the turn (`setImmediate`), so a burst of frames to one peer — a chat room's
 * fan-out, the 200s for a pipelined batch — costs one system call instead of one per frame.
 * Below this size the gathered frames are copied into one buffer; above it they go out as a
 * corked batch (writev), so large bodies are not copied.
 */
const COALESCE_COPY_LIMIT = 64 * 1024

/**
 * Transports holding output gathered this turn. One `setImmediate` flushes them all: a fan-out
 * writing to a hundred connections schedules one callback, not one per connection.
 */
let toFlush: StreamTransport[] = []

function flushAll(): void {
  const transports = toFlush
  toFlush = []
  for (const transport of transports) transport.flushGathered()
}

/** The transport that owns a stream (stream events reach it through shared handlers, not per-stream closures). */
const OWNER = Symbol('msrp.streamTransport')

type OwnedStream = Duplex & { [OWNER]?: StreamTransport } & Partial<Record<'localAddress' | 'remoteAddress', string>> & Partial<Record<'localPort' | 'remotePort', number>>

/**
 * A Node duplex stream as an {@link MsrpTransport}. A class with shared event handlers rather
 * than closures: a chat server holds one per participant, so per-instance functions add up.
 */
class StreamTransport implements MsrpTransport {
  readonly kind: string
  readonly #stream: OwnedStream
  /** Where the addresses are read (the raw socket under a TLS socket wrapped over a stream). */
  readonly #addresses: OwnedStream
  #listeners: TransportListeners | undefined
  /**
   * Output accepted this turn and not yet given to the stream: the first part alone in #one
   * (most turns write one frame to a connection: no array for it), all of them in #more once a
   * second arrives.
   */
  #one: Buffer | undefined
  #more: Buffer[] | undefined
  #pendingBytes = 0
  /** In the shared flush list for this turn. */
  #scheduled = false
  /** We answered "wait for drain" while the stream itself may never emit 'drain'. */
  #owedDrain = false
  #error: Error | undefined

  constructor(stream: Duplex, kind: string, addresses: Duplex = stream) {
    this.kind = kind
    this.#stream = stream as OwnedStream
    this.#addresses = addresses as OwnedStream
  }

  get local(): TransportAddress | undefined {
    return address(this.#addresses.localAddress, this.#addresses.localPort)
  }

  get remote(): TransportAddress | undefined {
    return address(this.#addresses.remoteAddress, this.#addresses.remotePort)
  }

  get bufferedBytes(): number {
    return this.#stream.writableLength + this.#pendingBytes
  }

  write(parts: readonly Buffer[]): boolean {
    const stream = this.#stream
    if (stream.destroyed || stream.writableEnded) return false
    if (!this.#scheduled) {
      this.#scheduled = true
      if (toFlush.length === 0) setImmediate(flushAll)
      toFlush.push(this)
    }
    for (const part of parts) {
      if (part.length === 0) continue
      if (this.#more !== undefined) this.#more.push(part)
      else if (this.#one === undefined) this.#one = part
      else {
        this.#more = [this.#one, part]
        this.#one = undefined
      }
      this.#pendingBytes += part.length
    }
    // The same back-pressure signal the stream would give had each frame been written at once.
    const ok = stream.writableLength + this.#pendingBytes < stream.writableHighWaterMark && !stream.writableNeedDrain
    if (!ok) this.#owedDrain = true
    return ok
  }

  close(): void {
    this.#flush()
    this.#stream.end()
    // A peer that never closes its side must not keep us open forever.
    ;(this.#stream as { destroySoon?: () => void }).destroySoon?.()
  }

  destroy(): void {
    this.#drop()
    this.#stream.destroy()
  }

  start(listeners: TransportListeners): void {
    const stream = this.#stream
    this.#listeners = listeners
    stream[OWNER] = this
    stream.on('data', StreamTransport.#onData)
    stream.on('drain', StreamTransport.#onDrain)
    stream.on('error', StreamTransport.#onError)
    stream.on('end', StreamTransport.#onEnd)
    stream.on('close', StreamTransport.#onClose)
  }

  /** Forgets the output not yet given to the stream. */
  #drop(): void {
    this.#one = undefined
    this.#more = undefined
    this.#pendingBytes = 0
    this.#scheduled = false
  }

  #flush(): void {
    const one = this.#one
    const parts = this.#more
    const bytes = this.#pendingBytes
    this.#drop()
    const stream = this.#stream
    if ((one === undefined && parts === undefined) || stream.destroyed || stream.writableEnded) return
    let ok: boolean
    if (parts === undefined) ok = stream.write(one as Buffer)
    else if (bytes <= COALESCE_COPY_LIMIT) ok = stream.write(Buffer.concat(parts, bytes))
    else {
      stream.cork()
      ok = true
      for (const part of parts) ok = stream.write(part)
      stream.uncork()
    }
    // When the stream took everything without asking for a drain, it will not emit one: say it.
    if (ok && this.#owedDrain) {
      this.#owedDrain = false
      this.#listeners?.drain()
    }
  }

  /** @internal Writes what this turn gathered (called once per turn by the shared flush). */
  flushGathered(): void {
    this.#flush()
  }

  static #onData(this: OwnedStream, chunk: Buffer): void {
    const owner = this[OWNER]
    if (owner !== undefined) owner.#listeners?.data(chunk)
  }

  static #onDrain(this: OwnedStream): void {
    const owner = this[OWNER]
    if (owner === undefined) return
    owner.#owedDrain = false
    owner.#listeners?.drain()
  }

  static #onError(this: OwnedStream, error: Error): void {
    const owner = this[OWNER]
    if (owner !== undefined) owner.#error = error
  }

  static #onEnd(this: OwnedStream): void {
    // MSRP has no half-close: the peer ending its side ends the connection.
    if (!this.destroyed) {
      const owner = this[OWNER]
      if (owner !== undefined) owner.#flush()
      this.end()
    }
  }

  static #onClose(this: OwnedStream): void {
    const owner = this[OWNER]
    if (owner === undefined) return
    owner.#drop()
    owner.#listeners?.close(owner.#error)
  }
}

/**
 * Wraps a Node duplex stream (TCP, TLS, in-memory) as an {@link MsrpTransport}. `addresses`
 * is the stream whose local and remote addresses to report, when not `stream` itself (a TLS
 * socket layered over another stream has none of its own).
 */
export function streamTransport(stream: Duplex, kind = 'tcp', addresses?: Duplex): MsrpTransport {
  return new StreamTransport(stream, kind, addresses)
}

/** Writes above this many buffered bytes report back-pressure on a WebSocket. */
const WS_HIGH_WATER = 256 * 1024

/**
 * Wraps a `ws` WebSocket as an {@link MsrpTransport}: each frame is sent as one binary message
 * and each received message is fed to the parser (RFC 7977 §5: one MSRP message per WebSocket
 * message). The socket should have negotiated the `msrp` subprotocol.
 */
export function webSocketTransport(ws: WebSocket, secure = false): MsrpTransport {
  let listeners: TransportListeners | undefined
  const raw = (ws as unknown as { _socket?: { localAddress?: string; localPort?: number; remoteAddress?: string; remotePort?: number } })._socket
  return {
    kind: secure ? 'wss' : 'ws',
    get local() {
      return address(raw?.localAddress, raw?.localPort)
    },
    get remote() {
      return address(raw?.remoteAddress, raw?.remotePort)
    },
    get bufferedBytes() {
      return ws.bufferedAmount
    },
    write(parts) {
      if (ws.readyState !== ws.OPEN) return false
      ws.send(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), { binary: true }, () => {
        if (ws.bufferedAmount < WS_HIGH_WATER) listeners?.drain()
      })
      return ws.bufferedAmount < WS_HIGH_WATER
    },
    close() {
      ws.close(1000)
    },
    destroy() {
      ws.terminate()
    },
    start(l) {
      listeners = l
      let error: Error | undefined
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        l.data(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data))
      })
      ws.on('error', (e: Error) => {
        error = e
      })
      ws.on('close', () => l.close(error))
    },
  }
}

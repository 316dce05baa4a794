/**
 * In-memory byte streams for MSRP: a connected pair of Node duplex streams with real
 * back-pressure, and a tiny "network" of listeners addressed by host and port, so the
 * in-process chat server and its tests run the same connection code as TCP (one code path, only
 * the transport differs).
 */
import { Duplex } from 'node:stream'

/** Options of {@link createMemoryPair}. */
export interface MemoryPairOptions {
  /** Bytes a side buffers before `write()` returns false (default 64 KiB, like a socket). */
  highWaterMark?: number
  /** Addresses reported as `localAddress`/`localPort` of the two ends. */
  addresses?: readonly [MemoryAddress, MemoryAddress]
}

/** A host and port an in-memory end pretends to have. */
export interface MemoryAddress {
  readonly address: string
  readonly port: number
}

/** One end of an in-memory pair; behaves like a connected `net.Socket` for MSRP's purposes. */
export class MemoryStream extends Duplex {
  /** The other end. */
  peer!: MemoryStream
  /** Fake local address. */
  localAddress: string | undefined
  /** Fake local port. */
  localPort: number | undefined
  /** Fake remote address (the peer's local one). */
  remoteAddress: string | undefined
  /** Fake remote port. */
  remotePort: number | undefined
  /** A write of ours waiting for the peer to read (back-pressure). */
  #blockedWrite: (() => void) | undefined

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer
    if (peer.destroyed || peer.readableEnded) {
      callback(new Error('memory stream peer is closed'))
      return
    }
    // The peer's readable buffer is the "network": when it is full, hold the callback so our
    // writable buffer fills up and write() starts returning false.
    if (peer.push(chunk)) callback()
    else peer.#blockedWrite = () => callback()
  }

  override _read(): void {
    const resume = this.#blockedWrite
    this.#blockedWrite = undefined
    resume?.()
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null)
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer
    // Like a TCP connection: when one end goes away, the other sees the end and closes.
    if (!peer.destroyed) {
      if (!peer.readableEnded) peer.push(null)
      process.nextTick(() => peer.destroy())
    }
    callback(error)
  }
}

/** Creates two connected in-memory streams: bytes written to one are read from the other. */
export function createMemoryPair(options: MemoryPairOptions = {}): [MemoryStream, MemoryStream] {
  const hwm = options.highWaterMark ?? 64 * 1024
  const a = new MemoryStream({ highWaterMark: hwm, allowHalfOpen: false })
  const b = new MemoryStream({ highWaterMark: hwm, allowHalfOpen: false })
  a.peer = b
  b.peer = a
  const [aa, bb] = options.addresses ?? [
    { address: '127.0.0.1', port: 0 },
    { address: '127.0.0.1', port: 0 },
  ]
  a.localAddress = aa.address
  a.localPort = aa.port
  a.remoteAddress = bb.address
  a.remotePort = bb.port
  b.localAddress = bb.address
  b.localPort = bb.port
  b.remoteAddress = aa.address
  b.remotePort = aa.port
  return [a, b]
}

/**
 * Listeners addressed by `host:port` that {@link MemoryNetwork.connect} reaches with an
 * in-memory pair, e.g. an in-process MSRP server and its bots.
 */
export class MemoryNetwork {
  readonly #listeners = new Map<string, (stream: MemoryStream) => void>()
  #nextPort = 40000

  /** Accepts connections to `host:port`; returns a function that stops listening. */
  listen(host: string, port: number, onConnection: (stream: MemoryStream) => void): () => void {
    const key = `${host.toLowerCase()}:${port}`
    if (this.#listeners.has(key)) throw new Error(`memory network: ${key} is already in use`)
    this.#listeners.set(key, onConnection)
    return () => {
      this.#listeners.delete(key)
    }
  }

  /**
   * Opens a connection to a listener; the returned end is the client's.
   *
   * @throws Error (like ECONNREFUSED) when nothing listens at `host:port`.
   */
  connect(host: string, port: number, options: { highWaterMark?: number } = {}): MemoryStream {
    const listener = this.#listeners.get(`${host.toLowerCase()}:${port}`)
    if (listener === undefined) throw Object.assign(new Error(`memory network: connection refused to ${host}:${port}`), { code: 'ECONNREFUSED' })
    const [client, server] = createMemoryPair({
      highWaterMark: options.highWaterMark,
      addresses: [
        { address: '127.0.0.1', port: this.#nextPort++ },
        { address: host, port },
      ],
    })
    listener(server)
    return client
  }
}

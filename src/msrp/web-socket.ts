/**
 * MSRP over a standard WebSocket (RFC 7977) — the WHATWG `WebSocket` a browser has, or any
 * object with the same surface (the `ws` package's client has it too). One MSRP message per
 * WebSocket message (§5), binary frames, the `msrp` subprotocol (§4.1). No `node:` import, so
 * it bundles for a browser.
 *
 * @module
 */
import { MsrpConnection, type MsrpConnectionOptions } from './connection.ts'
import type { MsrpDial } from './dial.ts'
import { MsrpClosedError } from './errors.ts'
import type { MsrpTransport } from './transport.ts'

/** The part of the WHATWG WebSocket this transport uses. */
export interface StandardWebSocket {
  readonly protocol: string
  readonly readyState: number
  readonly bufferedAmount: number
  binaryType: string
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; message?: string }) => void): void
}

/** A WebSocket constructor: `globalThis.WebSocket` in a browser. */
export type WebSocketConstructor = new (url: string, protocols: string | string[]) => StandardWebSocket

/** WebSocket readyState for an open socket (WHATWG HTML §9.3). */
const OPEN = 1
/** Writes above this many buffered bytes report back-pressure. */
const HIGH_WATER = 256 * 1024
/** How often to look whether the browser has sent what was buffered (it fires no drain event). */
const DRAIN_POLL_MS = 10

/**
 * Wraps an open standard WebSocket as an {@link MsrpTransport}. A browser fires no event when
 * its send buffer empties, so after a write that crosses the high-water mark the transport polls
 * `bufferedAmount` until it falls, then reports drain.
 */
export function standardWebSocketTransport(ws: StandardWebSocket, secure = false): MsrpTransport {
  ws.binaryType = 'arraybuffer'
  let drainTimer: ReturnType<typeof setTimeout> | undefined
  let onDrain: (() => void) | undefined
  const watchDrain = (): void => {
    if (drainTimer !== undefined) return
    const poll = (): void => {
      drainTimer = undefined
      if (ws.readyState !== OPEN) return
      if (ws.bufferedAmount < HIGH_WATER) onDrain?.()
      else drainTimer = setTimeout(poll, DRAIN_POLL_MS)
    }
    drainTimer = setTimeout(poll, DRAIN_POLL_MS)
  }
  return {
    kind: secure ? 'wss' : 'ws',
    local: undefined,
    remote: undefined,
    get bufferedBytes() {
      return ws.bufferedAmount
    },
    write(parts) {
      if (ws.readyState !== OPEN) return false
      ws.send(parts.length === 1 ? parts[0]! : concatBytes(parts))
      if (ws.bufferedAmount < HIGH_WATER) return true
      watchDrain()
      return false
    },
    close() {
      ws.close(1000)
    },
    start(listeners) {
      onDrain = () => listeners.drain()
      let error: Error | undefined
      ws.addEventListener('message', (event) => {
        const data = event.data
        if (data instanceof ArrayBuffer) listeners.data(Buffer.from(data))
        else if (typeof data === 'string') listeners.data(Buffer.from(data, 'utf8'))
        else if (ArrayBuffer.isView(data)) listeners.data(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
      })
      ws.addEventListener('error', (event) => {
        error = new MsrpClosedError('MSRP_CONNECTION_CLOSED', `MSRP WebSocket failed${event.message ? `: ${event.message}` : ''}`)
      })
      ws.addEventListener('close', () => {
        if (drainTimer !== undefined) clearTimeout(drainTimer)
        listeners.close(error)
      })
    },
  }
}

/**
 * Opens an MSRP connection over a WebSocket to `url` with the `msrp` subprotocol (RFC 7977
 * §4.1), using `WebSocket` (default `globalThis.WebSocket`).
 *
 * @throws MsrpClosedError `MSRP_CONNECT_FAILED` when it cannot open or the server refuses `msrp`.
 */
export async function openMsrpWebSocket(
  url: string,
  options: MsrpConnectionOptions & { WebSocket?: WebSocketConstructor } = {},
): Promise<MsrpConnection> {
  const { WebSocket: Ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket, ...rest } = options
  if (Ctor === undefined) throw new MsrpClosedError('MSRP_CONNECT_FAILED', 'no WebSocket here: pass { WebSocket } (e.g. the ws package on Node 20)')
  const ws = new Ctor(url, 'msrp')
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', (event) => reject(new MsrpClosedError('MSRP_CONNECT_FAILED', `cannot open MSRP WebSocket ${url}${event.message ? `: ${event.message}` : ''}`)))
  })
  if (ws.protocol !== 'msrp') {
    ws.close(1002)
    throw new MsrpClosedError('MSRP_CONNECT_FAILED', `WebSocket server at ${url} did not accept the "msrp" subprotocol (RFC 7977 §4.1)`)
  }
  return new MsrpConnection(standardWebSocketTransport(ws, url.startsWith('wss:')), { role: 'active', ...rest })
}

/**
 * An {@link MsrpDial} for a browser: every first hop is reached through one WebSocket server
 * (RFC 7977 §4: the client connects to its WebSocket server, which relays), given by `url`.
 */
export function webSocketDial(url: string, options: { WebSocket?: WebSocketConstructor } = {}): MsrpDial {
  return (_firstHop, connectionOptions) => openMsrpWebSocket(url, { ...connectionOptions, ...options })
}

/** The parts as one Uint8Array (no `Buffer` needed in a browser). */
function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0
  for (const p of parts) size += p.byteLength
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/**
 * Node's way to open MSRP connections: TCP and TLS (RFC 4975 §6, `msrp:` / `msrps:`) and
 * WebSocket with the `ws` package (RFC 7977). Node-only: the MSRP session and connection never
 * import this file; the Node entry points pass {@link dialMsrp} in as an {@link MsrpDial}.
 *
 * @module
 */
import net from 'node:net'
import tls from 'node:tls'
import { WebSocket } from 'ws'
import type { ClientOptions } from 'ws'
import { MsrpConnection, type MsrpConnectionOptions } from './connection.ts'
import type { MsrpDial } from './dial.ts'
import { MsrpClosedError } from './errors.ts'
import { streamTransport, webSocketTransport } from './transport.ts'
import { effectivePort, type MsrpUri } from './uri.ts'

/**
 * Opens a TCP (or, with `tls`, TLS) connection; the caller is the active side (RFC 6135).
 *
 * @example
 * ```ts
 * const connection = await connectMsrp({ host: '127.0.0.1', port: 2855 })
 * ```
 */
export function connectMsrp(
  target: { host: string; port: number; tls?: boolean | tls.ConnectionOptions },
  options: MsrpConnectionOptions = {},
): Promise<MsrpConnection> {
  return new Promise((resolve, reject) => {
    const secure = target.tls !== undefined && target.tls !== false
    const socket = secure
      ? tls.connect({ host: target.host, port: target.port, servername: net.isIP(target.host) ? undefined : target.host, ...(typeof target.tls === 'object' ? target.tls : {}) })
      : net.connect({ host: target.host, port: target.port })
    socket.setNoDelay(true)
    const onError = (error: Error): void => reject(new MsrpClosedError('MSRP_CONNECT_FAILED', `cannot connect to MSRP peer ${target.host}:${target.port}: ${error.message}`, { cause: error }))
    socket.once('error', onError)
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.off('error', onError)
      resolve(new MsrpConnection(streamTransport(socket, secure ? 'tls' : 'tcp'), { role: 'active', ...options }))
    })
  })
}

/** Connects to the first hop named by an MSRP URI: `msrps:` uses TLS, the port defaults to 2855. */
export function connectMsrpUri(uri: MsrpUri, options: MsrpConnectionOptions & { tls?: tls.ConnectionOptions } = {}): Promise<MsrpConnection> {
  if (uri.transport.toLowerCase() !== 'tcp') {
    return Promise.reject(new MsrpClosedError('MSRP_CONNECT_FAILED', `cannot dial transport "${uri.transport}" from a URI; for WebSocket use connectMsrpWebSocket(url)`))
  }
  const { tls: tlsOptions, ...rest } = options
  return connectMsrp({ host: uri.host, port: effectivePort(uri), tls: uri.scheme === 'msrps' ? (tlsOptions ?? true) : false }, rest)
}

/** The Node {@link MsrpDial}: TCP for `msrp:`, TLS for `msrps:`. */
export const dialMsrp: MsrpDial = (firstHop, options) => connectMsrpUri(firstHop, options)

/**
 * Opens a WebSocket connection with the `msrp` subprotocol (RFC 7977 §4.1) using the `ws`
 * package (client TLS options in `webSocket`).
 *
 * @throws MsrpClosedError `MSRP_CONNECT_FAILED` when the server does not agree to `msrp`.
 */
export async function connectMsrpWebSocket(url: string, options: MsrpConnectionOptions & { webSocket?: ClientOptions } = {}): Promise<MsrpConnection> {
  const { webSocket, ...rest } = options
  const ws = new WebSocket(url, 'msrp', webSocket)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', (error) => reject(new MsrpClosedError('MSRP_CONNECT_FAILED', `cannot open MSRP WebSocket ${url}: ${error.message}`, { cause: error })))
  })
  if (ws.protocol !== 'msrp') {
    ws.close()
    throw new MsrpClosedError('MSRP_CONNECT_FAILED', `WebSocket server at ${url} did not accept the "msrp" subprotocol (RFC 7977 §4.1)`)
  }
  return new MsrpConnection(webSocketTransport(ws, url.startsWith('wss:')), { role: 'active', ...rest })
}

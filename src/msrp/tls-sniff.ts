/**
 * MSRP and MSRP over TLS (`msrps:`, RFC 4975 §14.1) on one port: the first byte a client sends
 * tells them apart. A TLS connection opens with a handshake record (content type 22, RFC 8446
 * §5.1), an MSRP one with the `M` of `MSRP` (RFC 4975 §9), so the listener needs no second port
 * and the SDP `a=path` names the same port for both schemes.
 *
 * @module
 */

import type { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import tls from 'node:tls'

/** TLS record content type `handshake` (RFC 8446 §5.1), the first byte of every ClientHello. */
const TLS_HANDSHAKE = 0x16

/**
 * A duplex over `socket` that first replays `first` (the byte already read to sniff the
 * protocol). node:tls wraps a plain net.Socket at the handle level, which would lose bytes
 * already read; over a generic Duplex it reads through the stream, replayed bytes included.
 */
function replaying(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume()
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback)
    },
    final(callback) {
      socket.end()
      callback()
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined)
      callback(error)
    },
  })
  duplex.push(first)
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause()
  })
  socket.on('end', () => duplex.push(null))
  socket.on('error', (error) => duplex.destroy(error))
  socket.on('close', () => duplex.destroy())
  return duplex
}

/**
 * Waits for the first bytes of an accepted socket, then hands it on: a TLS ClientHello to
 * `onTls` once the handshake completed (with the raw socket, for its addresses), anything
 * else to `onPlain` with the bytes put back. A failed handshake destroys the socket.
 */
export function sniffTls(socket: Socket, context: tls.SecureContext, onPlain: (socket: Socket) => void, onTls: (secure: tls.TLSSocket, raw: Socket) => void): void {
  socket.once('data', (first: Buffer) => {
    socket.pause()
    if (first[0] !== TLS_HANDSHAKE) {
      socket.unshift(first)
      onPlain(socket)
      socket.resume()
      return
    }
    const secure = new tls.TLSSocket(replaying(socket, first), { isServer: true, secureContext: context })
    secure.once('secure', () => onTls(secure, socket))
    secure.on('error', () => secure.destroy())
  })
}

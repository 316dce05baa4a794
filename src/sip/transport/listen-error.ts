/**
 * The error a SIP transport gives when it cannot listen: one sentence that names the port and
 * the fix, instead of Node's `listen EADDRINUSE` stack trace.
 *
 * @module
 */
import { TransportError } from './errors.ts'

/** Which listener failed, for {@link listenError}. */
export interface ListenTarget {
  /** `udp`, `tcp`, `tls`, `ws` or `wss`. */
  readonly protocol: string
  readonly host: string
  readonly port: number
}

/**
 * Turns a failed `listen()`/`bind()` into a `SIP_TRANSPORT_LISTEN_FAILED` error whose message
 * says what to do: a port in use is the common case (another server still running).
 */
export function listenError(target: ListenTarget, cause: NodeJS.ErrnoException): TransportError {
  const where = `${target.host}:${target.port}`
  const name = target.protocol.toUpperCase()
  const message =
    cause.code === 'EADDRINUSE'
      ? `SIP ${name} port ${where} is already in use; stop what holds it (another msrp-bot server?) or choose another port (0 picks a free one)`
      : cause.code === 'EADDRNOTAVAIL'
        ? `cannot listen for SIP ${name} on ${where}: ${target.host} is not an address of this machine; use one it has (or 127.0.0.1)`
        : cause.code === 'EACCES'
          ? `cannot listen for SIP ${name} on ${where}: permission denied (ports below 1024 need privileges); choose a port above 1023`
          : `cannot listen for SIP ${name} on ${where}: ${cause.message}`
  return new TransportError('SIP_TRANSPORT_LISTEN_FAILED', message, { cause })
}

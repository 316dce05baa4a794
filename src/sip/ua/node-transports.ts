import { MsrpBotError } from '../../errors.ts'
import { TcpTransport } from '../transport/tcp.ts'
import { TlsTransport, type TlsTransportOptions } from '../transport/tls.ts'
import type { SipTransport, TransportAddress } from '../transport/types.ts'
import { UdpTransport } from '../transport/udp.ts'
import { WsTransport } from '../transport/ws.ts'
import type { UaTransportFactory } from './options.ts'

/**
 * Node's {@link UaTransportFactory}: the instance given, or a new UDP / TCP / TLS / WS listener
 * on the configured address. TLS without `cert`/`key` is client-only (see ClientTlsTransport).
 * Node-only; pass it as `transportFactory` where a UserAgent is created.
 */
export const nodeTransports: UaTransportFactory = (options, log): SipTransport => {
  const t = options.transport ?? 'udp'
  if (typeof t !== 'string') return t
  const host = options.listen?.host ?? '127.0.0.1'
  const port = options.listen?.port ?? 0
  const keepalive = options.keepalive ? { keepalive: options.keepalive } : {}
  const logger = { logger: { debug: (m: string) => log.debug(m), warn: (m: string) => log.warn(m) } }
  switch (t) {
    case 'udp': return new UdpTransport({ host, port, ...logger })
    case 'tcp': return new TcpTransport({ host, port, ...keepalive, ...logger })
    case 'tls': {
      const tls = options.tls ?? {}
      const tlsOptions: TlsTransportOptions = {
        host, port, ...keepalive, ...logger,
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
        ...(tls.servername === undefined ? {} : { servername: tls.servername }),
      }
      return tls.cert && tls.key ? new TlsTransport(tlsOptions) : new ClientTlsTransport(tlsOptions)
    }
    case 'ws':
    case 'wss': {
      const tls = options.tls ?? {}
      return new WsTransport({
        secure: t === 'wss', host, port, ...keepalive, ...logger,
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key }),
        ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
        ...(tls.servername === undefined ? {} : { servername: tls.servername }),
      })
    }
    default:
      throw new MsrpBotError('SIP_TRANSPORT_UNSUPPORTED', `unknown transport "${String(t)}"; use udp, tcp, tls, ws, wss or pass a SipTransport`)
  }
}

/**
 * TLS without a listener, for a client UA with no certificate of its own: requests to it come
 * back over the connection it opened (RFC 5626 / Kamailio's received-connection reuse), so the
 * Via and Contact carry the configured address only as a label.
 */
class ClientTlsTransport extends TlsTransport {
  readonly #label: TransportAddress

  constructor(options: TlsTransportOptions) {
    super(options)
    this.#label = { address: options.host ?? '127.0.0.1', port: options.port || 5061 }
  }

  override async listen(): Promise<void> {}

  override localAddress(): TransportAddress {
    return this.#label
  }
}

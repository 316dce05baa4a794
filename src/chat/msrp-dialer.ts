/**
 * How the chat layer opens MSRP connections (RFC 6135 active role): with the dialer of its
 * platform (TCP/TLS on Node, see `node-platform.ts`; a WebSocket in a browser), or over an
 * in-process {@link MemoryNetwork}. The rest of the chat layer is the same either way: one code
 * path, only the transports differ.
 *
 * @module
 */
import { MsrpConnection } from '../msrp/connection.ts'
import type { MemoryNetwork } from '../msrp/memory-stream.ts'
import type { MemoryNetwork as SipMemoryNetwork } from '../sip/transport/memory.ts'
import { streamTransport } from '../msrp/transport.ts'
import { effectivePort } from '../msrp/uri.ts'
import type { MsrpUri } from '../msrp/uri.ts'
import { MsrpClosedError } from '../msrp/errors.ts'
import type { UaTransportFactory } from '../sip/ua/options.ts'
import type { MsrpAcceptorFactory } from './msrp-acceptor.ts'

/**
 * Opens the MSRP connection to a first hop. `uriTransport` is the transport it speaks, put in
 * our `a=path` URI and the SDP m-line: `ws` for a WebSocket dialer (RFC 7977 §7), else TCP.
 */
export type MsrpDialer = ((firstHop: MsrpUri, options: { transactionTimeoutMs?: number | undefined }) => Promise<MsrpConnection>) & {
  readonly uriTransport?: 'tcp' | 'ws'
}

/** The dialer of a backend created without a platform: says what to pass. */
export const missingDialer: MsrpDialer = () =>
  Promise.reject(new MsrpClosedError('MSRP_NO_DIALER', 'this chat backend has no MSRP dialer: create it with { platform: nodeChatPlatform } on Node, { memory } in process, or { msrpDialer }'))

/** What a chat backend needs from the platform it runs on to open connections. */
export interface ChatPlatform {
  /** Makes the SIP transport for `config.transport` (e.g. `nodeTransports`). */
  readonly transportFactory: UaTransportFactory
  /** Opens MSRP connections to the focus. */
  readonly msrpDialer: MsrpDialer
  /**
   * Listens for the MSRP connections of 1:1 sessions people open to the bot (see
   * msrp-acceptor.ts); without it the bot takes only offers that let it connect (`a=setup:actpass`/`passive`).
   */
  readonly msrpAcceptor?: MsrpAcceptorFactory | undefined
}

/** Dials on an in-process MSRP network (the in-process chat server listens there). */
export function memoryDialer(network: MemoryNetwork): MsrpDialer {
  return async (firstHop, options) => {
    let stream
    try {
      stream = network.connect(firstHop.host, effectivePort(firstHop))
    } catch (error) {
      throw new MsrpClosedError('MSRP_CONNECT_FAILED', `cannot connect to MSRP peer ${firstHop.host}:${effectivePort(firstHop)}: ${(error as Error).message}`, { cause: error })
    }
    return new MsrpConnection(streamTransport(stream, 'memory'), {
      role: 'active',
      ...(options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: options.transactionTimeoutMs }),
    })
  }
}

/** The in-process networks of a memory-mode chat server (what `startChatServer` exposes). */
export interface ChatMemoryNetworks {
  readonly sip: SipMemoryNetwork
  readonly msrp: MemoryNetwork
}

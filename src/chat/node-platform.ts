/**
 * The chat layer on Node: SIP over UDP/TCP/TLS/WS sockets and MSRP over TCP/TLS. Node-only; the
 * entry points that run on Node (the bot's default backend, the CLI) pass {@link nodeChatPlatform}
 * to {@link SipChatBackend}, and nothing below them imports a socket.
 *
 * @module
 */
import { dialMsrp } from '../msrp/node-dial.ts'
import { MsrpListener } from '../msrp/listener.ts'
import type { MsrpAcceptorFactory } from './msrp-acceptor.ts'
import { nodeTransports } from '../sip/ua/node-transports.ts'
import type { BackendConfig } from './backend.ts'
import type { ChatPlatform, MsrpDialer } from './msrp-dialer.ts'
import { SipChatBackend, type SipChatBackendOptions } from './sip-chat-backend.ts'

/** Dials over TCP (`msrp:`) or TLS (`msrps:`). */
export const socketDialer: MsrpDialer = (firstHop, options) =>
  dialMsrp(firstHop, options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: options.transactionTimeoutMs })

/**
 * Listens on a free TCP port of `host` for the 1:1 sessions people open to the bot
 * (RFC 6135 passive role), with the listener's connection caps and unbound timeout.
 */
export const socketAcceptor: MsrpAcceptorFactory = async (host) => {
  const listener = await MsrpListener.listen({ host, port: 0, maxConnections: 256, maxConnectionsPerSource: 16 })
  return {
    host,
    port: listener.address!.port,
    register(session) {
      listener.register(session)
      return () => listener.unregister(session.id)
    },
    close: () => listener.close(),
  }
}

/** Sockets as Node has them. */
export const nodeChatPlatform: ChatPlatform = { transportFactory: nodeTransports, msrpDialer: socketDialer, msrpAcceptor: socketAcceptor }

/**
 * A {@link SipChatBackend} on Node's sockets: what `createBot(config)` runs on when it is given
 * no backend.
 *
 * @example
 * ```ts
 * const backend = createNodeChatBackend({ uri: 'sip:echo@example.test', password: 's3cret', transport: 'tcp' })
 * ```
 */
export function createNodeChatBackend(config: BackendConfig, options: SipChatBackendOptions = {}): SipChatBackend {
  return new SipChatBackend(config, { platform: nodeChatPlatform, ...options })
}

/**
 * How the chat layer opens MSRP connections (RFC 6135 active role): over TCP/TLS to the first
 * hop of the focus's `a=path`, or over an in-process {@link MemoryNetwork}. The rest of the chat
 * layer is the same either way (DESIGN.md: one code path).
 *
 * @module
 */
import { MsrpConnection } from '../msrp/connection.ts'
import type { MemoryNetwork } from '../msrp/memory-stream.ts'
import { streamTransport } from '../msrp/transport.ts'
import { effectivePort } from '../msrp/uri.ts'
import type { MsrpUri } from '../msrp/uri.ts'
import { MsrpClosedError } from '../msrp/errors.ts'

/** Opens the MSRP connection to a first hop. */
export type MsrpDialer = (firstHop: MsrpUri, options: { transactionTimeoutMs?: number | undefined }) => Promise<MsrpConnection>

/** Dials over TCP (`msrp:`) or TLS (`msrps:`). */
export const socketDialer: MsrpDialer = (firstHop, options) =>
  MsrpConnection.connectTo(firstHop, options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: options.transactionTimeoutMs })

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

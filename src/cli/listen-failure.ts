/**
 * Which command-line flag sets the port a listener failed on: the chat server reports a port in
 * use as `SIP_TRANSPORT_LISTEN_FAILED` (SIP over UDP/TCP/WS) or `MSRP_LISTEN_FAILED`; the
 * command line names the flag that moves it.
 *
 * @module
 */
import { MsrpBotError } from '../errors.ts'

/** A port flag of `server` and `dev`. */
export type PortFlag = 'port' | 'msrp-port' | 'ws-port'

/** The flag whose listener failed to listen, or undefined when `error` is no listen failure. */
export function failedPortFlag(error: unknown): PortFlag | undefined {
  if (!(error instanceof MsrpBotError)) return undefined
  if (error.code === 'MSRP_LISTEN_FAILED') return 'msrp-port'
  if (error.code !== 'SIP_TRANSPORT_LISTEN_FAILED') return undefined
  return /^SIP WSS? |for SIP WSS? /.test(error.message) ? 'ws-port' : 'port'
}

/** True when the listener failed because another program holds its port. */
export function isPortInUse(error: unknown): boolean {
  return error instanceof MsrpBotError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
}

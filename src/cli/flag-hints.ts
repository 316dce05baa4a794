/**
 * The command-line side of an error's fix: library errors name API fields (`{ password }`,
 * `outboundProxy`) and ports; a person at the terminal typed flags, so the CLI says which flag
 * or environment variable to change.
 *
 * @module
 */
import { failedPortFlag } from './listen-failure.ts'

/** The library's advice for a missing password (src/sip/ua/request-authenticator.ts). */
const API_PASSWORD_ADVICE = /the UserAgent has no password; pass \{ password \} \(and authorizationUser if it differs from the URI user\)/

/**
 * `error`'s message in the words of the command line: API advice replaced by the flag, and a
 * sentence naming the flag that fixes it added where one applies. `options` are the parsed
 * options of the command that failed (for what was not given).
 */
export function messageForCommandLine(error: Error, options: unknown): string {
  let message = error.message.replace(
    API_PASSWORD_ADVICE,
    'no password was given; export SIP_PASSWORD=... (or name another variable with --password-env), and give --username if the digest user is not the URI user',
  )
  const portFlag = failedPortFlag(error)
  if (portFlag !== undefined) message += ` Set the port with --${portFlag}.`
  const unresolved = /ENOTFOUND ([^\s)]+)/.exec(message)?.[1]
  if (unresolved !== undefined && hasAccountWithoutProxy(options)) {
    message += ` ${unresolved} does not resolve here: add --outbound-proxy with your server's address (e.g. --outbound-proxy 'sip:127.0.0.1:5060;transport=tcp;lr') so requests go through it.`
  }
  return message
}

function hasAccountWithoutProxy(options: unknown): boolean {
  if (typeof options !== 'object' || options === null || !('account' in options)) return false
  const account = (options as { account: unknown }).account
  return typeof account === 'object' && account !== null && (account as { outboundProxy?: unknown }).outboundProxy === undefined
}

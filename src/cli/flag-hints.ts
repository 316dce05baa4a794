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

/** The bot layer's advice for a failed registration (src/chat/sip-chat-backend.ts). */
const API_ACCOUNT_ADVICE = /check uri, password, registrar and outboundProxy/

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
  message = message.replace(API_ACCOUNT_ADVICE, 'check --uri, the password (SIP_PASSWORD), --registrar and --outbound-proxy')
  // Hints are appended as sentences: the message must end one first.
  const sentence = (hint: string): void => {
    message = `${message.replace(/([^.])$/, '$1.')} ${hint}`
  }
  if (/got no final response within/.test(message) && /\btransport=udp\b|over UDP/i.test(`${message} ${transportOf(options)}`)) {
    sentence('Is the server running at that address? Over UDP a server that is down gives no error, only silence; --transport tcp fails at once when nothing listens.')
  }
  const portFlag = failedPortFlag(error)
  // `dev` names its WebSocket port after the page it serves there (--web-port).
  const isDev = typeof options === 'object' && options !== null && 'botFiles' in options
  if (portFlag !== undefined) sentence(`Set the port with --${portFlag === 'ws-port' && isDev ? 'web-port' : portFlag}.`)
  const unresolved = /ENOTFOUND ([^\s)]+)/.exec(message)?.[1]
  if (unresolved !== undefined && hasAccountWithoutProxy(options)) {
    sentence(`${unresolved} does not resolve here: add --outbound-proxy with your server's address (e.g. --outbound-proxy 'sip:127.0.0.1:5060;transport=tcp;lr') so requests go through it.`)
  }
  return message
}

function hasAccountWithoutProxy(options: unknown): boolean {
  if (typeof options !== 'object' || options === null || !('account' in options)) return false
  const account = (options as { account: unknown }).account
  return typeof account === 'object' && account !== null && (account as { outboundProxy?: unknown }).outboundProxy === undefined
}

/** `transport=udp` when the command's account uses UDP, else ''. */
function transportOf(options: unknown): string {
  if (typeof options !== 'object' || options === null || !('account' in options)) return ''
  const account = (options as { account: unknown }).account
  return typeof account === 'object' && account !== null && (account as { transport?: unknown }).transport === 'udp' ? 'transport=udp' : ''
}

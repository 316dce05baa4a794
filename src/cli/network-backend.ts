/**
 * Turns command-line account options into the chat backend's configuration, for the commands
 * that talk to a SIP network (`run`, `chat`).
 *
 * @module
 */
import type { BackendConfig } from '../chat/index.ts'
import { uriUser } from '../rooms/identity.ts'
import type { SipAccountOptions } from './runtime-options.ts'

/**
 * The backend configuration for `account`, on top of what a bot's own config says (`base`):
 * every value given on the command line or in the environment wins.
 *
 * @example
 * ```ts
 * backendConfigFor({ uri: 'sip:alice@example.com', registrar: undefined, outboundProxy: undefined, username: undefined, password: 's3cret', transport: undefined })
 * // → { uri: 'sip:alice@example.com', transport: 'tcp', registrar: false, password: 's3cret' }
 * ```
 */
export function backendConfigFor(account: SipAccountOptions, base?: BackendConfig): BackendConfig {
  const transport = account.transport ?? base?.transport ?? (/^sips:/i.test(account.uri) ? 'tls' : 'tcp')
  return {
    ...base,
    uri: account.uri,
    transport,
    ...defined('username', account.username ?? base?.username),
    ...defined('password', account.password ?? base?.password),
    // No --registrar and none in the bot's config: run without registering (reachable only in rooms).
    registrar: account.registrar ?? base?.registrar ?? false,
    ...defined('outboundProxy', account.outboundProxy ?? base?.outboundProxy),
  }
}

function defined<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>)
}

/**
 * The user part of a SIP URI (`sip:echo@example.com` → `echo`), used as a default nickname;
 * the URI itself when it has none. The SIP parser has already unescaped it (RFC 3261 §19.1.4),
 * so it is not decoded again (`sip:100%2541@x` is the user `100%41`).
 */
export function userPartOf(uri: string): string {
  return uriUser(uri) ?? uri
}

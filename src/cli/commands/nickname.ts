/**
 * The `--nickname` flag of `run` and `chat`.
 *
 * @module
 */
import { parseSipUri } from '../../sip/uri.ts'
import { CliUsageError } from '../errors.ts'

/**
 * A nickname for RFC 7701 §6: 1–64 characters, no control characters, no spaces at either end.
 * Defaults to the user part of `uri`.
 *
 * @example
 * ```ts
 * parseNickname('msrp-bot chat', undefined, 'sip:alice@example.com')  // 'alice'
 * ```
 */
export function parseNickname(command: string, given: string | undefined, uri: string): string {
  const nickname = given ?? parseSipUri(uri).user ?? ''
  if (nickname.length === 0 || nickname.length > 64 || nickname.trim() !== nickname || /[\x00-\x1f\x7f]/.test(nickname)) {
    throw new CliUsageError(
      `${command}: --nickname '${nickname}' is not usable: 1-64 characters, no control characters, no spaces at either end`,
      { command },
    )
  }
  return nickname
}

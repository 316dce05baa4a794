import { randomHex } from '../random.ts'
import { BRANCH_COOKIE } from './headers/via.ts'

/** A random token of `bytes` bytes, base-36-free hex (token characters only). */
export function randomToken(bytes = 8): string {
  return randomHex(bytes)
}

/** A new Via branch: the RFC 3261 magic cookie plus 80 random bits (§8.1.1.7). */
export function newBranch(): string {
  return BRANCH_COOKIE + randomToken(10)
}

/** A new From/To tag: at least 32 random bits (§19.3); we use 64. */
export function newTag(): string {
  return randomToken(8)
}

/** A new Call-ID, globally unique (§8.1.1.4): random part `@` host when given. */
export function newCallId(host?: string): string {
  const id = randomToken(16)
  return host ? `${id}@${host}` : id
}

/**
 * CPIM (RFC 3862) codec: the message/cpim wrapper that carries sender, recipients and
 * namespaced headers (IMDN, RFC 5438) around each chat message.
 */
export { parseCpim, cpimText, getCpimHeader } from './parser.ts'
export type { CpimParseOptions } from './parser.ts'
export { buildCpim } from './builder.ts'
export { parseCpimAddress, formatCpimAddress } from './address.ts'
export { escapeCpimValue, unescapeCpimValue } from './escape.ts'
export { CPIM_CORE_NAMESPACE, IMDN_NAMESPACE } from './types.ts'
export type {
  CpimAddress,
  CpimSubject,
  CpimExtensionHeader,
  CpimContentHeader,
  CpimMessage,
  CpimMessageInit,
} from './types.ts'

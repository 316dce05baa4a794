/** Shared CPIM lexical rules (RFC 3862 ABNF). */

/** `Name = 1*NAMECHAR` — every token character except '.', which separates the prefix. */
export const CPIM_NAME = /^[!#$%&'*+\-^_`|~0-9A-Za-z]+$/

/** RFC 3339 `date-time`, as required by the DateTime header (RFC 3862). */
export const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** Token characters for parameter values that need no quoting. */
export const CPIM_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * The bot config: validated with zod, with errors that name the field and say how to fix it.
 *
 * @module
 */
import { z } from 'zod'
import { BotConfigError } from './errors.ts'
import { LOG_LEVELS } from '../logger.ts'
import type { LogLevel } from '../logger.ts'
import type { InvitationPolicy } from './invitation.ts'

const SIP_URI = /^sips?:(?:[^@\s]+@)?[^@\s;?]+(?:[;?]\S*)?$/i

const sipUri = (field: string, example: string) =>
  z
    .string({ error: `must be a string holding a SIP URI, such as '${example}'` })
    .trim()
    .refine((s) => SIP_URI.test(s), {
      error: (issue) =>
        `must be a sip: or sips: URI such as '${example}' (got ${JSON.stringify(issue.input)})` +
        (typeof issue.input === 'string' && !/^sips?:/i.test(issue.input) ? schemeHint(issue.input.trim(), example) : ''),
    })
    .describe(field)

/**
 * The fix for a string that is no sip:/sips: URI: another scheme (`http://echo.example`) is
 * replaced, not prefixed; a bare `user@host` gets `sip:` in front.
 */
function schemeHint(input: string, example: string): string {
  const other = /^([a-z][a-z0-9+.-]*):(?:\/\/)?(.*)$/i.exec(input)
  if (other !== null && !/^\d+$/.test(other[2]!.split(/[/;?]/)[0] ?? '')) {
    const host = other[2]!.replace(/^[^@]*@/, '').replace(/[/?#;].*$/, '')
    const user = /^([^@/]+)@/.exec(other[2]!)?.[1] ?? /^sips?:([^@]+)@/i.exec(example)?.[1]
    const suggestion = host === '' ? example : `sip:${user === undefined ? '' : `${user}@`}${host}`
    return `; ${other[1]}: is not a SIP scheme: write a sip: URI, such as '${suggestion}'`
  }
  return `; add the scheme: '${'sip:' + input}'`
}

const positive = (what: string) =>
  z.number({ error: `must be a number (${what})` }).positive({ error: `must be greater than 0 (${what})` })

const wholeAtLeast = (min: number, what: string) =>
  z
    .number({ error: `must be a whole number (${what})` })
    .int({ error: `must be a whole number (${what})` })
    .min(min, { error: `must be at least ${min} (${what})` })

const rateLimitSchema = z.union(
  [
    z.literal(false),
    z.strictObject({
      messagesPerSecond: positive('sustained sends per second per room'),
      burst: wholeAtLeast(1, 'sends allowed at once before pacing starts'),
    }),
  ],
  { error: 'must be false (no pacing) or { messagesPerSecond, burst }' },
)

const queueSchema = z.strictObject({
  maxPending: wholeAtLeast(1, 'sends waiting per room before new ones are refused').default(1000),
  maxAttempts: wholeAtLeast(1, 'attempts per send when the peer rate-limits').default(5),
  retryDelayMs: wholeAtLeast(0, 'first retry delay in ms, doubled per attempt').default(1000),
  maxRetryDelayMs: wholeAtLeast(0, 'longest retry delay in ms').default(30_000),
})

const passwordSchema = z.union(
  [
    z.string().min(1, { error: 'is an empty string; set the real password or remove the field' }),
    z.strictObject({ env: z.string().min(1) }),
  ],
  { error: "must be a string, or { env: 'VARIABLE_NAME' } to read it from the environment" },
)

const ACCEPT_INVITATIONS_HINT = 'must be true, false, or a function (invitation) => boolean | Promise<boolean>'

/** The zod schema behind {@link validateConfig} (exported for tools that compose configs). */
export const botConfigSchema = z.strictObject({
  uri: sipUri('uri', 'sip:echo@example.test'),
  username: z.string({ error: 'must be a string (the digest user name)' }).min(1).optional(),
  password: passwordSchema.optional(),
  displayName: z.string({ error: 'must be a string' }).optional(),
  registrar: z
    .union([sipUri('registrar', 'sip:example.test'), z.literal(false)], {
      error: "must be a SIP URI such as 'sip:example.test', or false to run without registering",
    })
    .optional(),
  outboundProxy: sipUri('outboundProxy', 'sip:proxy.example.test;lr').optional(),
  transport: z
    .enum(['udp', 'tcp', 'tls', 'ws'], { error: "must be one of 'udp', 'tcp', 'tls', 'ws'" })
    .optional(),
  logLevel: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.map((l) => `'${l}'`).join(', ')}` })
    .optional(),
  ignoreSelf: z.boolean({ error: 'must be true or false' }).default(true),
  ignoreHistory: z.boolean({ error: 'must be true or false' }).default(true),
  ignoreBots: z.boolean({ error: 'must be true or false' }).default(true),
  loopGuard: z
    .union([
      z.strictObject({
        maxAnswers: z.number().int().min(1, { error: 'must be a whole number >= 1' }).default(5),
        windowMs: z.number().positive({ error: 'must be a positive number of milliseconds' }).default(60_000),
      }),
      z.literal(false),
    ], { error: 'must be { maxAnswers, windowMs } or false' })
    .default({ maxAnswers: 5, windowMs: 60_000 }),
  rateLimit: rateLimitSchema.default({ messagesPerSecond: 5, burst: 10 }),
  queue: queueSchema.default({ maxPending: 1000, maxAttempts: 5, retryDelayMs: 1000, maxRetryDelayMs: 30_000 }),
  acceptInvitations: z
    .union([z.boolean(), z.custom<Exclude<InvitationPolicy, boolean>>((v) => typeof v === 'function', { error: ACCEPT_INVITATIONS_HINT })], {
      error: ACCEPT_INVITATIONS_HINT,
    })
    .default(false),
  maxRooms: wholeAtLeast(1, 'rooms the bot may be in before invitations are declined with 486').default(50),
})

/** What you pass to `createBot` (before defaults). */
export type BotConfigInput = z.input<typeof botConfigSchema>

/** A validated config with defaults applied and the password resolved. */
export interface BotConfig {
  /** The bot's address of record (`sip:` or `sips:`). */
  uri: string
  /** Digest user name; defaults (in the backend) to the URI's user part. */
  username: string | undefined
  /** The resolved password, or undefined when none was configured. */
  password: string | undefined
  /** Display name shown to others. */
  displayName: string | undefined
  /**
   * Registrar URI; defaults (in the backend) to the URI's host. `false`: the bot does not
   * register and is reachable only in the rooms it joins (e.g. a SylkServer room reached
   * through `outboundProxy`); it publishes no presence.
   */
  registrar: string | false | undefined
  /** Outbound proxy URI, if any. */
  outboundProxy: string | undefined
  /** SIP transport: given, else 'tls' for sips: URIs and 'tcp' otherwise. */
  transport: 'udp' | 'tcp' | 'tls' | 'ws'
  /** Log threshold, when set in the config (else `MSRP_BOT_LOG_LEVEL` or 'info'). */
  logLevel: LogLevel | undefined
  /** Skip updates the bot caused itself (default true). */
  ignoreSelf: boolean
  /**
   * Skip messages a room replays from before the bot joined (default true): a focus such as
   * SylkServer sends the room's last messages to every newcomer, and a bot should not answer them.
   */
  ignoreHistory: boolean
  /**
   * Skip public messages from participants the room's roster marks as bots (default true), so
   * bots never answer each other; private messages still arrive.
   */
  ignoreBots: boolean
  /**
   * The loop breaker for servers that cannot say who is a bot (default 5 answers to one
   * participant within 60 s without a person speaking), or false; see docs/handlers.md.
   */
  loopGuard: false | { maxAnswers: number; windowMs: number }
  /** Client-side pacing per room, or false. Default 5/s with bursts of 10. */
  rateLimit: false | { messagesPerSecond: number; burst: number }
  /** Outbound queue limits per room. */
  queue: { maxPending: number; maxAttempts: number; retryDelayMs: number; maxRetryDelayMs: number }
  /**
   * What to do with an invitation to a room that no `bot.on('invitation')` handler answered:
   * false (default) declines it (603), true accepts it, a function decides per invitation.
   */
  acceptInvitations: InvitationPolicy
  /**
   * Rooms the bot may be in (or be joining) before invitations are declined with 486 Busy Here
   * (default 50). `bot.join` is not limited by it.
   */
  maxRooms: number
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

/** Levenshtein distance between two strings (for "did you mean" hints). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length] ?? 0
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  let shape: Record<string, unknown> = botConfigSchema.shape
  for (const key of path) {
    const next = shape[String(key)]
    const inner = (next as { unwrap?: () => unknown } | undefined)?.unwrap?.() ?? next
    const innerShape = (inner as { shape?: Record<string, unknown> } | undefined)?.shape
    if (innerShape === undefined) return []
    shape = innerShape
  }
  return Object.keys(shape)
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, base: readonly PropertyKey[] = []): string[] {
  const path = [...base, ...issue.path]
  const field = path.map(String).join('.')
  const at = (msg: string) => (field === '' ? msg : `${field}: ${msg}`)
  if (issue.code === 'unrecognized_keys') {
    const valid = knownKeys(path)
    return issue.keys.map((key) => {
      const close = valid.filter((v) => editDistance(key.toLowerCase(), v.toLowerCase()) <= 2)
      const hint = close.length > 0 ? `did you mean '${close[0]}'?` : `valid fields: ${valid.join(', ')}`
      return `${field === '' ? '' : `${field}.`}${key}: unknown field; ${hint}`
    })
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch that got furthest (deepest issue path): that is the one the user meant.
    const depth = (issues: z.core.$ZodIssue[]) => Math.max(...issues.map((i) => i.path.length))
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]
    if (best !== undefined && depth(best) > 0) return best.flatMap((i) => describeIssue(i, input, path))
    // Else the branch whose type matched but whose check failed (a string that is no SIP URI,
    // rather than "expected false"): its message says what to fix.
    const typed = issue.errors.filter((issues) => issues.every((i) => i.code !== 'invalid_type' && i.code !== 'invalid_value'))
    if (typed.length === 1) return typed[0]!.flatMap((i) => describeIssue(i, input, path))
  }
  if (issue.code === 'invalid_type' && valueAt(input, path) === undefined && field !== '') {
    return [at('is required')]
  }
  return [at(issue.message)]
}

/**
 * Validates a bot config and applies defaults. Throws {@link BotConfigError} listing every
 * problem, one line each, naming the field and the fix.
 *
 * `password` may be a string, `{ env: 'NAME' }` (read from the environment now), or absent.
 * A `password` key that is present but undefined (typically `process.env.SIP_PASSWORD` with the
 * variable unset) is an error rather than "no password", since it is almost always a mistake.
 *
 * @example
 * ```ts
 * const config = validateConfig({ uri: 'sip:echo@example.test', password: { env: 'SIP_PASSWORD' } })
 * ```
 */
export function validateConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): BotConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new BotConfigError('BOT_CONFIG_INVALID', [
      `the config must be an object such as { uri: 'sip:echo@example.test' }, got ${input === null ? 'null' : typeof input}`,
    ])
  }
  const problems: string[] = []
  if ('password' in input && (input as { password?: unknown }).password === undefined) {
    problems.push(
      'password: is undefined. If you wrote `password: process.env.SIP_PASSWORD`, that variable ' +
        "is not set: export it before starting (or write password: { env: 'SIP_PASSWORD' } to get " +
        'its name in this message). If the registrar needs no password, remove the field.',
    )
  }
  const parsed = botConfigSchema.safeParse(input)
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, input)))
  if (!parsed.success || problems.length > 0) throw new BotConfigError('BOT_CONFIG_INVALID', problems)

  const c = parsed.data
  let password: string | undefined
  if (typeof c.password === 'string') password = c.password
  else if (c.password !== undefined) {
    password = env[c.password.env]
    if (password === undefined || password === '') {
      throw new BotConfigError('BOT_CONFIG_INVALID', [
        `password: environment variable ${c.password.env} is ${password === '' ? 'empty' : 'not set'}; ` +
          `export ${c.password.env}=... before starting the bot`,
      ])
    }
  }
  if (c.queue.maxRetryDelayMs < c.queue.retryDelayMs) {
    throw new BotConfigError('BOT_CONFIG_INVALID', [
      `queue.maxRetryDelayMs (${c.queue.maxRetryDelayMs}) must be at least queue.retryDelayMs (${c.queue.retryDelayMs})`,
    ])
  }
  return {
    uri: c.uri,
    username: c.username,
    password,
    displayName: c.displayName,
    registrar: c.registrar,
    outboundProxy: c.outboundProxy,
    transport: c.transport ?? (/^sips:/i.test(c.uri) ? 'tls' : 'tcp'),
    logLevel: c.logLevel,
    ignoreSelf: c.ignoreSelf,
    ignoreHistory: c.ignoreHistory,
    ignoreBots: c.ignoreBots,
    loopGuard: c.loopGuard,
    rateLimit: c.rateLimit,
    queue: c.queue,
    acceptInvitations: c.acceptInvitations,
    maxRooms: c.maxRooms,
  }
}

/**
 * Sets environment variables for the duration of a call (a bot module's import), then
 * restores them: how `run` and `dev` hand the command line's identity and log level to a bot
 * written as `createBot({ uri: process.env.SIP_URI ?? ... })`.
 *
 * @module
 */

/**
 * Runs `work` with `vars` set in `process.env` (undefined values are skipped), restoring the
 * previous values (or their absence) afterwards, whether `work` resolves or rejects.
 *
 * @example
 * ```ts
 * const bot = await withEnv({ SIP_URI: 'sip:echo@example.com' }, () => loadBotModule(file))
 * ```
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const previous = new Map<string, string | undefined>()
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) continue
    previous.set(name, process.env[name])
    process.env[name] = value
  }
  try {
    return await work()
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/**
 * Bot modules: the files `msrp-bot dev` and `msrp-bot run` load.
 *
 * ## The contract
 *
 * A bot module is a TypeScript (or JavaScript) ES module whose **default export is a bot**
 * made with `createBot`, with its handlers registered and **not started**:
 *
 * ```ts
 * // bot.ts
 * import { createBot } from 'msrp-bot'
 *
 * const bot = createBot({ uri: process.env.SIP_URI ?? 'sip:echo@localhost' })
 * bot.command('help', (ctx) => ctx.reply('I echo what you say'))
 * bot.on('message', (ctx) => ctx.reply(`you said: ${ctx.text}`))
 *
 * export default bot
 * ```
 *
 * The command decides where the bot runs: before importing the module it registers the
 * backend factory `createBot` picks up (`setDefaultBackendFactory`), a local in-process server
 * for `dev`, the SIP network named by the flags for `run`. The command then starts the bot,
 * joins the rooms and stops it on Ctrl-C. So the module must not call `bot.start()` or
 * `bot.join()` itself, and must not pass `{ backend }` to `createBot` (tests do that).
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setDefaultBackendFactory } from '../bot/index.ts'
import type { Bot, ChatBackendFactory } from '../bot/index.ts'
import { MsrpBotError } from '../errors.ts'
import { freshModuleUrl, libraryDir, projectRootOf } from './fresh-modules.ts'

/** File extensions a bot module may have. */
export const BOT_MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const

/** A bot module could not be found, loaded, or does not default-export a bot. */
export class BotModuleError extends MsrpBotError {
  /** The module's path. */
  readonly file: string
  /**
   * True when an edit of the bot's code can fix it (a syntax error, a throw while loading, a
   * wrong export), false when the project's setup or the command line must change (no such
   * file, CommonJS, a second copy of msrp-bot, a bot the command cannot connect).
   */
  readonly inCode: boolean

  constructor(
    code: 'BOT_MODULE_NOT_FOUND' | 'BOT_MODULE_LOAD_FAILED' | 'BOT_MODULE_NO_DEFAULT_EXPORT' | 'BOT_MODULE_NOT_A_BOT' | 'BOT_MODULE_ALREADY_STARTED',
    file: string,
    message: string,
    options?: { cause?: unknown; inCode?: boolean },
  ) {
    super(code, `${file}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause })
    this.file = file
    this.inCode = options?.inCode ?? code !== 'BOT_MODULE_NOT_FOUND'
  }
}

const BOT_METHODS = ['start', 'stop', 'join', 'use', 'on', 'command', 'handleUpdate', 'middleware'] as const

/**
 * True when `value` looks like a {@link Bot}. Checked by shape, not `instanceof`, because the
 * bot module may import its own copy of msrp-bot (a project's node_modules) while the command
 * runs from another (a global install).
 */
export function isBot(value: unknown): value is Bot {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return BOT_METHODS.every((m) => typeof v[m] === 'function') && typeof v['state'] === 'string'
}

const EXAMPLE = "const bot = createBot({ uri: 'sip:echo@localhost' }); /* handlers */ export default bot"

/**
 * Checks a loaded module namespace against the contract and returns its bot, or throws a
 * {@link BotModuleError} saying what to change.
 *
 * @example
 * ```ts
 * const bot = botFromModule(await import(url), 'bot.ts')
 * ```
 */
export function botFromModule(namespace: Record<string, unknown>, file: string): Bot {
  const value = namespace['default']
  if (value === undefined) {
    const named = Object.entries(namespace).find(([, v]) => isBot(v))
    throw new BotModuleError(
      'BOT_MODULE_NO_DEFAULT_EXPORT',
      file,
      named !== undefined
        ? `it exports a bot named '${named[0]}' but has no default export; add \`export default ${named[0]}\``
        : `it has no default export. A bot module must end with \`export default bot\`, e.g. ${EXAMPLE}`,
    )
  }
  if (typeof value === 'function') {
    throw new BotModuleError(
      'BOT_MODULE_NOT_A_BOT',
      file,
      'its default export is a function, not a bot. Export the bot itself: call createBot(...) in ' +
        'the module and `export default bot`',
    )
  }
  if (value instanceof Promise) {
    throw new BotModuleError(
      'BOT_MODULE_NOT_A_BOT',
      file,
      'its default export is a promise. Use top-level await if you must wait: `const bot = await make(); export default bot`',
    )
  }
  if (!isBot(value)) {
    throw new BotModuleError(
      'BOT_MODULE_NOT_A_BOT',
      file,
      `its default export is ${describe(value)}, not a bot made with createBot(); ${EXAMPLE}`,
    )
  }
  if (value.state !== 'idle') {
    throw new BotModuleError(
      'BOT_MODULE_ALREADY_STARTED',
      file,
      `the module started the bot itself (state: ${value.state}). Remove bot.start() / bot.join() ` +
        'from the module: msrp-bot starts the bot and joins the rooms given on the command line',
    )
  }
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`
  return `a ${typeof value}`
}

/** Options for {@link loadBotModule}. */
export interface LoadBotModuleOptions {
  /**
   * The backend factory `createBot` uses while the module is evaluated (registered with
   * `setDefaultBackendFactory` for the duration of the import, then the previous one restored).
   */
  backendFactory?: ChatBackendFactory | undefined
  /**
   * Load a fresh copy of the module and of every module of its project it imports (see
   * fresh-modules.ts), telling each such file's path here (the bot file itself included), so
   * the caller can watch them. Without it, only the bot file itself is loaded afresh.
   */
  onModuleFile?: ((file: string) => void) | undefined
}

/** How often each bot file was loaded in this process. */
const loads = new Map<string, number>()

/**
 * Imports a bot module (`.ts` and `.mts` are fine when running under tsx, as the `msrp-bot`
 * binary does; `.js` and `.mjs` always) and returns its bot, checked against the contract above.
 *
 * Errors (all {@link BotModuleError}): BOT_MODULE_NOT_FOUND, BOT_MODULE_LOAD_FAILED (the module
 * threw while loading, e.g. an invalid createBot config: the message carries the original),
 * BOT_MODULE_NO_DEFAULT_EXPORT, BOT_MODULE_NOT_A_BOT, BOT_MODULE_ALREADY_STARTED. A CommonJS
 * module (no `"type": "module"`) fails with BOT_MODULE_LOAD_FAILED saying what to change.
 *
 * @example
 * ```ts
 * const bot = await loadBotModule('/home/me/my-bot/bot.ts', { backendFactory: (config) => makeBackend(config) })
 * await bot.start()
 * ```
 */
export async function loadBotModule(file: string, options: LoadBotModuleOptions = {}): Promise<Bot> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new BotModuleError('BOT_MODULE_NOT_FOUND', file, 'no such file; check the path (it is relative to the current directory)')
  }
  const ext = extname(file)
  if (!(BOT_MODULE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new BotModuleError(
      'BOT_MODULE_LOAD_FAILED',
      file,
      `a bot module is a ${BOT_MODULE_EXTENSIONS.join(' / ')} file, not '${ext || 'no extension'}'`,
    )
  }
  // Count the factory's calls: a bot whose createBot() never called it was built by another copy
  // of msrp-bot (a CommonJS build, a second install) or was given its own backend, and would
  // not reach the server this command runs it against.
  let factoryCalls = 0
  let factoryError: unknown
  const factory: ChatBackendFactory | undefined =
    options.backendFactory === undefined
      ? undefined
      : (config) => {
          factoryCalls++
          try {
            return options.backendFactory!(config)
          } catch (error) {
            factoryError = error // the command's refusal (e.g. a user not in --users), not the code's
            throw error
          }
        }
  const previous = factory === undefined ? undefined : setDefaultBackendFactory(factory)
  let namespace: Record<string, unknown>
  try {
    let href: string
    if (options.onModuleFile !== undefined) {
      options.onModuleFile(file)
      href = freshModuleUrl(file, options.onModuleFile)
    } else {
      const url = pathToFileURL(file)
      // Every load after the first gets a fresh copy of the module, not the cached one: a second
      // command in one process whose cached bot already ran. Modules it imports are not reloaded.
      const count = (loads.get(url.href) ?? 0) + 1
      loads.set(url.href, count)
      if (count > 1) url.searchParams.set('load', String(count))
      href = url.href
    }
    namespace = (await import(href)) as Record<string, unknown>
  } catch (error) {
    // A CommonJS bot fails in ways that do not name the cause (`Cannot require() ES Module ...
    // in a cycle`): say what to change instead.
    const commonJs = commonJsReason(file)
    const reason =
      commonJs !== undefined
        ? `${commonJs} (Node.js said: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`
        : error instanceof Error
          ? error.message
          : String(error)
    const inCode = commonJs === undefined && factoryError === undefined
    throw new BotModuleError('BOT_MODULE_LOAD_FAILED', file, `loading it failed: ${reason}${inCode ? whereItFailed(error, file) : ''}`, { cause: error, inCode })
  } finally {
    if (factory !== undefined) setDefaultBackendFactory(previous)
  }
  const bot = botFromModule(namespace, file)
  if (factory !== undefined && factoryCalls === 0) {
    const commonJs = commonJsReason(file)
    throw new BotModuleError(
      'BOT_MODULE_LOAD_FAILED',
      file,
      commonJs !== undefined
        ? `loading it failed: its createBot() used a different copy of msrp-bot than the one running it, because ${commonJs}`
        : `loading it failed: ${SECOND_COPY}; or, if it passes { backend } to createBot(), remove that option so msrp-bot can connect the bot`,
      { inCode: false },
    )
  }
  return bot
}

/**
 * Where in the project a load error happened, as ` (at file:line:column)`, when the message
 * does not already say: the first stack frame in a file of the bot's project (not msrp-bot, not
 * node_modules, not Node.js). Empty when there is none or the message names the place.
 */
export function whereItFailed(error: unknown, file: string): string {
  if (!(error instanceof Error)) return ''
  const first = error.message.split('\n')[0] ?? ''
  if (/:\d+:\d+/.test(first)) return ''
  const project = projectRootOf(file)
  const library = libraryDir()
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^()]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim())
    if (m === null) continue
    const path = m[1]!.replace(/^file:\/\//, '').replace(/\?.*$/, '')
    if (path.includes('/node_modules/') || !path.startsWith(project) || path.startsWith(library)) continue
    return ` (at ${path}:${m[2]}:${m[3]})`
  }
  return ''
}

/**
 * Why `file` would be loaded as CommonJS, with what to change, or undefined for an ES module.
 * A `.ts` or `.js` file is CommonJS unless the nearest package.json above it says
 * `"type": "module"` (Node.js's rule, which tsx follows); `.mts` and `.mjs` are always ES modules.
 *
 * @example
 * ```ts
 * commonJsReason('/home/me/bot/bot.ts')
 * // 'it is a CommonJS module: /home/me/bot/package.json has no "type": "module". msrp-bot is an ES module; add ...'
 * ```
 */
export function commonJsReason(file: string): string | undefined {
  const ext = extname(file)
  if (ext !== '.ts' && ext !== '.js') return undefined
  const pkg = nearestPackageJson(dirname(file))
  if (pkg !== undefined && pkg.type === 'module') return undefined
  const renamed = `${basename(file, ext)}${ext === '.ts' ? '.mts' : '.mjs'}`
  const where = pkg === undefined ? 'no package.json above it says "type": "module"' : `${pkg.path} has no "type": "module"`
  const fix = pkg === undefined ? 'create a package.json with "type": "module" beside it' : `add "type": "module" to ${pkg.path}`
  return `it is a CommonJS module: ${where}. msrp-bot is an ES module; ${fix}, or rename the file to ${renamed}`
}

/** The package.json that decides a file's module format: the nearest one above `dir`. */
function nearestPackageJson(dir: string): { path: string; type: unknown } | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const path = join(current, 'package.json')
    if (existsSync(path)) {
      try {
        return { path, type: (JSON.parse(readFileSync(path, 'utf8')) as { type?: unknown }).type }
      } catch {
        return { path, type: undefined } // Node.js itself fails on it; the import error says so
      }
    }
    if (dirname(current) === current) return undefined
  }
}

const SECOND_COPY =
  'its createBot() used a different copy of msrp-bot than the one running it. Make the ' +
  'project an ES module ("type": "module" in package.json, or name the file .mts) and ' +
  'install msrp-bot once (npm ls msrp-bot)'


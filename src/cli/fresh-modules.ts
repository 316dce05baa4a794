/**
 * Fresh copies of a bot's own modules, for `msrp-bot dev`'s reload.
 *
 * Node.js caches every ES module by URL and offers no way to evict one, so a reload imports the
 * bot file under a new URL (`bot.ts?msrp-bot-load=3`). That alone gives a fresh bot file but
 * the old copies of the modules it imports. A module resolve hook (Node.js `module.register`)
 * carries the query on to every module the bot file imports, directly or not, that lies in the
 * bot's project: a reload re-evaluates the project's whole module graph. Packages
 * (node_modules) and msrp-bot itself keep their one copy, so the bot still uses the msrp-bot
 * the command runs (and its backend).
 *
 * The hook also reports each project file it saw, so the command can watch the files the bot
 * really uses (not data files the bot writes, which would reload it at every write).
 *
 * Old copies stay in Node's cache: a long `dev` session with many reloads grows a little.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import module from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { MessageChannel } from 'node:worker_threads'

/** The query parameter that marks a module as part of one load. */
export const LOAD_PARAM = 'msrp-bot-load'

/** The query parameter that carries the project's folder (a file: URL) along with the load. */
export const ROOT_PARAM = 'msrp-bot-root'

// Runs in Node's module-hooks thread. It must be plain JavaScript (no loader there runs
// TypeScript for a data: URL), so it is kept as source text. The load and the project's folder
// travel in the parent's URL, so one hook serves every bot file and every reload.
const HOOKS = `
let port
let excluded = []
export function initialize(data) {
  port = data.port
  excluded = data.excluded
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  const parent = context.parentURL
  if (parent === undefined || !parent.startsWith('file:') || !result.url.startsWith('file:')) return result
  const params = new URL(parent).searchParams
  const load = params.get('${LOAD_PARAM}')
  const root = params.get('${ROOT_PARAM}')
  if (load === null || root === null) return result
  const url = new URL(result.url)
  const plain = result.url.split(/[?#]/)[0]
  if (!plain.startsWith(root) || plain.includes('/node_modules/') || excluded.some((dir) => plain.startsWith(dir))) return result
  url.searchParams.set('${LOAD_PARAM}', load)
  url.searchParams.set('${ROOT_PARAM}', root)
  port.postMessage({ load, url: plain })
  return { ...result, url: url.href }
}
`

/** Told each project file a load imports (asynchronously, as the hook resolves them). */
type FileListener = (file: string) => void

let listeners: Map<string, FileListener> | undefined
let loads = 0

/** The directory of the nearest package.json above `file` (its project), else the file's folder. */
export function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return dirname(file)
  }
}

/** msrp-bot's own code (src/ in a checkout, dist/ when installed): never reloaded. */
export function libraryDir(): string {
  return fileURLToPath(new URL('../', import.meta.url))
}

function dirUrl(dir: string): string {
  const href = pathToFileURL(dir).href
  return href.endsWith('/') ? href : `${href}/`
}

/**
 * The URL of a fresh load of `file`: importing it evaluates the file and every module of its
 * project that it imports anew, and reports those modules' paths to `onFile`. Installs the
 * resolve hook on first use (once per process).
 *
 * @example
 * ```ts
 * const namespace = await import(freshModuleUrl('/home/me/bot/bot.ts', (f) => watched.add(f)))
 * ```
 */
export function freshModuleUrl(file: string, onFile: FileListener): string {
  if (listeners === undefined) {
    const { port1, port2 } = new MessageChannel()
    const known = new Map<string, FileListener>()
    port1.on('message', (message: { load: string; url: string }) => known.get(message.load)?.(fileURLToPath(message.url)))
    port1.unref()
    module.register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
      data: { port: port2, excluded: [dirUrl(libraryDir())] },
      transferList: [port2],
    })
    listeners = known
  }
  const load = String(++loads)
  listeners.set(load, onFile)
  const url = pathToFileURL(file)
  url.searchParams.set(LOAD_PARAM, load)
  url.searchParams.set(ROOT_PARAM, dirUrl(projectRootOf(file)))
  return url.href
}

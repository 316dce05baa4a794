/**
 * `msrp-bot dev` (and `npm start`): a local chat server on loopback sockets with the given bots
 * in every room, a terminal chat for the person at the keyboard, and a bot reloaded when its
 * file changes.
 *
 * The bots reach the server over real TCP, exactly as they would reach a production server, so
 * `msrp-bot chat` from another terminal (or any SIP/MSRP chat client) can join the same rooms.
 *
 * @module
 */
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { createConsoleLogger, type Bot, type Logger } from '../bot/index.ts'
import { createNodeChatBackend, type BackendConfig, type SipChatBackend } from '../chat/index.ts'
import { chatServerOptionsFromCli, startChatServer, type ChatServer } from '../server/index.ts'
import { MsrpBotError } from '../errors.ts'
import { BotModuleError, loadBotModule } from './bot-module.ts'
import { startOnFreePorts } from './dev-ports.ts'
import { userPartOf } from './network-backend.ts'
import type { DevOptions, RuntimeContext } from './runtime-options.ts'
import { withEnv } from './scoped-env.ts'
import { serverCliOptions } from './server-settings.ts'
import { runTerminalChat } from './terminal-chat.ts'
import { untilAborted } from './until-aborted.ts'

/** One bot file, the bot currently running from it, and the project files it imports. */
interface LoadedBot {
  readonly file: string
  bot: Bot | undefined
  /** The bot file and every file of its project it imported (in any load so far): watched. */
  readonly files: Set<string>
  /** Told when a load found a file not seen before (the watcher starts watching its folder). */
  onNewFile?: ((file: string) => void) | undefined
}

/**
 * Runs the local server with the bots until Ctrl-C (or, with the terminal chat, `/quit`).
 * Resolves after everything stopped: bots left their rooms and unregistered, the server said
 * BYE to everyone and closed its sockets.
 */
export async function runDevCommand(options: DevOptions, context: RuntimeContext): Promise<void> {
  const out = (line: string): void => void context.io.stdout.write(`${line}\n`)
  const logger = createConsoleLogger(options.server.logLevel)
  const server = await startOnFreePorts(options.server, new Set(options.defaultPorts ?? []), out, (settings) => startChatServer(chatServerOptionsFromCli(serverCliOptions(settings, logger))))
  const settings = options.server
  const stop = new AbortController()
  const onAbort = (): void => stop.abort()
  // A Ctrl-C while the server was starting must not be lost (no 'abort' event comes for it).
  if (context.signal.aborted) stop.abort()
  else context.signal.addEventListener('abort', onAbort, { once: true })
  const bots: LoadedBot[] = options.botFiles.map((file) => ({ file, bot: undefined, files: new Set<string>() }))
  const watchers: BotWatcher[] = []
  try {
    const sip = server.addresses.sip.find((a) => a.transport === 'tcp') ?? server.addresses.sip[0]!
    // The bots run on this machine: they dial the bound address (loopback for a wildcard bind),
    // which may not be reachable from inside under the advertised name (NAT without hairpinning).
    const local = sip.host === '0.0.0.0' ? '127.0.0.1' : sip.host === '::' ? '[::1]' : sip.host.includes(':') ? `[${sip.host}]` : sip.host
    const proxy = `sip:${local}:${sip.port};transport=tcp;lr`
    out(`msrp-bot dev: chat server ready on ${settings.host}${settings.advertise === undefined ? '' : ` advertised as ${settings.advertise}`} (SIP ${sip.port} udp+tcp, MSRP ${server.addresses.msrp.port}), rooms ${roomList(server)}`)
    const web = server.addresses.web
    if (web !== undefined) out(`msrp-bot dev: chat in a browser at ${webPageUrl(web, settings.rooms[0] ?? 'lobby')}`)
    const connect = (config: BackendConfig, automaton = true): SipChatBackend => {
      const uri = inDomain(config.uri, settings.domain)
      requireListedUser(uri, settings.users)
      return createNodeChatBackend({ ...config, uri, ...passwordFor(uri, settings.users), registrar: proxy, outboundProxy: proxy, transport: 'tcp' }, { logger, automaton })
    }

    for (const entry of bots) {
      const host = { server, connect, logger, out, logLevel: settings.logLevel }
      try {
        await startBot(entry, await loadBot(entry, host), host)
      } catch (error) {
        // A mistake in the bot's code: report it and wait for the fix (the watcher loads it).
        if (!(error instanceof BotModuleError && error.inCode)) throw error
        out(`msrp-bot dev: ${basename(entry.file)} failed to load; fix it and save, dev waits for the change: ${error.message}`)
      }
    }
    makeBotsModerators(server, bots)
    for (const entry of bots) watchers.push(watchForChanges(entry, { server, connect, logger, out, logLevel: settings.logLevel }))

    if (options.chat && context.io.stdin.isTTY === true) {
      const person = personUri(settings.domain, context.io.env)
      const backend = connect({ uri: person, transport: 'tcp' }, false)
      await backend.start()
      try {
        const firstRoom = server.roomUri(settings.rooms[0] ?? 'lobby')
        await runTerminalChat({
          backend,
          room: firstRoom,
          nickname: userPartOf(person),
          input: context.io.stdin,
          output: context.io.stdout,
          signal: stop.signal,
        })
      } finally {
        await backend.stop()
      }
    } else {
      const room = server.roomUri(settings.rooms[0] ?? 'lobby')
      // The proxy (with `lr`, RFC 3261 §16.12) carries the room's INVITE too: the room's domain
      // need not resolve to this server. Quoted: `;` would end the shell command.
      out(`msrp-bot dev: join from another terminal with: npx msrp-bot chat ${room} --uri sip:you@${settings.domain} --outbound-proxy '${proxy}'`)
      out('msrp-bot dev: Ctrl-C stops the server and the bots')
      await untilAborted(stop.signal)
    }
  } finally {
    context.signal.removeEventListener('abort', onAbort)
    // Pending and running reloads finish first, so no bot starts after the others stopped.
    await Promise.all(watchers.map((watcher) => watcher.close()))
    out('msrp-bot dev: stopping the bots and the server')
    for (const entry of bots) await entry.bot?.stop().catch((error: unknown) => logger.warn({ err: error }, `${basename(entry.file)} did not stop cleanly`))
    await server.close()
    out('msrp-bot dev: stopped')
  }
}

interface BotHost {
  readonly server: ChatServer
  readonly connect: (config: BackendConfig) => SipChatBackend
  readonly logLevel: string
  readonly logger: Logger
  readonly out: (line: string) => void
}

/**
 * Loads a fresh copy of a bot file and of the project modules it imports (see
 * fresh-modules.ts), noting each of those files for the watcher.
 */
function loadBot(entry: LoadedBot, host: BotHost): Promise<Bot> {
  const note = (file: string): void => {
    if (entry.files.has(file)) return
    entry.files.add(file)
    entry.onNewFile?.(file)
  }
  // The bot's own logger follows the command's level (--log-level, else MSRP_BOT_LOG_LEVEL), unless
  // the bot's config sets one.
  return withEnv({ MSRP_BOT_LOG_LEVEL: host.logLevel }, () => loadBotModule(entry.file, { backendFactory: host.connect, onModuleFile: note }))
}

/** Starts a loaded bot and joins it to every room. */
async function startBot(entry: LoadedBot, bot: Bot, host: BotHost): Promise<void> {
  await bot.start()
  entry.bot = bot
  const nickname = userPartOf(bot.backend.uri)
  for (const room of host.server.rooms.list()) {
    const joined = await bot.join(room.uri, { nickname, retryNicknames: true })
    host.out(`msrp-bot dev: ${basename(entry.file)} (${bot.backend.uri}) joined ${room.uri} as ${joined.nickname ?? nickname}`)
  }
}

/**
 * The bots may moderate the rooms of the local server (the moderator example removes people
 * through the focus, RFC 4579), as an operator would configure it for a real deployment.
 */
function makeBotsModerators(server: ChatServer, bots: readonly LoadedBot[]): void {
  const uris = bots.map((b) => b.bot?.backend.uri).filter((u): u is string => u !== undefined)
  for (const room of server.rooms.list()) {
    server.rooms.store.updateConfig(room.uri, { moderators: [...new Set([...room.state.config.moderators, ...uris])] })
  }
}


/** Watches one bot file; `close()` resolves once no reload is pending or running. */
interface BotWatcher {
  close(): Promise<void>
}

/**
 * Reloads a bot when its file, or a file of its project that it imports, changes (edits often
 * come as several events: they are merged). The new copy is loaded first: only once it loaded
 * does the old bot stop and the new one start, so a save with a mistake leaves the old bot in
 * the rooms and prints the error. Folders are watched, not files: editors that save by writing
 * a new file and renaming it over the old one (vim, JetBrains "safe write") would otherwise end
 * the watch at the first save.
 */
function watchForChanges(entry: LoadedBot, host: BotHost): BotWatcher {
  let timer: NodeJS.Timeout | undefined
  let closed = false
  let reloading = Promise.resolve()
  const name = basename(entry.file)
  const reload = (changed: string): void => {
    timer = undefined
    reloading = reloading.then(async () => {
      if (closed) return
      host.out(`msrp-bot dev: ${changed === entry.file ? name : `${relative(dirname(entry.file), changed)} (imported by ${name})`} changed, reloading`)
      let next: Bot
      try {
        next = await loadBot(entry, host)
      } catch (error) {
        const still = entry.bot === undefined ? '' : ' (the previous version keeps running)'
        host.out(`msrp-bot dev: ${name} failed to load${still}; fix it and save again: ${error instanceof Error ? error.message : String(error)}`)
        return
      }
      if (closed) return
      await entry.bot?.stop()
      entry.bot = undefined
      try {
        await startBot(entry, next, host)
        makeBotsModerators(host.server, [entry])
      } catch (error) {
        host.out(`msrp-bot dev: ${name} failed to start, fix it and save again: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
  }
  const watchers = new Map<string, FSWatcher>()
  const watchFolderOf = (file: string): void => {
    const dir = dirname(file)
    if (closed || watchers.has(dir)) return
    watchers.set(
      dir,
      watch(dir, (_event, changed) => {
        const path = changed === null ? undefined : join(dir, changed.toString())
        if (closed || path === undefined || !entry.files.has(path)) return
        clearTimeout(timer)
        timer = setTimeout(() => reload(path), 150)
      }),
    )
  }
  watchFolderOf(entry.file)
  for (const file of entry.files) watchFolderOf(file)
  entry.onNewFile = watchFolderOf
  return {
    close: async () => {
      closed = true
      clearTimeout(timer)
      for (const watcher of watchers.values()) watcher.close()
      await reloading
    },
  }
}

function roomList(server: ChatServer): string {
  return server.rooms.list().map((r) => r.uri).join(', ') || '(none)'
}

/**
 * The bot's address in the local server's domain: the server only registers its own domain, so
 * a bot written as `sip:echo@localhost` runs as `sip:echo@<--domain>` (same user part).
 */
function inDomain(uri: string, domain: string): string {
  const match = /^(sips?:[^@;?]+@)([^;?>]+)/i.exec(uri)
  if (match === null) return uri
  const host = match[2]!.replace(/:\d+$/, '')
  return host.toLowerCase() === domain.toLowerCase() ? uri : `${match[1]}${domain}`
}

/**
 * With `--users`, the local server asks every identity for its password: a bot missing from the
 * list could only be refused, so say which name to add instead of the registrar's 401/403.
 */
function requireListedUser(uri: string, users: DevOptions['server']['users']): void {
  if (users === undefined || users.some((u) => u.username === userPartOf(uri))) return
  throw new MsrpBotError(
    'DEV_BOT_NOT_IN_USERS',
    `${uri} is not in --users (which lists ${users.map((u) => u.username).join(', ') || 'nobody'}), so the local server would refuse it; add ${userPartOf(uri)}:<password> to --users (or to the users file)`,
  )
}

/** With `--users`, a bot registers with the password listed for its user name. */
function passwordFor(uri: string, users: DevOptions['server']['users']): { password?: string } {
  const account = users?.find((u) => u.username === userPartOf(uri))
  return account === undefined ? {} : { password: account.password }
}

/** The person at the keyboard: `sip:<login name>@<domain>`. */
function personUri(domain: string, env: NodeJS.ProcessEnv): string {
  const login = (env['USER'] ?? env['USERNAME'] ?? 'you').toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'you'
  return `sip:${login}@${domain}`
}

/** The page's address for a person on this machine (loopback for a wildcard bind). */
function webPageUrl(web: { readonly host: string; readonly port: number }, room: string): string {
  const host = web.host === '0.0.0.0' || web.host === '::' ? '127.0.0.1' : web.host.includes(':') ? `[${web.host}]` : web.host
  return `http://${host}:${web.port}/?room=${encodeURIComponent(room)}`
}

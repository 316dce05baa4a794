/**
 * The parsed server settings of `msrp-bot server` and `msrp-bot dev` as the server's command-line
 * options: the one mapping both commands use (then `chatServerOptionsFromCli` in src/server/cli.ts
 * makes them `startChatServer` options).
 *
 * @module
 */
import type { ChatServerCliOptions, ChatServerLogger } from '../server/index.ts'
import type { ServerOptions } from './runtime-options.ts'

/**
 * The server's command-line options for `settings`, logging to `logger`.
 *
 * @example
 * ```ts
 * const server = await startChatServer(chatServerOptionsFromCli(serverCliOptions(options.server, logger)))
 * ```
 */
export function serverCliOptions(settings: ServerOptions, logger: ChatServerLogger): ChatServerCliOptions {
  return {
    host: settings.host,
    ...(settings.advertise === undefined ? {} : { advertise: settings.advertise }),
    port: settings.port,
    domain: settings.domain,
    rooms: [...settings.rooms],
    moderators: [...settings.moderators],
    ...(settings.users === undefined ? {} : { users: Object.fromEntries(settings.users.map((u) => [u.username, u.password])) }),
    ...(settings.wsPort === undefined ? {} : { wsPort: settings.wsPort }),
    msrpPort: settings.msrpPort,
    ...(settings.digestAlgorithms === undefined ? {} : { digestAlgorithms: [...settings.digestAlgorithms] }),
    ...(settings.trustedProxies === undefined ? {} : { trustedProxies: [...settings.trustedProxies] }),
    ...(settings.allowGuests === undefined ? {} : { allowGuests: settings.allowGuests }),
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(settings.msrpDial === undefined ? {} : { msrpDial: settings.msrpDial }),
    ...(settings.history === undefined ? {} : { history: settings.history }),
    ...(settings.historyBytes === undefined ? {} : { historyBytes: settings.historyBytes }),
    ...(settings.autoCreate === true ? { autoCreate: true } : {}),
    ...(settings.maxAutoRooms === undefined ? {} : { maxAutoRooms: settings.maxAutoRooms }),
    ...(settings.autoRoomHistory === undefined ? {} : { autoRoomHistory: settings.autoRoomHistory }),
    ...(settings.cluster === undefined ? {} : { cluster: { ...settings.cluster } }),
    ...(settings.files === undefined ? {} : { files: { ...settings.files } }),
    ...(settings.callOutProxy === undefined ? {} : { callOutProxy: settings.callOutProxy }),
    ...(settings.callOutCredentials === undefined ? {} : { callOutCredentials: { ...settings.callOutCredentials } }),
    logger,
  }
}

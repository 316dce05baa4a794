/**
 * The call-out flags of `msrp-bot server`: the proxy through which rooms call invitees this
 * server does not know (RFC 4579 §5.5), and the server's account there for the proxy's digest
 * challenges. The password is read from an environment variable or a file, never from the
 * command line (where every local user sees it in `ps`).
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { MsrpBotError } from '../../errors.ts'
import { callOutProxyDestination } from '../../server/call-out-route.ts'
import { stringFlag } from '../args.ts'
import type { FlagSpec } from '../args.ts'
import { CliUsageError } from '../errors.ts'
import type { CliIo } from '../io.ts'
import type { ServerOptions } from '../runtime.ts'
import { parseEnvName } from '../validate.ts'
import { absolutePath } from './shared.ts'

/** Where `--call-out-user`'s password is read from unless `--call-out-password-env` or `--call-out-password-file` says otherwise. */
export const DEFAULT_CALL_OUT_PASSWORD_ENV = 'MSRP_BOT_CALL_OUT_PASSWORD'

/** `--call-out-proxy` and the account flags that need it. */
export const callOutFlags: Record<string, FlagSpec> = {
  'call-out-proxy': {
    type: 'string',
    value: '<sip uri>',
    description: 'Call invitees not registered here through this proxy, e.g. sip:proxy.example.com;transport=tcp',
    default: 'off: such invitations fail with 480',
  },
  'call-out-user': { type: 'string', value: '<name>', description: "With --call-out-proxy: the server's digest user name there, for the proxy's 401/407 challenges" },
  'call-out-password-env': {
    type: 'string',
    value: '<NAME>',
    description: "Environment variable holding --call-out-user's password (never pass the password itself)",
    default: DEFAULT_CALL_OUT_PASSWORD_ENV,
  },
  'call-out-password-file': { type: 'string', value: '<file>', description: "A file whose first line is --call-out-user's password (instead of the environment)" },
  'call-out-realm': { type: 'string', value: '<realm>', description: "With --call-out-user: answer only this realm's challenges", default: "the proxy's realm" },
}

/** `--call-out-proxy` and the account at it; only what was given. */
export function parseCallOutFlags(command: string, values: Parameters<typeof stringFlag>[0], io: CliIo): Pick<ServerOptions, 'callOutProxy' | 'callOutCredentials'> {
  const proxy = stringFlag(values, 'call-out-proxy')
  const user = stringFlag(values, 'call-out-user')
  const passwordEnv = stringFlag(values, 'call-out-password-env')
  const passwordFile = stringFlag(values, 'call-out-password-file')
  const realm = stringFlag(values, 'call-out-realm')
  const usage = (message: string): never => {
    throw new CliUsageError(`${command}: ${message}`, { command })
  }
  if (user === undefined) {
    const needing = passwordEnv !== undefined ? '--call-out-password-env' : passwordFile !== undefined ? '--call-out-password-file' : realm !== undefined ? '--call-out-realm' : undefined
    if (needing !== undefined) usage(`${needing} needs --call-out-user <name> (the account it belongs to)`)
  }
  if (proxy === undefined) {
    if (user !== undefined) usage('--call-out-user needs --call-out-proxy <sip uri>: the credentials are only ever sent to that proxy')
    return {}
  }
  try {
    callOutProxyDestination(proxy)
  } catch (error) {
    if (!(error instanceof MsrpBotError)) throw error
    usage(`--call-out-proxy: ${error.message}`)
  }
  if (user === undefined) return { callOutProxy: proxy }
  if (user.trim() === '' || /[\s"]/.test(user)) usage(`--call-out-user '${user}': give a user name without spaces or quotes`)
  if (passwordEnv !== undefined && passwordFile !== undefined) usage('give --call-out-password-env or --call-out-password-file, not both')
  const password = passwordFile === undefined ? passwordFromEnv(command, io, passwordEnv) : passwordFromFile(command, io, passwordFile)
  return { callOutProxy: proxy, callOutCredentials: { username: user, password, ...(realm === undefined ? {} : { realm }) } }
}

function passwordFromEnv(command: string, io: CliIo, flagValue: string | undefined): string {
  const name = parseEnvName(command, '--call-out-password-env', flagValue ?? DEFAULT_CALL_OUT_PASSWORD_ENV)
  const password = io.env[name]
  if (password === undefined || password === '') {
    throw new CliUsageError(
      `${command}: --call-out-user needs its password: ${name} is ${password === '' ? 'empty' : 'not set'}; export ${name}=... before starting the server, or give --call-out-password-file <file>`,
      { command },
    )
  }
  return password
}

function passwordFromFile(command: string, io: CliIo, path: string): string {
  let text: string
  try {
    text = readFileSync(absolutePath(io, path), 'utf8')
  } catch (error) {
    throw new CliUsageError(`${command}: --call-out-password-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a file whose first line is the password`, { command })
  }
  const password = text.split(/\r?\n/, 1)[0] ?? ''
  if (password === '') throw new CliUsageError(`${command}: --call-out-password-file ${path}: its first line is empty; put the password there`, { command })
  return password
}

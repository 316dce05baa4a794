/**
 * The client side of RFC 4976 (MSRP relays): AUTH with HTTP Digest, learn the `Use-Path` and
 * `Expires`, and open a session that sends via that path and receives on the AUTH connection.
 *
 * Relays answer each SEND hop by hop and may forward the far end's response too; the second
 * response for a transaction id is ignored by {@link MsrpConnection}, so a send resolves once.
 */
import { debugLog } from '../debug-log.ts'
import type { Clock } from '../clock.ts'
import type { MsrpConnection } from './connection.ts'
import { noDialError, type MsrpDial } from './dial.ts'
import { digestAuthorization, parseDigestChallenge } from './digest.ts'
import { MsrpRequestError } from './errors.ts'
import type { MsrpHeaders, MsrpRequest, MsrpResponse } from './message.ts'
import { generateTransactionId } from './serializer.ts'
import type { MsrpSessionOptions } from './session.ts'
import { MsrpSession } from './session.ts'
import type { MsrpUri } from './uri.ts'
import { formatMsrpUri, parseMsrpUri } from './uri.ts'

const log = debugLog('msrp')

/** Options of {@link authenticateRelay}. */
export interface RelayAuthOptions {
  /** The relay, e.g. `msrps://relay.example.com;tcp` (RFC 4976 §5: no session id). */
  relay: MsrpUri | string
  /** Our URI (From-Path of AUTH); the session opened later must use the same one. */
  localUri: MsrpUri | string
  username: string
  password: string
  /** An open connection to the relay; by default one is opened (and kept for the session). */
  connection?: MsrpConnection
  /** Opens the connection to the relay when none is given (e.g. `dialMsrp` on Node). */
  dial?: MsrpDial
  /** Ask for this lifetime in seconds (RFC 4976 §5.1 `Expires`). */
  expires?: number
  clock?: Clock
  transactionTimeoutMs?: number
}

/** What a successful AUTH gives. */
export interface RelayAuthResult {
  /** The relay path to put before the peer's path, and to advertise before our URI (RFC 4976 §5). */
  readonly usePath: readonly MsrpUri[]
  /** Seconds the relay grants, when it says. */
  readonly expires: number | undefined
  /** The authenticated connection; the relay delivers requests for us on it. */
  readonly connection: MsrpConnection
  /** The Digest realm that challenged us, or undefined when no challenge came. */
  readonly realm: string | undefined
  /** Our URI, as sent in From-Path. */
  readonly localUri: MsrpUri
}

/**
 * AUTHs with an MSRP relay (RFC 4976 §5): AUTH, 401 with a Digest challenge, AUTH with
 * credentials (HA2 = MD5("AUTH:" + relay URI)), 200 with Use-Path and Expires. A 423 answer is
 * retried once with the relay's Min-Expires/Max-Expires.
 *
 * @throws MsrpRequestError `MSRP_AUTH_FAILED` with the relay's status (401 again means wrong
 *   credentials), or `MSRP_TIMEOUT` (408).
 *
 * @example
 * ```ts
 * const auth = await authenticateRelay({ relay: 'msrp://127.0.0.1:2855;tcp', localUri, username: 'alice', password: 'secret' })
 * const session = openRelaySession(auth, { remotePath })
 * // advertise [...auth.usePath, auth.localUri] as a=path
 * ```
 */
export async function authenticateRelay(options: RelayAuthOptions): Promise<RelayAuthResult> {
  const relay = typeof options.relay === 'string' ? parseMsrpUri(options.relay) : options.relay
  const localUri = typeof options.localUri === 'string' ? parseMsrpUri(options.localUri) : options.localUri
  const connection =
    options.connection ??
    (await (options.dial ?? failToDial)(relay, {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: options.transactionTimeoutMs }),
    }))
  const relayText = formatMsrpUri(relay)
  let expires = options.expires
  let authorization: string | undefined
  let realm: string | undefined
  let retried423 = false

  const auth = async (): Promise<MsrpResponse> => {
    const headers: MsrpHeaders = { 'To-Path': [relay], 'From-Path': [localUri] }
    if (authorization !== undefined) headers.Authorization = authorization
    if (expires !== undefined) headers.Expires = expires
    const frame: MsrpRequest = { type: 'request', method: 'AUTH', transactionId: generateTransactionId(), headers, extensionHeaders: [], continuation: '$' }
    return (await connection.request(frame, { timeoutMs: options.transactionTimeoutMs }).response) as MsrpResponse
  }

  try {
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await auth()
      log('relay %s answered AUTH with %d', relayText, response.status)
      if (response.status === 200) {
        const usePath = response.headers['Use-Path']
        if (usePath === undefined || usePath.length === 0) {
          throw new MsrpRequestError('MSRP_AUTH_FAILED', 200, `relay ${relayText} accepted AUTH but sent no Use-Path (RFC 4976 §5 requires it)`)
        }
        return { usePath, expires: response.headers.Expires, connection, realm, localUri }
      }
      if (response.status === 401 && authorization === undefined) {
        const challengeText = response.headers['WWW-Authenticate']
        if (challengeText === undefined) throw new MsrpRequestError('MSRP_AUTH_FAILED', 401, `relay ${relayText} sent 401 without WWW-Authenticate`)
        const challenge = parseDigestChallenge(challengeText)
        realm = challenge.realm
        authorization = digestAuthorization({ challenge, username: options.username, password: options.password, uri: relayText })
        continue
      }
      if (response.status === 423 && !retried423) {
        // RFC 4976 §5.1: the requested Expires was out of bounds; take the relay's bound.
        retried423 = true
        expires = response.headers['Min-Expires'] ?? response.headers['Max-Expires']
        continue
      }
      const hint = response.status === 401 ? ' (wrong user name or password?)' : ''
      throw new MsrpRequestError('MSRP_AUTH_FAILED', response.status, `relay ${relayText} refused AUTH for ${options.username}: ${response.status} ${response.comment ?? ''}${hint}`.trim(), response.comment)
    }
    throw new MsrpRequestError('MSRP_AUTH_FAILED', 401, `relay ${relayText} kept challenging AUTH for ${options.username}`)
  } catch (error) {
    if (options.connection === undefined) connection.close()
    throw error
  }
}

/**
 * Opens a session behind the relay we AUTHed with: requests go out with To-Path =
 * Use-Path + remote path, and the relay delivers the peer's requests on the AUTH connection.
 */
export function openRelaySession(auth: RelayAuthResult, options: Omit<MsrpSessionOptions, 'localUri' | 'relayPath' | 'listener'> = {}): MsrpSession {
  const session = new MsrpSession({ ...options, localUri: auth.localUri, relayPath: auth.usePath })
  session.bind(auth.connection)
  return session
}

/** The dialer of last resort: fails with a message that says what to pass. */
const failToDial: MsrpDial = () => Promise.reject(noDialError('authenticateRelay()'))

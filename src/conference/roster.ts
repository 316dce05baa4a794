import { mergeConferenceInfo } from './merge.ts'
import { parseConferenceInfo } from './parse.ts'
import type { ConferenceEndpoint, ConferenceFile, ConferenceInfo, ConferenceUser, EndpointStatus } from './types.ts'

/** One person in the room, as a bot or UI sees it. */
export interface ConferenceParticipant {
  /** The user's URI (`<user entity>`). */
  uri: string
  /**
   * Nickname (RFC 7701). RFC 4575 has no nickname element; chat-room focuses such as
   * SylkServer carry it as display-text, endpoint first, then user.
   */
  nickname: string | undefined
  /** The user's `<display-text>`. */
  displayText: string | undefined
  /** Best endpoint status: `connected` if any endpoint is, else the first endpoint's. */
  status: EndpointStatus | string | undefined
  roles: string[]
  endpoints: ConferenceEndpoint[]
  /** True for a bot, false for a person, undefined when the focus does not say (msrp-bot extension). */
  automaton: boolean | undefined
}

/** What one applied notification changed. */
export interface RosterDiff {
  joined: ConferenceParticipant[]
  left: ConferenceParticipant[]
  /** Participants whose nickname changed, with the previous one. */
  renamed: Array<{ participant: ConferenceParticipant; previousNickname: string | undefined }>
}

/** Result of {@link ConferenceRoster.apply}. */
export type RosterApplyResult =
  | { kind: 'applied'; version: number | undefined; diff: RosterDiff }
  /** RFC 4575 §4.6: version not greater than the current one — an old or repeated NOTIFY. */
  | { kind: 'ignored'; reason: 'stale-version'; version: number; currentVersion: number }
  /**
   * The state cannot be brought up to date from this document: a partial document arrived
   * before any full one, or skipped versions (RFC 4575 §4.6). Refresh the subscription to get
   * a full-state NOTIFY; the roster keeps its previous state meanwhile.
   */
  | { kind: 'resubscribe'; reason: 'no-full-state' | 'version-gap'; expectedVersion: number | undefined; receivedVersion: number | undefined }

const GONE: ReadonlySet<string> = new Set(['disconnected', 'disconnecting'])

/** Turn a merged user into a participant. */
export function toParticipant(u: ConferenceUser): ConferenceParticipant {
  const connected = u.endpoints.find((e) => e.status === 'connected')
  const main = connected ?? u.endpoints[0]
  return {
    uri: u.entity,
    nickname: main?.displayText ?? u.displayText,
    displayText: u.displayText,
    status: connected ? 'connected' : main?.status,
    roles: u.roles ?? [],
    endpoints: u.endpoints,
    automaton: u.automaton,
  }
}

/** A participant is present unless all of its endpoints are disconnecting or gone. */
function isPresent(p: ConferenceParticipant): boolean {
  return p.endpoints.length === 0 || p.endpoints.some((e) => e.status === undefined || !GONE.has(e.status))
}

/**
 * Conference roster fed by conference-info NOTIFY bodies (RFC 4575 §4.6): applies a full state,
 * then partial updates, enforcing the version rules and reporting who joined, left or was renamed.
 *
 * @example
 * const roster = new ConferenceRoster()
 * const r = roster.applyXml(notifyBody)
 * if (r.kind === 'resubscribe') subscription.refresh()
 * else if (r.kind === 'applied') for (const p of r.diff.joined) console.log('joined', p.nickname)
 */
export class ConferenceRoster {
  #state: ConferenceInfo | undefined

  /** Current merged state, or undefined before the first full document. */
  get info(): ConferenceInfo | undefined {
    return this.#state
  }

  /** Version of the last applied document. */
  get version(): number | undefined {
    return this.#state?.version
  }

  /** Every user in the state, including ones whose endpoints are all disconnected. */
  get users(): ConferenceParticipant[] {
    return (this.#state?.users?.list ?? []).map(toParticipant)
  }

  /** Participants currently present (at least one endpoint not disconnected). */
  get participants(): ConferenceParticipant[] {
    return this.users.filter(isPresent)
  }

  /** The room's stored files (msrp-bot's `<files>` extension), oldest first; empty when none are listed. */
  get files(): ConferenceFile[] {
    return (this.#state?.description?.files ?? []).map((f) => ({ ...f }))
  }

  /** Look up a present participant by URI. */
  participant(uri: string): ConferenceParticipant | undefined {
    return this.participants.find((p) => p.uri === uri)
  }

  /** Look up a present participant by nickname. */
  byNickname(nickname: string): ConferenceParticipant | undefined {
    return this.participants.find((p) => p.nickname === nickname)
  }

  /** Forget everything (e.g. after the subscription ended). */
  reset(): void {
    this.#state = undefined
  }

  /**
   * Parse and apply a NOTIFY body.
   * @throws ParseError('conference-info') for a malformed body.
   */
  applyXml(body: string | Uint8Array): RosterApplyResult {
    return this.apply(parseConferenceInfo(body))
  }

  /** Apply a parsed document following RFC 4575 §4.6's version rules. */
  apply(doc: ConferenceInfo): RosterApplyResult {
    const current = this.#state
    const cv = current?.version
    const v = doc.version
    if (current !== undefined && cv !== undefined && v !== undefined && v <= cv) {
      return { kind: 'ignored', reason: 'stale-version', version: v, currentVersion: cv }
    }
    if (doc.state !== 'full') {
      if (current === undefined) return { kind: 'resubscribe', reason: 'no-full-state', expectedVersion: undefined, receivedVersion: v }
      if (cv !== undefined && v !== undefined && v > cv + 1) {
        return { kind: 'resubscribe', reason: 'version-gap', expectedVersion: cv + 1, receivedVersion: v }
      }
    }
    const before = new Map(this.participants.map((p) => [p.uri, p]))
    if (doc.state === 'deleted') {
      // The conference is gone: everyone left.
      this.#state = { entity: doc.entity, state: 'full', ...(v === undefined ? {} : { version: v }), users: { list: [] } }
    } else {
      this.#state = mergeConferenceInfo(current, doc)
    }
    const after = this.participants
    const diff: RosterDiff = { joined: [], left: [], renamed: [] }
    for (const p of after) {
      const old = before.get(p.uri)
      if (!old) diff.joined.push(p)
      else if (old.nickname !== p.nickname) diff.renamed.push({ participant: p, previousNickname: old.nickname })
      before.delete(p.uri)
    }
    diff.left.push(...before.values())
    return { kind: 'applied', version: v, diff }
  }
}

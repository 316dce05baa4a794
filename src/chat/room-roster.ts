/**
 * A room's roster as the bot sees it: conference-info NOTIFY bodies (RFC 4575) in, the
 * contract's `participants` snapshot and join / leave / nickname events out.
 *
 * The diff is computed against the last snapshot the bot saw, not against the previous
 * document, so a fresh subscription (after a resubscribe or a reconnect, when the focus may
 * restart its version numbers) yields exactly the changes the bot missed.
 *
 * @module
 */
import { ConferenceRoster } from '../conference/index.ts'
import type { ConferenceParticipant as RosterParticipant } from '../conference/index.ts'
import { identityKeyOrText } from '../rooms/identity.ts'
import type { Participant, RoomFile } from './backend.ts'

/** A roster change, ready to become a backend event. */
export type RosterChange =
  | { type: 'join'; participant: Participant }
  | { type: 'leave'; participant: Participant }
  | { type: 'nickname'; participant: Participant; previousNickname: string | undefined }

/** What applying a NOTIFY body did. */
export type RosterUpdate =
  | { kind: 'changes'; changes: RosterChange[] }
  /** The body cannot be applied (partial before full, version gap): refresh the subscription. */
  | { kind: 'resubscribe'; reason: string }
  | { kind: 'ignored'; reason: string }

function toParticipant(p: RosterParticipant): Participant {
  const participant = { uri: p.uri, nickname: unquoted(p.nickname), displayName: unquoted(p.displayText) }
  return p.automaton === undefined ? participant : { ...participant, isBot: p.automaton }
}

/**
 * A nickname asked for in RFC 7701's quoted-string form (`Use-Nickname: "echo"`) that a focus
 * stored with its quotes (SylkServer does) comes back as `"echo"`: show it as `echo`.
 */
function unquoted(text: string | undefined): string | undefined {
  return text !== undefined && text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text
}

/**
 * Tracks one room's roster.
 *
 * @example
 * ```ts
 * const roster = new RoomRoster()
 * const update = roster.apply(notifyBody)
 * if (update.kind === 'resubscribe') await subscription.refresh()
 * ```
 */
export class RoomRoster {
  #doc = new ConferenceRoster()
  #current = new Map<string, Participant>()
  #seeded = false
  /**
   * The bot's own nickname, confirmed by the focus's 200 to NICKNAME (RFC 7701 §7) but not yet
   * in a roster document. Shown at once in the snapshot; the diff still runs against what the
   * focus published, so the roster update that follows reports the change as usual.
   */
  #ownNickname: { key: string; nickname: string } | undefined

  /** The participants present now, in document order. */
  get participants(): Participant[] {
    return [...this.#current.values()].map((p) => this.#withOwn(p))
  }

  /**
   * Records the bot's own nickname right after the focus accepted it, so {@link participants}
   * shows it before the roster NOTIFY catches up. Dropped once a document shows it (or the bot
   * is no longer listed).
   */
  setOwnNickname(uri: string, nickname: string): void {
    this.#ownNickname = { key: identityKeyOrText(uri), nickname }
  }

  #withOwn(p: Participant): Participant {
    const own = this.#ownNickname
    return own !== undefined && identityKeyOrText(p.uri) === own.key ? { ...p, nickname: own.nickname } : { ...p }
  }

  /** The files the room lists (msrp-bot's `<files>` extension), oldest first. */
  get files(): RoomFile[] {
    return this.#doc.files.map((f) => {
      const date = f.date === undefined ? undefined : new Date(f.date)
      return { ...f, date: date === undefined || Number.isNaN(date.getTime()) ? undefined : date }
    })
  }

  /** True once a full state arrived (RFC 4575 §4.2). */
  get seeded(): boolean {
    return this.#seeded
  }

  /** Looks a present participant up by URI. */
  find(uri: string): Participant | undefined {
    const p = this.#current.get(identityKeyOrText(uri))
    return p === undefined ? undefined : this.#withOwn(p)
  }

  /** Looks a present participant up by nickname. */
  byNickname(nickname: string): Participant | undefined {
    return this.participants.find((p) => p.nickname === nickname)
  }

  /**
   * Starts over with a new subscription: the next full state is diffed against what the bot
   * saw last, so nothing is reported twice and nothing missed is lost.
   */
  restart(): void {
    this.#doc = new ConferenceRoster()
  }

  /** Applies a conference-info body. Never throws (a malformed body is `ignored`). */
  apply(body: string | Uint8Array): RosterUpdate {
    let result
    try {
      result = this.#doc.applyXml(body)
    } catch (error) {
      return { kind: 'ignored', reason: `malformed conference-info: ${(error as Error).message}` }
    }
    if (result.kind === 'resubscribe') return { kind: 'resubscribe', reason: result.reason }
    if (result.kind === 'ignored') return { kind: 'ignored', reason: result.reason }
    const next = new Map<string, Participant>()
    for (const p of this.#doc.participants) next.set(identityKeyOrText(p.uri), toParticipant(p))
    const changes: RosterChange[] = []
    if (this.#seeded) {
      for (const [key, p] of next) {
        const old = this.#current.get(key)
        if (old === undefined) changes.push({ type: 'join', participant: { ...p } })
        else if (old.nickname !== p.nickname) changes.push({ type: 'nickname', participant: { ...p }, previousNickname: old.nickname })
      }
      for (const [key, p] of this.#current) if (!next.has(key)) changes.push({ type: 'leave', participant: { ...p } })
    }
    // RFC 4575 §4.2: the first full state only seeds the roster; it reports no joins.
    this.#seeded = true
    this.#current = next
    const own = this.#ownNickname
    if (own !== undefined) {
      const listed = next.get(own.key)
      if (listed === undefined || listed.nickname === own.nickname) this.#ownNickname = undefined
    }
    return { kind: 'changes', changes }
  }
}

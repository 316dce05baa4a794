/**
 * Nicknames in chat rooms: RFC 8266 (PRECIS "Nickname" profile) preparation, enforcement and
 * comparison, and the RFC 7701 §7 rules for reserving one in a room.
 *
 * RFC 8266 §2 in short:
 * - Preparation: the string must consist of PRECIS FreeformClass code points (RFC 8264 §4.3),
 *   so controls, unassigned, private-use, default-ignorable and Old Hangul Jamo code points fail.
 * - Enforcement (what is stored and shown): Additional Mapping Rule (non-ASCII spaces → U+0020,
 *   leading/trailing spaces removed, interior runs collapsed to one), then NFKC. Width mapping
 *   needs no separate rule: NFKC maps fullwidth/halfwidth forms (RFC 8266 §2.1, "Width Mapping Rule").
 *   An empty result is an error.
 * - Comparison: the same rules plus the Case Mapping Rule (Unicode toLowerCase) before NFKC;
 *   two nicknames are equal when the results are equal code point for code point.
 *
 * RFC 7701 §7.1 puts the outcomes on the wire as MSRP status codes: 424 "Malformed nickname" and
 * 425 "Nickname reserved or already in use".
 *
 * @module
 */

import { sameIdentity } from '../../rooms/identity.ts'

/** Longest nickname accepted, in code points after enforcement, unless a room sets its own. */
export const DEFAULT_MAX_NICKNAME_LENGTH = 64

/** Why a nickname was refused, with the RFC 7701 MSRP status to answer the NICKNAME request with. */
export type NicknameError =
  | { ok: false; status: 424; reason: 'Malformed nickname'; problem: 'empty' | 'disallowed-character' | 'too-long'; detail: string }
  | { ok: false; status: 425; reason: 'Nickname reserved or already in use'; problem: 'in-use' | 'reserved'; detail: string }

/** A nickname that passed enforcement: `value` is what to store and show, `key` what to compare. */
export interface PreparedNickname {
  ok: true
  /** The enforced form (RFC 8266 §2.3), case preserved: store and display this. */
  value: string
  /** The comparison form (RFC 8266 §2.4): equal keys mean "the same nickname". */
  key: string
}

/** Options for {@link prepareNickname}. */
export interface NicknameOptions {
  /** Maximum length in code points after enforcement (default {@link DEFAULT_MAX_NICKNAME_LENGTH}). */
  maxLength?: number
}

// RFC 8264 §9 (FreeformClass) keeps letters/digits, marks, symbols, punctuation, spaces, and
// compatibility characters; it disallows the categories matched here. Zl/Zp are not "Spaces" (Zs).
const DISALLOWED =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u{1100}-\u{11FF}\u{A960}-\u{A97F}\u{D7B0}-\u{D7FF}]/u
// RFC 8266 §2.1 Additional Mapping Rule: "non-ASCII space" means any Zs other than U+0020.
const NON_ASCII_SPACE = /[\p{Zs}]/gu

/**
 * Prepares and enforces a nickname per RFC 8266, returning its display form and comparison key,
 * or a 424 error naming what was wrong.
 *
 * @example
 * ```ts
 * prepareNickname('  Ａｌｉｃｅ   Smith ') // { ok: true, value: 'Alice Smith', key: 'alice smith' }
 * prepareNickname('bad\u0007bell')         // { ok: false, status: 424, problem: 'disallowed-character', ... }
 * ```
 */
export function prepareNickname(input: string, options: NicknameOptions = {}): PreparedNickname | NicknameError {
  const maxLength = options.maxLength ?? DEFAULT_MAX_NICKNAME_LENGTH
  // Preparation (RFC 8266 §2.2): FreeformClass check on the input as given.
  const bad = findDisallowed(input)
  if (bad !== undefined) return malformed('disallowed-character', `code point U+${hex(bad)} is not allowed in a nickname (RFC 8264 FreeformClass)`)
  const value = applyAdditionalMapping(input).normalize('NFKC')
  // NFKC can itself produce spaces (U+00A8 DIAERESIS becomes SPACE + U+0308), so the space rule
  // runs once more on the normalised string; otherwise a leading space could survive enforcement.
  const enforced = applyAdditionalMapping(value)
  const badAfter = findDisallowed(enforced)
  if (badAfter !== undefined) return malformed('disallowed-character', `code point U+${hex(badAfter)} is not allowed in a nickname (RFC 8264 FreeformClass)`)
  if (enforced.length === 0) return malformed('empty', 'a nickname must not be empty after spaces are trimmed (RFC 8266 §2.3)')
  const length = [...enforced].length
  if (length > maxLength) return malformed('too-long', `nickname is ${length} characters; this room allows at most ${maxLength}`)
  return { ok: true, value: enforced, key: nicknameKey(enforced) }
}

/**
 * The RFC 8266 §2.4 comparison form of an already enforced nickname: Additional Mapping,
 * toLowerCase, NFKC. Use {@link prepareNickname} for untrusted input.
 */
export function nicknameKey(enforced: string): string {
  return applyAdditionalMapping(enforced).toLowerCase().normalize('NFKC')
}

/**
 * True when two nicknames are the same per RFC 8266 §2.4 (after enforcement and case mapping).
 * A string that fails preparation equals nothing.
 *
 * @example
 * ```ts
 * sameNickname('Alice', 'ａｌｉｃｅ') // true
 * ```
 */
export function sameNickname(a: string, b: string): boolean {
  const pa = prepareNickname(a, { maxLength: Number.POSITIVE_INFINITY })
  const pb = prepareNickname(b, { maxLength: Number.POSITIVE_INFINITY })
  return pa.ok && pb.ok && pa.key === pb.key
}

/** What {@link reserveNickname} needs to know about a room. */
export interface NicknameRoomView {
  /** Current participants and their nicknames (enforced form), if any. */
  participants: Iterable<{ id: string; uri: string; nickname?: string | undefined }>
  /** Nicknames set aside for an identity (RFC 7701 §7.1 "reserved"), e.g. the owner's. */
  reservedNicknames?: ReadonlyArray<{ nickname: string; uri: string }>
  /** Room's maximum nickname length (code points). */
  maxNicknameLength?: number
}

/**
 * Decides whether `participant` may take `nickname` in `room` (RFC 7701 §7.1): 424 if malformed,
 * 425 if another participant uses an equal nickname (RFC 8266 comparison) or it is reserved for a
 * different identity; otherwise the prepared nickname to store. Re-requesting one's own current
 * nickname (in any case/width variant) succeeds. Pure: nothing is changed.
 *
 * @param isSameIdentity compares two URIs for reservations (default {@link sameIdentity}).
 */
export function reserveNickname(
  room: NicknameRoomView,
  participant: { id: string; uri: string },
  nickname: string,
  isSameIdentity: (a: string, b: string) => boolean = sameIdentity,
): PreparedNickname | NicknameError {
  const prepared = prepareNickname(nickname, room.maxNicknameLength === undefined ? {} : { maxLength: room.maxNicknameLength })
  if (!prepared.ok) return prepared
  for (const other of room.participants) {
    if (other.id === participant.id || other.nickname === undefined) continue
    if (nicknameKey(other.nickname) === prepared.key) {
      return { ok: false, status: 425, reason: 'Nickname reserved or already in use', problem: 'in-use', detail: `"${other.nickname}" is already used by another participant` }
    }
  }
  for (const reserved of room.reservedNicknames ?? []) {
    const r = prepareNickname(reserved.nickname, { maxLength: Number.POSITIVE_INFINITY })
    if (r.ok && r.key === prepared.key && !isSameIdentity(reserved.uri, participant.uri)) {
      return { ok: false, status: 425, reason: 'Nickname reserved or already in use', problem: 'reserved', detail: `"${reserved.nickname}" is reserved in this room` }
    }
  }
  return prepared
}

function applyAdditionalMapping(s: string): string {
  // RFC 8266 §2.1: (1) non-ASCII spaces → SPACE, (2) strip leading/trailing, (3) collapse runs.
  return s.replace(NON_ASCII_SPACE, ' ').replace(/^ +| +$/g, '').replace(/ {2,}/g, ' ')
}

function findDisallowed(s: string): number | undefined {
  const m = DISALLOWED.exec(s)
  return m === null ? undefined : m[0].codePointAt(0)
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0')
}

function malformed(problem: 'empty' | 'disallowed-character' | 'too-long', detail: string): NicknameError {
  return { ok: false, status: 424, reason: 'Malformed nickname', problem, detail }
}

/**
 * One room's history: the recent public messages a newcomer is shown, bounded by count and by
 * bytes (oldest evicted first), and for each identity that left the room the last message it
 * saw, so a participant who comes back is shown only what was said while it was away.
 *
 * Plain data behind the {@link RoomStore} methods (`appendHistory`, `listHistory` ...), so a
 * clustered store can keep it elsewhere.
 *
 * @module
 */

/** One kept message. */
export interface HistoryEntry {
  /** Position in the room's history: 1, 2, 3 … never reused, so marks stay meaningful after evictions. */
  readonly seq: number
  /** The sender's identity (the participant URI the focus checked the CPIM From against). */
  readonly sender: string
  /** When the focus received it (epoch ms). */
  readonly at: number
  /** The CPIM object as the sender sent it, with a DateTime added if it had none. */
  readonly cpim: Uint8Array
}

/** What a message to keep looks like before it gets its sequence number. */
export type HistoryInput = Omit<HistoryEntry, 'seq'>

/** How much a room keeps. */
export interface HistoryLimits {
  /** Messages kept (0: none). */
  readonly messages: number
  /** Bytes of CPIM kept in all. */
  readonly bytes: number
}

/** Identities whose last-seen mark a room remembers (oldest forgotten first). */
export const MAX_HISTORY_MARKS = 4096

/** A bounded history buffer with per-identity marks. */
export class RoomHistory {
  #entries: HistoryEntry[] = []
  #bytes = 0
  #nextSeq = 1
  readonly #marks = new Map<string, number>()

  /** Kept messages, oldest first. */
  get entries(): readonly HistoryEntry[] {
    return this.#entries
  }

  /** Bytes of CPIM kept. */
  get bytes(): number {
    return this.#bytes
  }

  /** The sequence number of the newest message ever kept (0 before the first). */
  get lastSeq(): number {
    return this.#nextSeq - 1
  }

  /**
   * Keeps a message, evicting the oldest ones beyond `limits`. A message bigger than the byte
   * cap on its own is not kept (undefined), and neither is anything when `messages` is 0.
   */
  append(input: HistoryInput, limits: HistoryLimits): HistoryEntry | undefined {
    if (limits.messages <= 0 || input.cpim.byteLength > limits.bytes) return undefined
    const entry: HistoryEntry = { ...input, seq: this.#nextSeq++ }
    this.#entries.push(entry)
    this.#bytes += entry.cpim.byteLength
    this.trim(limits)
    return entry
  }

  /** Evicts the oldest messages until the room is within `limits`. */
  trim(limits: HistoryLimits): void {
    let drop = 0
    while (this.#entries.length - drop > Math.max(0, limits.messages) || (this.#bytes > limits.bytes && drop < this.#entries.length)) {
      this.#bytes -= this.#entries[drop]!.cpim.byteLength
      drop++
    }
    if (drop > 0) this.#entries = this.#entries.slice(drop)
  }

  /**
   * Replaces the content with entries and marks kept elsewhere (a clustered store loading a room
   * it took over); `lastSeq` continues from the highest sequence number given.
   */
  restore(entries: readonly HistoryEntry[], marks: Iterable<[string, number]>, lastSeq: number): void {
    this.#entries = [...entries].sort((a, b) => a.seq - b.seq)
    this.#bytes = this.#entries.reduce((n, e) => n + e.cpim.byteLength, 0)
    this.#nextSeq = Math.max(lastSeq, this.#entries.at(-1)?.seq ?? 0) + 1
    this.#marks.clear()
    for (const [identity, seq] of marks) this.markSeen(identity, seq)
  }

  /** The remembered marks, oldest first. */
  marks(): Array<[string, number]> {
    return [...this.#marks]
  }

  /** The last message `identity` saw, if the room remembers it. */
  lastSeen(identity: string): number | undefined {
    return this.#marks.get(identity)
  }

  /** Records that `identity` saw everything up to `seq` (bounded: the oldest marks go first). */
  markSeen(identity: string, seq: number): void {
    this.#marks.delete(identity)
    this.#marks.set(identity, seq)
    if (this.#marks.size > MAX_HISTORY_MARKS) {
      const oldest = this.#marks.keys().next().value
      if (oldest !== undefined) this.#marks.delete(oldest)
    }
  }
}

/**
 * The transcript, a `role="log"` region: messages (public, private, replayed history), the
 * focus's notices, joins and leaves, and errors, each with its time. Bounded to
 * {@link MAX_LINES} lines.
 *
 * @module
 */

/** Lines kept in the log. */
export const MAX_LINES = 1000

/** What kind of line, for its style. */
export type LineKind = 'message' | 'private' | 'notice' | 'error' | 'history'

/** Appends lines to the log element. */
export class TranscriptView {
  readonly #log: HTMLElement

  constructor(log: HTMLElement) {
    this.#log = log
  }

  /** Adds one line: `who` (may be empty) says `text`. */
  add(kind: LineKind, who: string, text: string, time = new Date()): void {
    const line = document.createElement('p')
    line.className = kind
    const stamp = document.createElement('time')
    stamp.className = 'time'
    stamp.dateTime = time.toISOString()
    stamp.textContent = time.toTimeString().slice(0, 5)
    line.append(stamp)
    if (kind === 'history') {
      // Replayed from before we joined (RFC 7701 rooms may replay; msrp-bot's focus marks them).
      const mark = document.createElement('span')
      mark.className = 'badge'
      mark.textContent = 'earlier'
      line.append(mark, ' ')
    }
    if (who !== '') {
      const name = document.createElement('span')
      name.className = 'who'
      name.textContent = `${who}:`
      line.append(name)
    }
    const body = document.createElement('span')
    body.className = 'text'
    body.textContent = text
    line.append(body)
    const atBottom = this.#log.scrollTop + this.#log.clientHeight >= this.#log.scrollHeight - 4
    this.#log.append(line)
    while (this.#log.childElementCount > MAX_LINES) this.#log.firstElementChild?.remove()
    if (atBottom) this.#log.scrollTop = this.#log.scrollHeight
  }
}

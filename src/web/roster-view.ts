/**
 * The "Participants" list: nickname (or user part), a "bot" badge for automata (RFC 3840, as
 * the focus reports them), a presence dot when known, "typing…" while they compose (RFC 3994).
 * Each person is a button: choosing one starts a whisper (a private message, RFC 7701 §7.2).
 *
 * @module
 */
import type { Participant, PresenceStatus } from '../chat/backend.ts'

/** A participant's name as shown: nickname, else display name, else the URI's user part. */
export function displayName(p: { readonly uri: string; readonly nickname?: string | undefined; readonly displayName?: string | undefined }): string {
  return p.nickname ?? p.displayName ?? /^sips?:([^@;]+)/.exec(p.uri)?.[1] ?? p.uri
}

/** Renders the roster into a list element. */
export class RosterView {
  readonly #list: HTMLUListElement
  readonly #typing = new Set<string>()
  readonly #presence = new Map<string, PresenceStatus>()
  #participants: readonly Participant[] = []
  #self = ''
  readonly #onChoose: (participant: Participant) => void

  constructor(list: HTMLUListElement, onChoose: (participant: Participant) => void) {
    this.#list = list
    this.#onChoose = onChoose
  }

  /** Shows this roster; `self` is our own URI. */
  show(participants: readonly Participant[], self: string): void {
    this.#participants = participants
    this.#self = self
    this.#render()
  }

  /** Marks someone as typing or not. */
  setTyping(uri: string, active: boolean): void {
    if (active) this.#typing.add(uri)
    else this.#typing.delete(uri)
    this.#render()
  }

  /** Records someone's presence. */
  setPresence(uri: string, status: PresenceStatus): void {
    this.#presence.set(uri, status)
    this.#render()
  }

  /** Names of those typing now, for the line under the log. */
  typingNames(): string[] {
    return this.#participants.filter((p) => this.#typing.has(p.uri)).map(displayName)
  }

  #render(): void {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset['uri'] : undefined
    const items = [...this.#participants]
      .sort((a, b) => Number(a.uri !== this.#self) - Number(b.uri !== this.#self) || displayName(a).localeCompare(displayName(b)))
      .map((p) => {
        const item = document.createElement('li')
        const button = document.createElement('button')
        button.type = 'button'
        button.dataset['uri'] = p.uri
        const me = p.uri === this.#self
        if (me) item.className = 'me'
        const status = this.#presence.get(p.uri)
        if (status !== undefined) {
          const dot = document.createElement('span')
          dot.className = `presence ${status}`
          dot.title = status
          dot.setAttribute('aria-hidden', 'true')
          button.append(dot)
        }
        button.append(displayName(p))
        const spoken = [displayName(p)]
        if (me) {
          button.append(badge('you'))
          spoken.push('(you)')
        }
        if (p.isBot === true) {
          button.append(badge('bot'))
          spoken.push('bot')
        }
        if (status !== undefined) spoken.push(status)
        if (this.#typing.has(p.uri)) {
          const typing = document.createElement('span')
          typing.className = 'typing'
          typing.textContent = ' typing…'
          button.append(typing)
          spoken.push('typing')
        }
        button.title = me ? p.uri : `${p.uri}: whisper to ${displayName(p)}`
        button.setAttribute('aria-label', me ? spoken.join(', ') : `${spoken.join(', ')}: whisper`)
        button.disabled = me
        button.addEventListener('click', () => this.#onChoose(p))
        item.append(button)
        return item
      })
    this.#list.replaceChildren(...items)
    if (focused !== undefined) this.#list.querySelector<HTMLElement>(`button[data-uri="${CSS.escape(focused)}"]`)?.focus()
  }
}

function badge(text: string): HTMLElement {
  const span = document.createElement('span')
  span.className = 'badge'
  span.textContent = text
  span.setAttribute('aria-hidden', 'true')
  return span
}

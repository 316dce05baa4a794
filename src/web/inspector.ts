/**
 * The inspector pane: every SIP and MSRP frame, newest last, with time, direction and a one-line
 * summary (`SIP INVITE sip:lobby@…`, `MSRP SEND (CPIM)`, `MSRP 200 OK`); the full text opens
 * on demand. Bounded: the oldest frames go past {@link MAX_FRAMES}.
 *
 * @module
 */
import type { WireFrame } from './wire-tap.ts'

/** Frames kept in the pane. */
export const MAX_FRAMES = 500

/** The one-line summary of a frame. */
export function summarize(frame: WireFrame): string {
  const first = frame.text.split('\r\n', 1)[0] ?? ''
  if (frame.protocol === 'msrp') {
    // MSRP <tid> <METHOD> or MSRP <tid> <code> <comment> (RFC 4975 §7.1).
    const rest = first.split(' ').slice(2).join(' ')
    const cpim = /Content-Type: *message\/cpim/i.test(frame.text) ? ' (CPIM)' : ''
    return `MSRP ${rest}${cpim}`
  }
  if (first.trim() === '') return 'SIP keepalive'
  return `SIP ${first.startsWith('SIP/2.0 ') ? first.slice(8) : first.replace(/ SIP\/2\.0$/, '')}`
}

/** Shows frames in a list element. */
export class Inspector {
  readonly #list: HTMLOListElement

  constructor(list: HTMLOListElement) {
    this.#list = list
  }

  /** Adds one frame. */
  add(frame: WireFrame): void {
    const item = document.createElement('li')
    item.className = frame.direction
    const details = document.createElement('details')
    const summary = document.createElement('summary')
    const time = frame.time.toISOString().slice(11, 23)
    summary.textContent = `${time} ${frame.direction === 'out' ? 'sent' : 'received'} ${summarize(frame)}`
    const pre = document.createElement('pre')
    pre.textContent = frame.text
    details.append(summary, pre)
    item.append(details)
    // Follows the newest frame unless the reader scrolled up to look at an older one.
    const list = this.#list
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4
    list.append(item)
    if (atBottom) list.scrollTop = list.scrollHeight
    while (this.#list.childElementCount > MAX_FRAMES) this.#list.firstElementChild?.remove()
  }

  /** Empties the pane. */
  clear(): void {
    this.#list.replaceChildren()
  }
}

/**
 * The terminal chat's file commands (RFC 5547): `/send <path>` sends a file to the room (or the
 * 1:1 peer), `/files` lists the files the room announced and those offered to you, `/get <n>`
 * saves one into the current folder under a safe name.
 *
 * @module
 */
import { basename, resolve } from 'node:path'
import type { BackendEvent, ChatBackend, IncomingFile } from '../chat/index.ts'
import { DiskFileSink, outgoingFile } from '../chat/index.ts'
import { parseFileNotice, type AnnouncedFile } from '../rooms/file-notice.ts'

/** Most files remembered (the oldest are forgotten first). */
const MAX_REMEMBERED = 100

/** Help lines for the file commands. */
export const FILE_HELP = [
  '  /send <path>             send a file',
  '  /files                   files shared here or offered to you',
  '  /get <n> [path]          save file n (default: its name, in this folder)',
]

type Known = { readonly kind: 'room'; readonly file: AnnouncedFile } | { readonly kind: 'offer'; readonly name: string; readonly size: number; readonly from: string; readonly offer: IncomingFile }

/** A name safe to create in the current folder. */
function localName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[\x00-\x1f\x7f]/g, '').replace(/^\.+/, '')
  return base === '' ? 'file' : base
}

/** The file side of one terminal chat with `target` (a room URI or a peer). */
export class TerminalFiles {
  readonly #known: Known[] = []

  constructor(
    readonly backend: ChatBackend,
    readonly target: string,
  ) {}

  /** Remembers announced files and offers; returns a line to print, if any. */
  onEvent(event: BackendEvent): string | undefined {
    if (event.type === 'notice') {
      const file = parseFileNotice(event.text)
      if (file !== undefined) this.#remember({ kind: 'room', file })
      return undefined
    }
    if (event.type === 'file' && event.room === undefined) {
      this.#remember({ kind: 'offer', name: event.file.info.name, size: event.file.info.size, from: event.sender.uri, offer: event.file })
      return `* ${event.sender.nickname ?? event.sender.uri} offers you ${event.file.info.name} (${event.file.info.size} bytes): /get ${this.#known.length} to save it`
    }
    return undefined
  }

  /** Handles `/send`, `/files`, `/get`; undefined when `text` is none of them. */
  async handle(text: string): Promise<string | undefined> {
    const [command, ...rest] = text.split(/\s+/)
    const arg = rest.join(' ')
    switch (command) {
      case '/send':
        return this.#send(arg)
      case '/files':
        return this.#list()
      case '/get':
        return this.#get(rest[0], rest.slice(1).join(' '))
      default:
        return undefined
    }
  }

  async #send(path: string): Promise<string> {
    if (path === '') return '* usage: /send <path>'
    if (this.backend.sendFile === undefined) return '* this connection cannot send files'
    try {
      const file = await outgoingFile(path)
      const receipt = await this.backend.sendFile(this.target, file)
      return `* sent ${file.name} (${receipt.bytes} bytes)`
    } catch (error) {
      return `* could not send ${path}: ${(error as Error).message}`
    }
  }

  #list(): string {
    if (this.#known.length === 0) return '* no files yet'
    return this.#known
      .map((k, i) => (k.kind === 'room' ? `  ${i + 1}. ${k.file.name} (${k.file.size} bytes, ${k.file.type}) from ${k.file.sender}` : `  ${i + 1}. ${k.name} (${k.size} bytes) offered by ${k.from}${k.offer.answered ? ' (taken)' : ''}`))
      .join('\n')
  }

  async #get(n: string | undefined, path: string): Promise<string> {
    const known = n === undefined ? undefined : this.#known[Number(n) - 1]
    if (known === undefined) return '* usage: /get <n> [path] (see /files)'
    const to = resolve(path === '' ? localName(known.kind === 'room' ? known.file.name : known.name) : path)
    const sink = new DiskFileSink(to)
    try {
      if (known.kind === 'offer') await known.offer.receive(sink)
      else if (this.backend.pullFile === undefined) return '* this connection cannot fetch files'
      else await this.backend.pullFile(this.target, known.file.sha1, sink)
      return `* saved ${to}`
    } catch (error) {
      return `* could not get it: ${(error as Error).message}`
    } finally {
      await sink.close().catch(() => undefined)
    }
  }

  #remember(known: Known): void {
    this.#known.push(known)
    if (this.#known.length > MAX_REMEMBERED) this.#known.shift()
  }
}

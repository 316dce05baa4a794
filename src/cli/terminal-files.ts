/**
 * The terminal chat's file commands (RFC 5547): `/send <path>` sends a file to the room (or the
 * 1:1 peer), `/files` lists the room's files and those offered to you, `/get <n>` saves one into
 * the current folder under a safe name. The room's files come from its conference-info list when
 * the room keeps one (files shared before you joined included), else from its announcements.
 * A room that pushes files to everyone offers each one: the chat says so, and saves it only on
 * `/get` (the room's offer rings for a while; after it the file is still in the room's list).
 *
 * @module
 */
import { basename, resolve } from 'node:path'
import type { BackendEvent, ChatBackend, IncomingFile, RoomHandle } from '../chat/index.ts'
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

  /**
   * @param room the joined room, once there is one: its conference-info file list, when not
   *   empty, is what `/files` shows for the room.
   */
  constructor(
    readonly backend: ChatBackend,
    readonly target: string,
    readonly room: () => Pick<RoomHandle, 'files' | 'participants'> | undefined = () => undefined,
  ) {}

  /** What `/files` numbers: the room's listed files (or the announced ones), then the offers. */
  #entries(): Known[] {
    const room = this.room()
    const listed = room?.files ?? []
    if (listed.length === 0) return this.#known
    const nameOf = (uri: string | undefined): string => (uri === undefined ? 'someone' : (room?.participants.find((p) => p.uri === uri)?.nickname ?? uri))
    const fromList: Known[] = listed.map((f, i) => ({
      kind: 'room',
      file: { sender: nameOf(f.sender), number: i + 1, name: f.name.replace(/[\x00-\x1f\x7f]+/g, ' '), size: f.size ?? 0, type: f.type ?? 'application/octet-stream', sha1: f.sha1 },
    }))
    return [...fromList, ...this.#known.filter((k) => k.kind === 'offer')]
  }

  /** Remembers announced files and offers; returns a line to print, if any. */
  onEvent(event: BackendEvent): string | undefined {
    if (event.type === 'notice') {
      const file = parseFileNotice(event.text)
      if (file !== undefined) this.#remember({ kind: 'room', file })
      return undefined
    }
    if (event.type === 'file' && event.room === undefined) {
      this.#remember({ kind: 'offer', name: event.file.info.name, size: event.file.info.size, from: event.sender.uri, offer: event.file })
      return `* ${event.sender.nickname ?? event.sender.uri} offers you ${event.file.info.name} (${event.file.info.size} bytes): /get ${this.#entries().length} to save it`
    }
    // A room that pushes files offers each one to everyone: nothing is saved unless asked for.
    if (event.type === 'file' && event.pushed === true) {
      this.#remember({ kind: 'offer', name: event.file.info.name, size: event.file.info.size, from: event.sender.nickname ?? event.sender.uri, offer: event.file })
      return `* the room offers you ${event.file.info.name} (${event.file.info.size} bytes) from ${event.sender.nickname ?? 'someone'}: /get ${this.#entries().length} to save it (it stays in /files after the offer ends)`
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
    const entries = this.#entries()
    if (entries.length === 0) return '* no files yet'
    return entries
      .map((k, i) => (k.kind === 'room' ? `  ${i + 1}. ${k.file.name} (${k.file.size} bytes, ${k.file.type}) from ${k.file.sender}` : `  ${i + 1}. ${k.name} (${k.size} bytes) offered by ${k.from}${k.offer.answered ? ' (taken)' : ''}`))
      .join('\n')
  }

  async #get(n: string | undefined, path: string): Promise<string> {
    const known = n === undefined ? undefined : this.#entries()[Number(n) - 1]
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

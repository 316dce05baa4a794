/**
 * How the msrp-bot focus announces a file stored in a room (RFC 5547 push to the room URI): a
 * notice from the room itself (see system-notice.ts) in one fixed line, which clients read back
 * to list the room's files and pull one by its SHA-1.
 *
 * `alice shared file 1: photo.jpg (5242880 bytes, image/jpeg), sha-1 72245fe8…`
 *
 * @module
 */

/** A file as its announcement names it. */
export interface AnnouncedFile {
  /** Who shared it (nickname, or URI when the sender had none). */
  readonly sender: string
  /** The room's number for it: 1, 2, 3 … */
  readonly number: number
  readonly name: string
  readonly size: number
  readonly type: string
  /** SHA-1 (40 hex digits): what a pull names. */
  readonly sha1: string
}

/** The announcement's text. Line breaks in the name become spaces so the line stays one line. */
export function formatFileNotice(file: AnnouncedFile): string {
  const name = file.name.replace(/[\r\n]+/g, ' ')
  return `${file.sender} shared file ${file.number}: ${name} (${file.size} bytes, ${file.type}), sha-1 ${file.sha1}`
}

const NOTICE = /^(.+?) shared file (\d+): (.*) \((\d+) bytes, ([^,()\s]+)\), sha-1 ([0-9a-f]{40})$/

/** Reads an announcement back; undefined for any other notice. */
export function parseFileNotice(text: string): AnnouncedFile | undefined {
  const m = NOTICE.exec(text.trim())
  if (!m) return undefined
  return { sender: m[1]!, number: Number(m[2]), name: m[3]!, size: Number(m[4]), type: m[5]!, sha1: m[6]! }
}

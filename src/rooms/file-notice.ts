/**
 * How the msrp-bot focus announces a file stored in a room (RFC 5547 push to the room URI): a
 * notice from the room itself (see system-notice.ts) in one fixed line, which clients read back
 * to list the room's files and pull one by its SHA-1.
 *
 * `alice shared file 1: photo.jpg (5242880 bytes, image/jpeg), sha-1 72245fe8…`
 *
 * In a room that pushes files to its participants the line ends with `; offered to everyone here`.
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
  /**
   * The room offers it to each participant itself (its policy pushes files, RFC 5547 §8.2 with
   * the focus as sender): a client waits for that offer instead of pulling.
   */
  readonly pushed?: boolean | undefined
}

/** The announcement's text. Line breaks in the name become spaces so the line stays one line. */
export function formatFileNotice(file: AnnouncedFile): string {
  const name = file.name.replace(/[\r\n]+/g, ' ')
  return `${file.sender} shared file ${file.number}: ${name} (${file.size} bytes, ${file.type}), sha-1 ${file.sha1}${file.pushed === true ? PUSHED : ''}`
}

const PUSHED = '; offered to everyone here'
const NOTICE = /^(.+?) shared file (\d+): (.*) \((\d+) bytes, ([^,()\s]+)\), sha-1 ([0-9a-f]{40})(; offered to everyone here)?$/

/** Reads an announcement back; undefined for any other notice. */
export function parseFileNotice(text: string): AnnouncedFile | undefined {
  const m = NOTICE.exec(text.trim())
  if (!m) return undefined
  return { sender: m[1]!, number: Number(m[2]), name: m[3]!, size: Number(m[4]), type: m[5]!, sha1: m[6]!, ...(m[7] === undefined ? {} : { pushed: true }) }
}

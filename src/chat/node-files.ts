/**
 * Files from Node's disk or memory as the chat layer sends them (RFC 5547 needs the size and
 * SHA-1 before the first byte goes out): a path is hashed by streaming it, never read whole.
 *
 * @module
 */
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { BufferSink, bufferSource } from '../msrp/file-io.ts'
import { DiskFileSink, diskFileSource, hashDiskFile } from '../msrp/node-file-io.ts'
import { Sha1 } from '../msrp/sha1.ts'
import type { OutgoingFileContent } from './file-contract.ts'

/** A file to send: a path on disk, or bytes in memory. */
export type FileInput = string | Uint8Array

/** How a sent file is described to the receiver. */
export interface FileMeta {
  /** Default: the path's base name, or `file` for bytes. */
  name?: string
  /** Default: guessed from the name's extension, else application/octet-stream. */
  type?: string
}

const TYPES: Record<string, string> = {
  txt: 'text/plain', log: 'text/plain', md: 'text/markdown', csv: 'text/csv', json: 'application/json', html: 'text/html',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml',
  pdf: 'application/pdf', zip: 'application/zip', mp3: 'audio/mpeg', mp4: 'video/mp4',
}

/** The media type a file name suggests (by extension), else application/octet-stream. */
export function guessFileType(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase()
  return (ext !== undefined ? TYPES[ext] : undefined) ?? 'application/octet-stream'
}

/** Describes a path or bytes as an {@link OutgoingFileContent}: size, SHA-1 (streamed), source. */
export async function outgoingFile(input: FileInput, meta: FileMeta = {}): Promise<OutgoingFileContent> {
  if (typeof input === 'string') {
    const info = await stat(input)
    if (!info.isFile()) throw Object.assign(new Error(`${input} is not a file`), { code: 'FILE_NOT_FOUND' })
    const name = meta.name ?? basename(input)
    return { name, type: meta.type ?? guessFileType(name), size: info.size, sha1: (await hashDiskFile(input)).digestHex(), source: diskFileSource(input) }
  }
  const name = meta.name ?? 'file'
  return { name, type: meta.type ?? guessFileType(name), size: input.byteLength, sha1: new Sha1().update(input).digestHex(), source: bufferSource(input) }
}

export { BufferSink, DiskFileSink }

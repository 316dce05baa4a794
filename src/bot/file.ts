/**
 * A file sent to the bot (`bot.on('file')`): what it is, and how to take it — into memory with a
 * size cap, to a path on disk, or into any sink — streamed, with its SHA-1 checked on arrival.
 *
 * @module
 */
import type { FileSink, IncomingFile, ReceivedFileInfo } from '../chat/file-contract.ts'
import { BufferSink, DiskFileSink } from '../chat/node-files.ts'

/** Default cap of {@link BotFile.download} into memory. */
export const DEFAULT_DOWNLOAD_BYTES = 16 * 1024 * 1024

/** The file of a 'file' update (`ctx.file`). Nothing is transferred until you download it. */
export class BotFile {
  /** The name the sender gave: show it, do not use it as a path. */
  readonly name: string
  /** Media type, e.g. `image/png`. */
  readonly type: string
  /** Size in bytes, as announced (checked on arrival). */
  readonly size: number
  /** SHA-1 (hex) the sender announced; the download is checked against it. */
  readonly hash: string | undefined
  readonly #incoming: IncomingFile

  constructor(incoming: IncomingFile) {
    this.#incoming = incoming
    this.name = incoming.info.name
    this.type = incoming.info.type
    this.size = incoming.info.size
    this.hash = incoming.info.sha1
  }

  /** True once downloaded or declined: a file is taken once. */
  get answered(): boolean {
    return this.#incoming.answered
  }

  /**
   * Downloads into memory; rejects FILE_TOO_LARGE (and refuses the file) when it is bigger than
   * `maxBytes` (default 16 MiB). For big files use {@link saveTo} or {@link downloadTo}.
   *
   * @example
   * ```ts
   * bot.on('file', async (ctx) => {
   *   const bytes = await ctx.file.download({ maxBytes: 1_000_000 })
   *   await ctx.reply(`${ctx.file.name}: ${bytes.byteLength} bytes`)
   * })
   * ```
   */
  async download(options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_BYTES
    const sink = new BufferSink(maxBytes)
    await this.#incoming.receive(sink, { maxBytes })
    return sink.bytes()
  }

  /** Streams the file into `sink` (each write awaited); resolves once it is whole and checked. */
  downloadTo(sink: FileSink, options: { maxBytes?: number } = {}): Promise<ReceivedFileInfo> {
    return this.#incoming.receive(sink, options)
  }

  /** Streams the file to `path` (created or truncated); resolves once it is whole and checked. */
  async saveTo(path: string, options: { maxBytes?: number } = {}): Promise<ReceivedFileInfo> {
    const sink = new DiskFileSink(path)
    try {
      return await this.#incoming.receive(sink, options)
    } finally {
      await sink.close().catch(() => undefined)
    }
  }

  /** Refuses the file (the sender sees 603 Decline). A file not downloaded by the handlers is declined. */
  decline(): void {
    this.#incoming.decline()
  }
}

import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MsrpConnection } from '../../src/msrp/connection.ts'
import { MsrpRequestError } from '../../src/msrp/errors.ts'
import { BufferSink, bufferSource, type FileSink, type FileSource } from '../../src/msrp/file-io.ts'
import { FileTransferError } from '../../src/msrp/file-receiver.ts'
import { MsrpFileSession, type MsrpFileSessionOptions } from '../../src/msrp/file-session.ts'
import { MsrpListener } from '../../src/msrp/listener.ts'
import { createMemoryPair } from '../../src/msrp/memory-stream.ts'
import { dialMsrp } from '../../src/msrp/node-dial.ts'
import { DiskFileSink, diskFileSource, hashDiskFile } from '../../src/msrp/node-file-io.ts'
import { localMsrpUri } from '../../src/msrp/session.ts'
import { streamTransport } from '../../src/msrp/transport.ts'

const sha1 = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex')

interface FilePair {
  sender: MsrpFileSession
  receiver: MsrpFileSession
  senderConnection: MsrpConnection
  close(): Promise<void>
}

/** A receiving (passive) and a sending (active) file session; `prepare` runs before the sender binds. */
async function filePair(kind: 'memory' | 'tcp', prepare: (receiver: MsrpFileSession) => void, options: Partial<MsrpFileSessionOptions> = {}): Promise<FilePair> {
  let listener: MsrpListener
  let connection: MsrpConnection | undefined
  let port = 2855
  if (kind === 'tcp') {
    listener = await MsrpListener.listen({ host: '127.0.0.1', port: 0 })
    port = listener.address!.port
  } else {
    listener = new MsrpListener()
    const [a, b] = createMemoryPair()
    listener.accept(b)
    connection = new MsrpConnection(streamTransport(a, 'memory'), { role: 'active' })
  }
  const receiverUri = localMsrpUri({ host: '127.0.0.1', port })
  const senderUri = localMsrpUri({ host: '127.0.0.1', port: 9 })
  const receiver = new MsrpFileSession({ localUri: receiverUri, listener, remotePath: [senderUri] })
  prepare(receiver)
  const sender = await MsrpFileSession.connect({ localUri: senderUri, remotePath: [receiverUri], connection, dial: dialMsrp, ...options })
  await receiver.opened()
  return {
    sender,
    receiver,
    senderConnection: sender.connection!,
    async close() {
      await sender.close()
      await receiver.close()
      connection?.close()
      await listener.close()
    },
  }
}

/** Records the largest piece a source yields. */
function measuredSource(source: FileSource, seen: { largest: number }): FileSource {
  return async function* (offset) {
    for await (const piece of source(offset)) {
      seen.largest = Math.max(seen.largest, piece.length)
      yield piece
    }
  }
}

/** Records the largest write a sink takes. */
function measuredSink(sink: FileSink, seen: { largest: number }): FileSink {
  return {
    write(data) {
      seen.largest = Math.max(seen.largest, data.length)
      return sink.write(data)
    },
  }
}

describe('MSRP file transfer (RFC 5547)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msrp-file-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('streams 5 MiB disk to disk over TCP in chunks, hash verified, with progress from REPORTs', async () => {
    const size = 5 * 1024 * 1024
    const content = randomBytes(size)
    const from = join(dir, 'big.bin')
    const to = join(dir, 'big.copy')
    await writeFile(from, content)
    const chunkSize = 16 * 1024
    const read = { largest: 0 }
    const written = { largest: 0 }
    const sink = new DiskFileSink(to)
    let receiving!: ReturnType<MsrpFileSession['receiveFile']>
    const pair = await filePair('tcp', (r) => {
      receiving = r.receiveFile({ sink: measuredSink(sink, written), size, sha1: sha1(content) })
    }, { chunkSize })
    const progress: number[] = []
    const sent = await pair.sender.sendFile({ source: measuredSource(diskFileSource(from, chunkSize), read), size, contentType: 'application/octet-stream', onProgress: (p) => progress.push(p.confirmed) })
    const file = await receiving.done
    await sink.close()
    await pair.close()
    assert.equal(sent.bytes, size)
    assert.equal(sent.chunks, size / chunkSize)
    assert.deepEqual(file, { size, transferred: size, sha1: sha1(content), messageId: sent.messageId })
    assert.ok((await readFile(to)).equals(content))
    assert.ok(read.largest <= chunkSize, `largest piece read ${read.largest} > chunk ${chunkSize}`)
    assert.ok(written.largest <= chunkSize, `largest piece written ${written.largest} > chunk ${chunkSize}`)
    assert.ok(progress.length > 5, 'progress REPORTs arrive during the transfer')
    assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress only grows')
    assert.equal(progress.at(-1), size)
  })

  it('resumes a transfer cut at half from the byte the receiver holds (RFC 5547 §8.6)', async () => {
    const size = 512 * 1024
    const content = randomBytes(size)
    const to = join(dir, 'resumed.bin')
    const sink1 = new DiskFileSink(to)
    let first!: ReturnType<MsrpFileSession['receiveFile']>
    const pair1 = await filePair('memory', (r) => {
      first = r.receiveFile({ sink: sink1, size, sha1: sha1(content), reportEveryBytes: 32 * 1024 })
    })
    const sending = pair1.sender.sendFile({
      source: bufferSource(content, 4096),
      size,
      onProgress: (p) => {
        if (p.confirmed >= size / 2) pair1.senderConnection.close() // the network goes away half way
      },
    })
    await assert.rejects(sending, { code: 'MSRP_CONNECTION_CLOSED' })
    const cut = await first.done.then(
      () => assert.fail('the first transfer must not complete'),
      (e: unknown) => e as FileTransferError,
    )
    assert.equal(cut.code, 'FILE_INTERRUPTED')
    assert.ok(cut.received >= size / 2 && cut.received < size, `received ${cut.received}`)
    await sink1.close()
    await pair1.close()
    assert.equal((await stat(to)).size, cut.received, 'every byte counted as received is on disk')

    // A new offer with a=file-range:<received+1>-<size>: the sender starts there.
    const sink2 = new DiskFileSink(to, { append: true })
    let second!: ReturnType<MsrpFileSession['receiveFile']>
    const hash = await hashDiskFile(to)
    const pair2 = await filePair('memory', (r) => {
      second = r.receiveFile({ sink: sink2, size, sha1: sha1(content), resumeFrom: cut.received, hash })
    })
    const sent = await pair2.sender.sendFile({ source: bufferSource(content, 4096), size, startAt: cut.received + 1 })
    const file = await second.done
    await sink2.close()
    await pair2.close()
    assert.equal(sent.bytes, size - cut.received)
    assert.equal(file.transferred, size - cut.received)
    assert.equal(file.sha1, sha1(content))
    assert.ok((await readFile(to)).equals(content))
  })

  it('refuses a file over the receiver limit with 413 and tells the sender', async () => {
    let receiving!: ReturnType<MsrpFileSession['receiveFile']>
    const pair = await filePair('memory', (r) => {
      receiving = r.receiveFile({ sink: new BufferSink(1e6), maxBytes: 1000 })
    })
    await assert.rejects(pair.sender.sendFile({ source: bufferSource(new Uint8Array(5000)), size: 5000 }), (e: unknown) => e instanceof MsrpRequestError && e.status === 413)
    await assert.rejects(receiving.done, { code: 'FILE_TOO_LARGE' })
    await pair.close()
  })

  it('fails a file whose SHA-1 differs from its file-selector, on both sides', async () => {
    let receiving!: ReturnType<MsrpFileSession['receiveFile']>
    const sink = new BufferSink(1e6)
    const pair = await filePair('memory', (r) => {
      receiving = r.receiveFile({ sink, sha1: '00'.repeat(20) })
    })
    await assert.rejects(pair.sender.sendFile({ source: bufferSource(randomBytes(3000)), size: 3000 }), (e: unknown) => e instanceof MsrpRequestError && e.code === 'MSRP_REPORT_FAILURE' && e.status === 400)
    await assert.rejects(receiving.done, { code: 'FILE_HASH_MISMATCH' })
    await pair.close()
  })

  it('sends an empty file and a file whose source is cut into odd pieces', async () => {
    for (const content of [new Uint8Array(0), randomBytes(10_001)]) {
      let receiving!: ReturnType<MsrpFileSession['receiveFile']>
      const sink = new BufferSink(1e6)
      const pair = await filePair('memory', (r) => {
        receiving = r.receiveFile({ sink, size: content.length, sha1: sha1(content) })
      }, { chunkSize: 1000 })
      await pair.sender.sendFile({ source: bufferSource(content, 777), size: content.length, contentType: 'text/plain' })
      assert.equal((await receiving.done).size, content.length)
      assert.deepEqual(sink.bytes(), new Uint8Array(content))
      await pair.close()
    }
  })

  it('rejects a source shorter than the size announced, ending the message with #', async () => {
    let receiving!: ReturnType<MsrpFileSession['receiveFile']>
    const pair = await filePair('memory', (r) => {
      receiving = r.receiveFile({ sink: new BufferSink(1e6) })
    }, { chunkSize: 100 })
    await assert.rejects(pair.sender.sendFile({ source: bufferSource(new Uint8Array(500)), size: 1000 }), { code: 'FILE_SOURCE_TOO_SHORT' })
    const error = await receiving.done.then(() => undefined, (e: unknown) => e as FileTransferError)
    assert.equal(error?.code, 'FILE_INTERRUPTED')
    assert.equal(error?.received, 500)
    await pair.close()
  })

  it('takes success REPORTs that each cover one chunk (as SylkServer sends them) as confirming the file', async () => {
    const [a, b] = createMemoryPair()
    const receiverUri = localMsrpUri({ host: '127.0.0.1', port: 2855 })
    const senderUri = localMsrpUri({ host: '127.0.0.1', port: 9 })
    const receiving = new MsrpConnection(streamTransport(b, 'memory'), { role: 'passive' })
    let reports = 0
    // A receiver that answers each chunk and reports just that chunk's Byte-Range.
    receiving.attach(receiverUri.sessionId!, {
      handleRequest(request, connection) {
        connection.respond(request, 200)
        if (request.method !== 'SEND' || (request.body?.length ?? 0) === 0) return // not the binding SEND
        const range = request.headers['Byte-Range']!
        const end = range.start + (request.body?.length ?? 0) - 1
        reports++
        connection.request(
          { type: 'request', method: 'REPORT', transactionId: `report${reports}`, headers: { 'To-Path': [senderUri], 'From-Path': [receiverUri], 'Message-ID': request.headers['Message-ID']!, 'Byte-Range': { start: range.start, end, total: range.total }, Status: { namespace: 0, code: 200, comment: 'OK' } }, extensionHeaders: [], continuation: '$' },
          { expectResponse: false },
        )
      },
      connectionClosed() {},
    })
    const sending = new MsrpConnection(streamTransport(a, 'memory'), { role: 'active' })
    const sender = await MsrpFileSession.connect({ localUri: senderUri, remotePath: [receiverUri], connection: sending })
    try {
      const content = randomBytes(5 * 2048 + 100)
      const sent = await sender.sendFile({ source: bufferSource(content), size: content.length })
      assert.equal(sent.bytes, content.length)
      assert.equal(reports, 6, 'one REPORT per chunk')
    } finally {
      await sender.close()
      sending.close()
      receiving.close()
    }
  })

  it('refuses a BufferSink download over its cap with a clear error', () => {
    const sink = new BufferSink(4)
    assert.throws(() => sink.write(new Uint8Array(5)), { code: 'FILE_TOO_LARGE' })
  })
})

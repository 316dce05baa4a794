/**
 * Room files on disk: what the manifest costs. Every stored file rewrites its room's manifest
 * (room-file-manifest.ts: JSON, flushed, renamed), so a room at its file limit pays for the whole
 * list on each upload; and a start reads back every kept room (room-files-restore.ts). Measured
 * in CPU time (process.cpuUsage, median of several runs) for a room of 1000 files, the default
 * `maxRoomFiles`; the wall time of the flush depends on the disk and is reported beside it.
 *
 * Run alone: `npx tsx test/bench/room-files.bench.ts`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { writeManifest, type ManifestEntry } from '../../src/server/room-file-manifest.ts'
import { restoreRoomFolders } from '../../src/server/room-files-restore.ts'
import { roomFolderName } from '../../src/server/room-files.ts'

const FILES = 1000
const RUNS = 15
const ROOM = 'sip:lobby@example.test'
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** CPU ms and wall ms of one run of `fn`. */
async function measure(fn: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const start = process.cpuUsage()
  const t0 = performance.now()
  await fn()
  const used = process.cpuUsage(start)
  return { cpu: (used.user + used.system) / 1000, wall: performance.now() - t0 }
}

export async function run(): Promise<BenchResult[]> {
  const root = await mkdtemp(join(tmpdir(), 'bench-room-files-'))
  try {
    const dir = join(root, roomFolderName(ROOM))
    await mkdir(dir)
    const entries: ManifestEntry[] = []
    for (let n = 1; n <= FILES; n++) {
      const file = `${n}-holiday photo ${n}.jpg`
      await writeFile(join(dir, file), 'x')
      entries.push({ number: n, name: `holiday photo ${n}.jpg`, type: 'image/jpeg', size: 1, sha1: n.toString(16).padStart(40, '0'), from: 'sip:alice@example.test', storedAt: new Date(), file })
    }
    const writes: Array<{ cpu: number; wall: number }> = []
    for (let i = 0; i < RUNS; i++) writes.push(await measure(() => writeManifest(dir, ROOM, entries)))
    const reads: Array<{ cpu: number; wall: number }> = []
    for (let i = 0; i < RUNS; i++) {
      reads.push(await measure(async () => {
        const restored = await restoreRoomFolders({ root, folderOf: roomFolderName, retentionOf: () => 'keep', maxRoomBytes: Number.MAX_SAFE_INTEGER, maxRoomFiles: FILES, log: quiet })
        if (restored[0]?.entries.length !== FILES) throw new Error(`restored ${restored[0]?.entries.length} of ${FILES} files`)
      }))
    }
    return [
      { name: `manifest write, room of ${FILES} files, CPU`, value: median(writes.map((w) => w.cpu)), unit: 'ms', note: `median of ${RUNS}` },
      { name: `manifest write, room of ${FILES} files, wall (with flush)`, value: median(writes.map((w) => w.wall)), unit: 'ms', note: 'disk-dependent' },
      { name: `restore at start, room of ${FILES} files, CPU`, value: median(reads.map((r) => r.cpu)), unit: 'ms', note: `median of ${RUNS}` },
      { name: `restore at start, room of ${FILES} files, wall`, value: median(reads.map((r) => r.wall)), unit: 'ms', note: 'disk-dependent' },
    ]
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name.padEnd(55)} ${r.value.toFixed(2).padStart(10)} ${r.unit}${r.note ? `  (${r.note})` : ''}`)
}

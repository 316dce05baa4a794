// A file transfer holds a few chunks, not the file: a child process sends 48 MiB disk to disk
// and reports the most heap plus buffer memory it held above its baseline (measured after a
// forced GC every 16 chunks, so the figure is what is still referenced, not garbage).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { it } from 'node:test'

it('sends 48 MiB holding far less than the file in memory', async () => {
  const size = 48 * 1024 * 1024
  const child = fileURLToPath(new URL('./fixtures/file-memory-child.ts', import.meta.url))
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=msrp-bot-source', child, String(size)], { maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)))
  })
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { peak: number; size: number; sha1Ok: boolean }
  assert.equal(result.size, size)
  assert.ok(result.sha1Ok, 'the hash was checked on arrival')
  assert.ok(result.peak < 8 * 1024 * 1024, `held ${(result.peak / 1024 / 1024).toFixed(1)} MiB above the baseline for a 48 MiB file`)
})

// Shared setup for CLI tests: temporary folders that are always removed.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this checkout). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A fresh temporary folder; register `cleanup` with `after`/`t.after`. */
export function tempDir(prefix = 'msrp-bot-cli-'): { dir: string; cleanup: () => void; write: (rel: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    write: (rel, text) => {
      const path = join(dir, rel)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, text)
      return path
    },
  }
}

/**
 * Headless Chromium for the page tests: Debian's `chromium` (installed by .ci/run), driven by
 * playwright-core with `executablePath`. Without it the tests skip with the reason; under CI
 * (`CI` set) a missing browser is an error instead, as for the interop peers.
 */
import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

/** Where Chromium is looked for (MSRP_BOT_CHROMIUM overrides). */
export const CHROMIUM = process.env['MSRP_BOT_CHROMIUM'] ?? '/usr/bin/chromium'

/** Whether the browser tests can run here; throws under CI when they cannot. */
export function chromiumAvailable(): { ok: true } | { ok: false; why: string } {
  const found = existsSync(CHROMIUM) ? ({ ok: true } as const) : ({ ok: false, why: `no Chromium at ${CHROMIUM}; install the Debian package chromium (.ci/run does) or set MSRP_BOT_CHROMIUM` } as const)
  if (!found.ok && process.env['CI']) throw new Error(`the browser tests need Chromium under CI: ${found.why}`)
  return found
}

/**
 * A started headless Chromium. Playwright gives every launch a fresh, empty profile of its own
 * (and removes it on close), so no `--user-data-dir` is passed.
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  // No background networking: the machine's closed network would refuse Chromium's own calls.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

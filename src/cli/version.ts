/**
 * This package's name and version, read from its package.json.
 *
 * @module
 */
import { readFileSync } from 'node:fs'

/** The root folder of the msrp-bot package (where package.json, templates/ and bin/ are). */
export const PACKAGE_ROOT = new URL('../../', import.meta.url)

/** msrp-bot's package.json fields the CLI uses. */
export interface PackageInfo {
  readonly name: string
  readonly version: string
  readonly dependencies: Readonly<Record<string, string>>
  readonly devDependencies: Readonly<Record<string, string>>
}

let cached: PackageInfo | undefined

/** Reads (once) msrp-bot's own package.json. */
export function packageInfo(): PackageInfo {
  if (cached === undefined) {
    const raw = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as Partial<PackageInfo>
    cached = {
      name: raw.name ?? 'msrp-bot',
      version: raw.version ?? '0.0.0',
      dependencies: raw.dependencies ?? {},
      devDependencies: raw.devDependencies ?? {},
    }
  }
  return cached
}

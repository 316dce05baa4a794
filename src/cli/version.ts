/**
 * This package's name and version, read from its package.json, and the facts about msrp-bot
 * that create-msrp-bot writes into a new project.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'

/**
 * The root folder of the package this code runs from (where package.json is): msrp-bot's, or
 * create-msrp-bot's when the scaffolder runs from that package (see
 * packages/create-msrp-bot/build.mjs).
 */
export const PACKAGE_ROOT = new URL('../../', import.meta.url)

/** The package.json fields the CLI uses. */
export interface PackageInfo {
  readonly name: string
  readonly version: string
  /** `engines.node`, e.g. `>=20.6.0`. */
  readonly nodeEngines: string
  readonly dependencies: Readonly<Record<string, string>>
  readonly devDependencies: Readonly<Record<string, string>>
}

const cache = new Map<string, PackageInfo>()

function read(file: string): PackageInfo {
  let info = cache.get(file)
  if (info === undefined) {
    const raw = JSON.parse(readFileSync(new URL(file, PACKAGE_ROOT), 'utf8')) as Partial<PackageInfo> & { engines?: { node?: string } }
    info = {
      name: raw.name ?? 'msrp-bot',
      version: raw.version ?? '0.0.0',
      nodeEngines: raw.engines?.node ?? '>=20.6.0',
      dependencies: raw.dependencies ?? {},
      devDependencies: raw.devDependencies ?? {},
    }
    cache.set(file, info)
  }
  return info
}

/** Reads (once) the package.json of the package this code runs from. */
export function packageInfo(): PackageInfo {
  return read('package.json')
}

/**
 * msrp-bot's package facts (version, engines, tool versions): its package.json in the
 * repository, or the `msrp-bot.package.json` copy that the create-msrp-bot package ships.
 */
export function msrpBotPackageInfo(): PackageInfo {
  return existsSync(new URL('msrp-bot.package.json', PACKAGE_ROOT)) ? read('msrp-bot.package.json') : packageInfo()
}

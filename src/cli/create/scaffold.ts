/**
 * Writes a new bot project from a template: copies the files, fills in `{{placeholders}}`,
 * turns `package.json.tmpl` into `package.json` and `gitignore` into `.gitignore` (npm drops
 * files named `.gitignore` from published packages, so templates ship them without the dot).
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { MsrpBotError } from '../../errors.ts'
import { msrpBotPackageInfo } from '../version.ts'
import { templateFilePath, templateFiles } from './templates.ts'
import type { TemplateName } from './templates.ts'

/** Entries that do not make a folder "not empty" (a fresh `git init` is a fine place to start). */
const IGNORED_ENTRIES = new Set(['.git', '.DS_Store', 'Thumbs.db'])

/** What is at the target path. */
export type DirectoryState = 'missing' | 'empty' | 'not-empty' | 'file'

/**
 * Looks at the target path: missing, an empty folder (ignoring `.git`), a non-empty one, or a
 * file.
 */
export function directoryState(dir: string): DirectoryState {
  if (!existsSync(dir)) return 'missing'
  if (!statSync(dir).isDirectory()) return 'file'
  return readdirSync(dir).some((e) => !IGNORED_ENTRIES.has(e)) ? 'not-empty' : 'empty'
}

/**
 * The dependency spec for msrp-bot in the new project: `MSRP_BOT_PACKAGE` when set (any npm
 * spec, e.g. `file:../msrp-bot-0.1.0.tgz` or `^0.2.0`), else `^<msrp-bot's version>`, the
 * published version range.
 */
export function msrpBotDependencySpec(env: NodeJS.ProcessEnv): string {
  return msrpBotOverride(env) ?? `^${msrpBotPackageInfo().version}`
}

/** `MSRP_BOT_PACKAGE` when set and not blank. */
export function msrpBotOverride(env: NodeJS.ProcessEnv): string | undefined {
  const override = env['MSRP_BOT_PACKAGE']?.trim()
  return override !== undefined && override !== '' ? override : undefined
}

/** Values for the `{{placeholders}}` in template files. */
export interface TemplateValues {
  /** The project (package) name. */
  readonly name: string
  /** The msrp-bot dependency spec. */
  readonly msrpBotSpec: string
  /** The Node.js range (`engines.node`), msrp-bot's own. */
  readonly nodeEngines: string
  /** Versions of the dev tools, taken from msrp-bot's own package.json. */
  readonly tsxVersion: string
  readonly typescriptVersion: string
  readonly typesNodeVersion: string
}

/** The default {@link TemplateValues} for a project name. */
export function templateValues(name: string, env: NodeJS.ProcessEnv): TemplateValues {
  const info = msrpBotPackageInfo()
  return {
    name,
    msrpBotSpec: msrpBotDependencySpec(env),
    nodeEngines: info.nodeEngines,
    tsxVersion: info.dependencies['tsx'] ?? '^4.0.0',
    typescriptVersion: info.devDependencies['typescript'] ?? '^7.0.0',
    typesNodeVersion: info.devDependencies['@types/node'] ?? '^20.6.0',
  }
}

/**
 * Replaces `{{key}}` with its value; in JSON files values are JSON-escaped. Unknown keys are
 * an error (a typo in a template should fail the tests, not ship).
 */
export function fillPlaceholders(text: string, values: TemplateValues, options: { json: boolean; file: string }): string {
  return text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, key: string) => {
    const value = (values as unknown as Record<string, string | undefined>)[key]
    if (value === undefined) {
      throw new MsrpBotError('CREATE_TEMPLATE_INVALID', `template file ${options.file} uses an unknown placeholder {{${key}}}`)
    }
    return options.json ? JSON.stringify(value).slice(1, -1) : value
  })
}

/** Where a template file goes in the project. */
export function targetName(templatePath: string): string {
  const parts = templatePath.split('/')
  const base = parts.pop() ?? ''
  const renamed = base === 'gitignore' ? '.gitignore' : base.endsWith('.tmpl') ? base.slice(0, -'.tmpl'.length) : base
  return [...parts, renamed].join('/')
}

/** Options for {@link scaffold}. */
export interface ScaffoldOptions {
  /** The project folder (absolute); created if missing. */
  readonly dir: string
  /** Which template. */
  readonly template: TemplateName
  /** Placeholder values. */
  readonly values: TemplateValues
  /** Write even when the folder is not empty (existing files with the same names are replaced). */
  readonly force: boolean
}

/**
 * Writes the project; returns the files written (relative, `/`-separated). Throws
 * CREATE_DIR_NOT_EMPTY for a non-empty folder without `force`, CREATE_DIR_IS_FILE when the
 * path is a file.
 *
 * @example
 * ```ts
 * scaffold({ dir: '/tmp/my-bot', template: 'echo', values: templateValues('my-bot', process.env), force: false })
 * ```
 */
export function scaffold(options: ScaffoldOptions): string[] {
  const state = directoryState(options.dir)
  if (state === 'file') {
    throw new MsrpBotError('CREATE_DIR_IS_FILE', `${options.dir} is a file, not a folder; pick another project folder`)
  }
  if (state === 'not-empty' && !options.force) {
    throw new MsrpBotError(
      'CREATE_DIR_NOT_EMPTY',
      `${options.dir} is not empty. Pick a new folder name, empty it, or pass --force to write the template's files into it (files with the same names are overwritten)`,
    )
  }
  const written: string[] = []
  for (const file of templateFiles(options.template)) {
    const target = targetName(file)
    const text = readFileSync(templateFilePath(options.template, file), 'utf8')
    const filled = fillPlaceholders(text, options.values, { json: target.endsWith('.json'), file: `${options.template}/${file}` })
    if (target === 'package.json') JSON.parse(filled) // a broken template must not produce a broken project
    const path = join(options.dir, target)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, filled)
    written.push(target)
  }
  return written.sort()
}

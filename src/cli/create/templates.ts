/**
 * The project templates create-msrp-bot copies (the `templates/` folder of this package).
 *
 * @module
 */
import { readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PACKAGE_ROOT } from '../version.ts'

/** Template names, in the order the prompt offers them. */
export const TEMPLATE_NAMES = ['echo', 'moderator', 'blank'] as const

/** One of {@link TEMPLATE_NAMES}. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number]

/** One line per template, for help and prompts. */
export const TEMPLATE_DESCRIPTIONS: Readonly<Record<TemplateName, string>> = {
  echo: 'repeats what people say; answers private messages privately; /help',
  moderator: 'welcomes people, warns then removes for banned words, /kick /mute for owners, /rules',
  blank: 'a bot with one /help command, to start from scratch',
}

/** The folder holding all templates. */
export const TEMPLATES_DIR = fileURLToPath(new URL('templates/', PACKAGE_ROOT))

/** The folder of one template. */
export function templateDir(name: TemplateName): string {
  return fileURLToPath(new URL(`templates/${name}/`, PACKAGE_ROOT))
}

/**
 * Templates whose bot.ts is one of the repository's example bots (bots/), so that the example
 * a user reads, the bot `npm start` runs, and the bot a new project starts from are one file.
 */
const EXAMPLE_BOTS: Partial<Record<TemplateName, string>> = {
  echo: 'bots/echo.ts',
  moderator: 'bots/moderator.ts',
}

/** Where a template file comes from: the template folder, or bots/ for an example bot's bot.ts. */
export function templateFilePath(name: TemplateName, file: string): string {
  const example = EXAMPLE_BOTS[name]
  if (file === 'bot.ts' && example !== undefined) return fileURLToPath(new URL(example, PACKAGE_ROOT))
  return templateDir(name) + file
}

/** True for a known template name. */
export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name)
}

/**
 * Every file of a template, as paths relative to its folder (sorted, `/`-separated).
 *
 * @example
 * ```ts
 * templateFiles('echo')  // ['.env.example', 'README.md', 'bot.test.ts', 'bot.ts', 'gitignore', 'package.json.tmpl', 'tsconfig.json']
 * ```
 */
export function templateFiles(name: TemplateName): string[] {
  const root = templateDir(name)
  const out: string[] = []
  const walk = (rel: string) => {
    for (const entry of readdirSync(root + rel)) {
      const path = rel === '' ? entry : `${rel}/${entry}`
      if (statSync(root + path).isDirectory()) walk(path)
      else out.push(path)
    }
  }
  walk('')
  if (EXAMPLE_BOTS[name] !== undefined && !out.includes('bot.ts')) out.push('bot.ts')
  return out.sort()
}

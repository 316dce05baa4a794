/**
 * `create-msrp-bot`: scaffolds a bot project whose `npm test` passes at once.
 *
 * ```
 * npx create-msrp-bot my-bot [--template echo|moderator|blank] [--no-install] [--yes] [--force]
 * ```
 *
 * On a terminal (stdin and stdout both TTYs) it asks for what is missing (folder, template)
 * unless `--yes`; otherwise it takes flags and defaults (template: echo) and never waits for
 * input. The new project depends on the published msrp-bot (`^<version>`);
 * `MSRP_BOT_PACKAGE=<npm spec>` replaces that dependency, e.g. with a tarball packed from a
 * checkout (`file:../msrp-bot-0.1.0.tgz`, see "Working from a clone" in docs/getting-started.md).
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { basename, relative, resolve } from 'node:path'
import { MsrpBotError } from '../errors.ts'
import { booleanFlag, closest, formatHelp, parseCommandLine, stringFlag } from './args.ts'
import type { CommandSpec } from './args.ts'
import { checkProjectName } from './create/project-name.ts'
import { createPrompter, PromptCancelledError } from './create/prompts.ts'
import type { Prompter } from './create/prompts.ts'
import { directoryState, msrpBotOverride, scaffold, templateValues } from './create/scaffold.ts'
import { isTemplateName, TEMPLATE_DESCRIPTIONS, TEMPLATE_NAMES } from './create/templates.ts'
import type { TemplateName } from './create/templates.ts'
import { CliUsageError, EXIT_FAILURE, EXIT_USAGE } from './errors.ts'
import { processIo } from './io.ts'
import type { CliIo } from './io.ts'
import { packageInfo } from './version.ts'

const spec: CommandSpec = {
  name: 'create-msrp-bot',
  summary: 'Create a new msrp-bot project (a chat bot for SIP/MSRP chat rooms) in <dir>.',
  positionals: '<dir>',
  arity: { min: 0, max: 1 },
  flags: {
    template: {
      type: 'string',
      short: 't',
      value: '<name>',
      description: `Project template: ${TEMPLATE_NAMES.join(', ')}`,
      default: 'echo',
    },
    'no-install': { type: 'boolean', description: 'Do not run npm install' },
    yes: { type: 'boolean', short: 'y', description: 'Ask nothing; use the defaults for what is not given' },
    force: { type: 'boolean', description: 'Write into a folder that is not empty (overwrites same-named files)' },
    version: { type: 'boolean', short: 'v', description: 'Show the version' },
  },
  details: [
    'Templates:\n' + TEMPLATE_NAMES.map((t) => `  ${t.padEnd(10)} ${TEMPLATE_DESCRIPTIONS[t]}`).join('\n'),
    'The package name is the folder name, so it must be a valid npm name (lower case, no spaces).',
  ],
  examples: ['npx create-msrp-bot my-bot', 'npx create-msrp-bot my-bot --template moderator', 'npx create-msrp-bot . --yes --no-install'],
}

/** The checked plan of one create-msrp-bot run. */
export interface CreatePlan {
  /** Absolute project folder. */
  readonly dir: string
  /** Package name (the folder's base name). */
  readonly name: string
  readonly template: TemplateName
  readonly install: boolean
  readonly force: boolean
}

/** How `npm install` ended: its exit code and the tail of what it printed. */
export interface InstallResult {
  readonly code: number
  /** The last lines npm printed (stdout and stderr), to tell why it failed. */
  readonly output: string
}

/** Options for {@link main} (for tests). */
export interface CreateMainOptions {
  /** Runs `npm install` in the folder; defaults to spawning npm. Resolves to its exit code or result. */
  install?: ((dir: string, io: CliIo) => Promise<number | InstallResult>) | undefined
  /** Overrides TTY detection (prompts run only when true). */
  interactive?: boolean | undefined
  /** Overrides the prompter (tests). */
  prompter?: Prompter | undefined
}

/** Exit code after Ctrl-C at a prompt (128 + SIGINT, as shells report it). */
const EXIT_CANCELLED = 130

function usage(message: string): CliUsageError {
  return new CliUsageError(`create-msrp-bot: ${message}`, { command: spec.name })
}

/**
 * Checks a template name, suggesting the closest one.
 *
 * @example
 * ```ts
 * parseTemplate('moderater')  // throws: unknown template 'moderater'. Did you mean 'moderator'? ...
 * ```
 */
export function parseTemplate(value: string): TemplateName {
  const v = value.trim().toLowerCase()
  if (isTemplateName(v)) return v
  const guess = closest(v, TEMPLATE_NAMES)
  throw usage(`unknown template '${value}'.${guess === undefined ? '' : ` Did you mean '${guess}'?`} Templates: ${TEMPLATE_NAMES.join(', ')}`)
}

/**
 * Derives and checks the project name from the folder.
 *
 * @example
 * ```ts
 * projectNameFor('/home/me/my-bot')  // 'my-bot'
 * ```
 */
export function projectNameFor(dir: string): string {
  const name = basename(dir)
  const check = checkProjectName(name)
  if (!check.valid) {
    throw usage(
      `the folder name '${name}' is used as the package name, and it is not a valid npm package name: ` +
        `${check.problems.join('; ')}.` +
        (check.suggestion === undefined ? ' Pick another folder name.' : ` Try '${check.suggestion}'.`),
    )
  }
  return name
}

/** Works out what to do from the command line, asking on a terminal when allowed. */
async function plan(argv: readonly string[], io: CliIo, options: CreateMainOptions): Promise<CreatePlan | 'help' | 'version'> {
  const line = parseCommandLine(spec, argv)
  if (line.help) return 'help'
  if (booleanFlag(line.values, 'version')) return 'version'
  const yes = booleanFlag(line.values, 'yes')
  const interactive = !yes && (options.interactive ?? (io.stdin.isTTY === true && io.stdout.isTTY === true))
  let dirArg = line.positionals[0]
  const templateArg = stringFlag(line.values, 'template')
  let template = templateArg === undefined ? undefined : parseTemplate(templateArg)
  if (interactive && (dirArg === undefined || template === undefined)) {
    const ask = options.prompter ?? createPrompter(io.stdin, io.stdout as unknown as NodeJS.WritableStream)
    try {
      dirArg ??= await ask.text('Project folder', 'my-bot')
      projectNameFor(resolve(io.cwd, dirArg)) // complain now, before asking more
      template ??= await ask.choose(
        'Template:',
        TEMPLATE_NAMES.map((t) => ({ value: t, hint: TEMPLATE_DESCRIPTIONS[t] })),
        'echo',
      )
    } finally {
      ask.close()
    }
  }
  if (dirArg === undefined || dirArg.trim() === '') {
    throw usage('missing <dir>: where to create the project, e.g. npx create-msrp-bot my-bot')
  }
  const dir = resolve(io.cwd, dirArg)
  const name = projectNameFor(dir)
  const force = booleanFlag(line.values, 'force')
  const state = directoryState(dir)
  if (state === 'file') throw usage(`${dirArg} is a file; pick a folder name`)
  if (state === 'not-empty' && !force) {
    throw usage(`${dirArg} is not empty. Pick a new folder, empty it, or pass --force to write into it (same-named files are overwritten)`)
  }
  return { dir, name, template: template ?? 'echo', install: !booleanFlag(line.values, 'no-install'), force }
}

/** How much of npm's output {@link npmInstall} keeps to explain a failure. */
const INSTALL_OUTPUT_TAIL = 16_384

/**
 * Runs `npm install --no-audit --no-fund` in `dir`, forwarding its output to `io`. Resolves to
 * npm's exit code and the tail of its output.
 */
export function npmInstall(dir: string, io: CliIo): Promise<InstallResult> {
  return new Promise((resolveCode, reject) => {
    const windows = process.platform === 'win32'
    const child = spawn(windows ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], {
      cwd: dir,
      env: io.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: windows, // .cmd files need a shell on Windows (Node >= 20.12)
    })
    let output = ''
    const keep = (text: string) => {
      output = (output + text).slice(-INSTALL_OUTPUT_TAIL)
    }
    child.stdout.on('data', (chunk: Buffer) => {
      io.stdout.write(chunk.toString())
      keep(chunk.toString())
    })
    child.stderr.on('data', (chunk: Buffer) => {
      io.stderr.write(chunk.toString())
      keep(chunk.toString())
    })
    child.on('error', (error) =>
      reject(new MsrpBotError('CREATE_NPM_NOT_FOUND', `could not run npm (${error.message}); install Node.js with npm, or use --no-install`, { cause: error })),
    )
    child.on('close', (code) => resolveCode({ code: code ?? 1, output }))
  })
}

const CLONE_HINT =
  'to use a local checkout of msrp-bot instead, pack it and set MSRP_BOT_PACKAGE=file:<path to msrp-bot-<version>.tgz> ' +
  '(see "Working from a clone" in docs/getting-started.md of msrp-bot)'

/**
 * One line explaining a failed `npm install` when the cause is msrp-bot itself: the registry
 * has no such package (E404) or cannot be reached. Undefined for any other failure (npm's own
 * output above says what it was).
 *
 * @example
 * ```ts
 * installFailureHint('npm error 404 Not Found - GET http://127.0.0.1:4873/msrp-bot', '^0.1.0', {})
 * // "msrp-bot@^0.1.0 is not on the npm registry ... yet; to use a local checkout ..."
 * ```
 */
export function installFailureHint(output: string, spec: string, env: NodeJS.ProcessEnv): string | undefined {
  const registry = env['npm_config_registry'] ?? env['NPM_CONFIG_REGISTRY'] ?? 'https://registry.npmjs.org/'
  if (/\b(E404|404 Not Found)\b[^\n]*\bmsrp-bot\b|'msrp-bot@[^']*' is not in this registry/.test(output)) {
    return `msrp-bot@${spec} is not on the npm registry (${registry}) yet; ${CLONE_HINT}`
  }
  if (/\b(ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH)\b/.test(output)) {
    return `the npm registry (${registry}) cannot be reached, so msrp-bot@${spec} could not be installed; ${CLONE_HINT}`
  }
  return undefined
}

/** The "what now" text. */
export function nextSteps(plan: CreatePlan, cwd: string, installed: boolean): string {
  const rel = relative(cwd, plan.dir)
  const steps = [
    ...(rel === '' ? [] : [`cd ${/\s/.test(rel) ? JSON.stringify(rel) : rel}`]),
    ...(installed ? [] : ['npm install']),
    'cp .env.example .env     # only needed for a real SIP network (msrp-bot run)',
    'npm start                # your bot in a local chat room; chat with it here',
    'npm test                 # the bot\'s tests, on an in-memory chat room',
  ]
  return [
    '',
    `Created ${plan.name} (template: ${plan.template}) in ${plan.dir}`,
    '',
    'Next steps:',
    ...steps.map((s) => `  ${s}`),
    '',
    'Edit bot.ts to change what the bot does; README.md has more.',
    '',
  ].join('\n')
}

/**
 * Runs create-msrp-bot with `argv` (without `node` and the script). Resolves to the exit code:
 * 0 done, 1 failed (e.g. npm install failed; the files are written), 2 usage error.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['my-bot', '--template', 'echo'])
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo(), options: CreateMainOptions = {}): Promise<number> {
  let p: CreatePlan | 'help' | 'version'
  try {
    p = await plan(argv, io, options)
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`${error.message}\nSee 'create-msrp-bot --help'.\n`)
      return EXIT_USAGE
    }
    if (error instanceof PromptCancelledError) {
      io.stderr.write(`\ncreate-msrp-bot: ${error.message}\n`)
      return EXIT_CANCELLED
    }
    throw error
  }
  if (p === 'help') {
    io.stdout.write(formatHelp(spec))
    return 0
  }
  if (p === 'version') {
    io.stdout.write(`${packageInfo().version}\n`)
    return 0
  }
  try {
    const files = scaffold({ dir: p.dir, template: p.template, values: templateValues(p.name, io.env), force: p.force })
    io.stdout.write(`Wrote ${files.length} files to ${p.dir}: ${files.join(', ')}\n`)
    let installed = false
    if (p.install) {
      io.stdout.write('Running npm install...\n')
      const ran = await (options.install ?? npmInstall)(p.dir, io)
      const { code, output } = typeof ran === 'number' ? { code: ran, output: '' } : ran
      if (code !== 0) {
        const spec = templateValues(p.name, io.env).msrpBotSpec
        const hint = msrpBotOverride(io.env) === undefined ? installFailureHint(output, spec, io.env) : undefined
        io.stderr.write(
          hint !== undefined
            ? `create-msrp-bot: ${hint}; the project is written in ${p.dir}, run npm install there afterwards\n`
            : `create-msrp-bot: npm install failed (exit code ${code}); the project is written, run npm install in ${p.dir} once the problem above is fixed\n`,
        )
        return EXIT_FAILURE
      }
      installed = true
    }
    io.stdout.write(nextSteps(p, io.cwd, installed))
    return 0
  } catch (error) {
    if (error instanceof MsrpBotError) {
      io.stderr.write(`create-msrp-bot: ${error.message} [${error.code}]\n`)
      return EXIT_FAILURE
    }
    throw error
  }
}

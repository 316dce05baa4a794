/**
 * The command-line layer: `msrp-bot` (dev · run · server · chat) and `create-msrp-bot`.
 *
 * The binaries in bin/ call `msrpBot()` / `createMsrpBot()`; everything else here is for
 * wiring the commands to the chat layer (runtime.ts) and for tests.
 *
 * @module
 */

// --- Entry points: run a command line, get an exit code ---------------------------------
export { main as msrpBot, COMMANDS, mainHelp } from './msrp-bot.ts'
export type { MainOptions } from './msrp-bot.ts'
export { main as createMsrpBot, nextSteps, npmInstall, parseTemplate, projectNameFor } from './create-msrp-bot.ts'
export type { CreateMainOptions, CreatePlan } from './create-msrp-bot.ts'

// --- Bot modules: the `export default bot` contract ------------------------------------
export { loadBotModule, botFromModule, isBot, BotModuleError, BOT_MODULE_EXTENSIONS } from './bot-module.ts'
export type { LoadBotModuleOptions } from './bot-module.ts'

// --- Runtime seam: what the commands call with their checked options ---------------------
export { startServer, startDev, runBot, startChat } from './runtime.ts'
export type {
  ServerOptions,
  DevOptions,
  RunOptions,
  ChatOptions,
  SipAccountOptions,
  UserAccount,
  RuntimeContext,
  SipTransportName,
  CliLogLevel,
} from './runtime.ts'

// --- Configuration files: .env and the server's users file -------------------------------
export { parseEnv, loadEnvFile, EnvFileError } from './env.ts'
export type { EnvLoadResult } from './env.ts'
export { parseUsers, readUsersFile } from './users-file.ts'

// --- Advanced: parsing pieces, I/O, errors ----------------------------------------------
export { parseCommandLine, formatHelp, closest, editDistance } from './args.ts'
export type { CommandSpec, FlagSpec, ParsedCommandLine } from './args.ts'
export type { Command } from './commands/command.ts'
export { processIo, memoryIo } from './io.ts'
export type { CliIo, TextSink, BufferSink } from './io.ts'
export { CliUsageError, EXIT_USAGE, EXIT_FAILURE } from './errors.ts'
export { checkProjectName } from './create/project-name.ts'
export type { ProjectNameCheck } from './create/project-name.ts'
export { scaffold, directoryState, msrpBotDependencySpec, templateValues } from './create/scaffold.ts'
export type { ScaffoldOptions, TemplateValues, DirectoryState } from './create/scaffold.ts'
export { TEMPLATE_NAMES, TEMPLATE_DESCRIPTIONS, templateFiles } from './create/templates.ts'
export type { TemplateName } from './create/templates.ts'
export { packageInfo, PACKAGE_ROOT } from './version.ts'
export type { PackageInfo } from './version.ts'

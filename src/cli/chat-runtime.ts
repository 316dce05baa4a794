/**
 * `msrp-bot chat`: a person in a chat room from the terminal, on a real SIP network or a
 * local `msrp-bot server`.
 *
 * @module
 */
import { createNodeChatBackend } from '../chat/index.ts'
import { backendConfigFor } from './network-backend.ts'
import { createConsoleLogger } from '../bot/index.ts'
import type { ChatOptions, RuntimeContext } from './runtime-options.ts'
import { runTerminalChat } from './terminal-chat.ts'

/**
 * Registers as `options.account` (when it names a registrar; without one the person is
 * reachable only in the room, as in a SylkServer room), joins `options.room`, and chats until
 * the input ends, `/quit` or Ctrl-C; then leaves the room and unregisters.
 */
export async function runChatCommand(options: ChatOptions, context: RuntimeContext): Promise<void> {
  const backend = createNodeChatBackend(backendConfigFor(options.account), {
    logger: createConsoleLogger(options.logLevel),
    publishPresence: true,
    automaton: false,
  })
  await backend.start()
  try {
    await runTerminalChat({
      backend,
      room: options.room,
      nickname: options.nickname,
      input: context.io.stdin,
      output: context.io.stdout,
      signal: context.signal,
    })
  } finally {
    await backend.stop()
  }
}

#!/usr/bin/env bash
# The used-by path against a real npm registry, as a new user meets it:
#
#   1. a private Verdaccio 6.8.0 on loopback (a free port), storage in a temp folder, proxying
#      the public registry for third-party packages (never for msrp-bot or create-msrp-bot);
#   2. `npm publish` of create-msrp-bot, then a scaffold that must say in one line that the
#      registry has no msrp-bot yet; then `npm publish` of msrp-bot;
#   3. in an empty folder outside the repository, for each template (echo, moderator, blank):
#      `npx create-msrp-bot my-bot --template <t> --yes` (installs), `npm test`,
#      `npm run typecheck`, `npm start` until it prints the line to join, then SIGINT;
#      and a plain bot.mjs run by bare `node` that imports msrp-bot and answers in a room of
#      msrp-bot/testing; for echo also `npx msrp-bot dev dev-bot.mjs` (a JavaScript bot module).
#
# Needs node, npm and network access to the public registry (for Verdaccio itself and the
# third-party packages). KEEP_REGISTRY_WORK=1 keeps the temp folder for a look afterwards.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/msrp-bot-registry-XXXXXX")
UPLINK=${MSRP_BOT_UPLINK_REGISTRY:-https://registry.npmjs.org/}
VERDACCIO_PID=
START=$SECONDS

log() { printf '[registry e2e %3ds] %s\n' "$((SECONDS - START))" "$*"; }
fail() {
  printf '[registry e2e] FAILED: %s\n' "$*" >&2
  exit 1
}
cleanup() {
  local code=$?
  if [ -n "$VERDACCIO_PID" ] && kill -0 "$VERDACCIO_PID" 2>/dev/null; then
    kill "$VERDACCIO_PID" 2>/dev/null || true
    wait "$VERDACCIO_PID" 2>/dev/null || true
  fi
  if [ "$code" -ne 0 ] && [ -f "$WORK/verdaccio.log" ]; then
    echo '--- verdaccio log (tail) ---' >&2
    tail -n 30 "$WORK/verdaccio.log" >&2 || true
  fi
  if [ "${KEEP_REGISTRY_WORK:-}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. Verdaccio ------------------------------------------------------------------------------
log "installing verdaccio@6.8.0 into $WORK/verdaccio (not a project dependency)"
npm install --prefix "$WORK/verdaccio" --no-audit --no-fund --no-save --loglevel=error \
  --registry "$UPLINK" verdaccio@6.8.0 >"$WORK/verdaccio-install.log" 2>&1 ||
  { cat "$WORK/verdaccio-install.log" >&2; fail 'could not install verdaccio@6.8.0'; }

PORT=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")
REGISTRY="http://127.0.0.1:$PORT/"
cat >"$WORK/config.yaml" <<YAML
storage: $WORK/storage
auth:
  htpasswd:
    file: $WORK/htpasswd
    max_users: 1
uplinks:
  npmjs:
    url: $UPLINK
    timeout: 60s
packages:
  'msrp-bot':
    access: \$all
    publish: \$authenticated
  'create-msrp-bot':
    access: \$all
    publish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
YAML
"$WORK/verdaccio/node_modules/.bin/verdaccio" --config "$WORK/config.yaml" --listen "127.0.0.1:$PORT" >"$WORK/verdaccio.log" 2>&1 &
VERDACCIO_PID=$!

# Waits for the registry, then creates the publishing user (npm adduser's API) and prints its token.
TOKEN=$(REGISTRY=$REGISTRY node --input-type=module -e "
  const registry = process.env.REGISTRY
  const deadline = Date.now() + 60_000
  for (;;) {
    try { if ((await fetch(registry + '-/ping')).ok) break } catch {}
    if (Date.now() > deadline) { console.error('verdaccio did not answer within 60 s'); process.exit(1) }
    await new Promise((r) => setTimeout(r, 200))
  }
  const name = 'ci'
  const response = await fetch(registry + '-/user/org.couchdb.user:' + name, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'ci-only-' + process.pid, email: 'ci@example.test' }),
  })
  const body = await response.json()
  if (!response.ok || !body.token) { console.error('adduser failed', response.status, JSON.stringify(body)); process.exit(1) }
  console.log(body.token)
") || fail 'verdaccio did not start or refused the user'
log "verdaccio up at $REGISTRY"

# Every npm below talks to this registry only, with its own config and an empty cache (so no
# package from an earlier run, and no cached npx install of create-msrp-bot, is reused).
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$REGISTRY" "$PORT" "$TOKEN" >"$WORK/npmrc"
export npm_config_userconfig="$WORK/npmrc"
export npm_config_registry="$REGISTRY"
export npm_config_cache="$WORK/npm-cache"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
unset npm_config_prefix npm_config_globalconfig NODE_OPTIONS CI_NPM_TOKEN 2>/dev/null || true

# --- 2. Publish --------------------------------------------------------------------------------
log 'publishing create-msrp-bot'
(cd "$REPO" && npm publish -w create-msrp-bot --loglevel=warn) >"$WORK/publish-create.log" 2>&1 ||
  { cat "$WORK/publish-create.log" >&2; fail 'npm publish -w create-msrp-bot'; }

log 'create-msrp-bot before msrp-bot is published: one line naming the way out'
mkdir -p "$WORK/early"
set +e
(cd "$WORK/early" && npx --yes create-msrp-bot my-bot --yes) >"$WORK/early.log" 2>&1
early=$?
set -e
[ "$early" -eq 1 ] || { cat "$WORK/early.log" >&2; fail "expected exit 1 without msrp-bot on the registry, got $early"; }
grep -q '^create-msrp-bot: msrp-bot@^[0-9.]* is not on the npm registry .*Working from a clone' "$WORK/early.log" ||
  { cat "$WORK/early.log" >&2; fail 'no one-line hint about the missing msrp-bot package'; }

log 'publishing msrp-bot (prepack builds dist/)'
(cd "$REPO" && npm publish --loglevel=warn) >"$WORK/publish.log" 2>&1 ||
  { cat "$WORK/publish.log" >&2; fail 'npm publish (msrp-bot)'; }

# --- 3. As a user ------------------------------------------------------------------------------
# Runs `npm start` in the project until the line to join appears, then Ctrl-C. msrp-bot must
# stop cleanly; npm itself reports a Ctrl-C as exit code 130 (128 + SIGINT), as in a terminal.
# Ctrl-C in a terminal signals the whole foreground process group (npm, its shell, msrp-bot),
# so `npm start` runs in a session of its own and SIGINT goes to that group.
# With more arguments, runs those instead of `npm start` (e.g. npx msrp-bot dev bot.mjs ...).
start_until_join() {
  local dir="$1"
  shift
  local command=("$@")
  [ ${#command[@]} -gt 0 ] || command=(npm start -- --port 0 --msrp-port 0 --no-chat)
  local out
  out="$dir/start-$(date +%s%N).log"
  (cd "$dir" && exec setsid "${command[@]}") >"$out" 2>&1 &
  local pid=$!
  local waited=0
  until grep -q 'join from another terminal with' "$out"; do
    kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; fail "${command[*]} exited before printing the line to join ($dir)"; }
    [ "$waited" -lt 600 ] || { kill -KILL -- -"$pid"; cat "$out" >&2; fail "${command[*]} printed no line to join within 60 s ($dir)"; }
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -INT -- -"$pid"
  waited=0
  while kill -0 "$pid" 2>/dev/null; do
    [ "$waited" -lt 300 ] || { kill -KILL -- -"$pid"; cat "$out" >&2; fail "${command[*]} did not exit within 30 s of SIGINT ($dir)"; }
    sleep 0.1
    waited=$((waited + 1))
  done
  local code=0
  wait "$pid" || code=$?
  [ "$code" -eq 0 ] || [ "$code" -eq 130 ] || { cat "$out" >&2; fail "${command[*]} exited $code after SIGINT ($dir)"; }
  grep -q 'msrp-bot dev: stopped' "$out" || { cat "$out" >&2; fail "${command[*]} did not stop cleanly ($dir)"; }
}

for template in echo moderator blank; do
  home="$WORK/users/$template"
  mkdir -p "$home"
  log "$template: npx create-msrp-bot my-bot --template $template --yes"
  (cd "$home" && npx --yes create-msrp-bot my-bot --template "$template" --yes) >"$home/create.log" 2>&1 ||
    { cat "$home/create.log" >&2; fail "create-msrp-bot ($template)"; }
  project="$home/my-bot"
  [ ! -L "$project/node_modules/msrp-bot" ] || fail 'msrp-bot is a link; it must come from the registry'
  grep -q '"msrp-bot": "\^' "$project/package.json" || fail "my-bot/package.json does not depend on a published msrp-bot range ($template)"

  log "$template: npm test, npm run typecheck"
  (cd "$project" && npm test) >"$project/test.log" 2>&1 || { cat "$project/test.log" >&2; fail "npm test ($template)"; }
  grep -q '^# fail 0$' "$project/test.log" || { cat "$project/test.log" >&2; fail "npm test reported failures ($template)"; }
  (cd "$project" && npm run typecheck) >"$project/typecheck.log" 2>&1 || { cat "$project/typecheck.log" >&2; fail "npm run typecheck ($template)"; }

  log "$template: npm start until the line to join, then SIGINT"
  start_until_join "$project"

  log "$template: bare node runs a plain bot.mjs that imports msrp-bot"
  cat >"$project/bot.mjs" <<'MJS'
// A bot in plain JavaScript, run by node without tsx: msrp-bot as installed from the registry.
import assert from 'node:assert/strict'
import { createBot } from 'msrp-bot'
import { createTestChat } from 'msrp-bot/testing'

const chat = await createTestChat({ domain: 'localhost', autoCreateRooms: true })
try {
  const bot = chat.attach(createBot({ uri: 'sip:plain@localhost' }))
  bot.on('message', (ctx) => ctx.reply(`plain says: ${ctx.text}`))
  await bot.start()
  const room = chat.roomUri('lobby')
  await bot.join(room, { nickname: 'plain' })
  const alice = await chat.participant('alice')
  await alice.join(room)
  await chat.settled()
  alice.clear()
  await alice.say('hello')
  await chat.settled()
  assert.deepEqual(alice.lines, ['alice: hello', 'plain: plain says: hello'])
  console.log('bot.mjs: the bot answered in the room')
} finally {
  await chat.close()
}
MJS
  (cd "$project" && node bot.mjs) >"$project/mjs.log" 2>&1 || { cat "$project/mjs.log" >&2; fail "node bot.mjs ($template)"; }
  grep -q 'the bot answered in the room' "$project/mjs.log" || { cat "$project/mjs.log" >&2; fail "bot.mjs printed no answer ($template)"; }

  if [ "$template" = echo ]; then
    log "$template: msrp-bot dev runs a plain JavaScript bot module (dev-bot.mjs)"
    cat >"$project/dev-bot.mjs" <<'MJS'
import { createBot } from 'msrp-bot'

const bot = createBot({ uri: 'sip:plainjs@localhost' })
bot.on('message', (ctx) => ctx.reply(`plain JavaScript says: ${ctx.text}`))
export default bot
MJS
    start_until_join "$project" npx msrp-bot dev dev-bot.mjs --port 0 --msrp-port 0 --no-chat
  fi
done

log 'passed: published both packages; echo, moderator and blank scaffold, test, typecheck, start; bare node imports msrp-bot'

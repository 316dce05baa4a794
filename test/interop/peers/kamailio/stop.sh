#!/usr/bin/env bash
# Stops the Kamailio that start.sh started in RUN_DIR (by its pid file only): SIGTERM, and
# SIGKILL if it is still there after 5 s.
set -u
: "${RUN_DIR:?set RUN_DIR to the folder start.sh was given}"
pidfile="$RUN_DIR/kamailio.pid"
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
fi
rm -f "$pidfile"
echo "kamailio (pid $pid) stopped"

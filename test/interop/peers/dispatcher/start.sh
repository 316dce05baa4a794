#!/usr/bin/env bash
# Starts Kamailio's dispatcher in front of msrp-bot cluster nodes (kamailio.cfg here) and returns
# once it serves. Debian package: kamailio. Used by test/interop/dispatcher.test.ts.
#
# Environment:
#   RUN_DIR    required; pid file, log, control socket, and dispatcher.list
#   SIP_PORT   SIP over UDP and TCP (default 5060)
#   NODES      the nodes' SIP URIs, space-separated (e.g. "sip:127.0.0.1:5070;transport=tcp ...")
#   LISTEN_IP  default 127.0.0.1
#   WATCHER    optional SIP URI told by MESSAGE when a node goes down or up
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${RUN_DIR:?set RUN_DIR to a folder for this instance}"
: "${NODES:?set NODES to the msrp-bot nodes SIP URIs}"
SIP_PORT=${SIP_PORT:-5060}
LISTEN_IP=${LISTEN_IP:-127.0.0.1}
command -v kamailio >/dev/null 2>&1 || { echo 'kamailio is not on PATH (Debian: apt-get install kamailio; it lives in /usr/sbin)' >&2; exit 1; }

mkdir -p "$RUN_DIR"
rm -f "$RUN_DIR/kamailio_ctl" "$RUN_DIR/kamailio.pid"
: >"$RUN_DIR/dispatcher.list"
for node in $NODES; do echo "1 $node" >>"$RUN_DIR/dispatcher.list"; done

args=(-f "$HERE/kamailio.cfg" -Y "$RUN_DIR" -DD -E -m 32 -M 8
  -A "LISTEN_IP=$LISTEN_IP" -A "SIP_PORT=$SIP_PORT"
  -A "DS_LIST=\"$RUN_DIR/dispatcher.list\"" -A "CTL_SOCK=\"unix:$RUN_DIR/kamailio_ctl\"")
[ -n "${WATCHER:-}" ] && args+=(-A "WATCHER=\"$WATCHER\"")
kamailio "${args[@]}" -c >"$RUN_DIR/check.log" 2>&1 || { tail -n 20 "$RUN_DIR/check.log" >&2; exit 1; }
setsid kamailio "${args[@]}" >"$RUN_DIR/kamailio.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/kamailio.pid"
pid=$(cat "$RUN_DIR/kamailio.pid")
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || { echo 'kamailio exited while starting:' >&2; tail -n 40 "$RUN_DIR/kamailio.log" >&2; exit 1; }
  if (exec 3<>"/dev/tcp/$LISTEN_IP/$SIP_PORT") 2>/dev/null && kamcmd -s "unix:$RUN_DIR/kamailio_ctl" core.uptime >/dev/null 2>&1; then
    echo "kamailio dispatcher up: pid $pid, SIP $LISTEN_IP:$SIP_PORT, nodes: $NODES"
    exit 0
  fi
  sleep 0.1
done
echo 'kamailio did not serve within 10 s:' >&2
tail -n 40 "$RUN_DIR/kamailio.log" >&2
kill -TERM "$pid" 2>/dev/null || true
exit 1

#!/usr/bin/env bash
# Starts one private Kamailio for msrp-bot's interop tests (test/interop/harness/kamailio.ts
# calls it) and returns once it serves: SIP over UDP and TCP, the MSRP relay, and with
# WITH_TLS SIP and MSRP over TLS with a self-signed certificate made here, at run time.
# Does not install anything: the Debian packages are kamailio, kamailio-presence-modules,
# kamailio-extra-modules, kamailio-tls-modules and openssl (.ci/run installs them).
#
# Environment:
#   RUN_DIR      required; this instance's pid file, log, control socket, db_text tables, cert
#   SIP_PORT     SIP over UDP and TCP (default 5060)
#   MSRP_PORT    MSRP relay over TCP (default 2855)
#   SIPS_PORT    SIP over TLS, with WITH_TLS (default 5061)
#   MSRPS_PORT   MSRP relay over TLS, with WITH_TLS (default 2856)
#   LISTEN_IP    default 127.0.0.1; keep it on loopback
#   KAM_DEFINES  switches of kamailio.cfg, space-separated (WITH_QOP WITH_TLS WITH_DEBUG ...)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${RUN_DIR:?set RUN_DIR to a folder for this instance}"
SIP_PORT=${SIP_PORT:-5060}
MSRP_PORT=${MSRP_PORT:-2855}
SIPS_PORT=${SIPS_PORT:-5061}
MSRPS_PORT=${MSRPS_PORT:-2856}
LISTEN_IP=${LISTEN_IP:-127.0.0.1}
KAM_DEFINES=${KAM_DEFINES:-}
tls=0
case " $KAM_DEFINES " in *" WITH_TLS "*) tls=1 ;; esac

command -v kamailio >/dev/null 2>&1 || { echo 'kamailio is not on PATH (Debian: apt-get install kamailio kamailio-presence-modules kamailio-extra-modules kamailio-tls-modules)' >&2; exit 1; }
DBTEXT_TABLES=/usr/share/kamailio/dbtext/kamailio
[ -d "$DBTEXT_TABLES" ] || { echo "no db_text tables at $DBTEXT_TABLES (part of the kamailio package)" >&2; exit 1; }

mkdir -p "$RUN_DIR/dbtext"
rm -f "$RUN_DIR/kamailio_ctl" "$RUN_DIR/kamailio.pid"
# The presence modules insist on a database; these tables stay empty (state is in memory).
for table in version presentity active_watchers watchers xcap pua; do
  cp "$DBTEXT_TABLES/$table" "$RUN_DIR/dbtext/$table"
done

if [ "$tls" = 1 ]; then
  command -v openssl >/dev/null 2>&1 || { echo 'openssl is not installed (Debian: apt-get install openssl)' >&2; exit 1; }
  mkdir -p "$RUN_DIR/tls"
  # A throwaway certificate for example.test and the loopback address, valid for a day.
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=example.test' \
    -addext "subjectAltName=DNS:example.test,IP:$LISTEN_IP" \
    -keyout "$RUN_DIR/tls/key.pem" -out "$RUN_DIR/tls/cert.pem" >"$RUN_DIR/openssl.log" 2>&1 ||
    { cat "$RUN_DIR/openssl.log" >&2; exit 1; }
fi

args=(-f "$HERE/kamailio.cfg" -Y "$RUN_DIR" -DD -E -m 64 -M 8
  -A "LISTEN_IP=$LISTEN_IP" -A "SIP_PORT=$SIP_PORT" -A "MSRP_PORT=$MSRP_PORT"
  -A "SIPS_PORT=$SIPS_PORT" -A "MSRPS_PORT=$MSRPS_PORT"
  -A "DBTEXT_URL=\"text://$RUN_DIR/dbtext\"" -A "CTL_SOCK=\"unix:$RUN_DIR/kamailio_ctl\""
  -A "TLS_CERT=\"$RUN_DIR/tls/cert.pem\"" -A "TLS_KEY=\"$RUN_DIR/tls/key.pem\"")
for define in $KAM_DEFINES; do args+=(-A "$define"); done

# Check the configuration first: a missing module (package) shows up here, with its name.
kamailio "${args[@]}" -c >"$RUN_DIR/check.log" 2>&1 || { tail -n 20 "$RUN_DIR/check.log" >&2; exit 1; }

setsid kamailio "${args[@]}" >"$RUN_DIR/kamailio.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/kamailio.pid"
pid=$(cat "$RUN_DIR/kamailio.pid")

# Serving means: SIP/TCP and MSRP/TCP accept connections and the control socket answers.
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || { echo 'kamailio exited while starting:' >&2; tail -n 40 "$RUN_DIR/kamailio.log" >&2; exit 1; }
  if (exec 3<>"/dev/tcp/$LISTEN_IP/$SIP_PORT") 2>/dev/null &&
    (exec 3<>"/dev/tcp/$LISTEN_IP/$MSRP_PORT") 2>/dev/null &&
    kamcmd -s "unix:$RUN_DIR/kamailio_ctl" core.uptime >/dev/null 2>&1; then
    echo "kamailio up: pid $pid, SIP $LISTEN_IP:$SIP_PORT, MSRP $LISTEN_IP:$MSRP_PORT$([ "$tls" = 1 ] && echo ", SIP/TLS $SIPS_PORT, MSRP/TLS $MSRPS_PORT"), run dir $RUN_DIR"
    exit 0
  fi
  sleep 0.1
done
echo 'kamailio did not serve within 10 s:' >&2
tail -n 40 "$RUN_DIR/kamailio.log" >&2
kill -TERM "$pid" 2>/dev/null || true
exit 1

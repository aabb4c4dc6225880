#!/usr/bin/env bash
# deploy/split.sh: abusedesk as a split deployment on this machine, on
# loopback: `abusedesk temporal-server --db postgres` as its own process,
# one `abusedesk server`, SPLIT_WORKERS `abusedesk worker` processes, all on
# PostgreSQL, sharing their secrets through ABUSEDESK_* variables. Stops
# everything on exit.
#
#   deploy/split.sh                        # run until Ctrl-C
#   deploy/split.sh bench --reports 2000   # run the load driver against it, then stop
#   deploy/split.sh ./my-script.sh         # run any command with the SPLIT_* variables set
#
# The command sees SPLIT_URL, SPLIT_TEMPORAL, SPLIT_KEY (admin key),
# SPLIT_DIR, SPLIT_BIN, SPLIT_SERVER_PID, SPLIT_TEMPORAL_PID and
# SPLIT_WORKER_PIDS (space-separated), e.g. to sample worker RSS.
#
# Settings (environment): SPLIT_PG (default postgres://postgres@127.0.0.1:5432),
# SPLIT_DB (database name prefix, default abusedesk_split; recreated on
# every run unless SPLIT_KEEP=1), SPLIT_WORKERS (2), SPLIT_HTTP (127.0.0.1:18080),
# SPLIT_TEMPORAL_ADDR (127.0.0.1:17233), SPLIT_UI (Temporal Web UI address,
# default none), SPLIT_BIN (default: built from this checkout),
# SPLIT_LOG_LEVEL (warn), SPLIT_DEMO (1: load the demo customers).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pg=${SPLIT_PG:-postgres://postgres@127.0.0.1:5432}
db=${SPLIT_DB:-abusedesk_split}
workers=${SPLIT_WORKERS:-2}
http=${SPLIT_HTTP:-127.0.0.1:18080}
taddr=${SPLIT_TEMPORAL_ADDR:-127.0.0.1:17233}
level=${SPLIT_LOG_LEVEL:-warn}
dir=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-split.XXXXXX")
pids=()

log() { printf 'split: %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  log "stopped; logs in $dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bin=${SPLIT_BIN:-}
if [ -z "$bin" ]; then
  bin=$dir/abusedesk
  log "building $bin"
  (cd "$root" && go build -o "$bin" ./cmd/abusedesk)
fi

# Fresh databases: abusedesk's store, and Temporal's (it creates <name>
# and <name>_visibility itself and sets up their schema).
store_url="$pg/${db}?sslmode=disable"
temporal_url="$pg/${db}_temporal?sslmode=disable"
if [ "${SPLIT_KEEP:-}" != 1 ]; then
  for d in "$db" "${db}_temporal" "${db}_temporal_visibility"; do
    psql "$pg/postgres" -qAtc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null
  done
  psql "$pg/postgres" -qAtc "CREATE DATABASE $db" >/dev/null
fi

# Secrets every process must share: the response-link token secret, the
# payload key ring ("id:base64 of 32 bytes") and, below, the audit log's
# signing key.
export ABUSEDESK_TOKEN_SECRET=${ABUSEDESK_TOKEN_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export ABUSEDESK_PAYLOAD_KEYS=${ABUSEDESK_PAYLOAD_KEYS:-k1:$(head -c 32 /dev/urandom | base64 | tr -d '\n')}
export ABUSEDESK_BOOTSTRAP_ADMIN_KEY=${ABUSEDESK_BOOTSTRAP_ADMIN_KEY:-adk_split_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export ABUSEDESK_TEMPORAL_ADDRESS=$taddr
export ABUSEDESK_TEMPORAL_EMBEDDED=false
export ABUSEDESK_DATABASE_URL=$store_url
export ABUSEDESK_HTTP_ADDR=$http
export ABUSEDESK_PUBLIC_URL=http://$http
export ABUSEDESK_LOG_LEVEL=$level
export ABUSEDESK_UI_ADDR=${SPLIT_UI:-}

# start NAME ARGS...: one process with its own data dir and log (extra
# VAR=value settings in the start_env array).
start_env=()
start() {
  local name=$1
  shift
  mkdir -p "$dir/$name"
  env "${start_env[@]}" ABUSEDESK_DATA_DIR="$dir/$name" "$bin" "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!)
  log "$name: pid $! (log $dir/$name.log)"
}

# wait_for NAME PID CHECK...: until CHECK succeeds, or fail when PID died.
wait_for() {
  local name=$1 pid=$2
  shift 2
  for _ in $(seq 1 600); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited:"; tail -n 20 "$dir/$name.log" >&2; return 1
    fi
    sleep 0.2
  done
  log "$name not ready after 120s"; tail -n 20 "$dir/$name.log" >&2; return 1
}

start temporal temporal-server --db postgres --postgres-url "$temporal_url"
temporal_pid=${pids[-1]}
wait_for temporal "$temporal_pid" grep -q "temporal server on" "$dir/temporal.log"

if [ "${SPLIT_DEMO:-1}" = 1 ]; then
  ABUSEDESK_DATA_DIR=$dir/import "$bin" import --demo >&2
fi

start server server
server_pid=${pids[-1]}
wait_for server "$server_pid" curl -fsS "http://$http/healthz"
# The server generated the audit signing key into its data dir; the
# workers get the same one.
ABUSEDESK_AUDIT_SIGNING_KEY=${ABUSEDESK_AUDIT_SIGNING_KEY:-$(cat "$dir/server/audit.key")}
export ABUSEDESK_AUDIT_SIGNING_KEY

# Workers log at info level so the SDK's "Started Worker" says each polls
# (each migrates the database under an advisory lock first).
worker_pids=()
start_env=(ABUSEDESK_LOG_LEVEL=info)
for i in $(seq 1 "$workers"); do
  start "worker-$i" worker
  worker_pids+=("${pids[-1]}")
done
start_env=()
for i in $(seq 1 "$workers"); do
  wait_for "worker-$i" "${worker_pids[$((i - 1))]}" grep -q "Started Worker" "$dir/worker-$i.log"
done

export SPLIT_URL=http://$http SPLIT_TEMPORAL=$taddr SPLIT_KEY=$ABUSEDESK_BOOTSTRAP_ADMIN_KEY SPLIT_DIR=$dir SPLIT_BIN=$bin
export SPLIT_SERVER_PID=$server_pid SPLIT_TEMPORAL_PID=$temporal_pid SPLIT_WORKER_PIDS="${worker_pids[*]}"
log "running: temporal $taddr (PostgreSQL ${db}_temporal), server $SPLIT_URL, $workers workers; admin key $SPLIT_KEY"

if [ $# -eq 0 ]; then
  log "Ctrl-C stops"
  wait "${pids[0]}"
elif [ "$1" = bench ]; then
  shift
  "$bin" bench --url "$SPLIT_URL" --temporal "$taddr" --key "$SPLIT_KEY" "$@"
else
  "$@"
fi

#!/usr/bin/env bash
# deploy/capacity.sh: CPU cost of a case, by component, on the split
# deployment (deploy/split.sh): the Temporal server, PostgreSQL, the
# workers and the HTTP server. It samples utime+stime (/proc/PID/stat) of
# each process once a second while the bench files N CDN-only reports (until
# every case is closed), then N hosted reports, each decided "violates" by
# the bench (until every case waits on the operator), subtracts what the
# processes burn idle, and prints CPU-milliseconds per case as a Markdown
# table (the README's capacity note turns them into cases/s per core).
#
#   deploy/capacity.sh 2000                        # starts deploy/split.sh itself
#   SPLIT_WORKERS=1 deploy/capacity.sh 2000
#   deploy/split.sh deploy/capacity.sh 2000        # the same, explicitly
#
# Settings (environment): CAPACITY_CONCURRENCY (reporters, default 20),
# CAPACITY_IDLE (seconds of idle sampling, default 10), CAPACITY_TAIL
# (seconds sampled after the last case got there, default 3),
# CAPACITY_TIMEOUT (seconds to wait for the cases, default 600). Writes
# $SPLIT_DIR/capacity-{cdn,hosted}.json (the bench's summaries) and
# capacity.md (the table).
#
# PostgreSQL is counted two ways: the backends connected to the split's
# databases (pg_stat_activity; a backend that exits loses its last second),
# split into Temporal's databases and abusedesk's; and "postgres cluster",
# every process of the postgres user
# plus what the postmaster reaped, which includes the WAL writer,
# checkpointer and anything else using the same cluster at the time.
set -euo pipefail
n=${1:-1000}
if [ -z "${SPLIT_DIR:-}" ]; then
  # Every receipt counted (not suppressed by the per-reporter hourly cap).
  export ABUSEDESK_REPORTER_MAIL_PER_HOUR=${ABUSEDESK_REPORTER_MAIL_PER_HOUR:-0}
  exec "$(dirname "$0")/split.sh" "$0" "$@"
fi
conc=${CAPACITY_CONCURRENCY:-20}
idle_s=${CAPACITY_IDLE:-10}
tail_s=${CAPACITY_TAIL:-3}
timeout=${CAPACITY_TIMEOUT:-600}
hz=$(getconf CLK_TCK)
dburl=${ABUSEDESK_DATABASE_URL%%\?*}
db=${dburl##*/}
log() { printf 'capacity: %s\n' "$*" >&2; }
sampler=
trap '[ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true' EXIT
sql() { psql "$dburl" -qAtc "$1"; }

# ticks PID: utime+stime of a process (fields 14 and 15 of its stat, counted
# after the command name, which may hold spaces).
ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || true; }

# cluster_ticks: every postgres process, plus the children the postmaster
# reaped (cutime+cstime), so backends that exit still count.
cluster_ticks() {
  local total=0 p ppid t
  for p in $(ps -u postgres -o pid= 2>/dev/null); do
    t=$(ticks "$p")
    total=$((total + ${t:-0}))
    ppid=$(awk '{sub(/^.*\) /, ""); print $2}' "/proc/$p/stat" 2>/dev/null || echo 1)
    if [ "$(ps -o user= -p "$ppid" 2>/dev/null)" != postgres ]; then # the postmaster
      total=$((total + $(awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    fi
  done
  echo "$total"
}

# sample: one line per process, "component pid ticks".
sample() {
  local p
  echo "temporal $SPLIT_TEMPORAL_PID $(ticks "$SPLIT_TEMPORAL_PID")"
  echo "http $SPLIT_SERVER_PID $(ticks "$SPLIT_SERVER_PID")"
  for p in $SPLIT_WORKER_PIDS; do echo "worker $p $(ticks "$p")"; done
  local c
  # abusedesk's store ("database") and Temporal's persistence and
  # visibility ("temporaldb"), by the database a backend is connected to.
  sql "SELECT CASE WHEN datname = '$db' THEN 'database' ELSE 'temporaldb' END, pid FROM pg_stat_activity
       WHERE left(datname, length('$db')) = '$db' AND pid <> pg_backend_pid()" | tr '|' ' ' |
    while read -r c p; do echo "$c $p $(ticks "$p")"; done
  echo "cluster 0 $(cluster_ticks)"
}

# measure NAME CMD...: samples every second while CMD runs; writes
# $SPLIT_DIR/cpu-NAME.txt: "component cpu_seconds" and "wall seconds".
measure() {
  local name=$1 file=$SPLIT_DIR/samples-$1.txt
  shift
  : >"$file"
  sample >>"$file"
  echo "mark" >>"$file"
  (while sleep 1; do sample >>"$file"; echo "mark" >>"$file"; done) &
  sampler=$!
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=
  sample >>"$file"
  t1=$(date +%s.%N)
  # Per process: last value seen minus the first (0 for a process that
  # appeared during the phase); summed by component.
  awk -v hz="$hz" -v wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
    $1 == "mark" { marks++; next }
    NF == 3 { k = $1 " " $2; if (!(k in base)) base[k] = (marks == 0 ? $3 : 0); last[k] = $3; comp[k] = $1 }
    END { for (k in last) cpu[comp[k]] += (last[k] - base[k]) / hz
          for (c in cpu) printf "%s %.3f\n", c, cpu[c]; printf "wall %.3f\n", wall }' "$file" >"$SPLIT_DIR/cpu-$name.txt"
}

# wait_cases STATUS COUNT: until COUNT cases have STATUS (or timeout).
wait_cases() {
  local want=$2 got=0
  for _ in $(seq 1 "$timeout"); do
    got=$(sql "SELECT count(*) FROM cases WHERE status = '$1'")
    [ "$got" -ge "$want" ] && break
    sleep 1
  done
  [ "$got" -ge "$want" ] || log "only $got of $want cases $1 after ${timeout}s"
  sleep "$tail_s"
}

bench_run() { # MIX EXTRA-ARGS...: files n reports, no checks, no baseline, no Temporal watching
  local mix=$1
  shift
  "$SPLIT_BIN" bench --url "$SPLIT_URL" --temporal "" --key "$SPLIT_KEY" --baseline none --check=false \
    --mix "$mix" --reports "$n" --concurrency "$conc" --settle 30m --json "$SPLIT_DIR/capacity-$mix.json" "$@" >/dev/null
}
cdn_phase() { bench_run cdn && wait_cases closed "$n"; }
hosted_phase() { bench_run hosted --decide && wait_cases awaiting_operator "$n"; }

log "idle for ${idle_s}s"
measure idle sleep "$idle_s"
log "$n CDN reports, until every case is closed"
measure cdn cdn_phase
log "$n hosted reports decided 'violates', until every case waits on the operator"
measure hosted hosted_phase

cpu() { awk -v c="$2" '$1 == c {print $2}' "$SPLIT_DIR/cpu-$1.txt"; }
# per_case PHASE COMPONENT: (cpu - idle rate * wall) / n, in CPU-ms.
per_case() {
  awk -v cpu="$(cpu "$1" "$2")" -v wall="$(cpu "$1" wall)" -v icpu="$(cpu idle "$2")" -v iwall="$(cpu idle wall)" -v n="$n" \
    'BEGIN { v = (cpu - icpu / iwall * wall) / n * 1000; printf "%.2f", (v < 0 ? 0 : v) }'
}
idle_rate() { awk -v c="$(cpu idle "$1")" -v w="$(cpu idle wall)" 'BEGIN { printf "%.3f", c / w }'; }
{
  echo "| component | idle (CPU-s/s) | CDN case, report to closed (CPU-ms) | hosted case, report to awaiting operator (CPU-ms) |"
  echo "|---|---:|---:|---:|"
  for c in temporal temporaldb database worker http; do
    case $c in
    temporal) label="Temporal server (c_T)" ;;
    temporaldb) label="PostgreSQL, Temporal's databases (c_DB,T)" ;;
    database) label="PostgreSQL, abusedesk's database (c_DB,A)" ;;
    worker) label="workers, all $(echo "$SPLIT_WORKER_PIDS" | wc -w) (c_W)" ;;
    http) label="HTTP server (c_H)" ;;
    esac
    echo "| $label | $(idle_rate $c) | $(per_case cdn $c) | $(per_case hosted $c) |"
  done
  tot() {
    local t=0 c
    for c in temporal temporaldb database worker http; do t=$(awk -v a="$t" -v b="$(per_case "$1" "$c")" 'BEGIN { print a + b }'); done
    printf '%.2f' "$t"
  }
  echo "| **total** | | **$(tot cdn)** | **$(tot hosted)** |"
  echo "| PostgreSQL cluster, all processes (shared) | $(idle_rate cluster) | $(per_case cdn cluster) | $(per_case hosted cluster) |"
  echo
  echo "$n cases per phase; CDN phase $(cpu cdn wall) s, hosted phase $(cpu hosted wall) s wall; $(nproc) cores; idle rates subtracted."
} | tee "$SPLIT_DIR/capacity.md"

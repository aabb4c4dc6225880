#!/usr/bin/env bash
# scripts/opencases.sh: open-case scale. Files N hosted reports (default
# 20,000) against a split deployment on PostgreSQL, decides "violates" on
# each, so every case disables its content, notifies the operator and waits
# on the operator's reminder and deadline timers; then times the analyst's
# list query and samples the workers' memory. Run it inside the split:
#
#   SPLIT_HTTP=127.0.0.1:18080 deploy/split.sh scripts/opencases.sh 20000
#
# Writes $SPLIT_DIR/opencases.json (the driver's summary), rss.csv (worker
# RSS every 5 s) and explain.txt (the list query's plan on PostgreSQL).
set -euo pipefail
n=${1:-20000}
: "${SPLIT_DIR:?run under deploy/split.sh}"

rss() { # kB of resident memory of each worker
  for p in $SPLIT_WORKER_PIDS; do awk '/^VmRSS/ {printf "%s ", $2}' "/proc/$p/status" 2>/dev/null || printf 'gone '; done
}
temporal_rss() { awk '/^VmRSS/ {print $2}' "/proc/$SPLIT_TEMPORAL_PID/status" 2>/dev/null; }
(
  while sleep 5; do printf '%s %s\n' "$(date +%s)" "$(rss)"; done
) >"$SPLIT_DIR/rss.csv" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

start=$(date +%s)
"$SPLIT_BIN" bench --url "$SPLIT_URL" --temporal "$SPLIT_TEMPORAL" --key "$SPLIT_KEY" \
  --mix hosted --reports "$n" --concurrency 40 --decide --no-baseline \
  --settle 90m --list-probes 200 --json "$SPLIT_DIR/opencases.json" >/dev/null
echo "open cases: $n in $(($(date +%s) - start)) s" >&2

# Cases waiting on the operator, and the plan of the list query.
psql "${ABUSEDESK_DATABASE_URL%%\?*}" -At <<'SQL' | tee "$SPLIT_DIR/explain.txt" >&2
SELECT status, count(*) FROM cases GROUP BY status;
EXPLAIN (ANALYZE, BUFFERS)
SELECT * FROM "cases" WHERE status <> 'closed'
ORDER BY priority ASC, CASE WHEN next_deadline IS NULL THEN 1 ELSE 0 END, next_deadline ASC, created_at ASC, id ASC
LIMIT 50;
SQL

echo "worker RSS now (kB): $(rss); temporal server RSS (kB): $(temporal_rss)" >&2
awk '{for (i = 2; i <= NF; i++) if ($i + 0 > max) max = $i + 0} END {printf "peak worker RSS: %.0f MiB\n", max / 1024}' "$SPLIT_DIR/rss.csv" >&2
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps({k: d.get(k) for k in ["accepted_per_second","intake_latency_ms","decisions","outcomes","list_query_ms","duration_seconds","errors"]}, indent=2))' "$SPLIT_DIR/opencases.json"

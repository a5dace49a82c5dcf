#!/usr/bin/env bash
# Ledger figures for BENCHMARKS.md, SQLite and PostgreSQL side by side:
#  1. durable signed appends over HTTP at $CONNS connections (wrk): bare axum ceiling,
#     Slingshot with group commit, Slingshot with one commit per entry (ledger_group = 1);
#  2. with $ENTRIES entries stored: timeline page (50 entries) p99 at saturation (wrk) and
#     open loop at fixed rates ($RATES req/s, rate_load), full-text search p95;
#  3. slingshot verify on an exported bundle (entries/s, one core).
# Loopback only; every load is bounded in time. Usage: bench/ledger.sh [sqlite|postgres|both]
# (READS_ONLY=1 or APPENDS_ONLY=1 for half of it; DUR, RUNS, CONNS, RATES, APPEND_GROUPS tune it.)
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH=${1:-both}
DUR=${DUR:-10}; CONNS=${CONNS:-256}; ENTRIES=${ENTRIES:-1000000}; RUNS=${RUNS:-3}
RATES=${RATES:-"500 1000 2000"}
APPEND_GROUPS=${APPEND_GROUPS:-"512 1"}  # group-commit size, then one commit per entry
PG=${PG:-postgres://postgres@127.0.0.1:5432}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p slingshot
  cargo build --release -q -p slingshot-server --example bare_axum
  cargo build --release -q -p slingshot-server --example ledger_load
  cargo build --release -q -p slingshot-server --example rate_load
fi
RATE="$CARGO_TARGET_DIR/release/examples/rate_load"
BIN="$CARGO_TARGET_DIR/release/slingshot"
BARE="$CARGO_TARGET_DIR/release/examples/bare_axum"
LOAD="$CARGO_TARGET_DIR/release/examples/ledger_load"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=18180
B="http://127.0.0.1:$PORT"

start() { # data-dir db-url group
  SLINGSHOT_LEDGER_GROUP=$3 "$BIN" serve --data-dir "$1" --database-url "$2" --listen 127.0.0.1:$PORT >"${SERVE_LOG:-$WORK/serve.log}" 2>&1 &
  echo $! > "$WORK/pid"
  until curl -fs "$B/readyz" >/dev/null 2>&1; do sleep 0.05; done
}
stop() { kill -TERM "$(cat "$WORK/pid")"; wait "$(cat "$WORK/pid")" 2>/dev/null || true; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
login() { curl -fs -XPOST "$B/api/v1/sessions" -H 'content-type: application/json' -d "{\"handle\":\"$1\",\"password\":\"$2\"}" | json '["token"]'; }

wrk_line() { # name then wrk args; prints req/s, p50, p99 (median run by req/s)
  local name=$1; shift
  for i in $(seq 1 "$RUNS"); do
    wrk --latency "$@" | awk '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF} END {print r, p50, p99, (bad==""?0:bad)}'
  done | sort -n | awk -v n="$name" '{r[NR]=$1; a[NR]=$2; b[NR]=$3; e[NR]=$4} END {m=int((NR+1)/2); printf "%-48s %9.0f req/s   p50 %-8s p99 %-8s non-2xx %s  (median of %d)\n", n, r[m], a[m], b[m], e[m], NR}'
}

group_line() { # what the group commit did over this server's runs, from /metrics
  curl -fs "$B/metrics" | awk '
    /^slingshot_ledger_group_entries_sum/ {e=$2} /^slingshot_ledger_group_entries_count/ {g=$2}
    /^slingshot_ledger_commit_seconds_sum/ {c=$2}
    END {if (g > 0) printf "%-48s %9d groups, %.1f entries and %.2f ms each (all runs)\n", "  groups committed", g, e/g, 1000*c/g}' \
    || echo "  (no group figures: /metrics did not answer)"
}

append_script() { # token file-with-thread-ids -> lua
  local ids; ids=$(sed 's/.*/"&",/' "$2" | tr -d '\n')
  cat > "$WORK/append.lua" <<LUA
local threads = { $ids }
local n = 0
request = function()
  n = n + 1
  local t = threads[(n % #threads) + 1]
  return wrk.format("POST", "/api/v1/threads/" .. t .. "/entries",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $1"},
    '{"kind":"message","text":"Benchmark message about a delayed delivery and a refund"}')
end
LUA
}

appends() { # backend url
  local backend=$1 url=$2 dir="$WORK/$1-appends"
  for group in $APPEND_GROUPS; do
    rm -rf "$dir"; mkdir -p "$dir"
    start "$dir" "$url" "$group"
    curl -fs -XPOST "$B/api/v1/accounts" -H 'content-type: application/json' -d '{"handle":"loader","password":"bench-password-2026"}' >/dev/null
    local tok; tok=$(login loader bench-password-2026)
    : > "$WORK/threads.txt"
    for i in $(seq 1 64); do
      local rel; rel=$(curl -fs -XPOST "$B/api/v1/relationships" -H "authorization: Bearer $tok" -H 'content-type: application/json' -d "{\"vendor_name\":\"Vendor $i\"}" | json '["id"]')
      curl -fs -XPOST "$B/api/v1/relationships/$rel/threads" -H "authorization: Bearer $tok" -H 'content-type: application/json' -d '{"subject":"Load","stage":"support"}' | json '["id"]' >> "$WORK/threads.txt"
    done
    append_script "$tok" "$WORK/threads.txt"
    local label="group commit"; [ "$group" = 1 ] && label="one commit per entry"
    wrk_line "$backend: POST entry, $label" -t2 -c"$CONNS" -d"${DUR}s" -s "$WORK/append.lua" "$B"
    group_line
    stop
    if [ "$backend" = postgres ]; then dropdb_pg; createdb_pg; fi
  done
}

createdb_pg() { psql "$PG/postgres" -qc "CREATE DATABASE slingshot_bench" >/dev/null; }
dropdb_pg() { psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS slingshot_bench WITH (FORCE)" >/dev/null; }

reads() { # backend url
  local backend=$1 url=$2 dir="$WORK/$1-reads"
  rm -rf "$dir"; mkdir -p "$dir"
  local t0; t0=$(date +%s)
  "$LOAD" "$url" "$dir" "$ENTRIES" 100 > "$WORK/load.txt"
  echo "$backend: loaded $ENTRIES entries in $(( $(date +%s) - t0 )) s ($(head -1 "$WORK/load.txt"))"
  local rel; rel=$(sed -n 's/first relationship: //p' "$WORK/load.txt")
  # What autovacuum does after a bulk load in production.
  if [ "$backend" = postgres ]; then psql "$url" -qc "ANALYZE" >/dev/null; fi
  start "$dir" "$url" 512
  local tok; tok=$(login bench bench-password-2026)
  wrk_line "$backend: GET /timeline (50 entries) at 64 conn." -t2 -c64 -d"${DUR}s" -H "Authorization: Bearer $tok" "$B/api/v1/timeline?limit=50"
  wrk_line "$backend: GET relationship timeline at 64 conn." -t2 -c64 -d"${DUR}s" -H "Authorization: Bearer $tok" "$B/api/v1/relationships/$rel/timeline?limit=50"
  # Open loop at fixed rates over 64 connections (latency from each request's scheduled start).
  for r in $RATES; do
    for i in $(seq 1 "$RUNS"); do "$RATE" "$B/api/v1/timeline?limit=50" "$r" "$DUR" 64 "$tok"; done \
      | awk '{print $7+0, $0}' | sort -n | awk -v n="$backend: GET /timeline, open loop at $r req/s" '{l[NR]=$0} END {m=int((NR+1)/2); sub(/^[^ ]+ /, "", l[m]); printf "%-48s %s  (median p99 of %d)\n", n, l[m], NR}'
  done
  # Search: a selective two-word query; p95 from a single-connection run of sequential
  # searches, the person's and then the organization's (one customer's relationship, ~1 %
  # of the entries, shared with it).
  local agent; agent=$(login benchagent bench-password-2026)
  for who in "person:/api/v1/search:$tok" "organization:/api/v1/orgs/benchco/search:$agent"; do
  python3 - "$B" "$who" <<'PY'
import json, sys, time, urllib.request, random
base = sys.argv[1]
name, path, tok = sys.argv[2].split(":", 2)
words = ["delivery","invoice","refund","warranty","jacket","bike","router","contract","roaming","repair","battery","screen"]
random.seed(7)
lat = []
for i in range(300):
    q = f"{random.choice(words)}%20{random.choice(words)}"
    req = urllib.request.Request(f"{base}{path}?q={q}&limit=20", headers={"Authorization": f"Bearer {tok}"})
    t = time.perf_counter(); body = urllib.request.urlopen(req).read(); lat.append((time.perf_counter() - t) * 1000)
    assert json.loads(body)["items"], q
lat.sort()
print(f"{name} search (2 common words, 20 hits, 300 sequential): p50 {lat[149]:.1f} ms  p95 {lat[284]:.1f} ms  p99 {lat[296]:.1f} ms")
PY
  done
  curl -fs "$B/api/v1/relationships/$rel/export" -H "Authorization: Bearer $tok" -o "$WORK/bundle.jsonl"
  stop
  echo "$backend: bundle of $(wc -l < "$WORK/bundle.jsonl") lines, $(du -h "$WORK/bundle.jsonl" | cut -f1)"
  for i in 1 2 3; do taskset -c 0 "$BIN" verify "$WORK/bundle.jsonl" 2>&1 >/dev/null | sed -n 's/.*(\([0-9]*\) entries\/s).*/\1/p'; done | sort -n | sed -n 2p | sed "s/^/$backend: slingshot verify, one core (median of 3): /; s/$/ entries\/s/"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BARE" 127.0.0.1:18181 >/dev/null & sleep 0.3
cat > "$WORK/bare.lua" <<'LUA'
request = function()
  return wrk.format("POST", "/entries", {["Content-Type"] = "application/json"}, '{"kind":"message","text":"Benchmark message about a delayed delivery and a refund"}')
end
LUA
wrk_line "bare axum: POST JSON (ceiling)" -t2 -c"$CONNS" -d"${DUR}s" -s "$WORK/bare.lua" http://127.0.0.1:18181
if [ -z "${READS_ONLY:-}" ] && [ "$WHICH" != postgres ]; then appends sqlite "sqlite://$WORK/sqlite-appends/slingshot.db?mode=rwc"; fi
if [ -z "${READS_ONLY:-}" ] && [ "$WHICH" != sqlite ]; then dropdb_pg; createdb_pg; appends postgres "$PG/slingshot_bench"; dropdb_pg; fi
if [ -z "${APPENDS_ONLY:-}" ] && [ "$WHICH" != postgres ]; then reads sqlite "sqlite://$WORK/sqlite-reads/slingshot.db?mode=rwc"; fi
if [ -z "${APPENDS_ONLY:-}" ] && [ "$WHICH" != sqlite ]; then dropdb_pg; createdb_pg; reads postgres "$PG/slingshot_bench"; dropdb_pg; fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

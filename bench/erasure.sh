#!/usr/bin/env bash
# Erasing bodies on a large SQLite ledger, for BENCHMARKS.md:
#  1. the first start on the database (migrations; after 0008 it links every body to its
#     search row once), then a restart;
#  2. 20 erasures one after another (POST /entries/{id}/erase), nothing else running;
#  3. durable appends (wrk, 256 connections, $DUR s) alone, then with one erasure every
#     200 ms meanwhile: the appends' rate and tail, and the erasures' latencies.
# DB=FILE copies an existing database filled by ledger_load (user bench); otherwise one is
# filled with $ENTRIES entries. BIN picks the server binary. Loopback only, bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}; ENTRIES=${ENTRIES:-1000000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (apt-get install sqlite3)"; exit 1; }
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p slingshot
  cargo build --release -q -p slingshot-server --example ledger_load
fi
BIN=${BIN:-$CARGO_TARGET_DIR/release/slingshot}
WORK=$(mktemp -d --tmpdir="${TMPDIR:-/var/tmp}")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=18187; B="http://127.0.0.1:$PORT"; DBF="$WORK/slingshot.db"
if [ -n "${DB:-}" ]; then
  cp "$DB" "$DBF"; cp "$(dirname "$DB")/master.key" "$WORK/"
else
  "$CARGO_TARGET_DIR/release/examples/ledger_load" "sqlite://$DBF?mode=rwc" "$WORK" "$ENTRIES" 100 >/dev/null
  sqlite3 "$DBF" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
fi
start() {
  local t0; t0=$(date +%s%N)
  "$BIN" serve --data-dir "$WORK" --database-url "sqlite://$DBF?mode=rwc" --listen 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
  echo $! > "$WORK/pid"
  until curl -fs "$B/readyz" >/dev/null 2>&1; do sleep 0.02; done
  echo "server ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}
stop() { kill -TERM "$(cat "$WORK/pid")"; wait "$(cat "$WORK/pid")" 2>/dev/null || true; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(sqlite3 "$DBF" 'SELECT count(*) FROM entries') entries; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start; stop; start
tok=$(curl -fs -XPOST "$B/api/v1/sessions" -H 'content-type: application/json' -d '{"handle":"bench","password":"bench-password-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
sqlite3 "$DBF" "SELECT id FROM entries WHERE erased_at IS NULL ORDER BY random() LIMIT 400" > "$WORK/ids.txt"
erase() { # ids... -> one latency in seconds per line
  for e in "$@"; do
    curl -s -o /dev/null -w "%{http_code} %{time_total}\n" -XPOST "$B/api/v1/entries/$e/erase" -H "authorization: Bearer $tok"
    sleep "${GAP:-0}"
  done
}
summary() { # label < "code seconds" lines
  sort -k2 -n | awk -v l="$1" '$1 != 204 {bad++} {a[NR]=$2} END {printf "%-44s %d: p50 %.1f ms, p90 %.1f ms, max %.1f ms, not 204: %d\n", l, NR, 1000*a[int((NR+1)/2)], 1000*a[int(NR*0.9+0.999)], 1000*a[NR], bad}'
}
erase $(sed -n 1,20p "$WORK/ids.txt") | summary "erasures one after another"
ids=$(sqlite3 "$DBF" "SELECT id FROM threads LIMIT 64" | sed 's/.*/"&",/' | tr -d '\n')
cat > "$WORK/append.lua" <<LUA
local threads = { $ids }
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/threads/" .. threads[(n % #threads) + 1] .. "/entries",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $tok"},
    '{"kind":"message","text":"Benchmark message about a delayed delivery and a refund"}')
end
LUA
appends() { wrk --latency -t2 -c256 -d"${DUR}s" -s "$WORK/append.lua" "$B" | awk -v l="$1" '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF} END {printf "%-44s %8.0f req/s  p50 %-8s p99 %-8s non-2xx %s\n", l, r, p50, p99, (bad==""?0:bad)}'; }
appends "appends, 256 conn., alone"
appends "appends, 256 conn., erasures every 200 ms" &
during=$!
sleep 0.5
n=$(( DUR * 5 - 5 ))
GAP=0.2 erase $(sed -n "21,$(( 20 + n ))p" "$WORK/ids.txt") > "$WORK/during.txt"
wait "$during"
summary "erasures meanwhile" < "$WORK/during.txt"
stop
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

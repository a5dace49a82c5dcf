#!/usr/bin/env bash
# Personal-data figures for BENCHMARKS.md, SQLite and PostgreSQL side by side:
#  1. a granted profile read (GET /api/v1/orgs/{org}/customers/{pseudonym}/profile), which
#     writes an access-log row (group commit) before answering, at $CONNS connections:
#     closed loop at saturation (wrk), beside the bare-axum ceiling and Slingshot's
#     authenticated GET /api/v1/me (a read with no write); then open loop at fixed rates
#     ($RATES req/s, rate_load: latency from each request's scheduled start);
#  2. (measured first, before the reads fill the access log) the access export for a
#     person with $ENTRIES entries: the organization's answer to an
#     access request (builds and stores the export) and the person's download of it.
# Loopback only; every load is bounded in time. Usage: bench/personal.sh [sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH=${1:-both}
DUR=${DUR:-10}; CONNS=${CONNS:-64}; ENTRIES=${ENTRIES:-100000}; RUNS=${RUNS:-3}
RATES=${RATES:-"500 1000 2000 3000"}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p slingshot
  cargo build --release -q -p slingshot-server --example bare_axum
  cargo build --release -q -p slingshot-server --example personal_load
  cargo build --release -q -p slingshot-server --example rate_load
fi
RATE="$CARGO_TARGET_DIR/release/examples/rate_load"
BIN="$CARGO_TARGET_DIR/release/slingshot"
BARE="$CARGO_TARGET_DIR/release/examples/bare_axum"
LOAD="$CARGO_TARGET_DIR/release/examples/personal_load"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=18280
B="http://127.0.0.1:$PORT"

start() { # data-dir db-url
  "$BIN" serve --data-dir "$1" --database-url "$2" --listen 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
  echo $! > "$WORK/pid"
  until curl -fs "$B/readyz" >/dev/null 2>&1; do sleep 0.05; done
}
stop() { kill -TERM "$(cat "$WORK/pid")"; wait "$(cat "$WORK/pid")" 2>/dev/null || true; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
login() { curl -fs -XPOST "$B/api/v1/sessions" -H 'content-type: application/json' -d "{\"handle\":\"$1\",\"password\":\"bench-password-2026\"}" | json '["token"]'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

wrk_line() { # name then wrk args
  local name=$1; shift
  for i in $(seq 1 "$RUNS"); do
    wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$@" | awk '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF} END {print r, p50, p99, (bad==""?0:bad)}'
  done | sort -n | awk -v n="$name" '{r[NR]=$1; a[NR]=$2; b[NR]=$3; e[NR]=$4} END {m=int((NR+1)/2); printf "%-52s %9.0f req/s   p50 %-8s p99 %-8s non-2xx %s  (median of %d)\n", n, r[m], a[m], b[m], e[m], NR}'
}

run() { # backend url
  local backend=$1 url=$2 dir="$WORK/$1"
  mkdir -p "$dir"
  local pseudo; pseudo=$("$LOAD" "$url" "$dir" "$ENTRIES" 2>"$WORK/load.txt")
  echo "[$backend] $(cat "$WORK/load.txt")"
  start "$dir" "$url"
  local pat owen; pat=$(login pat); owen=$(login owen)
  local path="/api/v1/orgs/bench-vendor/customers/$pseudo/profile?purpose=delivery"
  curl -fs "$B$path" -H "Authorization: Bearer $owen" >/dev/null || { echo "profile read failed"; exit 1; }
  for i in $(seq 1 "$RUNS"); do
    local id; id=$(curl -fs -XPOST "$B/api/v1/me/requests" -H "Authorization: Bearer $pat" -H 'content-type: application/json' \
      -d '{"org":"bench-vendor","kind":"access","body":"Everything you hold about me, please."}' | json '["id"]')
    local answer; answer=$(curl -fs -o /dev/null -w '%{time_total}' -XPOST "$B/api/v1/requests/$id/answer" \
      -H "Authorization: Bearer $owen" -H 'content-type: application/json' -d '{}')
    local get; get=$(curl -fs -o "$WORK/export.json" -w '%{time_total} %{size_download}' "$B/api/v1/requests/$id/export" -H "Authorization: Bearer $pat")
    local n; n=$(json '["entries"].__len__()' < "$WORK/export.json")
    [ "$n" -eq "$ENTRIES" ] || { echo "export holds $n entries, expected $ENTRIES"; exit 1; }
    echo "$answer $get"
  done > "$WORK/export.txt"
  printf "[%s] access export, %d entries: answer (build + store) %s s, download %s s, %s MB   (median of %d)\n" "$backend" "$ENTRIES" \
    "$(cut -d' ' -f1 "$WORK/export.txt" | median)" "$(cut -d' ' -f2 "$WORK/export.txt" | median)" \
    "$(cut -d' ' -f3 "$WORK/export.txt" | median | awk '{printf "%.1f", $1/1e6}')" "$RUNS"
  wrk_line "[$backend] bare axum GET /me (fixed JSON, ceiling)" "http://127.0.0.1:18281/me"
  wrk_line "[$backend] slingshot GET /api/v1/me (read, no write)" "$B/api/v1/me" -H "Authorization: Bearer $owen"
  wrk_line "[$backend] slingshot granted profile read + access log" "$B$path" -H "Authorization: Bearer $owen"
  for r in $RATES; do
    for i in $(seq 1 "$RUNS"); do "$RATE" "$B$path" "$r" "$DUR" "$CONNS" "$owen"; done \
      | awk '{print $7+0, $0}' | sort -n | awk -v n="[$backend] granted read, open loop at $r req/s" '{l[NR]=$0} END {m=int((NR+1)/2); sub(/^[^ ]+ /, "", l[m]); printf "%-52s %s  (median p99 of %d)\n", n, l[m], NR}'
  done
  local logged; logged=$(curl -fs "$B/api/v1/me/access-log?limit=1" -H "Authorization: Bearer $pat" | json '["items"][0]["purpose"]')
  [ "$logged" = delivery ] || { echo "the reads were not logged"; exit 1; }
  stop
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BARE" 127.0.0.1:18281 >/dev/null &
sleep 0.3
if [ "$WHICH" != postgres ]; then run sqlite "sqlite://$WORK/sqlite/slingshot.db?mode=rwc"; fi
if [ "$WHICH" != sqlite ]; then
  DB="slingshot_bench_personal_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $DB" >/dev/null
  run postgres "$PG/$DB"
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB" >/dev/null
fi

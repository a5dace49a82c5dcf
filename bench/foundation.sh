#!/usr/bin/env bash
# Foundation figures for BENCHMARKS.md: time from `serve` to ready (empty and demo database),
# idle RSS, and wrk at 64 connections for GET /healthz and an authenticated GET /api/v1/me,
# beside a bare axum server (the ceiling) in the same run. Loopback only; every load is bounded.
# Usage: bench/foundation.sh [seconds-per-run] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
RUNS=${2:-3}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo build --release -q -p slingshot
  cargo build --release -q -p slingshot-server --example bare_axum
fi
BIN="$CARGO_TARGET_DIR/release/slingshot"
BARE="$CARGO_TARGET_DIR/release/examples/bare_axum"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

ready_ms() { # data-dir extra-args... : start, wait for /readyz, print ms, leave running
  local dir=$1; shift
  local t0; t0=$(date +%s%N)
  "$BIN" serve --data-dir "$dir" --listen 127.0.0.1:18080 "$@" >/dev/null 2>&1 &
  echo $! > "$WORK/pid"
  until curl -fs http://127.0.0.1:18080/readyz >/dev/null 2>&1; do sleep 0.002; done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
stop() { kill -TERM "$(cat "$WORK/pid")"; wait "$(cat "$WORK/pid")" 2>/dev/null || true; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB"
for i in $(seq 1 "$RUNS"); do rm -rf "$WORK/empty"; ready_ms "$WORK/empty"; stop; done | median | sed 's/^/serve→ready, new empty database (ms, median): /'
rm -rf "$WORK/demo"; ready_ms "$WORK/demo" --demo >/dev/null; stop
for i in $(seq 1 "$RUNS"); do ready_ms "$WORK/demo"; stop; done | median | sed 's/^/serve→ready, existing demo database (ms, median): /'

ready_ms "$WORK/demo" >/dev/null
sleep 1
echo "idle RSS (KiB): $(awk '/VmRSS/{print $2}' /proc/"$(cat "$WORK/pid")"/status)"
TOKEN=$(curl -fs -XPOST http://127.0.0.1:18080/api/v1/sessions -H 'content-type: application/json' \
  -d '{"handle":"alice","password":"slingshot-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$BARE" 127.0.0.1:18081 >/dev/null &
sleep 0.5

run_wrk() { # name url [header]
  local name=$1 url=$2; shift 2
  for i in $(seq 1 "$RUNS"); do
    wrk -t2 -c64 -d"${DUR}s" --latency "$@" "$url" | awk '/Requests\/sec/{r=$2} /^ +99%/{p=$2} END {print r, p}'
  done | sort -n | awk -v n="$name" '{r[NR]=$1; p[NR]=$2} END {m=int((NR+1)/2); printf "%-32s req/s %10.0f   p99 %s   (median of %d runs)\n", n, r[m], p[m], NR}'
}
run_wrk "bare axum GET /healthz" http://127.0.0.1:18081/healthz
run_wrk "slingshot GET /healthz" http://127.0.0.1:18080/healthz
run_wrk "bare axum GET /me (fixed JSON)" http://127.0.0.1:18081/me
run_wrk "slingshot GET /api/v1/me (auth)" http://127.0.0.1:18080/api/v1/me -H "Authorization: Bearer $TOKEN"
echo "RSS after load (KiB): $(awk '/VmRSS/{print $2}' /proc/"$(cat "$WORK/pid")"/status)"
stop

#!/usr/bin/env bash
# A large mail upload on SQLite, and what it does to everyone else's appends, for
# BENCHMARKS.md. A fresh server; one person uploads an mbox of $MESSAGES messages (40
# vendors, threads of 5, distinct dates) while another appends one entry every
# $GAP s. Prints the upload's time and the server's own split of it ("mail imported":
# parse, plan, store), then the other person's append latencies during the upload.
# BIN picks the server binary. Loopback only, bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-80000}; GAP=${GAP:-0.02}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p slingshot
BIN=${BIN:-$CARGO_TARGET_DIR/release/slingshot}
[ -x "$BIN" ] || { echo "no server binary at $BIN"; exit 1; }
WORK=$(mktemp -d --tmpdir="${TMPDIR:-/var/tmp}")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=18188; B="http://127.0.0.1:$PORT"; DBF="$WORK/slingshot.db"
python3 - "$WORK/mail.mbox" "$MESSAGES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        vendor, thread = i % 40, i // 5
        day, sec = 1 + (i // 86400) % 28, i % 86400
        refs = f"In-Reply-To: <t{thread}-0@shop{vendor}.example>\n" if i % 5 else ""
        f.write(f"From shop{vendor}@example Mon Jan  1 00:00:00 2024\n"
                f"From: Orders <orders@shop{vendor}.example>\nTo: me@home.example\n"
                f"Subject: Order {thread} update\nMessage-ID: <t{thread}-{i % 5}@shop{vendor}.example>\n{refs}"
                f"Date: Mon, {day:02d} Jan 2024 {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d} +0000\n\n"
                f"Your order {thread} has moved on: message {i}. Thank you for shopping with us.\n"
                + "Tracking and returns details follow in this paragraph of ordinary text.\n" * 6 + "\n")
PY
"$BIN" serve --data-dir "$WORK" --database-url "sqlite://$DBF?mode=rwc" --listen 127.0.0.1:$PORT >"$WORK/serve.log" 2>&1 &
server=$!
for _ in $(seq 600); do curl -fs "$B/readyz" >/dev/null 2>&1 && break; kill -0 $server || { cat "$WORK/serve.log"; exit 1; }; sleep 0.05; done
token() {
  curl -fs -XPOST "$B/api/v1/accounts" -H 'content-type: application/json' -d "{\"handle\":\"$1\",\"password\":\"bench-password-2026\"}" >/dev/null
  curl -fs -XPOST "$B/api/v1/sessions" -H 'content-type: application/json' -d "{\"handle\":\"$1\",\"password\":\"bench-password-2026\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
up=$(token uploader); other=$(token another)
rel=$(curl -fs -XPOST "$B/api/v1/relationships" -H "authorization: Bearer $other" -H 'content-type: application/json' -d '{"vendor_name":"Corner Bikes"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
thr=$(curl -fs -XPOST "$B/api/v1/relationships/$rel/threads" -H "authorization: Bearer $other" -H 'content-type: application/json' -d '{"subject":"Bike","stage":"purchase"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); mbox $(du -m "$WORK/mail.mbox" | cut -f1) MB, $MESSAGES messages; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
touch "$WORK/uploading"
( while [ -e "$WORK/uploading" ]; do
    curl -s -o /dev/null -w "%{http_code} %{time_total}\n" -XPOST "$B/api/v1/threads/$thr/entries" \
      -H "authorization: Bearer $other" -H 'content-type: application/json' -d '{"kind":"note","text":"still here"}'
    sleep "$GAP"
  done > "$WORK/probe.txt" ) &
probe=$!
curl -s -o "$WORK/report.json" -w "upload: HTTP %{http_code} in %{time_total} s\n" -XPOST "$B/api/v1/mail/import?me=me@home.example" \
  -H "authorization: Bearer $up" -H 'content-type: application/mbox' --data-binary @"$WORK/mail.mbox"
rm "$WORK/uploading"; wait "$probe"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("report:", r.get("summary", r))' "$WORK/report.json"
grep -E 'import stored|mail imported' "$WORK/serve.log" | sed 's/\x1b\[[0-9;]*m//g; s/^.*INFO //' | tail -n2
sort -k2 -n "$WORK/probe.txt" | awk '$1 != 201 {bad++} {a[NR]=$2} END {printf "the other person'"'"'s appends meanwhile: %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms, not 201: %d\n", NR, 1000*a[int((NR+1)/2)], 1000*a[int(NR*0.99+0.999)], 1000*a[NR], bad}'

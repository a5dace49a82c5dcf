#!/usr/bin/env bash
# Runs this crate's benchmark and the peers (../shared/bench/celf_peers.py: numpy naive greedy,
# Python CELF, submodlib, apricot) on the same data, one after the other, and keeps the output
# under /var/tmp/listen-bench/. Usage, from the repository root:
#
#   bash crates/listen/benches/run_peers.sh            # memetracker and blog-scale synthetic data
#   WEB=1 bash crates/listen/benches/run_peers.sh      # also the web-scale run (about 4 GB on disk)
#
# The peers run in a virtualenv at /var/tmp/listen-venv (created here if missing, as the peer
# script's header says). On blog-scale data the peer script stops at submodlib's facility
# location, whose dense kernel (sources x cascades) does not fit in memory; the lines it printed
# before (numpy naive greedy, Python CELF, submodlib set cover) are the figures compared.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SHARED=${SLINGSHOT_SHARED_DIR:-$ROOT/../shared}
VENV=${LISTEN_VENV:-/var/tmp/listen-venv}
OUT=/var/tmp/listen-bench
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/listen-target}
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q numpy scipy apricot-select submodlib-py
fi
PEERS="$SHARED/bench/celf_peers.py"
MEME="$SHARED/data/cascades/memetracker.txt"
BLOG="$OUT/blog-45k-350k-seed1.txt"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log="$OUT/run-$stamp.txt"
{
  echo "# $(date -u) on $(nproc) cores"; lscpu | head -20
  # OpenBLAS variables (set on some machines for old builds) are unset for the peers' numpy.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" -c \
    'import numpy, threadpoolctl; print("# numpy", numpy.__version__, threadpoolctl.threadpool_info())'
  cd "$ROOT"
  cargo bench -q -p slingshot-listen --bench listen -- --data "$MEME" --reps 15 --naive-reps 5
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" "$PEERS" "$MEME" 100 || echo "# peers exited with $?"
  cargo bench -q -p slingshot-listen --bench listen -- --reps 11 --naive-reps 3
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$VENV/bin/python" "$PEERS" "$BLOG" 100 || echo "# peers exited with $?"
  if [ "${WEB:-0}" = 1 ]; then
    cargo bench -q -p slingshot-listen --bench listen -- --web
  fi
} 2>&1 | tee "$log"
echo "# log: $log"

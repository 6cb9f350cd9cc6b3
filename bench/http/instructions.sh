#!/usr/bin/env bash
# Instructions aic executes per GET /healthz, counted by valgrind's callgrind: a repeatable
# CPU cost figure on machines where wall-clock numbers are noisy and hardware counters are
# unavailable. A profiling aid, not the benchmark (that is run.sh, against nginx).
#
# Usage: bench/http/instructions.sh [AIC_BINARY]      (default build/release/aic)
# One I/O thread, access log off; wrk with 10 connections for 10 s. Counting starts after
# start-up and stops before shutdown (callgrind_control), so the figure is all request work:
# parsing, routing, filters, handler, writing and the event loop.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="$(realpath -m "${1:-$repo_root/build/release/aic}")"
port="${BENCH_INSTRUCTIONS_PORT:-18095}"
for tool in valgrind callgrind_control callgrind_annotate wrk curl; do
  command -v "$tool" >/dev/null || { echo "instructions: $tool not found" >&2; exit 1; }
done
[[ -x "$binary" ]] || { echo "instructions: $binary not found" >&2; exit 1; }

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aic-instructions.XXXXXX")"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [[ -n "${BENCH_KEEP_CALLGRIND:-}" ]] && cp "$work_dir"/callgrind.out* "$BENCH_KEEP_CALLGRIND" 2>/dev/null
  rm -rf "$work_dir"
}
trap cleanup EXIT

(
  cd "$work_dir"
  while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^AIC_' || true)
  export AIC_LISTEN="127.0.0.1:$port" AIC_IO_THREADS=1 AIC_LOG_ACCESS=false
  export AIC_DATABASE_URL="sqlite://$work_dir/aic.db"
  exec valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work_dir/callgrind.out" "$binary" serve
) >"$work_dir/aic.log" 2>&1 &
pid=$!

for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || {
  echo "instructions: aic did not start:" >&2
  cat "$work_dir/aic.log" >&2
  exit 1
}

callgrind_control -i on "$pid" >/dev/null 2>&1
requests="$(wrk -t1 -c10 -d10s "http://127.0.0.1:$port/healthz" | awk '/requests in/ {print $1}')"
callgrind_control -i off "$pid" >/dev/null 2>&1
kill -INT "$pid"
wait "$pid" 2>/dev/null || true
pid=""

total="$(callgrind_annotate "$work_dir"/callgrind.out* 2>/dev/null |
  awk '/PROGRAM TOTALS/ && !seen {gsub(",", "", $1); print $1; seen = 1}')"
echo "requests: $requests"
echo "instructions: $total"
awk -v t="$total" -v r="$requests" 'BEGIN { printf "instructions per request: %.0f\n", t / r }'

#!/usr/bin/env bash
# Instructions aic executes per request, counted by valgrind's callgrind: a repeatable CPU
# cost figure on machines where wall-clock numbers are noisy and hardware counters are
# unavailable. A profiling aid, not the benchmark (that is run.sh, against nginx, and
# bench/auth/run.sh for the authenticated route).
#
# Usage: bench/http/instructions.sh [AIC_BINARY] [healthz|authenticated]
#   (default build/release/aic, healthz)
# healthz:       GET /healthz (HTTP layer only).
# authenticated: GET /v1/api-keys/{id} with an owner API key (credential cache, rate limit,
#                permission, one SQLite read on the worker pool), the request of
#                bench/auth/run.sh.
# One I/O thread, one worker, access log off; wrk with 10 connections for 10 s. Counting
# starts after start-up and stops before shutdown (callgrind_control), so the figure is all
# request work on every thread: parsing, routing, filters, handler, worker hand-off, writing
# and the event loop. BENCH_KEEP_CALLGRIND=DIR keeps the profile for callgrind_annotate.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="$(realpath -m "${1:-$repo_root/build/release/aic}")"
route="${2:-healthz}"
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

while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^AIC_' || true)
export AIC_DATABASE_URL="sqlite://$work_dir/aic.db"
path=/healthz
wrk_script=()
case "$route" in
  healthz) ;;
  authenticated)
    export AIC_RATE_LIMITS_ENTERPRISE=1000000000  # the limit must not be what is measured
    "$binary" admin bootstrap >/dev/null
    owner_key="$("$binary" admin create-tenant --name Bench --owner-email o@bench.example \
      --plan enterprise --json | sed -E 's/.*"owner_api_key":"([^"]+)".*/\1/')"
    path="/v1/api-keys/$(sed -E 's/^aic_live_([0-9a-f]+)_.*/\1/' <<<"$owner_key")"
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$owner_key" >"$work_dir/auth.lua"
    wrk_script=(-s "$work_dir/auth.lua")
    ;;
  *) echo "instructions: unknown route $route (healthz or authenticated)" >&2; exit 2 ;;
esac

(
  cd "$work_dir"
  export AIC_LISTEN="127.0.0.1:$port" AIC_IO_THREADS=1 AIC_WORKERS_THREADS=1 AIC_LOG_ACCESS=false
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

curl -fsS -o /dev/null -H "Authorization: Bearer ${owner_key:-}" "http://127.0.0.1:$port$path" || {
  echo "instructions: GET $path failed" >&2
  exit 1
}
callgrind_control -i on "$pid" >/dev/null 2>&1
requests="$(wrk -t1 -c10 -d10s "${wrk_script[@]}" "http://127.0.0.1:$port$path" |
  awk '/requests in/ {print $1}')"
callgrind_control -i off "$pid" >/dev/null 2>&1
kill -INT "$pid"
wait "$pid" 2>/dev/null || true
pid=""

total="$(callgrind_annotate "$work_dir"/callgrind.out* 2>/dev/null |
  awk '/PROGRAM TOTALS/ && !seen {gsub(",", "", $1); print $1; seen = 1}')"
echo "requests: $requests"
echo "instructions: $total"
awk -v t="$total" -v r="$requests" 'BEGIN { printf "instructions per request: %.0f\n", t / r }'

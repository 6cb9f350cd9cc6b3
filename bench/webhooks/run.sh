#!/usr/bin/env bash
# Webhook delivery benchmark on SQLite and on a throwaway PostgreSQL cluster (fsync off, as
# the test cluster runs). Prints deliveries/s, the ratio to the HTTP client alone, and
# commit-to-receipt latency at light load.
#
# Usage: bench/webhooks/run.sh   (after `cmake --preset bench && cmake --build --preset bench`)
# Environment (optional): BENCH_EVENTS=20000, BENCH_BINARY (default build/bench/aic_webhook_bench)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench="${BENCH_BINARY:-$repo_root/build/bench/bench/webhooks/aic_webhook_bench}"
events="${BENCH_EVENTS:-20000}"
work="$(mktemp -d)"
chmod 755 "$work"  # the PostgreSQL server runs as its own user when we are root
cleanup() {
  "$repo_root/tests/support/pg_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== SQLite"
"$bench" "sqlite://$work/bench.db" "$events"
echo "== PostgreSQL"
"$repo_root/tests/support/pg_cluster.sh" start "$work/pg" >/dev/null
"$bench" "$(cat "$work/pg/url")" "$events"

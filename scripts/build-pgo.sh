#!/usr/bin/env bash
# Builds a release aic with profile-guided optimisation (GCC) into build/pgo/aic:
#   1. an instrumented build (AIC_PGO=generate, cmake/pgo.cmake);
#   2. a training run: `aic serve` on a throwaway SQLite database in front of the gateway
#      benchmark's mock model provider, serving chat completions (plain and streamed, one at a
#      time and many at once), Anthropic messages, the model list and /metrics;
#   3. the optimised build of the same directory with the counts the training wrote.
# It takes about two release builds and 30 s of training. bench/gateway/run.sh measures the
# result with BENCH_BUILD_DIR=build/pgo. Uses wrk for the concurrent plain requests when it is
# installed (scripts/install-deps.sh bench); without it the training is otherwise the same.
#
#   scripts/build-pgo.sh
#
# Settings (environment): JOBS (parallel compile jobs, default nproc), PGO_BASE_PORT (ports
# BASE … BASE+2 on 127.0.0.1, default 18290).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
build_dir="$repo_root/build/pgo"
profile_dir="$build_dir/pgo-profile"
jobs="${JOBS:-$(nproc)}"
base_port="${PGO_BASE_PORT:-18290}"
targets=(aic aic_gateway_mock_upstream aic_gateway_stream_client)

log() { echo "build-pgo: $*" >&2; }
die() {
  echo "build-pgo: error: $*" >&2
  exit 1
}

# ---- 1. instrumented build -------------------------------------------------------------
rm -rf "$profile_dir"
cmake --preset pgo -DAIC_PGO=generate >/dev/null
log "instrumented build"
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"

# ---- 2. training -----------------------------------------------------------------------
aic="$build_dir/aic"
mock="$build_dir/bench/gateway/aic_gateway_mock_upstream"
client="$build_dir/bench/gateway/aic_gateway_stream_client"
mock_port=$base_port
mock_stream_port=$((base_port + 1))
aic_port=$((base_port + 2))

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aic-pgo.XXXXXX")"
# shellcheck source=bench/gateway/processes.sh
source "$repo_root/bench/gateway/processes.sh"
stop_on_exit

for port in "$mock_port" "$mock_stream_port" "$aic_port"; do
  port_in_use "$port" && die "127.0.0.1:$port is already in use (set PGO_BASE_PORT)"
done
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The mock and the client are instrumented too (they share the HTTP library's objects): their
# counts go to a directory of their own (GCOV_PREFIX), so that only aic's running shapes the
# profile.
tool_profile="$work_dir/tool-profile"
GCOV_PREFIX="$tool_profile" start_mock mock "$mock_port"
GCOV_PREFIX="$tool_profile" start_mock mock_stream "$mock_stream_port" --chunks 16

write_aic_config "$work_dir/aic.toml" "$aic_port" "" "bench=$mock_port" \
  "bench-stream=$mock_stream_port"
start_aic "$aic" "$work_dir/aic.toml" "$aic_port" Training

log "training"
auth="Authorization: Bearer $api_key"
run_client() { GCOV_PREFIX="$tool_profile" "$client" "$@" --header "$auth" >/dev/null; }
run_client sequential "$aic_port" 20000 --plain 1 --model bench
run_client sequential "$aic_port" 5000 --model bench-stream
run_client concurrent "$aic_port" 256 --model bench-stream
if command -v wrk >/dev/null; then
  cat >"$work_dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $api_key"
LUA
  wrk -t2 -c64 -d5s -s "$work_dir/post.lua" "http://127.0.0.1:$aic_port/v1/chat/completions" \
    >/dev/null
fi
for _ in $(seq 200); do
  curl -fsS -o /dev/null -H "$auth" -H 'Content-Type: application/json' \
    -d '{"model":"bench","max_tokens":64,"messages":[{"role":"user","content":"Hi."}]}' \
    "http://127.0.0.1:$aic_port/v1/messages"
  curl -fsS -o /dev/null -H "$auth" "http://127.0.0.1:$aic_port/v1/models"
done
curl -fsS -o /dev/null "http://127.0.0.1:$aic_port/metrics"

# The counts are written when the process exits.
stop_process "$aic_pid"
if ! compgen -G "$profile_dir/*.gcda" >/dev/null; then
  die "the training wrote no profile to $profile_dir"
fi
log "profile: $(find "$profile_dir" -name '*.gcda' | wc -l) files"

# ---- 3. optimised build ----------------------------------------------------------------
cmake --preset pgo -DAIC_PGO=use >/dev/null
log "optimised build"
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
log "done: $build_dir/aic"

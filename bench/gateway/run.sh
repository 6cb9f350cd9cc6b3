#!/usr/bin/env bash
# AI gateway benchmark: POST /v1/chat/completions through aic against the same request sent
# straight to the mock model provider ("direct", the baseline), through nginx proxy_pass
# (bench/gateway/nginx.conf) and through Portkey's open-source gateway (Node.js), all in the
# same run on the same machine. Measures, in this order:
#   1. latency at concurrency 1 (wrk -t1 -c1 --latency), mock answering at once and after 1 ms;
#   2. throughput and latency at BENCH_CONNECTIONS connections (wrk -t2), and after 1 ms;
#   3. streams: time to first event over sequential requests, direct and through aic (and
#      Portkey), then BENCH_STREAMS concurrent streams, direct and through aic;
#   4. aic's resident memory: idle after start, peak, and BENCH_SETTLE seconds after the load.
# Also reads aic's own account of its overhead: the aic-overhead-us header (sequential
# requests) and the aic_ai_gateway_overhead_seconds histogram at /metrics (per stage).
# Prints a markdown report and writes it to build/bench/gateway-results.md; raw output goes to
# build/bench/gateway-raw/. Every process it started is stopped on exit, failure or Ctrl-C.
#
# Builds nothing. First:
#   cmake --preset bench
#   cmake --build build/bench --target aic aic_gateway_mock_upstream aic_gateway_stream_client
# Needs wrk, nginx and curl (scripts/install-deps.sh bench), and node + npm for Portkey, which
# it installs with `npm ci` into bench/gateway/node_modules (package-lock.json pins it).
#
# Usage: bench/gateway/run.sh
# Environment (all optional):
#   BENCH_DURATION=10s          measured wrk run
#   BENCH_WARMUP=3s             discarded wrk run before each measured one
#   BENCH_ROUNDS=3              measured runs per target and level; the order of the targets
#                               rotates between rounds; the report shows medians
#   BENCH_CONNECTIONS="16 64 256" the throughput levels
#   BENCH_WRK_THREADS=2         wrk -t at the throughput levels
#   BENCH_WORKERS=2             aic I/O threads and nginx worker processes
#   BENCH_MOCK_THREADS=1        I/O threads of each mock provider
#   BENCH_PORTKEY=1             0 leaves Portkey out (then no node or npm is needed)
#   BENCH_SEQUENTIAL=1000       sequential streams (after 200 discarded) for time to first event
#   BENCH_STREAMS=512           concurrent streams
#   BENCH_STREAM_CHUNKS=16      content chunks per stream
#   BENCH_STREAM_GAP_MS=0       gap between events, sequential streams (0: the mock sends the
#                               events as one body and keeps the connection, as providers do;
#                               with a gap it sends chunks and our HTTP server then closes)
#   BENCH_SLOW_GAP_MS=20        gap between events, concurrent streams
#   BENCH_SETTLE=10             seconds after the load before the last memory reading
#   BENCH_BASE_PORT=18090       ports BASE … BASE+7 on 127.0.0.1 must be free
#   BENCH_BUILD_DIR=build/bench where the binaries are
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-3s}"
rounds="${BENCH_ROUNDS:-3}"
read -r -a connection_counts <<<"${BENCH_CONNECTIONS:-16 64 256}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
workers="${BENCH_WORKERS:-2}"
mock_threads="${BENCH_MOCK_THREADS:-1}"
use_portkey="${BENCH_PORTKEY:-1}"
sequential="${BENCH_SEQUENTIAL:-1000}"
streams="${BENCH_STREAMS:-512}"
stream_chunks="${BENCH_STREAM_CHUNKS:-16}"
stream_gap="${BENCH_STREAM_GAP_MS:-0}"
slow_gap="${BENCH_SLOW_GAP_MS:-20}"
settle="${BENCH_SETTLE:-10}"
base_port="${BENCH_BASE_PORT:-18090}"
build_dir="${BENCH_BUILD_DIR:-$repo_root/build/bench}"

aic="$build_dir/aic"
mock="$build_dir/bench/gateway/aic_gateway_mock_upstream"
client="$build_dir/bench/gateway/aic_gateway_stream_client"
raw_dir="$build_dir/gateway-raw"
results_file="$build_dir/gateway-results.md"

mock_port=$base_port               # answers at once
mock_delay_port=$((base_port + 1)) # answers after 1 ms
mock_stream_port=$((base_port + 2)) # streams for time to first event
mock_slow_port=$((base_port + 3))  # streams, BENCH_SLOW_GAP_MS between events
nginx_port=$((base_port + 4))
nginx_delay_port=$((base_port + 5))
aic_port=$((base_port + 6))
portkey_port=$((base_port + 7))

log() { echo "bench: $*" >&2; }
die() {
  echo "bench: error: $*" >&2
  exit 1
}

for binary in "$aic" "$mock" "$client"; do
  [[ -x "$binary" ]] || die "$binary not found; build with: cmake --preset bench &&" \
    "cmake --build build/bench --target aic aic_gateway_mock_upstream aic_gateway_stream_client"
done
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh bench)"
done
if [[ "$use_portkey" == 1 ]]; then
  for tool in node npm; do
    command -v "$tool" >/dev/null || die "$tool not found (or set BENCH_PORTKEY=0)"
  done
fi
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aic-bench-gateway.XXXXXX")"
# shellcheck source=bench/gateway/processes.sh
source "$repo_root/bench/gateway/processes.sh"
stop_on_exit

for port in $(seq "$base_port" $((base_port + 7))); do
  port_in_use "$port" && die "127.0.0.1:$port is already in use (set BENCH_BASE_PORT)"
done

# ---- processes ---------------------------------------------------------------------------

start_mock mock "$mock_port" --threads "$mock_threads"
start_mock mock_delay "$mock_delay_port" --threads "$mock_threads" --delay-ms 1
start_mock mock_stream "$mock_stream_port" --threads "$mock_threads" --chunks "$stream_chunks" \
  --gap-ms "$stream_gap"
start_mock mock_slow "$mock_slow_port" --threads "$mock_threads" --chunks "$stream_chunks" \
  --gap-ms "$slow_gap"

# aic: a throwaway SQLite database and only these settings (no AIC_* from the caller).
write_aic_config "$work_dir/aic.toml" "$aic_port" "$workers" "bench=$mock_port" \
  "bench-delay=$mock_delay_port" "bench-stream=$mock_stream_port" "bench-slow=$mock_slow_port"
start_aic "$aic" "$work_dir/aic.toml" "$aic_port" Bench

# Resident memory of process $1 in MB (VmRSS, or the field named by $2).
memory_mb() { awk -v f="${2:-VmRSS}:" '$1 == f {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
sleep 2
rss_idle_start="$(memory_mb "$aic_pid")"

# nginx, from bench/gateway/nginx.conf in a private prefix.
mkdir -p "$work_dir/nginx/tmp"
sed -e "s/@WORKERS@/$workers/g" -e "s/@PORT@/$nginx_port/g" -e "s/@UPSTREAM_PORT@/$mock_port/g" \
  -e "s/@DELAY_PORT@/$nginx_delay_port/g" -e "s/@DELAY_UPSTREAM_PORT@/$mock_delay_port/g" \
  bench/gateway/nginx.conf >"$work_dir/nginx/nginx.conf"
nginx -p "$work_dir/nginx" -e "$work_dir/nginx/error.log" -c "$work_dir/nginx/nginx.conf" \
  -g 'daemon off;' >"$work_dir/nginx.out" 2>&1 &
nginx_pid=$!
started_pids+=("$nginx_pid")

# Portkey's gateway: one Node.js process (it has no option for more).
if [[ "$use_portkey" == 1 ]]; then
  if [[ ! -f bench/gateway/node_modules/@portkey-ai/gateway/package.json ||
    bench/gateway/package-lock.json -nt bench/gateway/node_modules/.package-lock.json ]]; then
    log "installing Portkey's gateway (npm ci in bench/gateway)"
    (cd bench/gateway && npm ci --ignore-scripts --no-audit --no-fund >"$work_dir/npm.out" 2>&1) ||
      die "npm ci failed: $(cat "$work_dir/npm.out")"
  fi
  portkey_version="$(sed -nE 's/^  "version": "([^"]+)".*/\1/p' \
    bench/gateway/node_modules/@portkey-ai/gateway/package.json)"
  node bench/gateway/node_modules/@portkey-ai/gateway/build/start-server.js \
    --port="$portkey_port" --headless >"$work_dir/portkey.out" 2>&1 &
  portkey_pid=$!
  started_pids+=("$portkey_pid")
fi

# ---- requests ----------------------------------------------------------------------------

request_body() { printf '{"model":"%s","messages":[{"role":"user","content":"Say hello."}]}' "$1"; }

# write_lua FILE MODEL [HEADER VALUE]…: a wrk script sending the chat request.
write_lua() {
  local file="$1" model="$2"
  shift 2
  {
    echo 'wrk.method = "POST"'
    echo "wrk.body = '$(request_body "$model")'"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    while (($# >= 2)); do
      echo "wrk.headers[\"$1\"] = \"$2\""
      shift 2
    done
  } >"$file"
}

# Targets: name → port, wrk script, processes whose CPU counts.
declare -A target_port target_lua target_label
add_target() {
  local name="$1" port="$2" label="$3" model="$4"
  shift 4
  target_port[$name]="$port"
  target_lua[$name]="$work_dir/$name.lua"
  target_label[$name]="$label"
  write_lua "${target_lua[$name]}" "$model" "$@"
}
add_target direct "$mock_port" "direct (mock)" mock
add_target nginx "$nginx_port" "nginx proxy_pass" mock
add_target aic "$aic_port" "aic" bench Authorization "Bearer $api_key"
add_target direct_1ms "$mock_delay_port" "direct (mock, 1 ms)" mock
add_target nginx_1ms "$nginx_delay_port" "nginx proxy_pass (1 ms)" mock
add_target aic_1ms "$aic_port" "aic (1 ms)" bench-delay Authorization "Bearer $api_key"
if [[ "$use_portkey" == 1 ]]; then
  add_target portkey "$portkey_port" "Portkey $portkey_version" mock \
    x-portkey-provider openai x-portkey-custom-host "http://127.0.0.1:$mock_port/v1" \
    Authorization "Bearer sk-bench"
  add_target portkey_1ms "$portkey_port" "Portkey $portkey_version (1 ms)" mock \
    x-portkey-provider openai x-portkey-custom-host "http://127.0.0.1:$mock_delay_port/v1" \
    Authorization "Bearer sk-bench"
fi

# The processes that serve target $1 (for CPU accounting): the gateway and the mock behind it.
# shellcheck disable=SC2154  # the mocks' pids are set by start_mock
target_pids() {
  case "$1" in
    direct) echo "$mock_pid" ;;
    direct_1ms) echo "$mock_delay_pid" ;;
    nginx) echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ') $mock_pid" ;;
    nginx_1ms) echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ') $mock_delay_pid" ;;
    aic) echo "$aic_pid $mock_pid" ;;
    aic_1ms) echo "$aic_pid $mock_delay_pid" ;;
    portkey) echo "$portkey_pid $mock_pid" ;;
    portkey_1ms) echo "$portkey_pid $mock_delay_pid" ;;
  esac
}

# One request through target $1 with curl; prints the status line and the body.
smoke() {
  local name="$1" args=() line key value
  # Headers from the wrk script, so the smoke test sends exactly what wrk will.
  while IFS= read -r line; do
    key="$(sed -nE 's/^wrk\.headers\["([^"]+)"\] = "(.*)"$/\1/p' <<<"$line")"
    value="$(sed -nE 's/^wrk\.headers\["([^"]+)"\] = "(.*)"$/\2/p' <<<"$line")"
    [[ -n "$key" ]] && args+=(-H "$key: $value")
  done <"${target_lua[$name]}"
  local model
  model="$(sed -nE 's/.*"model":"([^"]+)".*/\1/p' "${target_lua[$name]}")"
  curl -sS -m 10 -D "$work_dir/smoke-$name.head" -o "$work_dir/smoke-$name.body" "${args[@]}" \
    -d "$(request_body "$model")" "http://127.0.0.1:${target_port[$name]}/v1/chat/completions" ||
    true
}
wait_ready() {
  local name="$1"
  for _ in $(seq 100); do
    smoke "$name"
    if head -n 1 "$work_dir/smoke-$name.head" 2>/dev/null | grep -q ' 200' &&
      grep -q '"chat.completion"' "$work_dir/smoke-$name.body"; then
      return 0
    fi
    sleep 0.1
  done
  die "${target_label[$name]} does not answer the chat request:" \
    "$(cat "$work_dir/smoke-$name.head" "$work_dir/smoke-$name.body" 2>/dev/null)" \
    "$(tail -5 "$work_dir/aic.out" "$work_dir/portkey.out" 2>/dev/null)"
}
all_targets=(direct nginx aic direct_1ms nginx_1ms aic_1ms)
[[ "$use_portkey" == 1 ]] && all_targets+=(portkey portkey_1ms)
for name in "${all_targets[@]}"; do wait_ready "$name"; done
grep -qi '^aic-overhead-us:' "$work_dir/smoke-aic.head" || die "aic sent no aic-overhead-us header"
log "every target answers; aic pid $aic_pid, nginx pid $nginx_pid${portkey_pid:+, Portkey pid $portkey_pid}"
sleep 2
rss_idle_warm="$(memory_mb "$aic_pid")"

# ---- measuring ---------------------------------------------------------------------------

mkdir -p "$raw_dir"
rm -f "$raw_dir"/*.txt

# wrk's duration ("812.00us", "1.23ms", "2.01s") in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.0f", v; exit }
    if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.0f", v * 1000; exit }
    if (v ~ /m$/)  { sub(/m$/, "", v);  printf "%.0f", v * 60e6; exit }
    if (v ~ /s$/)  { sub(/s$/, "", v);  printf "%.0f", v * 1e6; exit }
    printf "nan" }'
}
ticks_of() { # CPU ticks (user + system) of the processes given
  local total=0 pid ticks
  for pid in "$@"; do
    ticks="$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)"
    total=$((total + ticks))
  done
  echo "$total"
}
steal_ticks() { awk '$1 == "cpu" {print $9}' /proc/stat; }
busy_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# CPU ticks of this script's finished children: the wrk runs.
children_ticks() { awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$$/stat"; }
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Results per run, keyed "stage/target/round" (read by name through medians_of).
declare -A rps p50 p90 p99 errors non2xx cpu_per_request steal other_cpu
# measure STAGE TARGET ROUND THREADS CONNECTIONS
measure() {
  local stage="$1" name="$2" round="$3" threads="$4" connections="$5" key="$1/$2/$3"
  local url="http://127.0.0.1:${target_port[$name]}/v1/chat/completions"
  local out="$raw_dir/$stage-$name-r$round.txt" pids
  wrk -t"$threads" -c"$connections" -d"$warmup" -s "${target_lua[$name]}" "$url" >/dev/null 2>&1
  sleep 0.5
  read -r -a pids <<<"$(target_pids "$name")"
  local cpu_before steal_before busy_before wrk_before started finished
  cpu_before="$(ticks_of "${pids[@]}")"
  steal_before="$(steal_ticks)"
  busy_before="$(busy_ticks)"
  wrk_before="$(children_ticks)"
  started="$(now)"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "${target_lua[$name]}" "$url" \
    >"$out" 2>&1 || die "wrk failed against ${target_label[$name]}: $(cat "$out")"
  finished="$(now)"
  local cpu_after steal_after busy_after wrk_after requests
  cpu_after="$(ticks_of "${pids[@]}")"
  steal_after="$(steal_ticks)"
  busy_after="$(busy_ticks)"
  wrk_after="$(children_ticks)"
  rps[$key]="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
  p50[$key]="$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")"
  # shellcheck disable=SC2034  # read by name through medians_of
  p90[$key]="$(to_us "$(awk '$1 == "90%" {print $2}' "$out")")"
  p99[$key]="$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")"
  non2xx[$key]="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  non2xx[$key]="${non2xx[$key]:-0}"
  errors[$key]="$(awk -F'[ ,]+' '/Socket errors:/ {for (i = 1; i < NF; i++) if ($i ~ /^(connect|read|write|timeout)$/) s += $(i + 1)} END {print s + 0}' "$out")"
  requests="$(awk '/requests in/ {print $1}' "$out")"
  local hz
  hz="$(getconf CLK_TCK)"
  cpu_per_request[$key]="$(awk -v t=$((cpu_after - cpu_before)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.1f", (n > 0) ? t / hz / n * 1e6 : 0}')"
  steal[$key]="$(awk -v t=$((steal_after - steal_before)) -v hz="$hz" -v a="$started" -v b="$finished" 'BEGIN {printf "%.0f", 100 * t / hz / (b - a)}')"
  # CPU used by anything but the target, its mock and wrk (other builds, say): noise.
  local other=$(((busy_after - busy_before) - (cpu_after - cpu_before) - (wrk_after - wrk_before)))
  other_cpu[$key]="$(awk -v t="$other" -v hz="$hz" -v a="$started" -v b="$finished" 'BEGIN {v = 100 * t / hz / (b - a); printf "%.0f", v < 0 ? 0 : v}')"
  log "  ${target_label[$name]}: ${rps[$key]} req/s, p50 ${p50[$key]} us, p99 ${p99[$key]} us," \
    "errors ${errors[$key]}, non-2xx ${non2xx[$key]}, CPU ${cpu_per_request[$key]} us/request" \
    "(gateway + mock), steal ${steal[$key]}% and other processes ${other_cpu[$key]}% of a core"
}

# aic's overhead histogram (aic_ai_gateway_overhead_seconds): "le count" lines.
overhead_snapshot() {
  curl -sS "http://127.0.0.1:$aic_port/metrics" |
    awk -F'[{}" ]+' '/^aic_ai_gateway_overhead_seconds_bucket/ {for (i = 2; i < NF; i++) if ($i == "le=") le = $(i + 1); print le, $NF}' |
    sed 's/le=//'
}
# overhead_delta BEFORE AFTER: "count, share ≤100 µs, ≤250 µs, ≤500 µs, ≤1 ms" of the requests
# between the two snapshots.
overhead_delta() {
  join <(sort "$1") <(sort "$2") | awk '{d[$1] = $3 - $2} END {
    total = d["+Inf"]; if (total <= 0) { print "no requests"; exit }
    printf "%d requests; ≤100 µs %.1f%%, ≤250 µs %.1f%%, ≤500 µs %.1f%%, ≤1 ms %.1f%%",
      total, 100 * d["0.0001"] / total, 100 * d["0.00025"] / total, 100 * d["0.0005"] / total,
      100 * d["0.001"] / total }'
}

# run_stage STAGE THREADS CONNECTIONS TARGET…: every round measures each target once, the
# order rotating so that no target always runs first.
declare -A stage_overhead
run_stage() {
  local stage="$1" threads="$2" connections="$3"
  shift 3
  local targets=("$@") round i n=$#
  overhead_snapshot >"$work_dir/overhead-before"
  for ((round = 1; round <= rounds; round++)); do
    log "$stage, round $round/$rounds (wrk -t$threads -c$connections -d$duration)"
    for ((i = 0; i < n; i++)); do
      measure "$stage" "${targets[$(((i + round - 1) % n))]}" "$round" "$threads" "$connections"
    done
  done
  overhead_snapshot >"$work_dir/overhead-after"
  stage_overhead[$stage]="$(overhead_delta "$work_dir/overhead-before" "$work_dir/overhead-after")"
}

medians_of() { # STAGE TARGET ARRAY-NAME → median over the rounds
  local -n values="$3"
  local list=() round
  for ((round = 1; round <= rounds; round++)); do list+=("${values[$1/$2/$round]}"); done
  median "${list[@]}"
}
round_ratio() { # STAGE A B → median over rounds of rps(A)/rps(B)
  local list=() round
  for ((round = 1; round <= rounds; round++)); do
    list+=("$(awk -v a="${rps[$1/$2/$round]}" -v b="${rps[$1/$3/$round]}" 'BEGIN {printf "%.4f", (b > 0) ? a / b : 0}')")
  done
  median "${list[@]}"
}
round_difference() { # STAGE A B ARRAY-NAME → median over rounds of A − B
  local -n values="$4"
  local list=() round
  for ((round = 1; round <= rounds; round++)); do
    local a="${values[$1/$2/$round]}" b="${values[$1/$3/$round]}"
    list+=($((a - b)))
  done
  median "${list[@]}"
}

base_targets=(direct nginx aic)
delay_targets=(direct_1ms nginx_1ms aic_1ms)
if [[ "$use_portkey" == 1 ]]; then
  base_targets+=(portkey)
  delay_targets+=(portkey_1ms)
fi

run_stage c1 1 1 "${base_targets[@]}"
run_stage c1_1ms 1 1 "${delay_targets[@]}"
for connections in "${connection_counts[@]}"; do
  run_stage "c$connections" "$wrk_threads" "$connections" "${base_targets[@]}"
done
top="${connection_counts[-1]}"
run_stage "c${top}_1ms" "$wrk_threads" "$top" "${delay_targets[@]}"

# Streams: time to first event over sequential requests.
declare -A stream_result
stream_run() { # NAME PORT MODE COUNT ARGS…
  local name="$1" port="$2" mode="$3" count="$4"
  shift 4
  local out="$raw_dir/stream-$name.txt"
  "$client" "$mode" "$port" "$count" "$@" >"$out" 2>&1 ||
    log "  $name: not every stream completed: $(tail -2 "$out")"
  stream_result[$name]="$(grep '^result ' "$out" | tail -1)"
  log "  $name: $(grep -v '^result ' "$out" | tail -1)"
}
field() { sed -nE "s/.* $2=(-?[0-9]+).*/\1/p" <<<" ${stream_result[$1]}"; }
log "streams: $sequential sequential (after 200 discarded), $stream_chunks chunks, ${stream_gap} ms apart"
overhead_snapshot >"$work_dir/overhead-before"
stream_run ttft_direct "$mock_stream_port" sequential "$sequential"
stream_run ttft_aic "$aic_port" sequential "$sequential" --model bench-stream \
  --header "Authorization: Bearer $api_key"
stream_run plain_aic "$aic_port" sequential "$sequential" --model bench --plain 1 \
  --header "Authorization: Bearer $api_key"
stream_run plain_direct "$mock_port" sequential "$sequential" --plain 1
if [[ "$use_portkey" == 1 ]]; then
  stream_run ttft_portkey "$portkey_port" sequential "$sequential" \
    --header "x-portkey-provider: openai" \
    --header "x-portkey-custom-host: http://127.0.0.1:$mock_stream_port/v1" \
    --header "Authorization: Bearer sk-bench"
fi
overhead_snapshot >"$work_dir/overhead-after"
stage_overhead[sequential]="$(overhead_delta "$work_dir/overhead-before" "$work_dir/overhead-after")"

log "streams: $streams at once, $stream_chunks chunks, ${slow_gap} ms apart"
stream_run many_direct "$mock_slow_port" concurrent "$streams"
sleep 1
stream_run many_aic "$aic_port" concurrent "$streams" --model bench-slow \
  --header "Authorization: Bearer $api_key"
rss_after_load="$(memory_mb "$aic_pid")"
rss_peak="$(memory_mb "$aic_pid" VmHWM)"
log "waiting ${settle}s before the last memory reading"
sleep "$settle"
rss_settled="$(memory_mb "$aic_pid")"
nginx_rss=0
for pid in "$nginx_pid" $(pgrep -P "$nginx_pid"); do
  nginx_rss="$(awk -v a="$nginx_rss" -v b="$(memory_mb "$pid")" 'BEGIN {printf "%.1f", a + b}')"
done
portkey_rss="$([[ "$use_portkey" == 1 ]] && memory_mb "$portkey_pid" || echo n/a)"
portkey_peak="$([[ "$use_portkey" == 1 ]] && memory_mb "$portkey_pid" VmHWM || echo n/a)"
# Warnings and errors aic logged, but the one about running without auth.master_key.
aic_errors="$(grep -iE '"level":"(warning|error|critical)"' "$work_dir/aic.out" | grep -vc master_key || true)"

# ---- report ------------------------------------------------------------------------------

thousands() { printf "%.0f" "$1" | sed -e ':again' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 't again'; }
us() { # microseconds, readable
  awk -v v="$1" 'BEGIN { if (v == "" || v == "nan") print "n/a"; else if (v < 1000 && v > -1000) printf "%d µs", v; else printf "%.2f ms", v / 1000 }'
}
ratio() { awk -v r="$1" 'BEGIN { printf "%.2f", r }'; }
verdict() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git status --porcelain -- src 2>/dev/null)" ]] && commit="$commit + uncommitted changes in src/"
report="$work_dir/report.md"
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), aic at $commit; $(nproc) cores shared by wrk, the" \
    "gateway and the mock; aic $workers I/O threads, nginx $workers workers, Portkey one Node.js" \
    "process ($(node --version 2>/dev/null || echo -)), mock $mock_threads I/O thread(s); wrk" \
    "-d$duration after a $warmup warm-up, $rounds rounds in rotating order, medians."
  echo
  echo "**Latency at concurrency 1** (wrk -t1 -c1; added = median over rounds of the target's" \
    "percentile minus direct's in the same round):"
  echo
  echo "| target | req/s | p50 | p90 | p99 | added p50 | added p99 | CPU µs/request (gateway + mock) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for stage in c1 c1_1ms; do
    if [[ $stage == c1 ]]; then targets=("${base_targets[@]}") base=direct; else targets=("${delay_targets[@]}") base=direct_1ms; fi
    for name in "${targets[@]}"; do
      added50="—" added99="—"
      if [[ $name != "$base" ]]; then
        added50="$(us "$(round_difference "$stage" "$name" "$base" p50)")"
        added99="$(us "$(round_difference "$stage" "$name" "$base" p99)")"
      fi
      echo "| ${target_label[$name]} | $(thousands "$(medians_of "$stage" "$name" rps)") |" \
        "$(us "$(medians_of "$stage" "$name" p50)") | $(us "$(medians_of "$stage" "$name" p90)") |" \
        "$(us "$(medians_of "$stage" "$name" p99)") | $added50 | $added99 |" \
        "$(medians_of "$stage" "$name" cpu_per_request) |"
    done
  done
  echo
  echo "**Throughput** (wrk -t$wrk_threads):"
  echo
  echo "| connections | target | req/s | p50 | p99 | socket errors / non-2xx | CPU µs/request (gateway + mock) | steal / other processes (% of a core) |"
  echo "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |"
  throughput_stages=()
  for connections in "${connection_counts[@]}"; do throughput_stages+=("c$connections"); done
  throughput_stages+=("c${top}_1ms")
  for stage in "${throughput_stages[@]}"; do
    if [[ $stage == *_1ms ]]; then targets=("${delay_targets[@]}"); else targets=("${base_targets[@]}"); fi
    for name in "${targets[@]}"; do
      total_errors=0 total_non2xx=0
      for ((round = 1; round <= rounds; round++)); do
        total_errors=$((total_errors + errors[$stage/$name/$round]))
        total_non2xx=$((total_non2xx + non2xx[$stage/$name/$round]))
      done
      level="${stage#c}"
      echo "| ${level/_1ms/ (1 ms)} | ${target_label[$name]} | $(thousands "$(medians_of "$stage" "$name" rps)") |" \
        "$(us "$(medians_of "$stage" "$name" p50)") | $(us "$(medians_of "$stage" "$name" p99)") |" \
        "$total_errors / $total_non2xx | $(medians_of "$stage" "$name" cpu_per_request) |" \
        "$(medians_of "$stage" "$name" steal) / $(medians_of "$stage" "$name" other_cpu) |"
    done
  done
  echo
  echo "Ratios (median over rounds of the per-round ratio of requests/s):"
  echo
  for stage in "${throughput_stages[@]}"; do
    if [[ $stage == *_1ms ]]; then a=aic_1ms n=nginx_1ms d=direct_1ms p=portkey_1ms; else a=aic n=nginx d=direct p=portkey; fi
    level="${stage#c}"
    line="- ${level%_1ms} connections$([[ $stage == *_1ms ]] && echo ", mock answering after 1 ms"): aic/direct $(ratio "$(round_ratio "$stage" "$a" "$d")"), aic/nginx $(ratio "$(round_ratio "$stage" "$a" "$n")")"
    [[ "$use_portkey" == 1 ]] && line="$line, aic/Portkey $(ratio "$(round_ratio "$stage" "$a" "$p")")"
    echo "$line"
  done
  echo
  echo "Per-round requests/s (target order rotates), with the CPU other processes used meanwhile" \
    "(% of a core; anything above a few % disturbed the round):"
  echo
  for stage in c1 c1_1ms "${throughput_stages[@]}"; do
    if [[ $stage == *_1ms ]]; then targets=("${delay_targets[@]}"); else targets=("${base_targets[@]}"); fi
    line=""
    for name in "${targets[@]}"; do
      values=()
      for ((round = 1; round <= rounds; round++)); do
        values+=("$(thousands "${rps[$stage/$name/$round]}") (${other_cpu[$stage/$name/$round]}%)")
      done
      line="$line${line:+; }$name $(printf '%s, ' "${values[@]}" | sed 's/, $//')"
    done
    echo "- $stage: $line"
  done
  echo
  echo "**aic's own overhead** (aic_ai_gateway_overhead_seconds, the requests of each stage," \
    "warm-ups included):"
  echo
  for stage in c1 c1_1ms "${throughput_stages[@]}" sequential; do
    echo "- $stage: ${stage_overhead[$stage]}"
  done
  echo "- aic-overhead-us header, $sequential sequential non-streamed requests: p50" \
    "$(field plain_aic overhead_header_p50) µs, p99 $(field plain_aic overhead_header_p99) µs;" \
    "streamed (until the headers): p50 $(field ttft_aic overhead_header_p50) µs, p99" \
    "$(field ttft_aic overhead_header_p99) µs"
  echo
  echo "**Streams**, $stream_chunks chunks + usage + [DONE]; sequential: one keep-alive" \
    "connection, ${stream_gap} ms between events, $sequential requests after 200 discarded:"
  echo
  echo "| path | TTFT p50 | TTFT p90 | TTFT p99 | whole stream p50 | added TTFT p50 / p99 | new client connections (connect p50, included) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  stream_rows=(direct aic)
  [[ "$use_portkey" == 1 ]] && stream_rows+=(portkey)
  for row in "${stream_rows[@]}"; do
    added="—"
    if [[ $row != direct ]]; then
      added="$(us $(($(field "ttft_$row" ttft_p50) - $(field ttft_direct ttft_p50)))) / $(us $(($(field "ttft_$row" ttft_p99) - $(field ttft_direct ttft_p99))))"
    fi
    echo "| $row | $(us "$(field "ttft_$row" ttft_p50)") | $(us "$(field "ttft_$row" ttft_p90)") |" \
      "$(us "$(field "ttft_$row" ttft_p99)") | $(us "$(field "ttft_$row" whole_p50)") | $added |" \
      "$(field "ttft_$row" connects) ($(us "$(field "ttft_$row" connect_p50)")) |"
  done
  echo
  echo "Sequential non-streamed requests on one keep-alive connection (the same client):" \
    "direct p50 $(us "$(field plain_direct whole_p50)"), p99 $(us "$(field plain_direct whole_p99)");" \
    "aic p50 $(us "$(field plain_aic whole_p50)"), p99 $(us "$(field plain_aic whole_p99)")."
  echo
  echo "$streams concurrent streams, ${slow_gap} ms between events (ideal duration" \
    "$(((stream_chunks + 1) * slow_gap)) ms):"
  echo
  echo "| path | complete | failed / unfinished | duration min | p50 | max | TTFT p50 / max | longest silence in a stream |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in direct aic; do
    echo "| $row | $(field "many_$row" complete) / $streams | $(field "many_$row" failed) / $(field "many_$row" unfinished) |" \
      "$(us "$(field "many_$row" duration_min)") | $(us "$(field "many_$row" duration_p50)") |" \
      "$(us "$(field "many_$row" duration_max)") | $(us "$(field "many_$row" ttft_p50)") / $(us "$(field "many_$row" ttft_max)") |" \
      "$(us "$(field "many_$row" longest_silence)") |"
  done
  echo
  echo "**aic's memory** (VmRSS): $rss_idle_start MB idle after start, $rss_idle_warm MB idle" \
    "after one request per model, $rss_after_load MB right after the load, peak (VmHWM)" \
    "$rss_peak MB, $rss_settled MB ${settle} s after the load. For scale, at the end: nginx" \
    "(master + workers) $nginx_rss MB, Portkey $portkey_rss MB (peak $portkey_peak MB)."
  echo
  echo "aic log lines at warn or above during the run: $aic_errors."
  echo
  # Targets.
  c1_added99="$(round_difference c1 aic direct p99)"
  best_level="" best_rps=0
  for connections in "${connection_counts[@]}"; do
    r="$(medians_of "c$connections" aic rps)"
    q="$(medians_of "c$connections" aic p99)"
    if awk -v r="$r" -v q="$q" 'BEGIN { exit !(r >= 10000 && q < 5000) }'; then best_level="$connections"; best_rps="$r"; fi
  done
  echo "| target | result |"
  echo "| --- | --- |"
  echo "| added latency p99 ≤ 150 µs at concurrency 1 | $(verdict "$c1_added99 <= 150") ($(us "$c1_added99")) |"
  if [[ -n "$best_level" ]]; then
    echo "| ≥ 10,000 req/s through aic with p99 < 5 ms | met at $best_level connections ($(thousands "$best_rps") req/s) |"
  else
    echo "| ≥ 10,000 req/s through aic with p99 < 5 ms | MISSED at every level |"
  fi
  for connections in "${connection_counts[@]}"; do
    r="$(round_ratio "c$connections" aic nginx)"
    line="| ≥ 0.6 × nginx at $connections connections | $(verdict "$r >= 0.6") ($(ratio "$r")) |"
    echo "$line"
    if [[ "$use_portkey" == 1 ]]; then
      r="$(round_ratio "c$connections" aic portkey)"
      echo "| ≥ 10 × Portkey at $connections connections | $(verdict "$r >= 10") ($(ratio "$r")) |"
    fi
  done
  ttft_added="$(($(field ttft_aic ttft_p50) - $(field ttft_direct ttft_p50)))"
  echo "| streaming adds ≤ 300 µs to TTFT (p50) | $(verdict "$ttft_added <= 300") ($(us "$ttft_added")) |"
  echo "| $streams concurrent streams without a stall | $(verdict "$(field many_aic complete) == $streams") ($(field many_aic complete) complete, longest silence $(us "$(field many_aic longest_silence)")) |"
  echo "| idle RSS < 30 MB | $(verdict "$rss_idle_warm < 30") ($rss_idle_warm MB) |"
  echo "| back to idle after load | $rss_settled MB against $rss_idle_warm MB idle, peak $rss_peak MB |"
} >"$report"

cp "$report" "$results_file"
echo
cat "$report"
echo
log "written to ${results_file#"$repo_root"/}; raw output in ${raw_dir#"$repo_root"/}/"

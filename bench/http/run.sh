#!/usr/bin/env bash
# HTTP load benchmark: aic's GET /healthz against nginx serving the same body and headers,
# measured with wrk in the same run, at 100, 1,000 and 10,000 keep-alive connections.
# Prints a markdown table and writes it to build/bench/http-results.md; raw wrk output goes to
# build/bench/http-raw/. Both servers are stopped on exit, failure or Ctrl-C.
#
# Usage: bench/http/run.sh            (or: make bench)
# Environment (all optional):
#   BENCH_DURATION=10s          measured wrk run per server and connection count
#   BENCH_WARMUP=3s             discarded wrk run before each measured one
#   BENCH_CONNECTIONS="100 1000 10000"
#   BENCH_ROUNDS=5              measured runs per server and connection count, alternating
#                               nginx/aic; the report shows medians
#   BENCH_MAX_STEAL=5           a round where the hypervisor took more than this % of a core
#                               from either run is left out of the medians (when at least two
#                               rounds stay)
#   BENCH_WRK_THREADS=2         wrk -t
#   BENCH_WORKERS=2             nginx worker_processes and aic AIC_IO_THREADS (like for like)
#   BENCH_NGINX_PORT=18081, BENCH_AIC_PORT=18082
#   BENCH_SKIP_BUILD=1          use the existing binary (no package install, no build)
#   BENCH_AIC_BINARY=PATH       aic binary to measure (default build/release/aic)
#   BENCH_BUILD_JOBS=2          parallel compile jobs for the Release build
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-3s}"
read -r -a connection_counts <<<"${BENCH_CONNECTIONS:-100 1000 10000}"
rounds="${BENCH_ROUNDS:-5}"
max_steal="${BENCH_MAX_STEAL:-5}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_workers="${BENCH_WORKERS:-2}"
nginx_port="${BENCH_NGINX_PORT:-18081}"
aic_port="${BENCH_AIC_PORT:-18082}"
build_jobs="${BENCH_BUILD_JOBS:-2}"
aic_binary="${BENCH_AIC_BINARY:-$repo_root/build/release/aic}"
results_dir="$repo_root/build/bench"
raw_dir="$results_dir/http-raw"
results_file="$results_dir/http-results.md"
wanted_open_files=20000

log() { echo "bench: $*" >&2; }
die() {
  echo "bench: error: $*" >&2
  exit 1
}

# 1. dependencies and the Release build
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  scripts/install-deps.sh bench
  cmake --preset release
  cmake --build --preset release -j "$build_jobs"
fi
for tool in nginx wrk; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh bench)"
done
[[ -x "$aic_binary" ]] || die "$aic_binary not found (build with: cmake --preset release)"

# 2. file descriptors
# wrk and each server hold one descriptor per connection, plus a few of their own.
max_connections=0
for count in "${connection_counts[@]}"; do
  [[ "$count" =~ ^[0-9]+$ ]] || die "BENCH_CONNECTIONS: '$count' is not a number"
  if ((count > max_connections)); then max_connections=$count; fi
done
needed_open_files=$((max_connections + 1024))
hard_limit="$(ulimit -Hn)"
if [[ "$hard_limit" == unlimited ]] || ((hard_limit >= wanted_open_files)); then
  ulimit -n "$wanted_open_files"
elif ((hard_limit >= needed_open_files)); then
  ulimit -n "$hard_limit"
else
  die "the hard open-file limit is $hard_limit; $max_connections connections need at least" \
    "$needed_open_files (raise it in /etc/security/limits.conf or the container settings)"
fi
log "open-file limit $(ulimit -n)"

read -r port_low port_high </proc/sys/net/ipv4/ip_local_port_range
if ((port_high - port_low + 1 < max_connections)); then
  die "net.ipv4.ip_local_port_range ($port_low-$port_high) has fewer ports than" \
    "$max_connections connections"
fi

# servers
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/aic-bench-http.XXXXXX")"
nginx_pid=""
aic_pid=""

stop_process() {
  local pid="$1" name="$2"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 5s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_process "$nginx_pid" nginx
  stop_process "$aic_pid" aic
  rm -rf "$work_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Sends one GET /healthz over bash's /dev/tcp (no curl needed) and prints the raw response.
fetch_healthz() {
  local port="$1"
  # shellcheck disable=SC2016  # $1 expands in the inner shell
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" >&3
    cat <&3' _ "$port" 2>/dev/null
}

wait_until_healthy() {
  local port="$1" name="$2" pid="$3" log_file="$4"
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up; its log:$(printf '\n')$(cat "$log_file")"
    if fetch_healthz "$port" | head -n 1 | grep -q ' 200 '; then return 0; fi
    sleep 0.1
  done
  die "$name did not answer GET /healthz on 127.0.0.1:$port within 10s; its log:$(printf '\n')$(cat "$log_file")"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$nginx_port" "$aic_port"; do
  port_in_use "$port" && die "127.0.0.1:$port is already in use (set BENCH_NGINX_PORT/BENCH_AIC_PORT)"
done

# nginx, from the checked-in configuration rendered into a private prefix.
mkdir -p "$work_dir/nginx/tmp"
sed -e "s/@PORT@/$nginx_port/g" -e "s/@WORKERS@/$server_workers/g" \
  bench/http/nginx.conf >"$work_dir/nginx/nginx.conf"
nginx -t -q -p "$work_dir/nginx" -e "$work_dir/nginx/error.log" -c "$work_dir/nginx/nginx.conf" ||
  die "nginx rejected bench/http/nginx.conf"
nginx -p "$work_dir/nginx" -e "$work_dir/nginx/error.log" -c "$work_dir/nginx/nginx.conf" \
  -g 'daemon off;' >"$work_dir/nginx.out" 2>&1 &
nginx_pid=$!

# aic, with a throwaway SQLite database and only the settings below (no AIC_* from the caller).
(
  while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^AIC_' || true)
  export AIC_DATABASE_URL="sqlite://$work_dir/aic.db"
  export AIC_LOG_ACCESS=false
  export AIC_IO_THREADS="$server_workers"
  export AIC_MAX_CONNECTIONS=15000
  export AIC_SHUTDOWN_GRACE=2s
  exec "$aic_binary" serve --listen "127.0.0.1:$aic_port"
) >"$work_dir/aic.out" 2>&1 &
aic_pid=$!

wait_until_healthy "$nginx_port" nginx "$nginx_pid" "$work_dir/nginx/error.log"
wait_until_healthy "$aic_port" aic "$aic_pid" "$work_dir/aic.out"
log "nginx (pid $nginx_pid) on 127.0.0.1:$nginx_port, aic (pid $aic_pid) on 127.0.0.1:$aic_port"
for server in nginx aic; do
  port_var="${server}_port"
  log "$server answers:"
  fetch_healthz "${!port_var}" | tr -d '\r' | sed 's/^/    /' >&2
  echo >&2
done

# 3. load
mkdir -p "$raw_dir"

# Converts a wrk duration ("812.00us", "1.23ms", "2.01s", "1.50m") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000; exit }
    if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v; exit }
    if (v ~ /m$/)  { sub(/m$/, "", v);  printf "%.3f", v * 60000; exit }
    if (v ~ /s$/)  { sub(/s$/, "", v);  printf "%.3f", v * 1000; exit }
    printf "nan" }'
}

# Parses a wrk --latency report into globals: requests_per_second, p50, p99 (as wrk prints
# them), socket_errors (total), socket_error_detail, non_2xx.
parse_wrk() {
  local file="$1" line
  requests_per_second="$(awk '/^Requests\/sec:/ {print $2}' "$file")"
  p50="$(awk '$1 == "50%" {print $2}' "$file")"
  p99="$(awk '$1 == "99%" {print $2}' "$file")"
  non_2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$file")"
  non_2xx="${non_2xx:-0}"
  line="$(grep 'Socket errors:' "$file" || true)"
  if [[ -z "$line" ]]; then
    socket_errors=0
    socket_error_detail=""
  else
    # "  Socket errors: connect 0, read 12, write 0, timeout 3"
    socket_errors="$(awk -F'[ ,]+' '{for (i = 1; i < NF; i++) if ($i ~ /^(connect|read|write|timeout)$/) s += $(i + 1)} END {print s + 0}' <<<"$line")"
    socket_error_detail="$(awk -F'[ ,]+' '{out = ""; for (i = 1; i < NF; i++) if ($i ~ /^(connect|read|write|timeout)$/ && $(i + 1) > 0) out = out (out == "" ? "" : ", ") $i " " $(i + 1); print out}' <<<"$line")"
  fi
  [[ -n "$requests_per_second" && -n "$p50" && -n "$p99" ]] ||
    die "could not parse wrk output in $file:$(printf '\n')$(cat "$file")"
}

# CPU time (clock ticks) used so far by process $1, all its threads and its child processes
# (nginx's workers).
server_ticks() {
  local total=0 pid ticks
  for pid in "$1" $(pgrep -P "$1" || true); do
    ticks="$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)"
    total=$((total + ticks))
  done
  echo "$total"
}
# CPU time (clock ticks) of this script's finished children, i.e. of the wrk runs.
children_ticks() { awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$$/stat"; }
now() { date +%s.%N; }
# Percent of one core used: ticks over a wall-clock interval.
cpu_percent() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v a="$2" -v b="$3" \
    'BEGIN { printf "%.0f%%", 100 * t / hz / (b - a) }'
}

run_wrk() {
  local server="$1" connections="$2" run_duration="$3" output="$4" port_var="${1}_port"
  kill -0 "$([[ $server == nginx ]] && echo "$nginx_pid" || echo "$aic_pid")" 2>/dev/null ||
    die "$server is no longer running"
  wrk -t"$wrk_threads" -c"$connections" -d"$run_duration" --latency \
    "http://127.0.0.1:${!port_var}/healthz" >"$output" 2>&1 ||
    die "wrk failed against $server:$(printf '\n')$(cat "$output")"
}

# Ticks the hypervisor gave to other guests ("steal", /proc/stat) so far: on a shared host a
# run can lose a large share of its CPU, which the report makes visible.
steal_ticks() { awk '$1 == "cpu" {print $9}' /proc/stat; }

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Per run (key server/connections/round): requests/s, p50 and p99 in ms, socket errors,
# non-2xx answers, CPU of the server and of wrk, steal.
declare -A rps lat50 lat99 errors error_detail non2xx server_cpu wrk_cpu steal_cpu
for connections in "${connection_counts[@]}"; do
  for ((round = 1; round <= rounds; round++)); do
    # Alternate which server goes first so neither is systematically on the warmer machine.
    if ((round % 2 == 1)); then order=(nginx aic); else order=(aic nginx); fi
    for server in "${order[@]}"; do
      log "$server, $connections connections, round $round/$rounds: warm-up $warmup, then $duration"
      run_wrk "$server" "$connections" "$warmup" "$raw_dir/$server-c$connections-r$round-warmup.txt"
      sleep 1  # let the warm-up connections close
      pid_var="${server}_pid"
      server_before="$(server_ticks "${!pid_var}")"
      wrk_before="$(children_ticks)"
      steal_before="$(steal_ticks)"
      started="$(now)"
      run_wrk "$server" "$connections" "$duration" "$raw_dir/$server-c$connections-r$round.txt"
      finished="$(now)"
      server_after="$(server_ticks "${!pid_var}")"
      wrk_after="$(children_ticks)"
      steal_after="$(steal_ticks)"
      sleep 1
      parse_wrk "$raw_dir/$server-c$connections-r$round.txt"
      key="$server/$connections/$round"
      rps[$key]="$requests_per_second"
      lat50[$key]="$(to_ms "$p50")"
      lat99[$key]="$(to_ms "$p99")"
      errors[$key]="$socket_errors"
      error_detail[$key]="$socket_error_detail"
      non2xx[$key]="$non_2xx"
      server_cpu[$key]="$(cpu_percent $((server_after - server_before)) "$started" "$finished")"
      wrk_cpu[$key]="$(cpu_percent $((wrk_after - wrk_before)) "$started" "$finished")"
      steal_cpu[$key]="$(cpu_percent $((steal_after - steal_before)) "$started" "$finished")"
      log "  $requests_per_second req/s, p50 $p50, p99 $p99, socket errors $socket_errors," \
        "non-2xx $non_2xx; CPU: $server ${server_cpu[$key]}, wrk ${wrk_cpu[$key]}," \
        "stolen by the host ${steal_cpu[$key]}"
    done
  done
done

# Medians over the rounds (key server/connections), and totals for errors. The throughput
# ratio is the median of each round's aic/nginx ratio: the two runs of a round are back to
# back, so a slow phase of a shared host hits both. Rounds in which the hypervisor stole
# more than max_steal % of a core from either run are left out (used_rounds).
declare -A med_rps med50 med99 total_errors total_non2xx med_server_cpu med_wrk_cpu med_steal
declare -A med_ratio used_rounds med_cpu_per_request
for connections in "${connection_counts[@]}"; do
  clean=()
  for ((round = 1; round <= rounds; round++)); do
    if awk -v a="${steal_cpu[aic/$connections/$round]%\%}" -v n="${steal_cpu[nginx/$connections/$round]%\%}" \
      -v m="$max_steal" 'BEGIN { exit !(a <= m && n <= m) }'; then
      clean+=("$round")
    fi
  done
  if ((${#clean[@]} >= 2)); then
    used_rounds[$connections]="${clean[*]}"
  else
    used_rounds[$connections]="$(seq -s ' ' 1 "$rounds")"
  fi
  round_ratios=()
  for round in ${used_rounds[$connections]}; do
    round_ratios+=("$(awk -v a="${rps[aic/$connections/$round]}" -v n="${rps[nginx/$connections/$round]}" 'BEGIN { printf "%.4f", (n > 0) ? a / n : 0 }')")
  done
  med_ratio[$connections]="$(median "${round_ratios[@]}")"
  for server in nginx aic; do
    values_rps=() values50=() values99=() values_server=() values_wrk=() values_steal=()
    values_cost=()
    sum_errors=0 sum_non2xx=0 details=""
    for ((round = 1; round <= rounds; round++)); do
      key="$server/$connections/$round"
      sum_errors=$((sum_errors + errors[$key]))
      sum_non2xx=$((sum_non2xx + non2xx[$key]))
      [[ -n "${error_detail[$key]}" ]] && details="${details:+$details; }${error_detail[$key]}"
    done
    for round in ${used_rounds[$connections]}; do
      key="$server/$connections/$round"
      values_rps+=("${rps[$key]}")
      values50+=("${lat50[$key]}")
      values99+=("${lat99[$key]}")
      values_server+=("${server_cpu[$key]%\%}")
      values_wrk+=("${wrk_cpu[$key]%\%}")
      values_steal+=("${steal_cpu[$key]%\%}")
      # Server CPU time per request in µs: robust to a slow host, which lowers both.
      values_cost+=("$(awk -v c="${server_cpu[$key]%\%}" -v r="${rps[$key]}" 'BEGIN { printf "%.2f", (r > 0) ? c / 100 / r * 1e6 : 0 }')")
    done
    key="$server/$connections"
    med_rps[$key]="$(median "${values_rps[@]}")"
    med50[$key]="$(median "${values50[@]}")"
    med99[$key]="$(median "${values99[@]}")"
    med_server_cpu[$key]="$(median "${values_server[@]}")%"
    med_wrk_cpu[$key]="$(median "${values_wrk[@]}")%"
    med_steal[$key]="$(median "${values_steal[@]}")%"
    med_cpu_per_request[$key]="$(median "${values_cost[@]}")"
    total_errors[$key]="$sum_errors"
    error_detail[$key]="$details"
    total_non2xx[$key]="$sum_non2xx"
  done
done

# 4. report
format_errors() {
  local key="$1"
  if [[ -n "${error_detail[$key]}" ]]; then
    echo "${total_errors[$key]} (${error_detail[$key]})"
  else
    echo "${total_errors[$key]}"
  fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
thousands() { printf "%.0f" "$1" | sed -e ':again' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 't again'; }
ms() { awk -v v="$1" 'BEGIN { if (v < 1) printf "%.0fus", v * 1000; else printf "%.2fms", v }'; }

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain -- src 2>/dev/null)" ]]; then
  commit="$commit + uncommitted changes in src/"
fi
report="$work_dir/report.md"
{
  echo "wrk -t$wrk_threads -cN -d$duration --latency (warm-up $warmup before each run), $rounds rounds per server and N alternating nginx/aic, medians over the rounds where the hypervisor stole at most $max_steal% of a core; $(date -u '+%Y-%m-%d %H:%M UTC'), aic at $commit; $(nproc) cores shared by wrk and the server; nginx $server_workers workers, aic $server_workers I/O threads."
  echo
  echo "| connections | nginx req/s | aic req/s | aic/nginx ratio (median of rounds) | nginx p50 / p99 | aic p50 / p99 | p99 ratio (aic/nginx) | socket errors (nginx / aic) | non-2xx (nginx / aic) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  for connections in "${connection_counts[@]}"; do
    n="nginx/$connections"
    a="aic/$connections"
    echo "| $(thousands "$connections") | $(thousands "${med_rps[$n]}") | $(thousands "${med_rps[$a]}") |" \
      "$(printf '%.2f' "${med_ratio[$connections]}") | $(ms "${med50[$n]}") / $(ms "${med99[$n]}") |" \
      "$(ms "${med50[$a]}") / $(ms "${med99[$a]}") | $(ratio "${med99[$a]}" "${med99[$n]}") |" \
      "$(format_errors "$n") / $(format_errors "$a") | ${total_non2xx[$n]} / ${total_non2xx[$a]} |"
  done
  echo
  echo "Every round's requests/s (nginx / aic = ratio; * = left out for steal):"
  echo
  for connections in "${connection_counts[@]}"; do
    line=""
    for ((round = 1; round <= rounds; round++)); do
      mark=""
      [[ " ${used_rounds[$connections]} " == *" $round "* ]] || mark="*"
      line="$line${line:+; }$mark$(thousands "${rps[nginx/$connections/$round]}") / $(thousands "${rps[aic/$connections/$round]}") = $(ratio "${rps[aic/$connections/$round]}" "${rps[nginx/$connections/$round]}")"
    done
    echo "- $(thousands "$connections") connections: $line"
  done
  echo
  echo "CPU used during the measured runs (medians), in % of one core ($(nproc) cores = $(($(nproc) * 100))%); \"stolen\" is CPU the hypervisor gave to other guests:"
  echo
  echo "| connections | nginx | wrk (against nginx) | stolen | aic | wrk (against aic) | stolen | server CPU µs per request (nginx / aic) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for connections in "${connection_counts[@]}"; do
    n="nginx/$connections"
    a="aic/$connections"
    echo "| $(thousands "$connections") | ${med_server_cpu[$n]} | ${med_wrk_cpu[$n]} | ${med_steal[$n]} | ${med_server_cpu[$a]} | ${med_wrk_cpu[$a]} | ${med_steal[$a]} | ${med_cpu_per_request[$n]} / ${med_cpu_per_request[$a]} |"
  done
  echo
  echo "Targets: aic/nginx >= 0.90 at 100 and 1,000 connections; 10,000 connections with zero socket errors; p99 ratio <= 1.25."
  for connections in "${connection_counts[@]}"; do
    n="nginx/$connections"
    a="aic/$connections"
    verdict=()
    throughput="$(printf '%.2f' "${med_ratio[$connections]}")"
    p99_ratio="$(ratio "${med99[$a]}" "${med99[$n]}")"
    if ((connections <= 1000)); then
      awk -v r="$throughput" 'BEGIN { exit !(r >= 0.9) }' && verdict+=("throughput met") ||
        verdict+=("throughput MISSED")
    fi
    if ((connections >= 10000)); then
      if [[ "${total_errors[$a]}" == 0 ]]; then
        verdict+=("zero socket errors met")
      else
        verdict+=("socket errors MISSED")
      fi
    fi
    awk -v r="$p99_ratio" 'BEGIN { exit !(r <= 1.25) }' && verdict+=("p99 met") || verdict+=("p99 MISSED")
    joined="$(printf '%s, ' "${verdict[@]}")"
    echo "- $(thousands "$connections") connections: ${joined%, }"
  done
} >"$report"

mkdir -p "$results_dir"
cp "$report" "$results_file"
echo
cat "$report"
echo
log "written to ${results_file#"$repo_root"/}; raw wrk output in ${raw_dir#"$repo_root"/}/"

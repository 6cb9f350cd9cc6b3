# shellcheck shell=bash
# shellcheck disable=SC2154  # work_dir and mock are the sourcing script's (see below)
# Sourced, not run: the processes bench/gateway/run.sh and scripts/build-pgo.sh start around
# aic (the mock model providers, `aic serve` with its config, a tenant and key), and their
# clean-up.
#
# The sourcing script defines log and die, sets `work_dir` (a fresh directory, removed on exit)
# and `mock` (the aic_gateway_mock_upstream binary), then calls stop_on_exit.

started_pids=()

# Stops process $1: SIGTERM, up to 5 s for it to exit (aic writes its profile and finishes its
# usage records then), SIGKILL after that.
stop_process() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${started_pids[@]}"; do stop_process "$pid"; done
  rm -rf "$work_dir"
  exit "$status"
}

# Every process in started_pids is stopped and work_dir removed on exit, failure or Ctrl-C.
stop_on_exit() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_mock NAME PORT ARGS…: starts a mock provider, waits for its "listening on" line and
# sets ${NAME}_pid. Variables assigned before the call (GCOV_PREFIX=…) reach the mock.
start_mock() {
  local name="$1" port="$2"
  shift 2
  "$mock" "$port" "$@" >"$work_dir/$name.out" 2>&1 &
  local pid=$!
  started_pids+=("$pid")
  printf -v "${name}_pid" '%s' "$pid"
  for _ in $(seq 100); do
    grep -q '^listening on' "$work_dir/$name.out" && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited: $(cat "$work_dir/$name.out")"
    sleep 0.05
  done
  die "$name did not start: $(cat "$work_dir/$name.out")"
}

# write_aic_config FILE PORT IO_THREADS MODEL=MOCK_PORT…: the config aic runs with: a
# throwaway SQLite database in work_dir, no access log, no webhook delivery, a rate limit that
# is never reached (the bench tenant is on the enterprise plan: the limiter must not be what is
# measured), and per MODEL an OpenAI-compatible provider on 127.0.0.1:MOCK_PORT, named after
# the model with "mock" for "bench" (bench-stream → mock-stream). An empty IO_THREADS leaves
# aic's default.
write_aic_config() {
  local file="$1" port="$2" io_threads="$3"
  shift 3
  {
    printf '[server]\nlisten = "127.0.0.1:%s"\n' "$port"
    [[ -z "$io_threads" ]] || printf 'io_threads = %s\n' "$io_threads"
    cat <<TOML
[database]
url = "sqlite://$work_dir/aic.db"
[log]
level = "warn"
access = false
[rate_limits]
enterprise = 1000000000
[webhooks]
deliver = false
TOML
    local pair model
    for pair in "$@"; do
      model="${pair%%=*}"
      printf '\n[[ai.providers]]\nname = "%s"\nkind = "openai"\nbase_url = "http://127.0.0.1:%s/v1"\n' \
        "mock${model#bench}" "${pair#*=}"
      printf '[[ai.models]]\nname = "%s"\nprovider = "%s"\nupstream_model = "mock"\n' \
        "$model" "mock${model#bench}"
      printf 'input_price = 0.15\noutput_price = 0.60\n'
    done
  } >"$file"
}

# start_aic AIC CONFIG PORT TENANT: with the database of CONFIG, the operator's bootstrap and
# a tenant named TENANT on the enterprise plan; then `aic serve`, waited for until /healthz
# answers. Sets api_key (the tenant owner's) and aic_pid. No AIC_* variable of the caller's
# reaches aic: CONFIG is all it is configured by.
start_aic() {
  local aic="$1" config="$2" port="$3" tenant="$4"
  while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^AIC_' || true)
  "$aic" -c "$config" admin bootstrap >"$work_dir/bootstrap.out" 2>&1 ||
    die "aic admin bootstrap failed: $(cat "$work_dir/bootstrap.out")"
  local slug="${tenant,,}"
  "$aic" -c "$config" admin create-tenant --name "$tenant" --owner-email "owner@$slug.example" \
    --plan enterprise --json >"$work_dir/tenant.json" 2>"$work_dir/tenant.err" ||
    die "aic admin create-tenant failed: $(cat "$work_dir/tenant.err")"
  api_key="$(sed -E 's/.*"owner_api_key":"([^"]+)".*/\1/' "$work_dir/tenant.json")"
  [[ "$api_key" == aic_* ]] || die "no owner_api_key in: $(cat "$work_dir/tenant.json")"

  "$aic" -c "$config" serve >"$work_dir/aic.out" 2>&1 &
  aic_pid=$!
  started_pids+=("$aic_pid")
  for _ in $(seq 200); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$aic_pid" 2>/dev/null || die "aic exited: $(cat "$work_dir/aic.out")"
    sleep 0.1
  done
  die "aic did not answer /healthz on port $port: $(tail -5 "$work_dir/aic.out")"
}

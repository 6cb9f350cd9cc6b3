#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for tests.
#
# Usage: tests/support/pg_cluster.sh start|stop STATE_DIR
#
#   start  initialises a cluster in a fresh directory under STATE_DIR, starts it on 127.0.0.1
#          at a random port and writes its URL (postgres://postgres@127.0.0.1:PORT/postgres)
#          to STATE_DIR/url. A cluster already running for STATE_DIR is reused.
#   stop   stops the cluster immediately and deletes its files; a no-op when none runs.
#
# The cluster trades durability for speed (fsync off): it exists only for one test run.
# Authentication is `trust` and it listens on loopback only. When run as root, the server runs
# as the `postgres` system user, because PostgreSQL refuses to run as root.
# Overrides: AIC_PG_BIN (directory holding initdb and pg_ctl).
set -euo pipefail

readonly kMaxStartAttempts=20

die() {
  echo "pg_cluster: error: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
}

(($# == 2)) || usage
command="$1"
state_dir="$2"
[[ -n "$state_dir" ]] || usage

# The newest installed major version wins (sort -V orders 9.6 < 15 < 16).
find_pg_bin() {
  if [[ -n "${AIC_PG_BIN:-}" ]]; then
    [[ -x "$AIC_PG_BIN/pg_ctl" ]] || die "AIC_PG_BIN=$AIC_PG_BIN has no pg_ctl"
    echo "$AIC_PG_BIN"
    return
  fi
  local candidate newest=""
  while IFS= read -r candidate; do
    [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]] && newest="$candidate"
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  [[ -n "$newest" ]] || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin" \
    "(install postgresql-15: scripts/install-deps.sh)"
  echo "$newest"
}

# Runs a PostgreSQL binary as the user that owns the cluster.
as_postgres() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Removes what a failed start left behind, then exits with the error.
fail_start() {
  do_stop >/dev/null 2>&1 || true
  die "$@"
}

print_log_tail() {
  local log_file="$1"
  if [[ -f "$log_file" ]]; then
    echo "pg_cluster: last lines of $log_file:" >&2
    tail -n 40 "$log_file" >&2 || true
  fi
}

# STATE_DIR/cluster holds the path of the cluster directory (data/, server.log, socket).
cluster_file="$state_dir/cluster"
url_file="$state_dir/url"

stop_cluster_dir() {
  local cluster_dir="$1" pg_bin="$2"
  if [[ -f "$cluster_dir/data/postmaster.pid" ]]; then
    as_postgres "$pg_bin/pg_ctl" stop -D "$cluster_dir/data" -m immediate -w -t 30 \
      >/dev/null 2>&1 || true
  fi
  # A server that ignored the stop request must not outlive its deleted files.
  if [[ -f "$cluster_dir/data/postmaster.pid" ]]; then
    local pid
    pid="$(head -n 1 "$cluster_dir/data/postmaster.pid" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      echo "pg_cluster: postmaster $pid did not stop; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf -- "$cluster_dir"
}

do_stop() {
  local pg_bin cluster_dir
  pg_bin="$(find_pg_bin)"
  if [[ -f "$cluster_file" ]]; then
    cluster_dir="$(cat "$cluster_file")"
    [[ -d "$cluster_dir" ]] && stop_cluster_dir "$cluster_dir" "$pg_bin"
  fi
  # Leftovers of an interrupted start that never recorded its directory.
  for cluster_dir in "$state_dir"/cluster.*; do
    [[ -d "$cluster_dir" ]] && stop_cluster_dir "$cluster_dir" "$pg_bin"
  done
  rm -f -- "$cluster_file" "$url_file"
  echo "pg_cluster: stopped"
}

is_running() {
  local pg_bin="$1"
  [[ -f "$cluster_file" && -f "$url_file" ]] || return 1
  local cluster_dir
  cluster_dir="$(cat "$cluster_file")"
  [[ -d "$cluster_dir/data" ]] || return 1
  as_postgres "$pg_bin/pg_ctl" status -D "$cluster_dir/data" >/dev/null 2>&1
}

do_start() {
  local pg_bin
  pg_bin="$(find_pg_bin)"
  mkdir -p -- "$state_dir"
  state_dir="$(cd -- "$state_dir" && pwd -P)"
  cluster_file="$state_dir/cluster"
  url_file="$state_dir/url"

  if is_running "$pg_bin"; then
    echo "pg_cluster: already running at $(cat "$url_file")"
    return 0
  fi
  do_stop >/dev/null

  local cluster_dir
  cluster_dir="$(mktemp -d "$state_dir/cluster.XXXXXX")"
  # pg_ctl -o splits its argument on spaces, and a Unix socket path is limited to 107 bytes.
  [[ "$cluster_dir" != *[[:space:]]* ]] ||
    fail_start "STATE_DIR must not contain spaces: $state_dir"
  ((${#cluster_dir} <= 80)) || fail_start "STATE_DIR path too long for a Unix socket: $state_dir"
  echo "$cluster_dir" >"$cluster_file"

  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$cluster_dir"
    chmod 0700 "$cluster_dir"
    as_postgres test -w "$cluster_dir" ||
      fail_start "user postgres cannot write $cluster_dir (is a parent directory private to root?)"
  fi

  local data_dir="$cluster_dir/data" log_file="$cluster_dir/server.log"
  if ! as_postgres "$pg_bin/initdb" -D "$data_dir" --auth=trust -U postgres --no-sync -E UTF8 \
    --locale=C >"$cluster_dir/initdb.log" 2>&1; then
    print_log_tail "$cluster_dir/initdb.log"
    fail_start "initdb failed"
  fi

  local attempt port
  for ((attempt = 1; attempt <= kMaxStartAttempts; attempt++)); do
    port="$(shuf -i 20000-60000 -n 1)"
    rm -f -- "$log_file"  # so the check below reads this attempt only
    if as_postgres "$pg_bin/pg_ctl" start -w -t 60 -D "$data_dir" -l "$log_file" \
      -o "-c listen_addresses=127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -k $cluster_dir" \
      >/dev/null 2>&1; then
      local url="postgres://postgres@127.0.0.1:$port/postgres"
      echo "$url" >"$url_file.tmp"
      mv -f -- "$url_file.tmp" "$url_file"
      echo "pg_cluster: started $("$pg_bin/postgres" --version) at $url (data in $data_dir)"
      return 0
    fi
    # Only a taken port is worth another try; anything else will fail the same way again.
    if ! grep -q -e "could not bind" -e "could not create any TCP/IP sockets" \
      -e "Address already in use" "$log_file" 2>/dev/null; then
      print_log_tail "$log_file"
      fail_start "PostgreSQL failed to start"
    fi
    as_postgres "$pg_bin/pg_ctl" stop -D "$data_dir" -m immediate >/dev/null 2>&1 || true
    echo "pg_cluster: port $port is taken; retrying ($attempt/$kMaxStartAttempts)" >&2
  done
  print_log_tail "$log_file"
  fail_start "PostgreSQL failed to start after $kMaxStartAttempts attempts"
}

case "$command" in
  start) do_start ;;
  stop) do_stop ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Installs every Debian 12 package AIC Platform needs to build, test and run, then the npm
# packages of the API contract tests. Idempotent: what is present is skipped; it prints what it
# installs.
# Usage: scripts/install-deps.sh [build|bench]   (default: build — compile, test, run)
set -euo pipefail

profile="${1:-build}"

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  clang clang-format clang-tidy libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev postgresql-15 libjemalloc-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libpugixml-dev libkainjow-mustache-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
bench_packages=(nginx-light wrk)

case "$profile" in
  build) wanted=("${build_packages[@]}") ;;
  bench) wanted=("${build_packages[@]}" "${bench_packages[@]}") ;;
  *) echo "usage: $0 [build|bench]" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "install-deps: done"
fi

# The Node.js tools of the API tests in tests/contract (Redocly's OpenAPI linter, ajv, the
# official OpenAI and Anthropic SDKs), exactly as package-lock.json pins them. `npm ci` runs
# only when the lock file changed since the last install (a checksum kept in node_modules).
# They need Node.js >= 20.19 with npm; without them the build still works and only the
# openapi.lint, contract and sdk tests fail.
install_node_packages() {
  local dir="$1"
  local stamp="$dir/node_modules/.aic-package-lock.sha256"
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm not found; the openapi.lint, contract and sdk tests need Node.js >= 20.19" >&2
    return 0
  fi
  local wanted_sum
  wanted_sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(<"$stamp")" == "$wanted_sum" ]]; then
    echo "install-deps: npm packages of ${dir#"$root"/} up to date"
    return 0
  fi
  echo "install-deps: npm ci in ${dir#"$root"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$wanted_sum" >"$stamp"
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
install_node_packages "$root/tests/contract"

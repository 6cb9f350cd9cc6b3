#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR for SECONDS each, starting from its seed corpus in
# tests/fuzz/corpus/<target minus _fuzz>/. New inputs go to a scratch directory, so the
# committed corpus only changes when someone adds to it on purpose. A crash fails the run
# and leaves the reproducer in build/fuzz-artifacts/. A target whose name matches a folder of
# ../shared/data (real bank files) also reads that folder, in place.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build_dir="${1:?build dir}"
seconds="${2:-20}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
artifacts="$root/build/fuzz-artifacts"
mkdir -p "$artifacts"

shopt -s nullglob
targets=("$build_dir"/tests/fuzz/*_fuzz)
if ((${#targets[@]} == 0)); then
  echo "fuzz: no targets in $build_dir/tests/fuzz" >&2
  exit 1
fi
for target in "${targets[@]}"; do
  name="$(basename "$target")"
  seeds="$root/tests/fuzz/corpus/${name%_fuzz}"
  shared="$root/../shared/data/${name%_fuzz}"
  corpora=("$seeds")
  [[ -d "$shared" ]] && corpora+=("$shared")
  scratch="$(mktemp -d)"
  echo "fuzz: $name for ${seconds}s (seeds: $(ls "$seeds" | wc -l)${corpora[1]:+ plus $shared})"
  if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "$scratch" "${corpora[@]}" \
      > "$artifacts/$name.log" 2>&1; then
    tail -50 "$artifacts/$name.log"
    rm -rf "$scratch"
    echo "fuzz: $name FAILED (reproducer in $artifacts)" >&2
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|cov:' "$artifacts/$name.log" | tail -2
  rm -rf "$scratch"
done
echo "fuzz: all targets passed"

#!/usr/bin/env bash
# Writes the seed corpora into fuzz/corpus/<target>/ from ../shared/fixtures (or
# $CIOTEL_FIXTURES) and the repo's own test files. Run at fuzzing time; the corpus is never
# committed (see .gitignore).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
fixtures=${CIOTEL_FIXTURES:-$repo/../shared/fixtures}
if [ ! -d "$fixtures" ]; then
  echo "seed.sh: no fixtures at $fixtures (set CIOTEL_FIXTURES); seeding from the repo only" >&2
fi
# The generator is an ordinary debug build; in the main workspace's target/ it reuses that
# workspace's compiled dependencies (fuzz/Cargo.lock pins the same versions).
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target} \
  cargo run --quiet --manifest-path "$here/Cargo.toml" -p ciotel-fuzz-seedgen -- \
  "$repo" "$fixtures" "$here/corpus"

#!/usr/bin/env bash
# Seeds and runs one fuzz target for a while, politely (nice 19, one libFuzzer job), and prints
# libFuzzer's last status line (cov: edges reached, ft: features, corp: corpus size).
#
#   scripts/fuzz.sh <target> [seconds=60]     targets: `cargo fuzz list --fuzz-dir fuzz`
#
# Works on the stable toolchain (RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags); needs
# `cargo install cargo-fuzz`. FUZZ_SANITIZER=address gives ASan (default none: ciotel has no
# unsafe code, and without it each run gets several times more executions). Crashes land in
# fuzz/artifacts/<target>/; reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz -s none <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
target=${1:?usage: scripts/fuzz.sh <target> [seconds]}
seconds=${2:-60}
repo=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$repo/fuzz"
"$fuzz/seed.sh"
mkdir -p "$fuzz/corpus/$target" "$fuzz/logs/$target"
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-none}
nice -n 19 cargo fuzz build --fuzz-dir "$fuzz" -s "$sanitizer" "$target"
log="$fuzz/logs/$target"
rm -f "$log"/fuzz-*.log
# libFuzzer with -jobs writes its output to fuzz-<job>.log in the working directory.
(cd "$log" && nice -n 19 cargo fuzz run --fuzz-dir "$fuzz" -s "$sanitizer" "$target" \
  "$fuzz/corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -jobs=1 -workers=1) || status=$?
grep -E '^#[0-9]+' "$log/fuzz-0.log" | tail -n 1 || true
if grep -qE 'ERROR: libFuzzer|panicked at|SUMMARY' "$log/fuzz-0.log"; then
  grep -E 'panicked at|ERROR: libFuzzer|Test unit written' -A3 "$log/fuzz-0.log" | head -n 20
  exit 1
fi
exit "${status:-0}"

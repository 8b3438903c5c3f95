#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, then every Rust test (unit, golden
# and black-box tests that start the real binary and talk to it with the Python OTel SDK).
# Python packages the tests need are installed into ./.venv on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=tests/clients/requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$venv/.requirements"; then
  echo "==> installing Python test clients into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.requirements"
fi
export CIOTEL_TEST_PYTHON="$PWD/$venv/bin/python"

if [ ! -d ../shared/fixtures ]; then
  echo "error: ../shared/fixtures is missing: the golden tests read the real CI payloads from there" >&2
  echo "       (CI lays ../shared beside the checkout; clone the project next to it)" >&2
  exit 1
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "==> cargo test"
cargo test --workspace --all-targets

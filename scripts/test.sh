#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, then every Rust test (unit, golden
# and black-box tests that start the real binary and talk to it with real OTel clients).
# The clients are installed on first run and again when their pins change: Python packages into
# ./.venv, the Python otel-cli into ./.venv-otel-cli (it pins an older OTel SDK than the one in
# .venv), the Node OTel SDK into tests/clients/node/node_modules (npm ci from its lock file),
# Debian's chromium and chromium-driver for the cicd_view page tests (apt-get).
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

otel_cli_venv=.venv-otel-cli
otel_cli_requirements=tests/clients/otel_cli_requirements.txt
if [ ! -x "$otel_cli_venv/bin/otel" ] || ! cmp -s "$otel_cli_requirements" "$otel_cli_venv/.requirements"; then
  echo "==> installing the Python otel-cli into $otel_cli_venv"
  python3 -m venv "$otel_cli_venv"
  "$otel_cli_venv/bin/pip" install --quiet --disable-pip-version-check -r "$otel_cli_requirements"
  cp "$otel_cli_requirements" "$otel_cli_venv/.requirements"
fi
export CIOTEL_TEST_OTEL_CLI="$PWD/$otel_cli_venv/bin/otel"

node_clients=tests/clients/node
if ! command -v npm >/dev/null; then
  echo "error: npm is missing: the Node OTel SDK tests (tests/works_with_node.rs) need node >= 20.6 and npm" >&2
  exit 1
fi
if ! cmp -s "$node_clients/package-lock.json" "$node_clients/node_modules/.ciotel-lock"; then
  echo "==> installing the Node OTel SDK into $node_clients/node_modules"
  (cd "$node_clients" && npm ci --silent --no-audit --no-fund)
  cp "$node_clients/package-lock.json" "$node_clients/node_modules/.ciotel-lock"
fi

# tests/cicd_view.rs drives Debian's headless Chromium through chromedriver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "==> installing Debian's chromium and chromium-driver (the cicd_view page tests)"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium chromium-driver
fi

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

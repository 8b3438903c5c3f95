#!/bin/sh
# Soak of the persistent sending queue (not run in CI): the backend is down for a long time
# while four retrying OTLP/gRPC clients stream and the daemon is killed with SIGKILL again and
# again, then the backend comes up and the daemon is killed some more; the test fails unless
# every span a client was answered OK for reaches the backend, and reports duplicates.
#
#   benches/soak_queue.sh                  # 60 s down, 20 kills
#   CIOTEL_SOAK_DOWN_SECS=300 CIOTEL_SOAK_KILLS=50 benches/soak_queue.sh
set -eu
cd "$(dirname "$0")/.."
export CIOTEL_SOAK_DOWN_SECS="${CIOTEL_SOAK_DOWN_SECS:-60}"
export CIOTEL_SOAK_KILLS="${CIOTEL_SOAK_KILLS:-20}"
exec cargo test --release --test durable_queue soak_a_long_outage_with_many_kills -- \
    --ignored --nocapture

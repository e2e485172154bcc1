#!/usr/bin/env bash
# Runs Ballast's Kafka integration suites (dist/test/kafka/, built by `npm run build`) against a real
# cluster: starts a fresh one with scripts/kafka-cluster.sh (in secured mode, so that the secured
# suite has its TLS and SASL listeners; the other suites use the PLAINTEXT listener's super user), exports what test/kafka/harness.ts
# reads, runs the suites one file at a time, and always stops the cluster. When anything fails, the
# tail of every node's log is printed and the logs are kept under <state dir>/cluster/logs.
#
# Usage: scripts/kafka-test.sh [test files...]     (default: every suite in dist/test/kafka/)
# Environment: KAFKA_VERSION (default 3.9.2), KAFKA_STATE_DIR (default .kafka/), KAFKA_BASE_PORT
# (default 39092), and anything scripts/kafka-cluster.sh reads.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly CLUSTER=scripts/kafka-cluster.sh
export KAFKA_STATE_DIR="${KAFKA_STATE_DIR:-$PWD/.kafka}"
export KAFKA_BROKERS=4 KAFKA_RACKS=2
base_port="${KAFKA_BASE_PORT:-39092}"
started=0
t0="$SECONDS"
report="$KAFKA_STATE_DIR/test-report.txt"

finish() {
  local rc=$?
  trap - EXIT INT TERM
  if ((started)); then
    if ((rc != 0)); then
      echo "kafka-test: failed (exit $rc); the tail of each node's log follows" >&2
      "$CLUSTER" logs --lines 60 >&2 || true
      "$CLUSTER" stop --keep-logs || true
      # The node logs bury the test report; repeat its failures last, where a CI tail shows them.
      if [[ -s "$report" ]] && grep -q '^✖ failing tests:' "$report"; then
        echo "kafka-test: the failing tests again:" >&2
        sed -n '/^✖ failing tests:/,$p' "$report" | head -n 200 >&2
      fi
    else
      "$CLUSTER" stop || true
    fi
  fi
  # When start failed it has printed the logs and stopped its own nodes already; a cluster that was
  # running before (another run's) is left alone.
  echo "kafka-test: $( ((rc == 0)) && echo ok || echo FAILED) in $((SECONDS - t0))s" >&2
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -d dist/test/kafka ]] || { echo "kafka-test: dist/test/kafka/ is missing; run npm run build first" >&2; exit 1; }

# start prints the bootstrap string on stdout and its progress on stderr.
KAFKA_BOOTSTRAP="$("$CLUSTER" start --fresh --secure --brokers "$KAFKA_BROKERS" --racks "$KAFKA_RACKS" --base-port "$base_port")"
export KAFKA_BOOTSTRAP
started=1
echo "kafka-test: cluster up in $((SECONDS - t0))s at $KAFKA_BOOTSTRAP" >&2

if [[ $# -eq 0 ]]; then
  set -- dist/test/kafka/
fi
mkdir -p "$KAFKA_STATE_DIR"
node --test --test-concurrency=1 --test-reporter=spec "$@" 2>&1 | tee "$report"

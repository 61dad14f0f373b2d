#!/usr/bin/env bash
# The same scenarios against the gateway and against another SSE server, side by side.
#   bench/compare.sh [scenario …] -- --subscribe-url URL --publish-url URL [--publish-body TEMPLATE]
#                    [--publish-content-type TYPE] [--publish-header 'Name: value' …] [--server-pid PID]
# Scenarios: idle fanout fanout-paced targeted (the default: all four), at the sizes below. Per scenario, run.sh first
# starts a fresh gateway from the distribution and measures it, then the load generator measures the peer through the
# templates (see Endpoints): a server you started yourself, on this machine. Its CPU and memory are read from
# --server-pid, by default the process listening on the subscribe URL's port, with its child processes.
# Environment:
#   BENCH_PORT, BENCH_SKIP_BUILD, BENCH_DIST, JAVA_OPTS   as for run.sh (the gateway side)
#   COMPARE_NAME        the peer's column in the table ("peer")
#   COMPARE_OPTS        more load-generator options for both sides, e.g. "--connections 2000"
#   COMPARE_PEER_START, COMPARE_PEER_STOP   shell commands run before and after each scenario, so that the peer
#                       starts fresh each time as the gateway does (e.g. bench/peers/nchan/nchan.sh start 18283)
#   COMPARE_RESULTS     both sides' raw result lines are appended there (bench/target/compare.jsonl)
# Prints the markdown table (also written to bench/target/compare.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS=${COMPARE_RESULTS:-$ROOT/bench/target/compare.jsonl}
NAME=${COMPARE_NAME:-peer}

scenarios=()
peer=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; peer=("$@"); break; fi
  scenarios+=("$1"); shift
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(idle fanout fanout-paced targeted)
[ ${#peer[@]} -gt 0 ] || { echo "compare.sh: give the peer's templates after --, e.g. -- --subscribe-url 'http://127.0.0.1:18283/sub/{channel}' --publish-url 'http://127.0.0.1:18283/pub?id={channel}' --publish-body '{data}'" >&2; exit 2; }

# the same options on both sides: these sizes, then COMPARE_OPTS (later options win)
sizes() {
  case $1 in
    idle)         echo "--connections 10000" ;;
    fanout)       echo "--connections 10000 --messages 50" ;;
    fanout-paced) echo "--connections 10000 --rate 20 --duration 30" ;;
    targeted)     echo "--connections 10000 --rounds 3 --publishers 4" ;;
    *) echo "compare.sh: unknown scenario $1 (idle, fanout, fanout-paced, targeted)" >&2; return 2 ;;
  esac
}
for scenario in "${scenarios[@]}"; do sizes "$scenario" >/dev/null; done

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  mvn -q -B -DskipTests verify -pl distribution,bench -am
fi

WORK=$(mktemp -d)
PEER_UP=""
finish() {
  if [ -n "$PEER_UP" ] && [ -n "${COMPARE_PEER_STOP:-}" ]; then bash -c "$COMPARE_PEER_STOP" >&2 || true; fi
  rm -rf "$WORK"
}
trap finish EXIT
: > "$WORK/gateway.jsonl"
: > "$WORK/peer.jsonl"
mkdir -p "$(dirname "$RESULTS")"
echo "# $(date -u +%FT%TZ) compare.sh ${scenarios[*]} (COMPARE_OPTS='${COMPARE_OPTS:-}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg):" \
  "per scenario the gateway's line, then $NAME's (the one with subscribe_url): ${peer[*]}" >> "$RESULTS"
for scenario in "${scenarios[@]}"; do
  # shellcheck disable=SC2046 # sizes and COMPARE_OPTS are words
  options=($(sizes "$scenario") ${COMPARE_OPTS:-})
  BENCH_SKIP_BUILD=1 BENCH_RESULTS="$WORK/gateway.jsonl" bench/run.sh "$scenario" -- "${options[@]}" >/dev/null
  tail -n 1 "$WORK/gateway.jsonl" >> "$RESULTS"
  if [ -n "${COMPARE_PEER_START:-}" ]; then bash -c "$COMPARE_PEER_START" >&2; PEER_UP=1; fi
  BENCH_SKIP_BUILD=1 BENCH_EXTERNAL=1 BENCH_RESULTS="$WORK/peer.jsonl" bench/run.sh "$scenario" -- "${options[@]}" "${peer[@]}" >/dev/null
  tail -n 1 "$WORK/peer.jsonl" >> "$RESULTS"
  if [ -n "${COMPARE_PEER_STOP:-}" ]; then bash -c "$COMPARE_PEER_STOP" >&2; PEER_UP=""; fi
done

JAVA=$(bench/java.sh)
"$JAVA" -cp "$ROOT/bench/target/classes" io.ssegateway.bench.CompareTable "$WORK/gateway.jsonl" "$WORK/peer.jsonl" "$NAME" \
  | tee "$ROOT/bench/target/compare.md"

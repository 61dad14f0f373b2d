#!/usr/bin/env bash
# Builds the distribution and the load generator (mvn verify: nothing is installed into ~/.m2), then for each
# scenario starts a fresh gateway from the distribution (default flags, memory storage), runs the scenario against
# it and stops it.
#   bench/run.sh                       all scenarios at the sizes of the README table
#   bench/run.sh fanout targeted       some of them
#   bench/run.sh fanout -- --connections 2000 --messages 50   extra options for the load generator
# Environment: BENCH_PORT (18080), BENCH_SKIP_BUILD=1, JAVA_OPTS (the gateway's, appended to its defaults),
#   BENCH_RESULTS (bench/target/results.jsonl: every result line is appended there too),
#   BENCH_DIST (another unpacked distribution to measure, e.g. an older build for a before/after comparison),
#   BENCH_EXTERNAL=1 (start no gateway: the scenarios run against a server already running, e.g. another SSE server
#   given by the load generator's --subscribe-url/--publish-url templates; see compare.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${BENCH_PORT:-18080}
RESULTS=${BENCH_RESULTS:-$ROOT/bench/target/results.jsonl}
DIST=${BENCH_DIST:-$ROOT/distribution/target/sse-gateway-0.2.0/sse-gateway-0.2.0}

scenarios=()
extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  scenarios+=("$1"); shift
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(startup idle fanout fanout-paced targeted slow replay)

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  mvn -q -B -DskipTests verify -pl distribution,bench -am
fi

JAVA=$(bench/java.sh)

GATEWAY_PID=""
EXTERNAL=${BENCH_EXTERNAL:-}
stop_gateway() {
  if [ -n "$GATEWAY_PID" ] && kill -0 "$GATEWAY_PID" 2>/dev/null; then
    kill -TERM "$GATEWAY_PID"
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  GATEWAY_PID=""
}
trap stop_gateway EXIT

# start_gateway [ENV=value …]: a fresh gateway on $PORT; sets GATEWAY_PID and STARTUP_MS (launch to /health = 200)
start_gateway() {
  [ "$EXTERNAL" != 1 ] || return 0
  local start=$(date +%s%N)
  env PORT="$PORT" "$@" "$DIST/bin/sse-gateway" > "$ROOT/bench/target/gateway.log" 2>&1 &
  GATEWAY_PID=$!
  for _ in $(seq 1 600); do
    if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
      STARTUP_MS=$(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    kill -0 "$GATEWAY_PID" 2>/dev/null || { cat "$ROOT/bench/target/gateway.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "run.sh: the gateway did not answer /health within 30 s" >&2; exit 1
}

bench() {
  "$JAVA" -Xss512k -XX:+UseSerialGC -cp "$ROOT/bench/target/classes" io.ssegateway.bench.Main "$@" --port "$PORT" ${extra[@]+"${extra[@]}"} \
    | tee -a "$RESULTS"
}

mkdir -p "$(dirname "$RESULTS")"
echo "# $(date -u +%FT%TZ) $([ "$EXTERNAL" = 1 ] && echo "an external server" || echo "$DIST"): $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), JAVA_OPTS='${JAVA_OPTS:-}'" >> "$RESULTS"
for scenario in "${scenarios[@]}"; do
  echo "== $scenario (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  case $EXTERNAL:$scenario in
    1:startup|1:storm) echo "run.sh: $scenario needs a gateway started by run.sh" >&2; exit 2 ;;
  esac
  case $scenario in
    startup)
      start_gateway
      sleep 2
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$GATEWAY_PID/status")
      echo "{\"scenario\":\"startup\",\"startup_ms\":$STARTUP_MS,\"idle_rss_mb\":$(awk "BEGIN {printf \"%.1f\", $rss/1024}")}" | tee -a "$RESULTS"
      ;;
    idle)          start_gateway; bench idle --connections 10000 ;;
    idle-5k)       start_gateway; bench idle --connections 5000 ;;
    # the same, then 35 s with nothing sent: the RSS once the gateway has given back what the connects grew
    idle-quiet)    start_gateway; bench idle --connections 10000 --quiet 35 ;;
    connections-quiet) start_gateway; bench idle --connections 19000 --per-worker 10000 --quiet 35 ;;
    # the live heap per idle connection (jcmd, after full collections) once three rounds of 10,000 warmed it up
    idle-heap)     start_gateway; bench idle --connections 10000 --live-heap --warmup 3 ;;
    # the same streams over HTTP/2 (h2c, 100 per connection): live heap and RSS per stream
    idle-h2)       start_gateway; bench idle-h2 --connections 5000 ;;
    connections)   start_gateway; bench idle --connections 19000 --per-worker 10000 ;;
    fanout)        start_gateway; bench fanout --connections 10000 --messages 200 ;;
    fanout-paced)  start_gateway; bench fanout --connections 10000 --rate 20 --duration 30 ;;
    fanout-5k)     start_gateway; bench fanout --connections 5000 --rate 2 --messages 20 ;;
    targeted)      start_gateway; bench targeted --connections 10000 --rounds 30 --publishers 8 ;;
    # a 64 KiB send buffer and a 256-event queue, so that the paused 1 % overflow within the phase (with the
    # defaults, auto-tuned loopback buffers of up to 4 MiB plus 1024 queued events take minutes to fill)
    slow)          start_gateway GATEWAY_SOCKET_dash_SEND_dash_BUFFER=65536 GATEWAY_CONNECTION_dash_QUEUE=256
                   bench slow --connections 10000 --rate 20 --duration 30 ;;
    replay)        start_gateway; bench replay --connections 1000 --messages 50 ;;
    # 10,000 clients connect, hang up together and reconnect, three times; then the gateway's log must not show
    # that it ran out of file descriptors
    storm)         start_gateway; bench storm --connections 10000 --rounds 3
                   echo "{\"scenario\":\"storm-log\",\"too_many_open_files\":$(grep -c 'Too many open files' "$ROOT/bench/target/gateway.log" || true)}" \
                     | tee -a "$RESULTS" ;;
    *) echo "run.sh: unknown scenario $scenario" >&2; exit 2 ;;
  esac
  stop_gateway
done

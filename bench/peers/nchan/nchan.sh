#!/usr/bin/env bash
# Starts or stops Nchan (nginx + libnginx-mod-nchan) with bench/peers/nchan/nginx.conf, for bench/compare.sh.
#   bench/peers/nchan/nchan.sh start [PORT]   (default 18283): prints the master's pid once the port answers
#   bench/peers/nchan/nchan.sh stop [PORT]
# Each port gets its own prefix directory, bench/target/nchan-PORT (configuration, pid file, logs, temp files).
# Needs nginx and the module: apt-get install nginx-light libnginx-mod-nchan (Debian, Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
COMMAND=${1:-}
PORT=${2:-18283}
PREFIX=$ROOT/bench/target/nchan-$PORT
MODULE=${NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}

case $COMMAND in
  start)
    command -v nginx >/dev/null || { echo "nchan.sh: no nginx (apt-get install nginx-light libnginx-mod-nchan)" >&2; exit 1; }
    [ -f "$MODULE" ] || { echo "nchan.sh: no $MODULE (apt-get install libnginx-mod-nchan, or set NCHAN_MODULE)" >&2; exit 1; }
    if [ -f "$PREFIX/nginx.pid" ] && kill -0 "$(cat "$PREFIX/nginx.pid")" 2>/dev/null; then
      echo "nchan.sh: already running on port $PORT (pid $(cat "$PREFIX/nginx.pid"))" >&2; exit 1
    fi
    mkdir -p "$PREFIX/logs"
    sed -e "s|@PORT@|$PORT|" -e "s|@MODULE@|$MODULE|" "$ROOT/bench/peers/nchan/nginx.conf" > "$PREFIX/nginx.conf"
    # -e: the log nginx writes to before it has read the configuration (else /var/log/nginx)
    nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -e "$PREFIX/logs/error.log"
    for _ in $(seq 1 100); do
      # a publish to a throw-away channel answers once the workers accept
      if curl -fs -o /dev/null -X POST -d ping "http://127.0.0.1:$PORT/pub?id=nchan-sh-ready"; then
        cat "$PREFIX/nginx.pid"
        exit 0
      fi
      sleep 0.1
    done
    echo "nchan.sh: nginx did not answer on port $PORT within 10 s; see $PREFIX/logs/error.log" >&2
    exit 1
    ;;
  stop)
    [ -f "$PREFIX/nginx.pid" ] || { echo "nchan.sh: not running on port $PORT" >&2; exit 0; }
    PID=$(cat "$PREFIX/nginx.pid")
    kill -TERM "$PID" 2>/dev/null || true
    # the master removes its pid file once every worker has exited
    for _ in $(seq 1 100); do
      kill -0 "$PID" 2>/dev/null || exit 0
      sleep 0.1
    done
    echo "nchan.sh: nginx (pid $PID) still running after 10 s" >&2
    exit 1
    ;;
  *)
    echo "usage: nchan.sh start|stop [PORT]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Prepare an OSM extract for OSRM (extract, partition, customize: the MLD pipeline) once, then
# start osrm-routed on 127.0.0.1 at a free port in the background, wait until it answers and
# print its URL on stdout (everything else goes to stderr).
#
# Usage: URL="$(scripts/start_osrm.sh EXTRACT.osm.pbf [car|bicycle|foot])"
# Env:   OSRM_PID_FILE  where to write the server's process id (default tools/osrm-data/<name>.pid);
#                       stop the server with: kill "$(cat "$OSRM_PID_FILE")"
#        OSRM_DATA_DIR  prepared data (default tools/osrm-data, git-ignored)
#        OSRM_MAX_TABLE_SIZE  coordinates allowed per /table request (default 10000)
# Needs scripts/install_osrm.sh first (it is run here when the programs are missing).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

EXTRACT="${1:?usage: start_osrm.sh EXTRACT.osm.pbf [car|bicycle|foot]}"
PROFILE="${2:-car}"
case "$PROFILE" in car|bicycle|foot) ;; *) echo "error: profile must be car, bicycle or foot" >&2; exit 2;; esac
[ -f "$EXTRACT" ] || { echo "error: extract not found: $EXTRACT" >&2; exit 2; }
EXTRACT="$(cd "$(dirname "$EXTRACT")" && pwd)/$(basename "$EXTRACT")"

BIN="$("$ROOT/scripts/install_osrm.sh")"
PROFILES="$(dirname "$BIN")/share/profiles"
DATA_ROOT="${OSRM_DATA_DIR:-$ROOT/tools/osrm-data}"
NAME="$(basename "$EXTRACT" .osm.pbf)"
DIGEST="$(sha256sum "$EXTRACT" | cut -c1-16)"
DIR="$DATA_ROOT/$NAME-$PROFILE-$DIGEST"
BASE="$DIR/$NAME.osrm"
PID_FILE="${OSRM_PID_FILE:-$DATA_ROOT/$NAME-$PROFILE.pid}"

if [ ! -f "$DIR/.prepared" ]; then
  echo "preparing $NAME for the $PROFILE profile in $DIR" >&2
  rm -rf "$DIR"
  mkdir -p "$DIR"
  ln -s "$EXTRACT" "$DIR/$NAME.osm.pbf"
  "$BIN/osrm-extract" -p "$PROFILES/$PROFILE.lua" "$DIR/$NAME.osm.pbf" >"$DIR/extract.log" 2>&1 \
    || { tail -20 "$DIR/extract.log" >&2; exit 1; }
  "$BIN/osrm-partition" "$BASE" >"$DIR/partition.log" 2>&1 || { tail -20 "$DIR/partition.log" >&2; exit 1; }
  "$BIN/osrm-customize" "$BASE" >"$DIR/customize.log" 2>&1 || { tail -20 "$DIR/customize.log" >&2; exit 1; }
  touch "$DIR/.prepared"
fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$(dirname "$PID_FILE")"
"$BIN/osrm-routed" --algorithm mld --ip 127.0.0.1 --port "$PORT" \
  --max-table-size "${OSRM_MAX_TABLE_SIZE:-10000}" "$BASE" \
  </dev/null >"$DIR/routed-$PORT.log" 2>&1 &
PID=$!
echo "$PID" >"$PID_FILE"
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  if python3 - "$URL" <<'PY' 2>/dev/null
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/nearest/v1/driving/0,0", timeout=1)
except urllib.error.HTTPError:
    pass  # any HTTP answer means the server is up
PY
  then
    echo "osrm-routed ($PROFILE, $NAME) pid $PID at $URL; log $DIR/routed-$PORT.log" >&2
    echo "$URL"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "error: osrm-routed exited; its log:" >&2
    tail -20 "$DIR/routed-$PORT.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "error: osrm-routed did not answer within 20 s" >&2
kill "$PID" 2>/dev/null || true
exit 1

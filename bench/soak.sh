#!/usr/bin/env bash
# Soak: docmock at full load for SECONDS (default 300) with a mix of GET and
# validated PUT requests, zero errors expected and flat memory: resident
# memory is printed at the start, every minute, and at the end.
#
#   bench/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-300}
PORT=4341
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v wrk >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release --quiet --bin docmock
DOCMOCK=${CARGO_TARGET_DIR:-target}/release/docmock
RUST_LOG=docmock=info "$DOCMOCK" serve --port $PORT >/dev/null 2>"$WORK/docmock.log" &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/__docmock/health" >/dev/null && break; sleep 0.1; done

cat >"$WORK/get.lua" <<'LUA'
wrk.headers["Authorization"] = "soak"
wrk.headers["Accept"] = "application/xml"
LUA
cat >"$WORK/put.lua" <<'LUA'
wrk.method = "PUT"
wrk.headers["Authorization"] = "soak"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = '{"contactStatusid": 1234}'
LUA
rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$PID/status"; }

# Warm up, then measure from a steady start.
wrk -t1 -c16 -d3s -s "$WORK/get.lua" "http://127.0.0.1:$PORT/r7/api/2.0/crm/contact/1234" >/dev/null
echo "RSS at start: $(rss)"
wrk -t1 -c32 -d"${DURATION}s" -s "$WORK/get.lua" "http://127.0.0.1:$PORT/r7/api/2.0/crm/contact/1234" >"$WORK/get.out" &
wrk -t1 -c32 -d"${DURATION}s" -s "$WORK/put.lua" "http://127.0.0.1:$PORT/onlyoffice/api/2.0/crm/contact/1234/status" >"$WORK/put.out" &
for minute in $(seq 60 60 "$DURATION"); do
  sleep 60
  echo "RSS after ${minute}s: $(rss)"
done
wait %2 %3 2>/dev/null || wait
echo "RSS at end: $(rss)"
for part in get put; do
  requests=$(awk '/requests in/ { print $1 }' "$WORK/$part.out")
  errors=$(grep -E "Socket errors|Non-2xx" "$WORK/$part.out" || true)
  echo "$part: $requests requests, $(awk '/Requests\/sec/ { print $2 }' "$WORK/$part.out") r/s, errors: ${errors:-none}"
done
kill -0 $PID && echo "docmock still serving: $(curl -s "http://127.0.0.1:$PORT/__docmock/health" | tr -d ' \n')"

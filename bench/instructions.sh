#!/usr/bin/env bash
# Instructions per request, docmock against the bare hyper server answering
# the same bytes, counted by callgrind: unlike requests per second on a
# shared machine, the count is the same from run to run, so it settles steps
# of a few percent that wrk's noise hides.
#
#   bench/instructions.sh [REQUESTS]
#
# Each server runs under `valgrind --tool=callgrind` with request lines
# logged to a file, as in bench/load.sh. For each scenario of bench/load.sh
# a client sends a warm-up, then REQUESTS requests (default 2000) on one
# keep-alive connection between a reset and a dump of the counters, so that
# start-up and the connection's set-up are not counted. User-space
# instructions of every thread are counted (workers, the log writer, the
# watchdog); the kernel's work is not. Prints instructions per request for
# both servers and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${1:-2000}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v valgrind >/dev/null || {
  echo "installing valgrind (Debian package)…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind) >/dev/null
}

cargo build --release --quiet --bin docmock --example bare_hyper
TARGET=${CARGO_TARGET_DIR:-target}
DOCMOCK=$TARGET/release/docmock
BARE=$TARGET/release/examples/bare_hyper

# Sends COUNT requests of one scenario on one keep-alive connection; with
# OUT set, saves the last answer's status, content type and body there.
cat >"$WORK/client.py" <<'PY'
import http.client, sys
port, scenario, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
out = sys.argv[4] if len(sys.argv) > 4 else None
r7, oo = "/r7/api/2.0/crm/contact/1234", "/onlyoffice/api/2.0/crm/contact/1234/status"
json_h = {"Authorization": "bench-token", "Accept": "application/json"}
put = lambda ctype: {**json_h, "Content-Type": ctype}
method, path, headers, body = {
    "get-json": ("GET", r7, json_h, None),
    # XML by the `.xml` suffix, as the vendors' server reads it.
    "get-xml": ("GET", r7 + ".xml", {**json_h, "Accept": "application/xml"}, None),
    "put-json": ("PUT", oo, put("application/json"), '{"contactStatusid": 1234}'),
    "put-xml": ("PUT", oo, put("application/xml"), "<request><contactStatusid>1234</contactStatusid></request>"),
    "put-400": ("PUT", oo, put("application/json"), '{"contactStatusid": "not a number"}'),
}[scenario]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for _ in range(count):
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
if out:
    with open(out + ".status", "w") as f:
        f.write(str(response.status))
    with open(out + ".type", "w") as f:
        f.write(response.getheader("Content-Type"))
    with open(out + ".body", "wb") as f:
        f.write(data)
PY

# The port a server started with --port 0 printed to FILE.
port_of() { # file
  for _ in $(seq 600); do
    port=$(grep -om1 'http://127.0.0.1:[0-9]*' "$1" 2>/dev/null | cut -d: -f3) || true
    [ -n "$port" ] && echo "$port" && return
    sleep 0.1
  done
  echo "no server started; its output:" >&2
  cat "$1" >&2
  exit 1
}

# Counts the instructions of REQUESTS requests of SCENARIO against the
# server running as PID on PORT; prints instructions per request.
count() { # pid port scenario
  python3 "$WORK/client.py" "$2" "$3" 200
  callgrind_control -z "$1" >/dev/null 2>&1
  python3 "$WORK/client.py" "$2" "$3" "$REQUESTS"
  callgrind_control -d "$3" "$1" >/dev/null 2>&1
  # The dump is the newest callgrind.out.PID.N.
  local dump
  for _ in $(seq 100); do
    dump=$(ls -t "$WORK/callgrind.out.$1."* 2>/dev/null | head -1)
    [ -n "$dump" ] && grep -q '^totals:' "$dump" && break
    sleep 0.1
  done
  awk -v n="$REQUESTS" '/^summary:/ { printf "%.0f", $2 / n }' "$dump"
  rm -f "$WORK/callgrind.out.$1."*
}

callgrind=(valgrind --tool=callgrind --dump-instr=no
  --callgrind-out-file="$WORK/callgrind.out.%p")
SCENARIOS=(get-json get-xml put-json put-xml put-400)

RUST_LOG=docmock=info "${callgrind[@]}" "$DOCMOCK" serve --port 0 \
  >"$WORK/docmock.out" 2>"$WORK/docmock.log" &
DOCMOCK_PID=$!
DOCMOCK_PORT=$(port_of "$WORK/docmock.out")

printf "%-10s %16s %16s %8s\n" scenario "docmock Ir/req" "bare Ir/req" ratio
for scenario in "${SCENARIOS[@]}"; do
  python3 "$WORK/client.py" $DOCMOCK_PORT "$scenario" 1 "$WORK/$scenario"
  ours=$(count $DOCMOCK_PID $DOCMOCK_PORT "$scenario")
  "${callgrind[@]}" "$BARE" 0 "$(cat "$WORK/$scenario.status")" \
    "$(cat "$WORK/$scenario.type")" "$WORK/$scenario.body" >"$WORK/bare-$scenario.out" 2>/dev/null &
  bare_pid=$!
  theirs=$(count $bare_pid "$(port_of "$WORK/bare-$scenario.out")" "$scenario")
  kill $bare_pid
  wait $bare_pid 2>/dev/null || true
  printf "%-10s %16s %16s %7.2fx\n" "$scenario" "$ours" "$theirs" \
    "$(awk -v a="$ours" -v b="$theirs" 'BEGIN { print a / b }')"
done

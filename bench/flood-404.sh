#!/usr/bin/env bash
# How a flood of 404s with 64 KB paths holds up everyone else: the latency
# of `/__docmock/health` (p50, p99, max, failures) while wrk sends unknown
# paths of 64 KB to a docmock serving 3,000+ endpoints.
#
#   bench/flood-404.sh [SECONDS] [DOCMOCK-BINARY...]
#
# Every unknown path gets a 404 listing the nearest documented routes,
# which once compared the whole path with every route by edit distance: a
# worker thread then spent seconds on one request, and the requests queued
# behind it on that worker waited as long (or were closed as idle by the
# header timeout). Six probes ask for the health page one after the other,
# each on a new connection as a monitor would, for the whole flood; the
# flood runs first alone for a second so that every worker is busy.
# Without binaries it builds and measures this tree's release binary; with
# several (an older build first, say) it measures each in turn on the same
# catalog. ENDPOINTS=N (default 3000) generated endpoints join the bundled
# specs, as in bench/load.sh; CONNECTIONS=N (default 16) flood connections;
# SERVE_ARGS="--header-timeout 2s" (say) passes options to `docmock serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-20}
shift || true
ENDPOINTS=${ENDPOINTS:-3000}
CONNECTIONS=${CONNECTIONS:-16}
PORT=4321
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
fi
if [ $# -eq 0 ]; then
  cargo build --release --quiet --bin docmock
  set -- "${CARGO_TARGET_DIR:-target}/release/docmock"
fi

# The bundled specs plus $ENDPOINTS generated R7-Office endpoints, as
# bench/load.sh builds them.
python3 - "$WORK/big" "$ENDPOINTS" <<'PY'
import copy, json, shutil, sys
out, count = sys.argv[1], int(sys.argv[2])
shutil.copytree("specs", f"{out}/specs")
shutil.copytree("fixtures", f"{out}/fixtures")
template = json.load(open("specs/r7/get-crm-contact-contactid.json"))
for i in range(count):
    spec = copy.deepcopy(template)
    spec["path"] = f"/api/2.0/crm/area{i % 50}/entity{i}/{{contactid}}"
    spec["request"]["target"] = spec["path"].replace("{contactid}", "1234")
    json.dump(spec, open(f"{out}/specs/r7/bench-{i}.json", "w"), ensure_ascii=False)
PY

# Unknown paths of 63 KB (hyper answers 414 from 64 KiB on): 9-byte
# segments, so that the path is long both
# in bytes and in segments, different on every request.
cat >"$WORK/flood.lua" <<'LUA'
local counter = 0
request = function()
  counter = counter + 1
  local path = "/r7/api/2.0/crm/are" .. counter .. "/" .. string.rep("entityxx/", 7200)
  return wrk.format("GET", path, {["Authorization"] = "t"})
end
LUA

cat >"$WORK/probe.py" <<'PY'
import http.client, statistics, sys, threading, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
latencies, failures, lock = [], [], threading.Lock()
def probe():
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/__docmock/health")
            status = connection.getresponse().status
            connection.close()
            if status != 200:
                raise RuntimeError(f"status {status}")
            with lock:
                latencies.append(time.monotonic() - started)
        except Exception as e:
            with lock:
                failures.append(f"{type(e).__name__} after {time.monotonic() - started:.1f} s")
        time.sleep(0.05)
threads = [threading.Thread(target=probe) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
latencies.sort()
def at(q):
    return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")
print(f"  health: {len(latencies)} answered, p50 {at(0.5):.1f} ms, p99 {at(0.99):.1f} ms, "
      f"max {at(1.0):.1f} ms; {len(failures)} failed")
for failure in sorted(set(failures))[:5]:
    print(f"    failed: {failure}")
PY

for binary in "$@"; do
  echo "$binary"
  # shellcheck disable=SC2086
  RUST_LOG=docmock=warn "$binary" serve --port $PORT --specs "$WORK/big/specs" ${SERVE_ARGS:-} \
    >/dev/null 2>"$WORK/serve.log" &
  server=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/__docmock/health" >/dev/null && break
    sleep 0.1
  done
  count=$(curl -sf "http://127.0.0.1:$PORT/__docmock/health" | tr -d ' \n' | sed 's/.*"endpoints":\([0-9]*\).*/\1/')
  echo "  $count endpoints, $CONNECTIONS flood connections, ${SECONDS_PER_RUN}s ${SERVE_ARGS:-}"
  python3 "$WORK/probe.py" $PORT 2 | sed 's/health:/health, no flood:/'
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 60s -s "$WORK/flood.lua" \
    "http://127.0.0.1:$PORT" >"$WORK/wrk.out" 2>&1 &
  flood=$!
  sleep 1
  python3 "$WORK/probe.py" $PORT $((SECONDS_PER_RUN - 2))
  wait $flood || true
  awk '/Requests\/sec|Socket errors|Non-2xx/ {print "  flood: " $0}' "$WORK/wrk.out" | sed 's/  */ /g'
  kill $server
  wait $server 2>/dev/null || true
done

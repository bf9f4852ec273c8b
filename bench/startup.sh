#!/usr/bin/env bash
# Startup time and memory for a large spec directory: generates 1,000
# endpoints (each with its own request, JSON and XML fixtures, copied from the
# bundled ONLYOFFICE example), then measures how long `docmock serve` takes to
# load them, compile their schemas and pre-render every example until it
# listens, and its resident memory once it does.
#
#   bench/startup.sh [ENDPOINTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ENDPOINTS=${1:-1000}
RUNS=${2:-5}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin docmock
DOCMOCK=${CARGO_TARGET_DIR:-target}/release/docmock

python3 - "$WORK" "$ENDPOINTS" <<'PY'
import json, os, shutil, sys
out, count = sys.argv[1], int(sys.argv[2])
spec = json.load(open("specs/onlyoffice/put-crm-contact-contactid-status.json"))
os.makedirs(f"{out}/specs/bench")
json.dump({"name": "bench", "title": "Generated", "dialect": "onlyoffice", "prefix": "/bench"},
          open(f"{out}/specs/bench/api.json", "w"))
src = "fixtures/onlyoffice/put-crm-contact-contactid-status"
for i in range(count):
    dst = f"{out}/fixtures/bench/e{i}"
    shutil.copytree(src, dst)
    spec["path"] = f"/api/2.0/crm/area{i % 50}/entity{i}/{{contactid}}/status"
    spec["request"]["target"] = spec["path"].replace("{contactid}", "1234")
    spec["request"]["body"] = f"bench/e{i}/request.json"
    spec["responses"][0]["json"] = f"bench/e{i}/response-200.json"
    spec["responses"][0]["xml"] = f"bench/e{i}/response-200.xml"
    json.dump(spec, open(f"{out}/specs/bench/e{i}.json", "w"), ensure_ascii=False)
PY

best_ms=""
rss_kb=""
for _ in $(seq "$RUNS"); do
  start=$(date +%s%N)
  coproc SERVE { exec "$DOCMOCK" serve --specs "$WORK/specs" --port 0 2>/dev/null; }
  read -r line <&"${SERVE[0]}"
  end=$(date +%s%N)
  case $line in "docmock listening on"*) ;; *) echo "docmock did not start: $line" >&2; exit 1 ;; esac
  ms=$(( (end - start) / 1000000 ))
  kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVE_PID/status")
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; rss_kb=$kb; fi
done
echo "endpoints: $ENDPOINTS"
echo "load + compile + pre-render until listening: ${best_ms} ms (best of $RUNS; target < 500 ms)"
echo "resident memory once listening: $((rss_kb / 1024)) MB (target < 50 MB)"

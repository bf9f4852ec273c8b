#!/usr/bin/env bash
# Amplification soak: SECONDS (default 120) of ~960 KB SuperOffice PUTs whose
# body breaks the contract 80,000 times (`{"Emails":[{"Value":5}, …]}`, text
# documented), from CLIENTS (default 4) clients at once, while a poller reads
# `/__docmock/requests` every second as the admin page does (`?limit=50`,
# then `&after=` the newest id it has). Prints resident memory every 5 s, the
# size and time of the 400s and of the polls, and memory after `DELETE` on
# the journal. The target: memory flat under 100 MB.
#
#   bench/soak-amplify.sh [SECONDS] [CLIENTS]
#   DOCMOCK=path/to/docmock bench/soak-amplify.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-120}
CLIENTS=${2:-4}
PORT=4343
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ -z "${DOCMOCK:-}" ]; then
  cargo build --release --quiet --bin docmock
  DOCMOCK=${CARGO_TARGET_DIR:-target}/release/docmock
fi
"$DOCMOCK" serve --host 127.0.0.1 --port $PORT >/dev/null 2>"$WORK/docmock.log" &
PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -sf "$BASE/__docmock/health" >/dev/null && break; sleep 0.1; done

awk 'BEGIN { printf "{\"Emails\":["; for (i = 0; i < 80000; i++) printf "%s{\"Value\":5}", i ? "," : ""; printf "]}" }' >"$WORK/body.json"
echo "body: $(wc -c <"$WORK/body.json") bytes, $CLIENTS clients, ${DURATION}s"
rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$PID/status"; }
hwm() { awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$PID/status"; }
echo "RSS at start: $(rss)"

END=$((SECONDS + DURATION))
for c in $(seq "$CLIENTS"); do
  (
    while [ $SECONDS -lt $END ]; do
      curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' -X PUT \
        -H 'Authorization: Bearer soak' -H 'Content-Type: application/json' \
        --data-binary @"$WORK/body.json" "$BASE/superoffice/api/v1/Contact/1" || echo "failed"
    done >"$WORK/put.$c"
  ) &
done
(
  newest=0
  while [ $SECONDS -lt $END ]; do
    curl -s -o "$WORK/page.json" -w '%{http_code} %{size_download} %{time_total}\n' \
      "$BASE/__docmock/requests?limit=50&after=$newest" || echo "failed"
    id=$(grep -m1 -o '"id": [0-9]*' "$WORK/page.json" | grep -o '[0-9]*$' || true)
    newest=${id:-$newest}
    sleep 1
  done >"$WORK/poll"
) &

for t in $(seq 5 5 "$DURATION"); do
  sleep 5
  echo "RSS after ${t}s: $(rss)"
done
wait $(jobs -p | grep -v "^$PID\$") 2>/dev/null || true
echo "RSS at end: $(rss) (peak $(hwm))"
summary() { # file label
  awk -v label="$2" '$1 != "failed" { n++; bytes += $2; if ($2 > max) max = $2; t += $3; if ($3 > tmax) tmax = $3; codes[$1]++ }
    $1 == "failed" { failed++ }
    END { printf "%s: %d answered (", label, n; for (c in codes) printf "%s x%d ", c, codes[c];
          printf "), %d failed, mean %.0f bytes, max %d bytes, mean %.3f s, max %.3f s\n", failed, n ? bytes / n : 0, max, n ? t / n : 0, tmax }' "$1"
}
cat "$WORK"/put.* >"$WORK/puts"
summary "$WORK/puts" "PUTs"
summary "$WORK/poll" "polls"
curl -s "$BASE/__docmock/health" | tr -d ' \n'; echo
curl -s -o /dev/null -w 'DELETE journal: %{http_code}\n' -X DELETE "$BASE/__docmock/requests"
sleep 2
echo "RSS after DELETE: $(rss)"

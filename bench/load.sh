#!/usr/bin/env bash
# Throughput and latency of docmock against a bare hyper server returning the
# same documented bytes, and against Stoplight Prism, measured in one run.
#
#   bench/load.sh [SECONDS-PER-ROUND] [ROUNDS]
#
# Both servers run on loopback with the same connection count. Each round
# measures both, the one measured first changing from round to round, and
# the best round of each counts, because the machine is shared and noisy.
# Figures are ratios to the bare server measured in the same run; "median"
# is the median of the two servers' ratio within each round, which a single
# lucky or unlucky round cannot move. docmock runs as shipped, writing a
# request line per request to a file; the row "no request log" is GET again
# with request lines off (RUST_LOG=docmock=warn), to show what they cost.
# The row "3,000+ endpoints" is GET again on a docmock that also serves
# 3,000 generated endpoints (ENDPOINTS=N for another count) in the same API,
# some of them beside the measured route with a string parameter where it
# has an integer one; the closing line compares it with the 5 bundled
# endpoints directly, round by round, since throughput must not depend on
# the size of the catalog.
# The bare server runs on tokio's work-stealing runtime, as `#[tokio::main]`
# does; docmock keeps each connection on one of a single-threaded runtime
# per core. The rows "bare per-core" compare against a bare server with
# that layout too, so that what docmock's own work costs per request shows
# apart from what its runtime layout gains.
# The closing "proxy" lines put `docmock proxy` in front of the bare server
# (checking every exchange against the R7-Office specs, logging a line per
# exchange to a file) and compare it with a direct connection: the p50
# latency it adds, measured on one connection so that queueing does not
# hide it, and the throughput ratio at full load. Proxy, bare server and
# wrk share the machine's cores, so the ratio counts the proxy's work
# against the bare server's own.
# Installs wrk (Debian) and Prism (npm, into bench/.prism) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_ROUND=${1:-5}
ROUNDS=${2:-5}
CONNECTIONS=64
THREADS=2
DOCMOCK_PORT=4311
BARE_PORT=4312
PRISM_PORT=4313
QUIET_PORT=4314
BIG_PORT=4315
PROXY_PORT=4316
ENDPOINTS=${ENDPOINTS:-3000}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
fi

cargo build --release --quiet --bin docmock --example bare_hyper
TARGET=${CARGO_TARGET_DIR:-target}
DOCMOCK=$TARGET/release/docmock
BARE=$TARGET/release/examples/bare_hyper

# docmock as shipped, logging to a file as a deployment would.
RUST_LOG=docmock=info "$DOCMOCK" serve --port $DOCMOCK_PORT >/dev/null 2>"$WORK/docmock.log" &
# The same without request lines, to show what writing them costs.
RUST_LOG=docmock=warn "$DOCMOCK" serve --port $QUIET_PORT >/dev/null 2>"$WORK/quiet.log" &
# The bundled specs plus $ENDPOINTS generated R7-Office endpoints, all
# answering with the bundled contact's fixtures: most on paths of their own
# (`crm/area7/entity7/{contactid}`), every tenth beside the measured route
# with a string parameter (`crm/contact/{name}/note10`), so that the
# measured request is routed by the type of its id.
python3 - "$WORK/big" "$ENDPOINTS" <<'PY'
import copy, json, shutil, sys
out, count = sys.argv[1], int(sys.argv[2])
shutil.copytree("specs", f"{out}/specs")
shutil.copytree("fixtures", f"{out}/fixtures")
template = json.load(open("specs/r7/get-crm-contact-contactid.json"))
for i in range(count):
    spec = copy.deepcopy(template)
    if i % 10 == 0:
        spec["path"] = f"/api/2.0/crm/contact/{{name}}/note{i}"
        spec["request"]["target"] = f"/api/2.0/crm/contact/Jane/note{i}"
        for parameter in spec["parameters"]:
            if parameter["name"] == "contactid":
                parameter.update(name="name", schema={"type": "string"}, example="Jane")
    else:
        spec["path"] = f"/api/2.0/crm/area{i % 50}/entity{i}/{{contactid}}"
        spec["request"]["target"] = spec["path"].replace("{contactid}", "1234")
    json.dump(spec, open(f"{out}/specs/r7/bench-{i}.json", "w"), ensure_ascii=False)
PY
RUST_LOG=docmock=info "$DOCMOCK" serve --port $BIG_PORT --specs "$WORK/big/specs" >/dev/null 2>"$WORK/big.log" &
for port in $DOCMOCK_PORT $QUIET_PORT $BIG_PORT; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/__docmock/health" >/dev/null && break; sleep 0.1; done
done
BIG_COUNT=$(curl -sf "http://127.0.0.1:$BIG_PORT/__docmock/health" | tr -d ' \n' | sed 's/.*"endpoints":\([0-9]*\).*/\1/')

AUTH='Authorization: bench-token'
R7="http://127.0.0.1:$DOCMOCK_PORT/r7/api/2.0/crm/contact/1234"
OO="http://127.0.0.1:$DOCMOCK_PORT/onlyoffice/api/2.0/crm/contact/1234/status"

# Each scenario: name, path, wrk Lua script; the bare server gets the bytes
# docmock answers with for the same request.
lua() { # method accept content-type body
  cat <<LUA
wrk.method = "$1"
wrk.headers["Authorization"] = "bench-token"
wrk.headers["Accept"] = "$2"
$( [ -n "$3" ] && echo "wrk.headers[\"Content-Type\"] = \"$3\"" )
$( [ -n "$4" ] && echo "wrk.body = [[$4]]" )
LUA
}
lua GET application/json "" "" > "$WORK/get-json.lua"
lua GET application/xml "" "" > "$WORK/get-xml.lua"
lua PUT application/json application/json '{"contactStatusid": 1234}' > "$WORK/put-json.lua"
lua PUT application/json application/xml '<request><contactStatusid>1234</contactStatusid></request>' > "$WORK/put-xml.lua"
lua PUT application/json application/json '{"contactStatusid": "not a number"}' > "$WORK/put-400.lua"

# name|path|script[|docmock port[|bare server layout]]
# XML is asked for as the vendors' server reads it, by the `.xml` suffix
# (an `Accept` alone gets JSON, as there).
SCENARIOS=(
  "GET R7 contact, JSON|/r7/api/2.0/crm/contact/1234|get-json"
  "GET JSON, no request log|/r7/api/2.0/crm/contact/1234|get-json|$QUIET_PORT"
  "GET JSON, $BIG_COUNT endpoints|/r7/api/2.0/crm/contact/1234|get-json|$BIG_PORT"
  "GET R7 contact, XML|/r7/api/2.0/crm/contact/1234.xml|get-xml"
  "PUT validated JSON body|/onlyoffice/api/2.0/crm/contact/1234/status|put-json"
  "PUT XML body|/onlyoffice/api/2.0/crm/contact/1234/status|put-xml"
  "PUT rejected with 400|/onlyoffice/api/2.0/crm/contact/1234/status|put-400"
  "GET JSON, bare per-core|/r7/api/2.0/crm/contact/1234|get-json||per-core"
  "PUT JSON, bare per-core|/onlyoffice/api/2.0/crm/contact/1234/status|put-json||per-core"
)

# wrk → "req/s p50_ms p99_ms"
measure() { # url script
  wrk -t$THREADS -c$CONNECTIONS -d"${SECONDS_PER_ROUND}s" --latency -s "$2" "$1" 2>/dev/null | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    END { printf "%.0f %.3f %.3f\n", rps, ms(p50), ms(p99) }'
}
best() { # "rps p50 p99" lines → the line with the highest rps
  sort -k1,1nr | head -1
}
median_ratio() { # two files of "rps p50 p99" lines, round by round [, decimals] → median of rps ratios
  paste -d' ' "$1" "$2" | awk '{ print $1 / $4 }' | sort -n |
    awk -v d="${3:-2}" '{ r[NR] = $1 } END { printf "%." d "f", NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}

printf "%-26s %12s %9s %9s   %12s %9s %9s   %7s %7s %8s\n" scenario "docmock r/s" "p50 ms" "p99 ms" "bare r/s" "p50 ms" "p99 ms" "ratio" "median" "p99 x"
for scenario in "${SCENARIOS[@]}"; do
  IFS='|' read -r name path script port layout <<<"$scenario"
  url="http://127.0.0.1:${port:-$DOCMOCK_PORT}$path"
  # The bare server answers with exactly what docmock answers.
  args=(-s -D "$WORK/headers" -o "$WORK/body" -H "$AUTH")
  case $script in
    get-json) curl "${args[@]}" -H 'Accept: application/json' "$url" ;;
    get-xml) curl "${args[@]}" -H 'Accept: application/xml' "$url" ;;
    put-json) curl "${args[@]}" -X PUT -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"contactStatusid": 1234}' "$url" ;;
    put-xml) curl "${args[@]}" -X PUT -H 'Accept: application/json' -H 'Content-Type: application/xml' -d '<request><contactStatusid>1234</contactStatusid></request>' "$url" ;;
    put-400) curl "${args[@]}" -X PUT -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"contactStatusid": "not a number"}' "$url" ;;
  esac
  status=$(head -1 "$WORK/headers" | awk '{print $2}')
  ctype=$(grep -i '^content-type:' "$WORK/headers" | cut -d' ' -f2- | tr -d '\r')
  "$BARE" $BARE_PORT "$status" "$ctype" "$WORK/body" $layout >/dev/null &
  bare_pid=$!
  for _ in $(seq 50); do curl -s "http://127.0.0.1:$BARE_PORT/" >/dev/null && break; sleep 0.1; done
  : >"$WORK/d" ; : >"$WORK/b"
  for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then
      measure "$url" "$WORK/$script.lua" >>"$WORK/d"
      measure "http://127.0.0.1:$BARE_PORT$path" "$WORK/$script.lua" >>"$WORK/b"
    else
      measure "http://127.0.0.1:$BARE_PORT$path" "$WORK/$script.lua" >>"$WORK/b"
      measure "$url" "$WORK/$script.lua" >>"$WORK/d"
    fi
  done
  kill $bare_pid; wait $bare_pid 2>/dev/null || true
  read -r drps dp50 dp99 < <(best <"$WORK/d")
  read -r brps bp50 bp99 < <(best <"$WORK/b")
  ratio=$(awk -v a="$drps" -v b="$brps" 'BEGIN { printf "%.2f", a / b }')
  median=$(median_ratio "$WORK/d" "$WORK/b")
  p99x=$(awk -v a="$dp99" -v b="$bp99" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf "%-26s %12s %9s %9s   %12s %9s %9s   %6sx %6sx %7sx\n" "$name" "$drps" "$dp50" "$dp99" "$brps" "$bp50" "$bp99" "$ratio" "$median" "$p99x"
done

# Catalog size: the same GET on docmock serving the 5 bundled endpoints and
# serving $BIG_COUNT, measured alternately, the best of each and the median
# of the per-round ratios. The difference sought (a few tens of
# nanoseconds in a request of several microseconds, see `cargo bench
# --bench pipeline -- "GET JSON"`) is far below the machine's noise, so
# this takes three times as many rounds as the rows above.
: >"$WORK/small" ; : >"$WORK/large"
for round in $(seq $((ROUNDS * 3))); do
  if [ $((round % 2)) = 1 ]; then
    measure "$R7" "$WORK/get-json.lua" >>"$WORK/small"
    measure "http://127.0.0.1:$BIG_PORT/r7/api/2.0/crm/contact/1234" "$WORK/get-json.lua" >>"$WORK/large"
  else
    measure "http://127.0.0.1:$BIG_PORT/r7/api/2.0/crm/contact/1234" "$WORK/get-json.lua" >>"$WORK/large"
    measure "$R7" "$WORK/get-json.lua" >>"$WORK/small"
  fi
done
read -r srps _ _ < <(best <"$WORK/small")
read -r lrps _ _ < <(best <"$WORK/large")
echo
printf "GET R7 contact, JSON with %s endpoints vs 5: %s vs %s r/s, best %sx, median %sx (target: within 5 %%)\n" \
  "$BIG_COUNT" "$lrps" "$srps" "$(awk -v a="$lrps" -v b="$srps" 'BEGIN { printf "%.3f", a / b }')" \
  "$(median_ratio "$WORK/large" "$WORK/small" 3)"

# docmock proxy in front of the bare server answering the R7 contact's
# documented bytes, against the bare server directly.
curl -s -D "$WORK/headers" -o "$WORK/body" -H "$AUTH" -H 'Accept: application/json' "$R7"
ctype=$(grep -i '^content-type:' "$WORK/headers" | cut -d' ' -f2- | tr -d '\r')
"$BARE" $BARE_PORT 200 "$ctype" "$WORK/body" >/dev/null &
bare_pid=$!
RUST_LOG=docmock=info "$DOCMOCK" proxy --target "http://127.0.0.1:$BARE_PORT" --api r7 --port $PROXY_PORT >/dev/null 2>"$WORK/proxy.log" &
proxy_pid=$!
for port in $BARE_PORT $PROXY_PORT; do
  for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/api/2.0/crm/contact/1234" -H "$AUTH" >/dev/null && break; sleep 0.1; done
done
DIRECT="http://127.0.0.1:$BARE_PORT/api/2.0/crm/contact/1234"
PROXIED="http://127.0.0.1:$PROXY_PORT/api/2.0/crm/contact/1234"
one_connection() { # url script → "req/s p50_ms p99_ms" on one connection
  wrk -t1 -c1 -d"${SECONDS_PER_ROUND}s" --latency -s "$2" "$1" 2>/dev/null | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    END { printf "%.0f %.3f %.3f\n", rps, ms(p50), ms(p99) }'
}
: >"$WORK/pl" ; : >"$WORK/dl" ; : >"$WORK/pt" ; : >"$WORK/dt"
for round in $(seq "$ROUNDS"); do
  one_connection "$PROXIED" "$WORK/get-json.lua" >>"$WORK/pl"
  one_connection "$DIRECT" "$WORK/get-json.lua" >>"$WORK/dl"
  if [ $((round % 2)) = 1 ]; then
    measure "$PROXIED" "$WORK/get-json.lua" >>"$WORK/pt"
    measure "$DIRECT" "$WORK/get-json.lua" >>"$WORK/dt"
  else
    measure "$DIRECT" "$WORK/get-json.lua" >>"$WORK/dt"
    measure "$PROXIED" "$WORK/get-json.lua" >>"$WORK/pt"
  fi
done
kill $proxy_pid $bare_pid; wait $proxy_pid $bare_pid 2>/dev/null || true
# The p50 added: the median over rounds of proxied minus direct.
added=$(paste -d' ' "$WORK/pl" "$WORK/dl" | awk '{ print $2 - $5 }' | sort -n |
  awk '{ r[NR] = $1 } END { printf "%.3f", NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
read -r prps _ _ < <(best <"$WORK/pt")
read -r drps _ _ < <(best <"$WORK/dt")
read -r _ pp50 _ < <(sort -k2,2n "$WORK/pl" | head -1)
read -r _ dp50 _ < <(sort -k2,2n "$WORK/dl" | head -1)
echo
printf "proxy in front of the bare server (GET R7 contact, JSON): one connection p50 %s ms vs %s ms direct, median added %s ms (target: under 0.2 ms)\n" \
  "$pp50" "$dp50" "$added"
printf "proxy in front of the bare server, %s connections: %s vs %s r/s, best %sx, median %sx (target: at least 0.7x)\n" \
  "$CONNECTIONS" "$prps" "$drps" "$(awk -v a="$prps" -v b="$drps" 'BEGIN { printf "%.2f", a / b }')" \
  "$(median_ratio "$WORK/pt" "$WORK/dt")"

# Stoplight Prism on the OpenAPI export of the same specs.
if [ "${SKIP_PRISM:-0}" != 1 ]; then
  if [ ! -x bench/.prism/node_modules/.bin/prism ]; then
    echo "installing @stoplight/prism-cli into bench/.prism…" >&2
    npm install --silent --prefix bench/.prism @stoplight/prism-cli >/dev/null 2>&1
  fi
  "$DOCMOCK" openapi --out "$WORK/openapi.json"
  bench/.prism/node_modules/.bin/prism mock -p $PRISM_PORT -h 127.0.0.1 "$WORK/openapi.json" >/dev/null 2>&1 &
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$PRISM_PORT/r7/api/2.0/crm/contact/1234" -H "$AUTH" >/dev/null && break; sleep 0.2; done
  : >"$WORK/d" ; : >"$WORK/p"
  for _ in $(seq "$ROUNDS"); do
    measure "$R7" "$WORK/get-json.lua" >>"$WORK/d"
    measure "http://127.0.0.1:$PRISM_PORT/r7/api/2.0/crm/contact/1234" "$WORK/get-json.lua" >>"$WORK/p"
  done
  read -r drps _ _ < <(best <"$WORK/d")
  read -r prps pp50 pp99 < <(best <"$WORK/p")
  echo
  printf "Prism (GET R7 contact, JSON): %s r/s, p50 %s ms, p99 %s ms; docmock/Prism = %sx\n" \
    "$prps" "$pp50" "$pp99" "$(awk -v a="$drps" -v b="$prps" 'BEGIN { printf "%.1f", a / b }')"
fi

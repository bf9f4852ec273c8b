#!/usr/bin/env bash
# A whole documentation set, end to end: imports every page under the given
# directories into a fresh spec directory, runs `docmock check` on it, serves
# it, and sends every endpoint's documented example request in each documented
# form with `docmock verify` against that server. An example counts as served
# as documented when verify finds nothing at all in any of its forms (no
# failure and no note: status, envelope, every field and value, and the XML
# conventions); `check` has already compared the rendered XML with each
# documented XML example, line by line.
#
#   bench/corpus.sh DIR…        e.g. bench/corpus.sh ../pages/onlyoffice ../pages/superoffice
#
# Prints one line per stage and the summary:
#   N/M pages imported, K check problems, J/T examples served as documented
# with the import's wall time and peak resident memory (GNU time). DOCMOCK=PATH
# runs that binary instead of a fresh release build; KEEP=1 to keep the working directory (its path is printed) for a look at
# the spec directory, the check output and verify's JSON reports.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
    echo "usage: bench/corpus.sh DIR…" >&2
    exit 2
fi
for dir in "$@"; do
    [ -e "$dir" ] || { echo "bench/corpus.sh: $dir: no such file or directory" >&2; exit 2; }
done
for tool in jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { apt-get install -y -qq "${tool##*/}" >/dev/null; }
done

WORK=$(mktemp -d)
cleanup() {
    kill $(jobs -p) 2>/dev/null || true
    if [ "${KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

if [ -z "${DOCMOCK:-}" ]; then
    cargo build --release --quiet --bin docmock
    DOCMOCK=$(realpath "${CARGO_TARGET_DIR:-target}/release/docmock")
fi

# Import, timed. The summary's last line counts every page.
set +e
/usr/bin/time -f '%e %M' -o "$WORK/import.time" \
    "$DOCMOCK" import "$@" --out "$WORK/out" >"$WORK/import.out" 2>"$WORK/import.err"
set -e
# GNU time writes "Command exited with non-zero status N" first on a failure.
read -r wall rss_kb < <(tail -n 1 "$WORK/import.time")
summary=$(tail -n 1 "$WORK/import.out")
echo "import: $summary"
# "721 pages: 720 imported, 0 merged, 0 unchanged, 1 refused; 0 other files skipped"
pages=$(echo "$summary" | grep -oE '^[0-9]+ pages' | grep -oE '[0-9]+' || echo 0)
imported=$(echo "$summary" | grep -oE '[0-9]+ (imported|merged|unchanged)' | awk '{n += $1} END {print n + 0}')

set +e
"$DOCMOCK" check "$WORK/out/specs" >"$WORK/check.out" 2>"$WORK/check.err"
set -e
problems=$(grep -oE '^[0-9]+ problems? in the spec directory' "$WORK/check.err" | grep -oE '^[0-9]+' || echo 0)
echo "check: $problems problems$(grep -oE '[0-9]+ notes?' "$WORK/check.out" "$WORK/check.err" | head -1 | sed 's/^[^:]*:/, /')"

"$DOCMOCK" serve --specs "$WORK/out/specs" --port 0 \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
for _ in $(seq 100); do
    base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/serve.out" | head -1 || true)
    [ -n "$base" ] && break
    kill -0 $! 2>/dev/null || break
    sleep 0.1
done
if [ -z "${base:-}" ]; then
    echo "serve: did not start"
    grep -v ' WARN ' "$WORK/serve.err" | sed 's/^/  /' | head -20
    echo "$imported/$pages pages imported, $problems check problems, 0/0 examples served as documented"
    echo "import: ${wall} s wall, $((rss_kb / 1024)) MB peak RSS"
    exit 1
fi
echo "serve: listening on $base"

served=0
total=0
for api_json in "$WORK"/out/specs/*/api.json; do
    name=$(jq -r .name "$api_json")
    prefix=$(jq -r .prefix "$api_json")
    case $(jq -r .dialect "$api_json") in
        superoffice) auth="Bearer docmock" ;;
        *) auth="docmock" ;;
    esac
    # The request naming no format is not an example: it is left out.
    set +e
    "$DOCMOCK" verify --base-url "$base$prefix" --specs "$WORK/out/specs" --api "$name" \
        --include-writes --auth "$auth" --concurrency 8 --format json --no-default-probe \
        >"$WORK/verify-$name.json" 2>"$WORK/verify-$name.err"
    set -e
    # One endpoint is served as documented when every form of it passed
    # with no finding at all; one whose page shows no example response
    # passes with only that note, and is counted apart.
    read -r good all undocumented < <(jq -r '
        [.checks | group_by(.endpoint)[]
         | if any(.[]; .findings | any(.class == "undocumented")) then "undocumented"
           elif all(.[]; .outcome == "passed" and (.findings | length) == 0) then "good"
           else "bad" end]
        | "\(map(select(. == "good")) | length) \(map(select(. != "undocumented")) | length) \(map(select(. == "undocumented")) | length)"' \
        "$WORK/verify-$name.json")
    echo "verify $name: $good/$all examples served as documented, $undocumented endpoints with no documented example"
    jq -r '.checks[] | select(.outcome != "passed" or (.findings | any(.class != "undocumented")))
        | "  \(.endpoint) \(.form) \(.status): \(.findings[0].class // .outcome) \(.findings[0].message // "" | .[0:160])"' \
        "$WORK/verify-$name.json" | head -"${SHOW:-10}"
    served=$((served + good))
    total=$((total + all))
    without=$((${without:-0} + undocumented))
done

echo "$imported/$pages pages imported, $problems check problems, $served/$total examples served as documented ($without endpoints with no documented example)"
echo "import: ${wall} s wall, $((rss_kb / 1024)) MB peak RSS"

#!/usr/bin/env bash
# Import time against the shape of a page: one page in the ONLYOFFICE layout
# grown to LINES lines in several ways, each imported RUNS times, alternating,
# as ratios to the same page grown by plain text lines (the baseline). Import
# must stay linear in the page, whatever its lines begin with: a page of
# 20,000 lines opening elements or objects that never close used to be read
# to its end again from every one of them.
#
#   bench/import-lines.sh [LINES] [RUNS]
#
# DOCMOCK=path/to/docmock measures that binary instead of building this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-20000}
RUNS=${2:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${DOCMOCK:-}" ]; then
  cargo build --release --quiet --bin docmock
  DOCMOCK=${CARGO_TARGET_DIR:-target}/release/docmock
fi

python3 - "$WORK" "$LINES" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
page = open("tests/pages/26_invalid-json-with-xml.txt").read().replace('"Key account",', '"Key account"')
head, rest = page.split("Parameters", 1)
json_at = page.index("text/xml")
shapes = {
    # n lines of prose in the description: the baseline.
    "plain": head + "".join(f"Line {i} of the description.\n" for i in range(n)) + "Parameters" + rest,
    # n unclosed start tags after the JSON example, where the XML one goes.
    "unclosed-tags": page[:json_at] + "text/xml\n\n" + "<item>\n" * n,
    # n unclosed objects where the JSON example goes.
    "unclosed-objects": page[:page.index("{")] + "{\n" * n,
    # a well-formed XML example of n elements.
    "xml-example": page[:json_at] + "text/xml\n\n<result>\n  <status>0</status>\n"
        + "".join(f"  <response>tag {i}</response>\n" for i in range(n)) + "</result>\n",
    # a well-formed JSON example of n objects, one a line.
    "json-example": page[:page.index("{")] + '{\n  "status": 0,\n  "response": [\n'
        + "".join(f'    {{ "id": {i} }},\n' for i in range(n)) + '    { "id": -1 }\n  ]\n}\n',
}
for name, text in shapes.items():
    open(f"{out}/{name}.txt", "w").write(text)
PY

shapes="plain unclosed-tags unclosed-objects xml-example json-example"
for shape in $shapes; do : >"$WORK/$shape.times"; done
for run in $(seq "$RUNS"); do
  for shape in $shapes; do
    rm -rf "$WORK/out"
    start=$(date +%s%N)
    "$DOCMOCK" import "$WORK/$shape.txt" --out "$WORK/out" --dry-run >/dev/null 2>&1 || true
    echo $(( ($(date +%s%N) - start) / 1000 )) >>"$WORK/$shape.times"
  done
done
stats() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%d %d", a[1], a[int((NR + 1) / 2)] }'; }
read -r base_best base_median <<<"$(stats "$WORK/plain.times")"
printf "%-18s %10s %10s %8s %8s\n" "page ($LINES lines)" "best ms" "median ms" "best×" "median×"
for shape in $shapes; do
  read -r best median <<<"$(stats "$WORK/$shape.times")"
  awk -v s="$shape" -v b="$best" -v m="$median" -v bb="$base_best" -v bm="$base_median" \
    'BEGIN { printf "%-18s %10.1f %10.1f %8.2f %8.2f\n", s, b / 1000, m / 1000, b / bb, m / bm }'
done

#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with cargo-fuzz,
# installing cargo-fuzz when missing. The machine has a stable toolchain only,
# so the sanitizer flags cargo-fuzz passes are enabled with RUSTC_BOOTSTRAP.
# A crashing input is kept in fuzz/artifacts/<target>/; copy it into
# fuzz/regressions/<target>/ so tests/fuzz_regressions.rs replays it forever.
#
#   fuzz/run.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(xml_body form_body router spec_loader page_importer)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seed corpora from the project's own material.
mkdir -p corpus/{xml_body,form_body,router,spec_loader,page_importer}
cp ../fixtures/*/*/*.xml corpus/xml_body/ 2>/dev/null || true
printf 'id=1&tags=a&tags[]=b&nested.n=2.5' > corpus/form_body/seed
printf 'PUT /onlyoffice/api/2.0/crm/contact/1234/status\nAuthorization: t\nContent-Type: application/json\n\n{"contactStatusid": 1}' > corpus/router/seed
cp ../specs/*/*.json corpus/spec_loader/ 2>/dev/null || true
cp ../tests/pages/*.txt ../tests/seeds/*.txt corpus/page_importer/ 2>/dev/null || true

status=0
for target in "${TARGETS[@]}"; do
  echo "== $target: ${SECONDS_EACH}s"
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
      | grep -E "^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|Test unit written|artifact_prefix)"; then
    :
  fi
  if ls "artifacts/$target"/crash-* "artifacts/$target"/timeout-* "artifacts/$target"/oom-* >/dev/null 2>&1; then
    echo "!! $target: inputs kept in fuzz/artifacts/$target/"
    status=1
  fi
done
exit $status

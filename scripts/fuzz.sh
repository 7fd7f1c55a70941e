#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, readers only) and runs each
# for SECONDS (default 30), seeded with the malformed-file corpus. Exits
# non-zero if any target finds a crash, a leak, a timeout or an OOM; the
# reproducer is left in build/fuzz/artifacts/.
#   usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: safetensors npy idx csv esma_checkpoint sem_graph diagram_json lexicon qnlp_dataset qnlp_model lightsb_model wordnet sentencepiece anncur_index)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors npy idx csv esma_checkpoint sem_graph diagram_json lexicon qnlp_dataset qnlp_model lightsb_model wordnet sentencepiece anncur_index)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f build/fuzz/build.ninja ]; then
  cmake --preset fuzz >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
cmake --build --preset fuzz >"$log" 2>&1 || { cat "$log" >&2; exit 1; }

seeds=build/fuzz/seeds
rm -rf "$seeds" && build/fuzz/fuzz/make_corpus "$seeds" >/dev/null
mkdir -p build/fuzz/artifacts
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${targets[@]}"; do
  work=build/fuzz/corpus/$t
  mkdir -p "$work"
  if build/fuzz/fuzz/fuzz_$t "$work" "$seeds/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -artifact_prefix=build/fuzz/artifacts/"$t"- -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz $t: ${secs}s, $runs executions, no crash"
  else
    echo "fuzz $t: FAILED" >&2
    tail -60 "$log" >&2
    status=1
  fi
done
exit $status

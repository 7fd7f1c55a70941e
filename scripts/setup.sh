#!/usr/bin/env bash
# Installs the Debian packages (scripts/install-deps.sh), then configures and
# builds the release preset into build/release. Safe to re-run: both steps are
# incremental and quiet when there is nothing to do; a failed build prints its
# log and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f build/release/build.ninja ]; then
  if ! cmake --preset release >"$log" 2>&1; then cat "$log" >&2; exit 1; fi
fi
if ! cmake --build --preset release >"$log" 2>&1; then cat "$log" >&2; exit 1; fi

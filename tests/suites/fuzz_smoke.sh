#!/usr/bin/env bash
# Every libFuzzer harness of tests/fuzz/ for a few seconds (about a minute in all): replays
# the inputs that once failed (tests/fuzz/corpus/) and fuzzes from the seeds. Long runs:
# `make fuzz FUZZ_SECONDS=600`.
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s fuzz-build fuzz-seeds >/dev/null
tests/fuzz/smoke.sh "${FUZZ_SMOKE_SECONDS:-9}"

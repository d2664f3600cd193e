#!/usr/bin/env bash
# libhq: codecs, errors, rows, and database tests on a throwaway cluster,
# under AddressSanitizer and valgrind (tests/runtime/run.sh).
exec "$(dirname "$0")/../runtime/run.sh" --with-pg

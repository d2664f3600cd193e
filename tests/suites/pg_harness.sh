#!/usr/bin/env bash
# The PostgreSQL / PGlite harness checks itself (tests/pg/selftest.sh).
exec "$(dirname "$0")/../pg/selftest.sh"

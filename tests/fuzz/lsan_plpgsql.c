/* lsan_plpgsql.c - the one leak of libpg_query that hqc cannot free
 * (tests/lsan.supp says why), ignored for exactly the call that makes it.
 * The suppression in tests/lsan.supp matches only with full stack unwinding
 * at every malloc, which makes a fuzzer ten times slower and the sanitizer
 * suite minutes longer; so the fuzz harnesses and build/asan/hqc link this
 * file with -Wl,--wrap=pg_query_parse_plpgsql (tests/fuzz/fuzz.mk), and what
 * that one library call allocates is left out of leak reports. Everything
 * else, our frees of the call's results included, stays checked. */
#include <pg_query.h>
#include <sanitizer/lsan_interface.h>

PgQueryPlpgsqlParseResult __real_pg_query_parse_plpgsql(const char *input);
PgQueryPlpgsqlParseResult __wrap_pg_query_parse_plpgsql(const char *input);

PgQueryPlpgsqlParseResult __wrap_pg_query_parse_plpgsql(const char *input)
{
    __lsan_disable();
    PgQueryPlpgsqlParseResult r = __real_pg_query_parse_plpgsql(input);
    __lsan_enable();
    return r;
}

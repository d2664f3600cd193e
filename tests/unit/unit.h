/* unit.h - shared helpers of the cmocka unit tests: running diag_flush with
 * stderr sent to a temporary file, to compare the diagnostics it prints.
 * Include after <cmocka.h>. */
#ifndef HQC_UNIT_H
#define HQC_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"

/* What diag_flush() prints, as a malloc'ed string (the caller frees it). */
static inline char *flush_diagnostics(void)
{
    char path[] = "/tmp/hqc-unit-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fd, 2) == 2);
    diag_flush();
    fflush(stderr);
    assert_true(dup2(saved, 2) == 2);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    assert_true(size >= 0);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_true(pread(fd, text, (size_t)size, 0) == (ssize_t)size);
    text[size] = '\0';
    close(fd);
    return text;
}

/* Checks that diag_flush() prints exactly `want`. */
static inline void assert_diagnostics(const char *want)
{
    char *got = flush_diagnostics();
    assert_string_equal(got, want);
    free(got);
}

#endif /* HQC_UNIT_H */

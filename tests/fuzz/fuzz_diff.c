/* fuzz_diff.c - libFuzzer harness: `hqc diff` on two schemas packed into
 * one input (the files before and after a "=== @new" line; format in
 * fuzz_common.h): both are built and checked, and when both are clean the
 * semantic diff is computed and printed in every format. */
#include "fuzz_common.h"

#include "diff/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *old_dir = fuzz_dir("old"), *new_dir = fuzz_dir("new");
    fuzz_unpack(data, size, 0, old_dir);
    fuzz_unpack(data, size, 1, new_dir);
    HqArena *a = fuzz_begin();
    HqModel old_m, new_m;
    /* As run_diff in gen/main.c: both schemas in one arena. */
    if (fuzz_build(a, old_dir, &old_m, true) && fuzz_build(a, new_dir, &new_m, true)) {
        DiffResult r;
        diff_models(a, &old_m, &new_m, &r);
        diff_print(&r, DIFF_TEXT, true, "old", "new", fuzz_null());
        diff_print(&r, DIFF_MARKDOWN, false, "old", "new", fuzz_null());
        diff_print(&r, DIFF_JSON, false, "old", "new", fuzz_null());
    }
    fuzz_end(a);
    return 0;
}

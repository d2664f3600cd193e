/* fuzz_pipeline.c - libFuzzer harness: the whole compiler on a schema
 * directory packed into one input (format in fuzz_common.h): load, build,
 * every check, and, when the schema has no errors, every emitter (SQL per
 * module, docs, C API, stats) into memory. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_dir("old");
    fuzz_unpack(data, size, 0, dir);
    HqArena *a = fuzz_begin();
    HqModel m;
    if (fuzz_build(a, dir, &m, true))
        fuzz_emit(&m);
    fuzz_end(a);
    return 0;
}

# An empty schema directory (found by fuzz_pipeline: sorting its empty file
# list passed NULL to qsort, undefined behaviour).
mkdir -p schema

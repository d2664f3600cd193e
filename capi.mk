# capi.mk - the generated C API (out/c/, written by `hqc build`) compiled against libhq, and the
# programs that use it. Included from the top-level Makefile after runtime/runtime.mk; it does not
# change the includer's default goal.
#   build/libhq_schema.a        out/c/hq_schema.c (tests/suites/c_api.sh adds -Werror, and C++)
#   build/examples/quickstart   examples/quickstart.c (see examples/run.sh)
#   build/bench/capi_bench      bench/capi_bench.c (see bench/capi_bench.sh)

CAPI_SAVED_GOAL := $(.DEFAULT_GOAL)

# CAPI_WERROR=-Werror (as the tests use) makes any warning fatal here too.
CAPI_WARN   := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 $(CAPI_WERROR)
CAPI_CFLAGS := -O2 -g $(CAPI_WARN) -D_POSIX_C_SOURCE=200809L -Iruntime -Iout/c
CAPI_LIBS    = $(HQ_RT_A) $(shell $(PKG_CONFIG) --libs libpq) -lm
CAPI_LIB    := $(BUILD)/libhq_schema.a

.PHONY: capi
capi: $(CAPI_LIB) $(BUILD)/examples/quickstart $(BUILD)/bench/capi_bench

# out/c/ is rewritten (only when its bytes change) by the generate step.
$(BUILD)/capi/hq_schema.o: $(BUILD)/out.stamp out/c/hq_schema.c out/c/hq_schema.h runtime/hq.h
	@mkdir -p $(@D)
	$(CC) $(CAPI_CFLAGS) -c out/c/hq_schema.c -o $@

$(CAPI_LIB): $(BUILD)/capi/hq_schema.o
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/examples/quickstart: examples/quickstart.c out/c/hq_schema.h $(CAPI_LIB) $(HQ_RT_A)
	@mkdir -p $(@D)
	$(CC) $(CAPI_CFLAGS) $< $(CAPI_LIB) $(CAPI_LIBS) -o $@

$(BUILD)/bench/capi_bench: bench/capi_bench.c out/c/hq_schema.h $(CAPI_LIB) $(HQ_RT_A)
	@mkdir -p $(@D)
	$(CC) $(CAPI_CFLAGS) $$($(PKG_CONFIG) --cflags libpq) $< $(CAPI_LIB) $(CAPI_LIBS) -o $@

.DEFAULT_GOAL := $(CAPI_SAVED_GOAL)

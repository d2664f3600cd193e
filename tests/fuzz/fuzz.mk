# tests/fuzz/fuzz.mk - libFuzzer harnesses (tests/fuzz/fuzz_*.c) and the sanitizer build of hqc.
# Included from the top-level Makefile after runtime/runtime.mk; does not change its default goal.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_JOBS=1]   each harness for FUZZ_SECONDS, one after another
#                                              (niced); new inputs go to build/fuzz/corpus/NAME/,
#                                              crashes to build/fuzz/artifacts/
#   make fuzz-build                            the harnesses only (build/fuzz/fuzz_NAME)
#   make fuzz-smoke                            what tests/suites/fuzz_smoke.sh runs: every harness
#                                              on its seeds and regression corpus, ~10 s each
#   make asan-hqc                              build/asan/hqc: hqc with AddressSanitizer, UBSan
#                                              (tests/suites/sanitizers.sh runs the corpus with it)
# The harnesses need clang (libFuzzer ships with clang's compiler-rt: Debian clang and
# libclang-rt-14-dev, in DEB_PKGS).

FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_JOBS     ?= 1
FUZZ_SMOKE_SECONDS ?= 9
FUZZ_DIR      := $(BUILD)/fuzz
FUZZ_NAMES    := load pipeline sql diff decode row
FUZZ_COMPILER := load pipeline sql diff
FUZZ_RUNTIME  := decode row
FUZZ_BINS     := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
# Instrumented for coverage (fuzzer-no-link) and checked (ASan, UBSan; any UB report aborts).
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(CPPFLAGS) $(WARN)
FUZZ_GEN_SRC  := $(filter-out gen/main.c,$(GEN_SRC))
FUZZ_GEN_OBJ  := $(FUZZ_GEN_SRC:gen/%.c=$(FUZZ_DIR)/obj/gen/%.o) $(FUZZ_DIR)/obj/templates.o
FUZZ_RT_OBJ   := $(HQ_RT_SRCS:runtime/%.c=$(FUZZ_DIR)/obj/runtime/%.o)
FUZZ_COMMON   := $(FUZZ_DIR)/obj/fuzz_common.o $(FUZZ_DIR)/obj/lsan_plpgsql.o
# Leaves libpg_query's unfixable leak out of leak reports (tests/fuzz/lsan_plpgsql.c).
LSAN_WRAP     := -Wl,--wrap=pg_query_parse_plpgsql
FUZZ_LIBS      = $$(pkg-config --libs $(PKGS)) -lpg_query

.PHONY: fuzz fuzz-build fuzz-seeds fuzz-smoke asan-hqc

fuzz-build: $(FUZZ_BINS) $(FUZZ_DIR)/fuzz_seeds

$(FUZZ_DIR)/obj/gen/%.o: gen/%.c $(GEN_HDR) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Igen $$(pkg-config --cflags $(PKGS)) -c $< -o $@
$(FUZZ_DIR)/obj/templates.o: $(BUILD)/templates.c gen/base/tmpl.h gen/base/strbuf.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Igen -c $< -o $@
$(FUZZ_DIR)/obj/runtime/%.o: runtime/%.c $(HQ_RT_HDRS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(HQ_RT_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/obj/lsan_plpgsql.o: tests/fuzz/lsan_plpgsql.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h tests/fuzz/fuzz_sql.h $(GEN_HDR) \
		| $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Igen -Iruntime $$(pkg-config --cflags $(PKGS) libpq) -c $< -o $@

$(FUZZ_COMPILER:%=$(FUZZ_DIR)/fuzz_%): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz_%.o $(FUZZ_COMMON) $(FUZZ_GEN_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(LSAN_WRAP) -o $@ $^ $(FUZZ_LIBS)
$(FUZZ_RUNTIME:%=$(FUZZ_DIR)/fuzz_%): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz_%.o $(FUZZ_RT_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(HQ_RT_LIBS) -lm

# The seed extractor is an ordinary program over hqc's own objects.
$(FUZZ_DIR)/fuzz_seeds: tests/fuzz/fuzz_seeds.c tests/fuzz/fuzz_sql.h $(filter-out $(BUILD)/gen/main.o,$(GEN_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Igen $(WARN) $(CFLAGS) $$(pkg-config --cflags $(PKGS)) -o $@ $< \
		$(filter-out $(BUILD)/gen/main.o,$(GEN_OBJ)) $$(pkg-config --libs $(PKGS)) -lpg_query

# Seeds are rewritten when what they come from changed.
FUZZ_SEED_INPUTS := $(wildcard schema/*.yaml examples/*/*.yaml tests/cases/*/schema/*.yaml \
	tests/cases/bad/*/schema/*.yaml tests/cases/changes/*/*.yaml)
fuzz-seeds: $(FUZZ_DIR)/seeds/.stamp
$(FUZZ_DIR)/seeds/.stamp: tests/fuzz/seeds.sh $(FUZZ_DIR)/fuzz_seeds $(FUZZ_SEED_INPUTS)
	tests/fuzz/seeds.sh $(FUZZ_DIR)/seeds
	@touch $@

# libFuzzer options shared by the long runs and the smoke: a 10 s timeout per input is a hang,
# 2 GB of RSS a leak or blow-up; -detect_leaks stays on (LeakSanitizer after every input).
FUZZ_OPTS = -timeout=10 -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
	-artifact_prefix=$(FUZZ_DIR)/artifacts/$$n-

fuzz: fuzz-build fuzz-seeds
	@mkdir -p $(FUZZ_DIR)/artifacts
	@for n in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n; \
	  echo "== fuzz_$$n for $(FUZZ_SECONDS) s"; \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  nice -n 10 $(FUZZ_DIR)/fuzz_$$n $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) -jobs=$(FUZZ_JOBS) \
	    -workers=$(FUZZ_JOBS) $(FUZZ_DIR)/corpus/$$n tests/fuzz/corpus/$$n $(FUZZ_DIR)/seeds/$$n || exit 1; \
	done

fuzz-smoke: fuzz-build fuzz-seeds
	tests/fuzz/smoke.sh $(FUZZ_SMOKE_SECONDS)

# hqc itself under AddressSanitizer (leaks included) and UBSan, for the corpus, golden and
# determinism tests (tests/suites/sanitizers.sh).
ASAN_DIR     := $(BUILD)/asan
ASAN_CC      ?= $(CC)
ASAN_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_OBJ     := $(GEN_SRC:gen/%.c=$(ASAN_DIR)/obj/gen/%.o) $(LIVE_SRC:live/%.c=$(ASAN_DIR)/obj/live/%.o) \
	$(ASAN_DIR)/obj/templates.o $(ASAN_DIR)/obj/lsan_plpgsql.o

asan-hqc: $(ASAN_DIR)/hqc
$(ASAN_DIR)/obj/gen/%.o: gen/%.c $(GEN_HDR) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) -Igen $(WARN) $(ASAN_CFLAGS) $$(pkg-config --cflags $(PKGS)) -c $< -o $@
$(ASAN_DIR)/obj/live/%.o: live/%.c $(LIVE_HDR) $(GEN_HDR) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) -I. -Igen $(WARN) $(ASAN_CFLAGS) -pthread $$(pkg-config --cflags $(PKGS) libpq) -c $< -o $@
$(ASAN_DIR)/obj/templates.o: $(BUILD)/templates.c gen/base/tmpl.h gen/base/strbuf.h
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(WARN) $(ASAN_CFLAGS) -Igen -c $< -o $@
$(ASAN_DIR)/obj/lsan_plpgsql.o: tests/fuzz/lsan_plpgsql.c
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(WARN) $(ASAN_CFLAGS) -c $< -o $@
$(ASAN_DIR)/hqc: $(ASAN_OBJ)
	$(ASAN_CC) $(ASAN_CFLAGS) $(LSAN_WRAP) -pthread -o $@ $(ASAN_OBJ) $$(pkg-config --libs $(PKGS) libpq) -lpg_query

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)

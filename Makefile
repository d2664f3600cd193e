# hqc - schema compiler for PostgreSQL/Supabase.
#   make            build hqc and regenerate out/ from schema/
#   make test       run every test (starts its own throwaway PostgreSQL)
#   make install    install hqc (PREFIX=/usr/local)

PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CPPFLAGS = -D_GNU_SOURCE
PKGS     = yaml-0.1 libpcre2-8
BUILD    = build

# Debian packages the build and the tests need (installed by `make deps`).
DEB_PKGS = build-essential pkg-config libyaml-dev libpcre2-dev libpg-query-dev libprotobuf-c-dev \
           libpq-dev libcmocka-dev postgresql-15 postgresql-15-cron postgresql-15-pgtap \
           postgresql-15-plpgsql-check graphviz valgrind clang libclang-rt-14-dev time python3 jq

# The compiler, one folder per stage (see gen/README.md).
GEN_SRC  = $(sort $(shell find gen -name '*.c'))
GEN_HDR  = $(shell find gen -name '*.h')
GEN_OBJ  = $(GEN_SRC:gen/%.c=$(BUILD)/gen/%.o) $(BUILD)/templates.o
TEMPLATES = $(sort $(wildcard templates/*.in))
# The live side (live/README.md): apply and status against databases, libpq and threads.
LIVE_SRC = $(sort $(wildcard live/*.c))
LIVE_HDR = $(wildcard live/*.h)
LIVE_OBJ = $(LIVE_SRC:live/%.c=$(BUILD)/live/%.o)
SCHEMA   = $(wildcard schema/*.yaml)

include runtime/runtime.mk
include capi.mk
include tests/fuzz/fuzz.mk

.PHONY: all deps generate docs check-generated test install clean diff bench

all: deps hqc runtime generate docs capi

# Install missing build dependencies (as root), or say exactly what to run.
deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: Makefile
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing build dependencies; run:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/gen/%.o: gen/%.c $(GEN_HDR) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Igen $(WARN) $(CFLAGS) $$(pkg-config --cflags $(PKGS)) -c $< -o $@

$(BUILD)/live/%.o: live/%.c $(LIVE_HDR) $(GEN_HDR) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I. -Igen $(WARN) $(CFLAGS) -pthread $$(pkg-config --cflags $(PKGS) libpq) -c $< -o $@

# Page skeletons are compiled into hqc, so its output never depends on the working directory.
$(BUILD)/templates.c: $(TEMPLATES) gen/base/tmpl_embed.awk | $(BUILD)/.deps-ok
	awk -f gen/base/tmpl_embed.awk $(TEMPLATES) >$@.tmp && mv $@.tmp $@
$(BUILD)/templates.o: $(BUILD)/templates.c gen/base/tmpl.h gen/base/strbuf.h
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -Igen -c $< -o $@

hqc: $(GEN_OBJ) $(LIVE_OBJ)
	$(CC) $(CFLAGS) -pthread -o $@ $(GEN_OBJ) $(LIVE_OBJ) $$(pkg-config --libs $(PKGS) libpq) -lpg_query

# out/ is regenerated only when the compiler or the schema changed.
generate: $(BUILD)/out.stamp
$(BUILD)/out.stamp: hqc $(SCHEMA)
	./hqc build --werror -o out schema
	@touch $@

# The whole-schema diagram as SVG (Graphviz); hqc writes its source, out/docs/schema.dot.
docs: generate out/docs/schema.svg
out/docs/schema.svg: out/docs/schema.dot
	dot -Tsvg $< -o $@.tmp && mv $@.tmp $@
out/docs/schema.dot: $(BUILD)/out.stamp

check-generated: hqc
	./hqc build --werror --check -o out schema

test: all
	tests/run_all.sh

# Semantic schema changes of the working tree against BASE (a git revision).
BASE ?= origin/main
diff: hqc
	./hqc diff git:$(BASE) schema

install: hqc install-runtime
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 hqc $(DESTDIR)$(PREFIX)/bin/hqc

clean:
	rm -rf $(BUILD) hqc

bench: all
	bench/run.sh

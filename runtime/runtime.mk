# runtime/runtime.mk - builds libhq: build/libhq.a, build/libhq.so and build/libhq.pc.
# Include it from the top-level Makefile (paths are relative to the repository root); it does not
# change the includer's default goal. Standalone: make -f runtime/runtime.mk runtime
# Targets: runtime, install-runtime (PREFIX, DESTDIR), clean-runtime.

HQ_RT_SAVED_GOAL := $(.DEFAULT_GOAL)

HQ_RT_VERSION := 0.1.0
HQ_RT_SOMAJOR := 0
HQ_RT_BUILD ?= build
HQ_RT_OBJDIR := $(HQ_RT_BUILD)/runtime
HQ_RT_SRCS := $(addprefix runtime/,hq_alloc.c hq_error.c hq_codec.c hq_codec_time.c \
	hq_codec_array.c hq_conn.c hq_stmt.c hq_tx.c hq_row.c hq_table.c hq_pipeline.c)
HQ_RT_HDRS := runtime/hq.h runtime/hq_int.h
HQ_RT_OBJS := $(HQ_RT_SRCS:runtime/%.c=$(HQ_RT_OBJDIR)/%.o)

CC ?= cc
AR ?= ar
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local

HQ_RT_WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
# -fvisibility=hidden + HQ_API: libhq.so exports the public API only, not hq_int.h's helpers.
HQ_RT_CFLAGS := -std=c11 $(HQ_RT_WARN) -O2 -fPIC -fvisibility=hidden \
	-D_POSIX_C_SOURCE=200809L -DHQ_BUILDING_LIBRARY \
	$(shell $(PKG_CONFIG) --cflags libpq) $(HQ_RT_EXTRA_CFLAGS)
HQ_RT_LIBS := $(shell $(PKG_CONFIG) --libs libpq)

HQ_RT_A := $(HQ_RT_BUILD)/libhq.a
HQ_RT_SO := $(HQ_RT_BUILD)/libhq.so
HQ_RT_PC := $(HQ_RT_BUILD)/libhq.pc

.PHONY: runtime install-runtime clean-runtime
runtime: $(HQ_RT_A) $(HQ_RT_SO) $(HQ_RT_PC)

$(HQ_RT_OBJDIR)/%.o: runtime/%.c $(HQ_RT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HQ_RT_CFLAGS) -c $< -o $@

$(HQ_RT_A): $(HQ_RT_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(HQ_RT_SO): $(HQ_RT_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libhq.so.$(HQ_RT_SOMAJOR) -o $@ $^ $(HQ_RT_LIBS)

$(HQ_RT_PC): runtime/libhq.pc.in runtime/runtime.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(HQ_RT_VERSION)|g' $< > $@

install-runtime: runtime
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 runtime/hq.h $(DESTDIR)$(PREFIX)/include/hq.h
	install -m 644 $(HQ_RT_A) $(DESTDIR)$(PREFIX)/lib/libhq.a
	install -m 755 $(HQ_RT_SO) $(DESTDIR)$(PREFIX)/lib/libhq.so.$(HQ_RT_VERSION)
	ln -sf libhq.so.$(HQ_RT_VERSION) $(DESTDIR)$(PREFIX)/lib/libhq.so.$(HQ_RT_SOMAJOR)
	ln -sf libhq.so.$(HQ_RT_SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libhq.so
	install -m 644 $(HQ_RT_PC) $(DESTDIR)$(PREFIX)/lib/pkgconfig/libhq.pc

clean-runtime:
	rm -rf $(HQ_RT_OBJDIR) $(HQ_RT_A) $(HQ_RT_SO) $(HQ_RT_PC)

# Leave the includer's default goal alone (an empty value lets its next target become it).
.DEFAULT_GOAL := $(HQ_RT_SAVED_GOAL)

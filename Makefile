# post2epub — plain GNU make. Flags come from pkg-config.
#
#   make            build build/post2epub
#   make demo       install missing Debian packages, build, convert samples/
#   make check      install test packages, build with sanitizers, run every test
#   make fuzz       build the libFuzzer harnesses (clang), run each FUZZ_SECONDS=60
#   make bench      speed and memory against zip -6 (and pandoc when installed)
#   make compat     calibre EPUB -> AZW3 round trip; pages rendered to PNG
#   make regen      rewrite golden test expectations (review the diff)
#   make install    PREFIX=/usr/local DESTDIR=

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
O       ?= build

PKGS     = yaml-0.1 libxml-2.0 libcurl libzip libcrypto md4c-html libdeflate vips gmodule-no-export-2.0
# libvips's loadable module for HEIF/AVIF (convert.c loads it alone).
VIPS_MODULES := $(shell pkg-config --variable=libdir vips 2>/dev/null)/vips-modules-$(shell pkg-config --modversion vips 2>/dev/null | cut -d. -f1-2)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN    += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
ALL_CFLAGS = -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DPOST2EPUB_VERSION='"$(VERSION)"' \
	-DVIPS_MODULE_DIR='"$(VIPS_MODULES)"' \
	$(WARN) $(SANFLAGS) $(CFLAGS) -Isrc -I$(O) $(PKG_CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
# The program is linked with mimalloc, which takes over malloc for it and
# every library it loads. glibc's allocator cost a sixth of a run: the two
# threads free each other's chunks (a chapter is made on one and written
# from the other; tcache then carries chunks across arenas) and wait on the
# arena locks, ~400 sleeps a run against ~20 (see docs/design.md). MALLOC=
# builds without it; sanitizer builds keep ASan's allocator and the valgrind
# build (build/vg) glibc's, so that memcheck sees every allocation.
MALLOC  ?= -lmimalloc
ifeq ($(SAN),1)
MALLOC   =
endif

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(O)/%.o) $(O)/templates_data.o
TEMPLATES := $(sort $(wildcard templates/*))
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(O)/tests/%)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_COMMON = tests/fuzz/common.c tests/fuzz/common.h
REPLAY_BINS := $(FUZZ_NAMES:%=$(O)/fuzz/replay_%)
FUZZERS ?= $(FUZZ_NAMES)
FUZZ_SECONDS ?= 60
FUZZ_ARGS ?=
FUZZ_CC ?= clang
FUZZ_O ?= build/fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all demo check test regen install uninstall clean deps fuzz bench compat
all: $(O)/post2epub

$(O)/post2epub: $(O)/main.o $(O)/libpost2epub.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MALLOC) $(PKG_LIBS) $(LDLIBS)

$(O)/libpost2epub.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(O)/%.o: src/%.c $(wildcard src/*.h) | $(O)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/templates_data.c: tools/embed.sh $(TEMPLATES) | $(O)
	sh tools/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(O)/templates_data.o: $(O)/templates_data.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/%: tests/%.c tests/testutil.h $(O)/libpost2epub.a | $(O)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libpost2epub.a $(PKG_LIBS) -lcmocka $(LDLIBS)

$(O) $(O)/tests:
	mkdir -p $@

tests: $(TEST_BINS) $(REPLAY_BINS)

# Fuzzing (tests/fuzz/). make check builds replay_NAME, which runs harness
# NAME over its seed corpus and kept crashes under the sanitizers above;
# make fuzz builds the libFuzzer harnesses with clang in $(FUZZ_O) and runs
# each for FUZZ_SECONDS. New inputs go to tests/fuzz/out/NAME/new, crashes
# to tests/fuzz/out/NAME/ (move them to tests/fuzz/regress/NAME/ once fixed).
$(O)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_COMMON) $(O)/libpost2epub.a | $(O)/fuzz
	$(CC) $(ALL_CFLAGS) -Itests/fuzz $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c tests/fuzz/common.c \
		$(O)/libpost2epub.a $(PKG_LIBS) $(LDLIBS)

$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(O)/libpost2epub.a | $(O)/fuzz
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< tests/fuzz/common.c \
		$(O)/libpost2epub.a $(PKG_LIBS) $(LDLIBS)

$(O)/fuzz:
	mkdir -p $@

fuzz:
	$(MAKE) O=$(FUZZ_O) CC=$(FUZZ_CC) CFLAGS="-g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		$(FUZZERS:%=$(FUZZ_O)/fuzz/fuzz_%)
	@st=0; for n in $(FUZZERS); do \
		mkdir -p tests/fuzz/out/$$n/new; \
		echo "fuzz $$n: $(FUZZ_SECONDS) s"; \
		$(FUZZ_O)/fuzz/fuzz_$$n -max_len=65536 -timeout=10 -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=tests/fuzz/out/$$n/ $(FUZZ_ARGS) \
			tests/fuzz/out/$$n/new tests/fuzz/corpus/$$n || st=1; \
	done; \
	[ $$st -eq 0 ] || echo "fuzz: crashes left in tests/fuzz/out/NAME/"; \
	exit $$st

deps:
	sh tools/deps.sh

demo:
	sh tools/deps.sh
	$(MAKE) all
	$(O)/post2epub samples -o samples.epub

# Sanitizer build in its own folder, warnings fatal, then every test.
check:
	sh tools/deps.sh --test
	$(MAKE) O=build/check SAN=1 WERROR=1 CFLAGS="-O1 -g" all tests
	$(MAKE) O=build/vg WERROR=1 CFLAGS="-O1 -g" MALLOC= all
	$(MAKE) WERROR=1 all
	sh tests/run.sh build/check

# calibre conversion to AZW3 (the path to Kindle) and pages rendered to PNG;
# installs calibre when missing, so it is not part of check.
compat: all
	sh tools/compat.sh $(O)/post2epub

# Benchmark (issue 6): corpora, loopback image server, post2epub vs zip -6
# and pandoc; BENCH_SIZES="200 2000 20000", see tools/bench.sh. Not part of check.
bench: all
	sh tools/bench.sh $(O)/post2epub

regen:
	$(MAKE) all
	sh tests/golden.sh $(O)/post2epub --regen

install: $(O)/post2epub
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(O)/post2epub $(DESTDIR)$(BINDIR)/post2epub
	install -m 644 post2epub.1 $(DESTDIR)$(MANDIR)/man1/post2epub.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/post2epub $(DESTDIR)$(MANDIR)/man1/post2epub.1

clean:
	rm -rf build samples.epub

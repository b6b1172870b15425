# vmsim - see README.md.
#
#   make              build/vmsim (release)
#   make run          build and run the default simulation
#   make check        unit, stress, fault-injection and layering tests: debug (VM_DEBUG=2) and
#                     release builds, and the stress tests under
#                     ThreadSanitizer and AddressSanitizer
#   make bench        the benchmark (see docs/PERFORMANCE.md)
#   make soak         every soak configuration in rotation for SOAK_SECONDS
#                     (default 600; README "Soak")
#   make install      the library, its header, vmsim.pc, the command and its
#                     man page under $(DESTDIR)$(PREFIX) (default /usr/local);
#                     make uninstall removes them
#   make readme       the README's option table, from sim/options.def
#
# Variants build into their own directories: build/ (release), build/debug,
# build/tsan, build/asan.  VARIANT=debug|tsan|asan selects one.

CC      ?= gcc
VARIANT ?= release
BUILD_ROOT ?= build
STD     := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-missing-field-initializers \
           -Isrc -Isim -Itests/unit -Itests/common -pthread -MMD -MP

ifeq ($(VARIANT),release)
B       := $(BUILD_ROOT)
VFLAGS  := -O2 -g -DVM_DEBUG=0
else ifeq ($(VARIANT),debug)
B       := $(BUILD_ROOT)/debug
VFLAGS  := -O1 -g -DVM_DEBUG=2 -fno-omit-frame-pointer
else ifeq ($(VARIANT),tsan)
B       := $(BUILD_ROOT)/tsan
VFLAGS  := -O1 -g -DVM_DEBUG=1 -fsanitize=thread
else ifeq ($(VARIANT),asan)
B       := $(BUILD_ROOT)/asan
VFLAGS  := -O1 -g -DVM_DEBUG=1 -fsanitize=address,undefined -fno-omit-frame-pointer
else
$(error VARIANT must be release, debug, tsan or asan)
endif

CFLAGS_ALL := $(STD) $(VFLAGS) $(CFLAGS)
# Every program linked here takes the simulator's side (libvmsim-sim.a),
# which reads xz- and zstd-compressed traces (sim/trace_src.c); the core
# library (libvmsim.a, what `make install` installs) needs neither.
LDLIBS  := -llzma -lzstd -lm

CORE    := vm_util vm_timeline vm_lock vm_event vm_park \
           pte pfn plist pfnalloc pgf map vm_fail wsl \
           validate image trimwin trim_capture trim_policy wsm trim mpw zero defrag pglock vmio \
           proc_free fault \
           vm_config proc_init vm_init vm_threads vm_stats \
           vm_sigbus vm_proc vm
CORE_O  := $(CORE:%=$(B)/src/%.o)
# The simulator's side: workloads and verification, traces and the offline
# oracles (libvmsim-sim.a, linked by the command and the tests).
SIMLIB_O := $(addprefix $(B)/sim/,workload.o trace.o trace_src.o trace_fmt.o trace_load.o \
            oracle.o mrc.o json.o stats.o sampler.o)
SIMLIB  := $(B)/libvmsim-sim.a
SIM_O   := $(addprefix $(B)/sim/,main.o options.o proc_opts.o optdoc.o preflight.o run.o report.o \
           report_json.o compare.o record.o sched.o mrc_cmd.o mrc_report.o mrc_plot.o \
           gnuplot.o plot.o live.o live_draw.o timeline.o)
BENCH_O := $(addprefix $(B)/bench/,main.o util.o kinds.o runs.o scenarios.o report.o trace.o \
           report_json.o plot.o floor.o floor_mech.o trimscale.o timeline.o cycle.o)
UNIT    := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
STRESS  := $(patsubst tests/stress/%.c,%,$(wildcard tests/stress/*.c))
INJECT  := $(patsubst tests/inject/%.c,%,$(wildcard tests/inject/*.c))

.PHONY: all run check test-variant test-variant-build bench bench-quick soak clean readme \
        install uninstall deps
all: $(B)/vmsim $(B)/vmsim.1

# Debian packages beyond a fresh machine (README, "Dependencies"):
# libzstd-dev to read zstd-compressed traces, valgrind to record a real
# program's references (the tests record one), gnuplot-nox for --mrc-plot
# and --plot, libncurses-dev (and pkg-config, for its flags) for --live and
# tmux to test it in a real terminal, gdb for the stacks of a test that
# hangs (tests/run.sh); xz-utils, zstd, liblzma-dev and gdb are usually
# there already.  Installed
# when missing (we are root), with one apt-get update if the first try
# fails; silent when everything is there.
DEPS_PKGS := libzstd-dev liblzma-dev valgrind gnuplot-nox xz-utils zstd libncurses-dev \
             pkg-config tmux gdb
DEPS_HAVE := test -f /usr/include/zstd.h && test -f /usr/include/lzma.h && \
             command -v valgrind && command -v gnuplot && command -v xz && command -v zstd && \
             test -f /usr/include/curses.h && command -v pkg-config && command -v tmux && \
             command -v gdb
deps:
	@if ! { $(DEPS_HAVE); } >/dev/null 2>&1; then \
	    if [ "$$(id -u)" != 0 ]; then \
	        echo "deps: missing; as root: apt-get install $(DEPS_PKGS)" >&2; exit 1; fi; \
	    echo "deps: installing $(DEPS_PKGS)"; \
	    apt-get install -y -q $(DEPS_PKGS) >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(DEPS_PKGS) >/dev/null; } || \
	    { echo "deps: apt-get could not install $(DEPS_PKGS)" >&2; exit 1; }; \
	fi

# The simulator's side includes zstd.h and lzma.h; the tests run valgrind.
$(SIMLIB_O) $(SIM_O): | deps

# --live (sim/live.c) draws with ncurses: pkg-config's flags, read when a
# recipe runs (after deps).  What links the command's objects links it.
CURSES_CFLAGS = $(shell pkg-config --cflags ncurses)
CURSES_LIBS   = $(shell pkg-config --libs ncurses)
$(B)/sim/live.o $(B)/sim/live_draw.o: $(B)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CURSES_CFLAGS) -c -o $@ $<

# Rebuilt from scratch: ar would keep a member whose source is gone.
$(B)/libvmsim.a: $(CORE_O)
	rm -f $@
	ar rcs $@ $^

$(SIMLIB): $(SIMLIB_O)
	rm -f $@
	ar rcs $@ $^

$(B)/vmsim: $(SIM_O) $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS) $(CURSES_LIBS)

# The options' documentation comes from sim/options.def (sim/optdoc.c): the
# man page here, the README's table by `make readme` (tests/docs.sh fails
# when the README differs).
$(B)/vmsim-optdoc: $(B)/sim/optdoc_main.o $(B)/sim/optdoc.o
	$(CC) $(CFLAGS_ALL) -o $@ $^

$(B)/vmsim.1: $(B)/vmsim-optdoc
	./$(B)/vmsim-optdoc man >$@.tmp && mv $@.tmp $@

readme: $(B)/vmsim-optdoc
	sim/readme-options.sh README.md ./$(B)/vmsim-optdoc

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

# The lock algorithm variants (vm_sim.h, VM_LOCK_VARIANTS) exist only in
# this build of vm_lock.c, linked ahead of the library into the benchmark
# and the lock unit tests; the library itself has no switch.
LKVAR_O := $(B)/src/vm_lock_variants.o
LKVAR_USERS := $(B)/tests/unit/test_lock $(B)/tests/unit/test_rwlock
$(LKVAR_O): src/vm_lock.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DVM_LOCK_VARIANTS=1 -c -o $@ $<
$(LKVAR_USERS:%=%.o): CFLAGS_ALL += -DVM_LOCK_VARIANTS=1
$(LKVAR_USERS): $(B)/tests/unit/%: $(B)/tests/unit/%.o $(LKVAR_O) $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

# test_report links the command's own objects (report.c, report_json.c, ...).
$(B)/tests/unit/test_report: $(B)/tests/unit/test_report.o $(filter-out %/main.o,$(SIM_O)) \
    $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS) $(CURSES_LIBS)

# test_live draws the live view's screen (sim/live_draw.c) with ncurses.
$(B)/tests/unit/test_live: $(B)/tests/unit/test_live.o $(filter-out %/main.o,$(SIM_O)) \
    $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS) $(CURSES_LIBS)

# The stress test and the soak share tests/common/scenario.c.
SCN_O   := $(B)/tests/common/scenario.o
$(B)/tests/stress/%: $(B)/tests/stress/%.o $(SCN_O) $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

SOAK_O  := $(B)/tests/soak/soak.o $(B)/tests/soak/soak_configs.o $(B)/tests/soak/soak_io.o
$(B)/tests/soak/soak: $(SOAK_O) $(SCN_O) $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

run: $(B)/vmsim
	./$(B)/vmsim

TESTS   := $(UNIT:%=$(B)/tests/unit/%) $(STRESS:%=$(B)/tests/stress/%) $(INJECT:%=$(B)/tests/inject/%) \
           $(B)/tests/soak/soak $(B)/tests/tools/nouffd $(B)/tests/tools/eio

$(B)/tests/tools/nouffd: tests/tools/nouffd.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

$(B)/tests/tools/eio: tests/tools/eio.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

# Build, then run, every test of one variant.
test-variant-build: $(TESTS) $(B)/vmsim $(B)/vmsim.1 $(BENCH_O) $(LKVAR_O) $(B)/bench/vmsim-kcompare
test-variant: test-variant-build
	VARIANT=$(VARIANT) B=$(B) tests/run.sh

check: deps
	tests/check.sh

$(BENCH_O): CFLAGS_ALL += -DVM_LOCK_VARIANTS=1
$(B)/bench/vmsim-bench: $(BENCH_O) $(LKVAR_O) $(SIMLIB) $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

# The kernel comparison's driver (bench/kernel-compare.sh runs it; not part
# of make bench or make check, which only build it and run its vmsim side).
$(B)/bench/vmsim-kcompare: $(B)/bench/kcompare.o $(B)/libvmsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

# make bench [BENCHFLAGS=--quick]; make bench-quick.  gnuplot is installed
# if missing and we are root; otherwise the plot is skipped with a note.
bench: deps
	@command -v gnuplot >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	    apt-get install -y -q gnuplot-nox >/dev/null 2>&1; } || \
	    echo "bench: gnuplot unavailable; the plot will be skipped"
	$(MAKE) VARIANT=release $(BUILD_ROOT)/vmsim $(BUILD_ROOT)/bench/vmsim-bench
	./$(BUILD_ROOT)/bench/vmsim-bench --out $(BUILD_ROOT)/bench/out $(BENCHFLAGS)

bench-quick:
	$(MAKE) bench BENCHFLAGS=--quick

# make soak [SOAK_SECONDS=3600] [SOAKFLAGS=...]: every soak configuration in
# rotation for SOAK_SECONDS (default 600), release build; see README "Soak".
SOAK_SECONDS ?= 600
soak:
	$(MAKE) VARIANT=release $(BUILD_ROOT)/tests/soak/soak
	./$(BUILD_ROOT)/tests/soak/soak --seconds $(SOAK_SECONDS) $(SOAKFLAGS)

# make install [PREFIX=/usr/local] [DESTDIR=]: what a C library installs.
# The static library and vm.h (the public interface: vm_sim.h is the
# simulator's and the tests', not installed), vmsim.pc for pkg-config, the
# command and its man page.  The build is the release one ($(B)).
VERSION    := 1.0
PREFIX     ?= /usr/local
BINDIR     := $(PREFIX)/bin
LIBDIR     := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
MANDIR     := $(PREFIX)/share/man
INSTALLED  := $(BINDIR)/vmsim $(LIBDIR)/libvmsim.a $(INCLUDEDIR)/vm.h \
              $(LIBDIR)/pkgconfig/vmsim.pc $(MANDIR)/man1/vmsim.1

$(B)/vmsim.pc: vmsim.pc.in FORCE
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< >$@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

install: $(B)/vmsim $(B)/libvmsim.a $(B)/vmsim.1 $(B)/vmsim.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/vmsim $(DESTDIR)$(BINDIR)/vmsim
	install -m 644 $(B)/libvmsim.a $(DESTDIR)$(LIBDIR)/libvmsim.a
	install -m 644 src/vm.h $(DESTDIR)$(INCLUDEDIR)/vm.h
	install -m 644 $(B)/vmsim.pc $(DESTDIR)$(LIBDIR)/pkgconfig/vmsim.pc
	install -m 644 $(B)/vmsim.1 $(DESTDIR)$(MANDIR)/man1/vmsim.1

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

.PHONY: FORCE
FORCE:

clean:
	rm -rf build

-include $(shell find $(BUILD_ROOT) -name '*.d' 2>/dev/null)

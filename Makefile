# Tarjeta virtual — top-level build (GNU make + pkg-config).
#
#   make            build everything into build/
#   make check      build, then run every test (unit, integration, end to end)
#   make demo       the main job, end to end (see README.md)
#   make bench      benchmarks, printed as ratios
#   make fuzz       libFuzzer builds of the fuzz targets (clang)
#   make deb        Debian packages
#   make deps       install the Debian packages the project needs (root)
#   make SANITIZE=1 check    the same suite under ASan + UBSan (build-asan/)
#
# Each component adds its own rules in <folder>/build.mk; this file only holds
# what they share: flags, the object rule, and the entry points.

SHELL := /bin/bash
.DEFAULT_GOAL := all

ifeq ($(FUZZ),1)
BUILD ?= build-fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
else ifeq ($(SANITIZE),1)
BUILD ?= build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS :=
endif

PKG_CONFIG ?= pkg-config
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -Wno-unused-parameter
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC -fno-strict-aliasing
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(HARDEN) $(SAN_FLAGS) -D_GNU_SOURCE \
               -DTV_VERSION=\"$(VERSION)\" -Icommon
BASE_LDFLAGS := -Wl,-z,relro -Wl,-z,now -Wl,--as-needed $(SAN_FLAGS)

CFLAGS ?=
LDFLAGS ?=
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(BASE_LDFLAGS) $(LDFLAGS)

# Filled by the component build.mk files.
PROGRAMS :=          # everything `make` builds
UNIT_TESTS :=        # cmocka test programs (TAP output), run by `make check`
TEST_SCRIPTS :=      # integration / end-to-end test scripts (TAP output)
# Fuzz targets are tests/fuzz/fuzz_<name>.c; a component sets FUZZ_LINK_<name>
# to the objects/archives the target needs and FUZZ_LIBS_<name> to its -l flags.
CHECK_DEPS :=        # extra files `make check` needs built first

.SECONDEXPANSION:
.SECONDARY:

# Object rule shared by every component: build/obj/<folder>/<file>.o
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CFLAGS_$(firstword $(subst /, ,$*))) -MMD -MP -c $< -o $@

include common/build.mk
include $(filter-out common/build.mk,$(sort $(wildcard */build.mk)))

all: $(PROGRAMS)

# Tests speak TAP; prove prints the standard summary ("Result: PASS").
# Every test bounds its own waits; the outer timeout is a last resort.
TEST_JOBS ?= 2
check: all $(UNIT_TESTS) $(CHECK_DEPS)
	@mkdir -p $(BUILD)/test-output
	TV_BUILD=$(abspath $(BUILD)) TV_SRC=$(CURDIR) CMOCKA_MESSAGE_OUTPUT=TAP \
	  prove --exec 'timeout -k 10 1500' -j$(TEST_JOBS) --timer $(UNIT_TESTS) $(TEST_SCRIPTS)

unit: $(UNIT_TESTS)
	CMOCKA_MESSAGE_OUTPUT=TAP prove --exec 'timeout -k 5 120' $(UNIT_TESTS)

deps:
	scripts/install-deps

# The main job: the whole chain, end to end (scripts/demo prints each step).
demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo

# Speed, as ratios measured side by side in one run (tests/bench/run).
bench: all
	tests/bench/run

# Debian packages (packaging/build-deb).
deb:
	packaging/build-deb

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check unit deps clean demo bench fuzz deb

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

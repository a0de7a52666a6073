# Fuzz targets: tests/fuzz/fuzz_<name>.c with a corpus in tests/fuzz/corpus/<name>/.
#  - `make check` links each target with replay_main.c (normal or ASan build)
#    and tests/fuzz/corpus-replay.sh runs it over its corpus;
#  - `make fuzz` builds real libFuzzer binaries with clang into build-fuzz/fuzz/.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/fuzz_%)

FUZZ_LINK_proto := $(LIBTVCOMMON)

$(BUILD)/fuzz-replay/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay_main.o $$(FUZZ_LINK_$$*)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(FUZZ_LIBS_$*)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $$(FUZZ_LINK_$$*)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o %.a,$^) $(FUZZ_LIBS_$*)

CHECK_DEPS += $(FUZZ_REPLAY)
TEST_SCRIPTS += tests/fuzz/corpus-replay.sh

fuzz:
	$(MAKE) FUZZ=1 fuzz-targets
	@echo "Run e.g.: build-fuzz/fuzz/fuzz_proto -max_total_time=60 tests/fuzz/corpus/proto"

fuzz-targets: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
.PHONY: fuzz-targets
include tests/e2e/build.mk

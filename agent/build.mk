# agent/: tarjeta-agent (per-user daemon) and tarjeta (CLI).
AGENT_PKGS := libcurl openssl jansson
# gcc warns about snprintf truncation we intend (messages are cut to fit); clang has no such flag.
AGENT_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo yes)
CFLAGS_agent := $(shell $(PKG_CONFIG) --cflags $(AGENT_PKGS)) -pthread $(if $(AGENT_IS_CLANG),,-Wno-format-truncation)
AGENT_LIBS := $(shell $(PKG_CONFIG) --libs $(AGENT_PKGS)) -pthread

# Everything but the two main() files goes into one archive, shared by the
# programs, the unit tests and the fuzz target.
AGENT_CORE_SRC := $(filter-out agent/main.c agent/cli%.c,$(wildcard agent/*.c))
AGENT_CORE_OBJ := $(AGENT_CORE_SRC:%.c=$(BUILD)/obj/%.o)
LIBTVAGENT := $(BUILD)/libtvagent.a
CLI_SRC := $(wildcard agent/cli*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)

$(LIBTVAGENT): $(AGENT_CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tarjeta-agent: $(BUILD)/obj/agent/main.o $(LIBTVAGENT) $(LIBTVCOMMON)
	$(CC) $(ALL_LDFLAGS) -pie -o $@ $^ $(AGENT_LIBS)

$(BUILD)/tarjeta: $(CLI_OBJ) $(LIBTVAGENT) $(LIBTVCOMMON)
	$(CC) $(ALL_LDFLAGS) -pie -o $@ $^ $(AGENT_LIBS)

PROGRAMS += $(BUILD)/tarjeta-agent $(BUILD)/tarjeta

# Unit tests: tests/agent/test_<name>.c -> build/tests/agent_test_<name>
AGENT_TESTS := $(patsubst tests/agent/test_%.c,$(BUILD)/tests/agent_test_%,$(wildcard tests/agent/test_*.c))
$(AGENT_TESTS): $(BUILD)/tests/agent_test_%: $(BUILD)/obj/tests/agent/test_%.o $(LIBTVAGENT) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(AGENT_LIBS)
UNIT_TESTS += $(AGENT_TESTS)
$(BUILD)/obj/tests/agent/%.o: CFLAGS_tests += $(CFLAGS_agent) -Iagent

# Integration tests against the real bakq-server.
TEST_SCRIPTS += $(sort $(wildcard tests/agent/*.sh))

# Fuzz target over the decoder + the agent's dispatcher.
FUZZ_LINK_agent := $(LIBTVAGENT) $(LIBTVCOMMON)
FUZZ_LIBS_agent := $(AGENT_LIBS)
$(BUILD)/obj/tests/fuzz/fuzz_agent.o: CFLAGS_tests += $(CFLAGS_agent) -Iagent

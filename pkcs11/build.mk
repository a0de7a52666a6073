# pkcs11/: tarjeta-virtual-pkcs11.so, the PKCS#11 module.  Links libc only
# (glibc 2.34+ has pthread and dl* in libc); the version script exports the
# three C_Get* functions.  The same objects, as libtvpkcs11.a, are linked
# into the unit tests.
PKCS11_SRC := $(wildcard pkcs11/*.c)
PKCS11_OBJ := $(PKCS11_SRC:%.c=$(BUILD)/obj/%.o)
PKCS11_SO := $(BUILD)/tarjeta-virtual-pkcs11.so
PKCS11_LIB := $(BUILD)/libtvpkcs11.a
CFLAGS_pkcs11 := -DTV_AGENT_PATH=\"/usr/bin/tarjeta-agent\"

$(PKCS11_LIB): $(PKCS11_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(PKCS11_SO): $(PKCS11_OBJ) $(LIBTVCOMMON) pkcs11/exports.map
	@mkdir -p $(@D)
	$(CC) -shared $(ALL_LDFLAGS) -Wl,--version-script=pkcs11/exports.map -Wl,-z,defs \
	  -o $@ $(PKCS11_OBJ) $(LIBTVCOMMON)

PROGRAMS += $(PKCS11_SO)

# Unit tests: tests/pkcs11/test_<name>.c -> build/tests/pkcs11/test_<name>,
# linked with the module's objects and, where needed, the fake agent (a
# stand-in used only inside these unit tests) and OpenSSL (to check our
# SHA-2 and DER reading against it).
PKCS11_TESTS := $(patsubst tests/pkcs11/%.c,$(BUILD)/tests/pkcs11/%,$(wildcard tests/pkcs11/test_*.c))
PKCS11_TEST_LIBS := $(PKCS11_LIB) $(LIBTVCOMMON)
FAKE_AGENT_OBJ := $(BUILD)/obj/tests/pkcs11/fake_agent.o

$(PKCS11_TESTS): $(BUILD)/tests/pkcs11/%: $(BUILD)/obj/tests/pkcs11/%.o $(FAKE_AGENT_OBJ) $(PKCS11_TEST_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(PKCS11_TEST_LIBS) $(CMOCKA_LIBS) -lcrypto -lpthread

UNIT_TESTS += $(PKCS11_TESTS)

# Programs the integration tests and the bench run against real modules
# (ours, SoftHSM2, p11-kit's client): tests/pkcs11/p11*.c with p11util.c.
PKCS11_TOOLS := $(BUILD)/tests/pkcs11/p11conform $(BUILD)/tests/pkcs11/p11stress
P11UTIL_OBJ := $(BUILD)/obj/tests/pkcs11/p11util.o

$(PKCS11_TOOLS): $(BUILD)/tests/pkcs11/%: $(BUILD)/obj/tests/pkcs11/%.o $(P11UTIL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcrypto -lpthread -ldl

CHECK_DEPS += $(PKCS11_TOOLS) $(PKCS11_SO)

# Integration tests: the real module, agent and bakq-server, third-party clients.
TEST_SCRIPTS += $(sort $(filter-out tests/pkcs11/lib.sh,$(wildcard tests/pkcs11/*.sh)))

# The bench program (tests/bench/run drives it; `make bench`).
P11BENCH := $(BUILD)/tests/bench/p11bench
$(P11BENCH): $(BUILD)/obj/tests/bench/p11bench.o $(P11UTIL_OBJ) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcrypto -lpthread -ldl
PROGRAMS += $(P11BENCH)

# The same signature behind two bare hops: the ceiling printed beside the ratios.
HOPFLOOR := $(BUILD)/tests/bench/hopfloor
$(HOPFLOOR): $(BUILD)/obj/tests/bench/hopfloor.o $(P11UTIL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcrypto -lpthread -ldl
PROGRAMS += $(HOPFLOOR)

# Fuzz target over what the module parses (tests/fuzz/fuzz_pkcs11.c).
FUZZ_LINK_pkcs11 := $(PKCS11_LIB) $(LIBTVCOMMON)

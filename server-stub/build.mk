# server-stub/: bakq-server, the BakQ / CSC signing service stand-in.
# Everything but main.c goes into libbakq.a so the fuzz target and the unit
# tests link the real code.
SERVER_PKGS := libmicrohttpd jansson sqlite3 libcrypto p11-kit-1
SERVER_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(SERVER_PKGS) 2>/dev/null)
# p11-kit-1 is only used for <p11-kit/pkcs11.h>: the HSM module is dlopen()ed.
SERVER_LIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd jansson sqlite3 libcrypto 2>/dev/null) \
               -lpthread -ldl
CFLAGS_server-stub += $(SERVER_CFLAGS) -Iserver-stub

SERVER_SRC := $(filter-out server-stub/main.c,$(wildcard server-stub/*.c))
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/obj/%.o)
LIBBAKQ := $(BUILD)/libbakq.a

$(LIBBAKQ): $(SERVER_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bakq-server: $(BUILD)/obj/server-stub/main.o $(LIBBAKQ) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SERVER_LIBS)

PROGRAMS += $(BUILD)/bakq-server

# Unit tests of the server's pure pieces: tests/server/unit/test_<name>.c
SERVER_UNIT := $(patsubst tests/server/unit/%.c,$(BUILD)/tests/server/%,$(wildcard tests/server/unit/test_*.c))
$(SERVER_UNIT): $(BUILD)/tests/server/%: $(BUILD)/obj/tests/server/unit/%.o $(LIBBAKQ) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SERVER_LIBS)
CFLAGS_tests += $(SERVER_CFLAGS) -Iserver-stub
UNIT_TESTS += $(SERVER_UNIT)

# Integration tests against a running server.
TEST_SCRIPTS += $(sort $(wildcard tests/server/*.sh))

FUZZ_LINK_server := $(LIBBAKQ) $(LIBTVCOMMON)
FUZZ_LIBS_server := $(SERVER_LIBS)

# signHash throughput vs. raw C_Sign (tests/server/bench_signhash.c, run by
# tests/server/bench-signhash); built by `make check` so it keeps compiling.
$(BUILD)/bench-signhash: $(BUILD)/obj/tests/server/bench_signhash.o $(LIBBAKQ) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SERVER_LIBS) -lcurl
CHECK_DEPS += $(BUILD)/bench-signhash

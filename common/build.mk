# common/: static library shared by every component. Links libc only
# (the PKCS#11 module uses it too): no OpenSSL, no curl, no GLib here.
COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
LIBTVCOMMON := $(BUILD)/libtvcommon.a

$(LIBTVCOMMON): $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

# Unit tests of common/: tests/common/test_<name>.c -> build/tests/test_<name>
COMMON_TESTS := $(patsubst tests/common/%.c,$(BUILD)/tests/%,$(wildcard tests/common/test_*.c))
CFLAGS_tests += $(CMOCKA_CFLAGS)

$(COMMON_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/common/%.o $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(COMMON_TESTS)

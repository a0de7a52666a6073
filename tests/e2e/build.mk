# End-to-end tests with real programs (browsers, signers, TLS tools) against
# the sede of tests/lib/sede.sh.  Included from tests/build.mk.
E2E_TESTS := $(sort $(wildcard tests/e2e/*.sh))
TEST_SCRIPTS += $(E2E_TESTS)

# `make e2e`: only these (they are part of `make check` too).
e2e: all
	@mkdir -p $(BUILD)/test-output
	TV_BUILD=$(abspath $(BUILD)) TV_SRC=$(CURDIR) \
	  prove --exec 'timeout -k 10 1500' -j$(TEST_JOBS) --timer $(E2E_TESTS)

.PHONY: e2e

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

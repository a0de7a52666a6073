#include "interface.h"

#include "trace.h"

#include <string.h>

#define INTERFACE_NAME "PKCS 11"
#define INTERFACE_COUNT 2

static const CK_INTERFACE plain[INTERFACE_COUNT] = {
    { (CK_CHAR *)INTERFACE_NAME, (void *)&tv_functions_30, 0 },
    { (CK_CHAR *)INTERFACE_NAME, (void *)&tv_functions_240, 0 },
};
static const CK_INTERFACE traced[INTERFACE_COUNT] = {
    { (CK_CHAR *)INTERFACE_NAME, (void *)&tv_trace_functions_30, 0 },
    { (CK_CHAR *)INTERFACE_NAME, (void *)&tv_trace_functions_240, 0 },
};

static const CK_INTERFACE *interfaces(void)
{
    return tv_trace_setup() ? traced : plain;
}

CK_RV tv_get_function_list(CK_FUNCTION_LIST_PTR_PTR out)
{
    if (out == NULL)
        return CKR_ARGUMENTS_BAD;
    *out = (CK_FUNCTION_LIST_PTR)interfaces()[1].pFunctionList;
    return CKR_OK;
}

CK_RV tv_get_interface_list(CK_INTERFACE_PTR list, CK_ULONG_PTR count)
{
    if (count == NULL)
        return CKR_ARGUMENTS_BAD;
    if (list == NULL) {
        *count = INTERFACE_COUNT;
        return CKR_OK;
    }
    if (*count < INTERFACE_COUNT) {
        *count = INTERFACE_COUNT;
        return CKR_BUFFER_TOO_SMALL;
    }
    memcpy(list, interfaces(), sizeof plain);
    *count = INTERFACE_COUNT;
    return CKR_OK;
}

static bool version_matches(const CK_INTERFACE *iface, const CK_VERSION *want)
{
    const CK_VERSION *have = iface->pFunctionList;   /* every list starts with its version */

    return want == NULL || (have->major == want->major && have->minor == want->minor);
}

CK_RV tv_get_interface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR out,
                       CK_FLAGS flags)
{
    const CK_INTERFACE *all = interfaces();

    if (out == NULL)
        return CKR_ARGUMENTS_BAD;
    if (name != NULL && strcmp((const char *)name, INTERFACE_NAME) != 0)
        return CKR_ARGUMENTS_BAD;
    for (int i = 0; i < INTERFACE_COUNT; i++)
        if (version_matches(&all[i], version) && (all[i].flags & flags) == flags) {
            *out = (CK_INTERFACE_PTR)&all[i];
            return CKR_OK;
        }
    return CKR_ARGUMENTS_BAD;
}

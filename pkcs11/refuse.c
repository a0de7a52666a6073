#include "refuse.h"

#include "find.h"
#include "module.h"
#include "session.h"

CK_RV tv_unsupported(void)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_leave();
    return CKR_FUNCTION_NOT_SUPPORTED;
}

/* answer, once the library and the session handle are checked. */
static CK_RV refuse_in_session(CK_SESSION_HANDLE h, CK_RV answer)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = tv_session_get(h, &s);
    tv_leave();
    return rv != CKR_OK ? rv : answer;
}

CK_RV tv_unsupported_in_session(CK_SESSION_HANDLE h)
{
    return refuse_in_session(h, CKR_FUNCTION_NOT_SUPPORTED);
}

static CK_RV template_ok(const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    if (count > 0 && tmpl == NULL)
        return CKR_ARGUMENTS_BAD;
    for (CK_ULONG i = 0; i < count; i++)
        if (tmpl[i].pValue == NULL && tmpl[i].ulValueLen > 0)
            return CKR_ARGUMENTS_BAD;
    return CKR_OK;
}

/* The common refusal: session, object (unless none), arguments, then why. */
static CK_RV refuse(CK_SESSION_HANDLE h, const CK_OBJECT_HANDLE *obj, CK_RV args_rv)
{
    const struct tv_object *o;
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        goto out_leave;
    if (obj != NULL && (rv = tv_object_lookup(*obj, &o)) != CKR_OK)
        goto out_leave;
    if ((rv = args_rv) != CKR_OK)
        goto out_leave;
    rv = tv_session_is_rw(s) ? CKR_ACTION_PROHIBITED : CKR_SESSION_READ_ONLY;
out_leave:
    tv_leave();
    return rv;
}

CK_RV tv_create_object(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                       CK_OBJECT_HANDLE_PTR out)
{
    CK_RV args = out == NULL ? CKR_ARGUMENTS_BAD : template_ok(tmpl, count);

    return refuse(h, NULL, args);
}

CK_RV tv_copy_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                     CK_ULONG count, CK_OBJECT_HANDLE_PTR out)
{
    CK_RV args = out == NULL ? CKR_ARGUMENTS_BAD : template_ok(tmpl, count);

    return refuse(h, &obj, args);
}

CK_RV tv_destroy_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj)
{
    return refuse(h, &obj, CKR_OK);
}

CK_RV tv_set_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                             CK_ULONG count)
{
    return refuse(h, &obj, template_ok(tmpl, count));
}

CK_RV tv_random(CK_SESSION_HANDLE h, CK_BYTE_PTR buf, CK_ULONG len)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) == CKR_OK)
        rv = buf == NULL && len > 0 ? CKR_ARGUMENTS_BAD : CKR_RANDOM_NO_RNG;
    tv_leave();
    return rv;
}

CK_RV tv_not_parallel(CK_SESSION_HANDLE h)
{
    return refuse_in_session(h, CKR_FUNCTION_NOT_PARALLEL);
}

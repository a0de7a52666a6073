#include "find.h"

#include "login.h"
#include "module.h"
#include "session.h"
#include "token.h"

#include <stdlib.h>
#include <string.h>

static CK_OBJECT_HANDLE handle_of(size_t index)
{
    return (CK_OBJECT_HANDLE)(tv_mod.instance & 0xffff) << 16 | (CK_OBJECT_HANDLE)(index + 1);
}

static bool visible(const struct tv_object *obj)
{
    return !obj->is_private || tv_logged_in();
}

static CK_RV lookup(CK_OBJECT_HANDLE handle, const struct tv_object **out)
{
    const struct tv_token *t = tv_mod.token;
    size_t index = (size_t)(handle & 0xffff);

    if (t == NULL || ((handle >> 16) & 0xffff) != (tv_mod.instance & 0xffff) || index == 0 ||
        index > t->nobjects || (handle >> 16 >> 16) != 0)
        return CKR_OBJECT_HANDLE_INVALID;
    *out = &t->objects[index - 1];
    return CKR_OK;
}

CK_RV tv_object_lookup(CK_OBJECT_HANDLE handle, const struct tv_object **out)
{
    const struct tv_object *obj;
    CK_RV rv = lookup(handle, &obj);

    if (rv != CKR_OK || !visible(obj))
        return CKR_OBJECT_HANDLE_INVALID;
    *out = obj;
    return CKR_OK;
}

CK_RV tv_key_lookup(CK_OBJECT_HANDLE handle, const struct tv_object **out)
{
    const struct tv_object *obj;
    CK_RV rv = lookup(handle, &obj);

    if (rv != CKR_OK)
        return CKR_KEY_HANDLE_INVALID;
    if (!visible(obj))
        return CKR_USER_NOT_LOGGED_IN;
    *out = obj;
    return CKR_OK;
}

static CK_RV check_template(const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    if (count > 0 && tmpl == NULL)
        return CKR_ARGUMENTS_BAD;
    for (CK_ULONG i = 0; i < count; i++)
        if (tmpl[i].pValue == NULL && tmpl[i].ulValueLen > 0)
            return CKR_ARGUMENTS_BAD;
    return CKR_OK;
}

/* The search runs at once over the snapshot; C_FindObjects hands out the
 * result. */
static CK_RV collect(struct tv_find_op *op, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    const struct tv_token *t = tv_mod.token;

    op->handles = calloc(t->nobjects ? t->nobjects : 1, sizeof *op->handles);
    if (op->handles == NULL)
        return CKR_HOST_MEMORY;
    for (size_t i = 0; i < t->nobjects; i++)
        if (visible(&t->objects[i]) && tv_object_matches(&t->objects[i], tmpl, count))
            op->handles[op->count++] = handle_of(i);
    op->active = true;
    return CKR_OK;
}

CK_RV tv_find_init(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        goto out_leave;
    if (tv_find_active(s)) {
        rv = CKR_OPERATION_ACTIVE;
        goto out_leave;
    }
    if ((rv = check_template(tmpl, count)) != CKR_OK)
        goto out_leave;
    rv = collect(&s->find, tmpl, count);
out_leave:
    tv_leave();
    return rv;
}

CK_RV tv_find(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count)
{
    struct tv_session *s;
    struct tv_find_op *op;
    CK_ULONG n = 0;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        goto out_leave;
    op = &s->find;
    if (!tv_find_active(s))
        rv = CKR_OPERATION_NOT_INITIALIZED;
    else if (count == NULL || (out == NULL && max > 0))
        rv = CKR_ARGUMENTS_BAD;
    else {
        while (n < max && op->next < op->count)
            out[n++] = op->handles[op->next++];
        *count = n;
    }
out_leave:
    tv_leave();
    return rv;
}

CK_RV tv_find_final(CK_SESSION_HANDLE h)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) == CKR_OK) {
        if (tv_find_active(s))
            tv_find_op_end(&s->find);
        else
            rv = CKR_OPERATION_NOT_INITIALIZED;
    }
    tv_leave();
    return rv;
}

CK_RV tv_get_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE handle, CK_ATTRIBUTE_PTR tmpl,
                             CK_ULONG count)
{
    struct tv_session *s;
    const struct tv_object *obj;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        goto out_leave;
    if ((rv = tv_object_lookup(handle, &obj)) != CKR_OK)
        goto out_leave;
    if (count > 0 && tmpl == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else
        rv = tv_object_get_attributes(obj, tmpl, count);
out_leave:
    tv_leave();
    return rv;
}

CK_RV tv_get_object_size(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE handle, CK_ULONG_PTR size)
{
    struct tv_session *s;
    const struct tv_object *obj;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) == CKR_OK && (rv = tv_object_lookup(handle, &obj)) == CKR_OK) {
        if (size == NULL)
            rv = CKR_ARGUMENTS_BAD;
        else
            *size = tv_object_size(obj);
    }
    tv_leave();
    return rv;
}

/* rtype.c - type names. */
#include "rtype.h"

#include <string.h>

static const char *const names[RT_COUNT] = {
#define RTYPE_NAME(e, s) s,
    RTYPE_LIST(RTYPE_NAME)
#undef RTYPE_NAME
};

/* strlen of each name. */
static const unsigned char lengths[RT_COUNT] = {
#define RTYPE_LEN(e, s) sizeof(s) - 1,
    RTYPE_LIST(RTYPE_LEN)
#undef RTYPE_LEN
};

rtype rtype_from_name(const char *name, size_t len)
{
    /* Runs once per object: the common types are tried first. */
    static const rtype hot[] = { RT_STRING, RT_IMEMO, RT_ARRAY, RT_OBJECT, RT_HASH, RT_DATA };
    for (size_t i = 0; i < sizeof hot / sizeof *hot; i++)
        if (len == lengths[hot[i]] && memcmp(names[hot[i]], name, len) == 0)
            return hot[i];
    for (int t = 1; t < RT_COUNT; t++)
        if (len == lengths[t] && memcmp(names[t], name, len) == 0)
            return (rtype)t;
    return RT_OTHER;
}

const char *rtype_name(rtype t)
{
    return (unsigned)t < RT_COUNT ? names[t] : "OTHER";
}

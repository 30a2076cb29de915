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
    /* Runs once per object: the common types first, and the length and the
     * first two bytes compared before the rest. */
    static const rtype order[] = {
        RT_STRING, RT_IMEMO, RT_ARRAY, RT_OBJECT, RT_HASH, RT_DATA, RT_CLASS, RT_ICLASS,
        RT_MODULE, RT_SYMBOL, RT_FLOAT, RT_REGEXP, RT_STRUCT, RT_BIGNUM, RT_FILE, RT_MATCH,
        RT_COMPLEX, RT_RATIONAL, RT_NODE, RT_ZOMBIE, RT_MOVED, RT_NONE, RT_UNKNOWN, RT_NIL,
        RT_TRUE, RT_FALSE, RT_FIXNUM, RT_UNDEF, RT_SHAPE,
    };
    if (len < 2)
        return RT_OTHER;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *n = names[order[i]];
        if (len != lengths[order[i]] || n[0] != name[0] || n[1] != name[1])
            continue;
        size_t k = 2;
        while (k < len && n[k] == name[k])
            k++;
        if (k == len)
            return order[i];
    }
    return RT_OTHER;
}

const char *rtype_name(rtype t)
{
    return (unsigned)t < RT_COUNT ? names[t] : "OTHER";
}

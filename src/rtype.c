/* rtype.c - type names. */
#include "rtype.h"

#include <string.h>

static const char *const names[RT_COUNT] = {
#define RTYPE_NAME(e, s) s,
    RTYPE_LIST(RTYPE_NAME)
#undef RTYPE_NAME
};

rtype rtype_from_name(const char *name, size_t len)
{
    /* Runs once per object: by length first, and within each case the
     * compiler keeps only the names of that length (len is a constant
     * there), each a memcmp of a constant size it inlines as a load or two. */
#define RTYPE_IS(e, s)                                                          \
    if (len == sizeof(s) - 1 && memcmp(name, s, sizeof(s) - 1) == 0 && e != RT_OTHER) \
        return e;
    switch (len) {
    case 3: RTYPE_LIST(RTYPE_IS) break;
    case 4: RTYPE_LIST(RTYPE_IS) break;
    case 5: RTYPE_LIST(RTYPE_IS) break;
    case 6: RTYPE_LIST(RTYPE_IS) break;
    case 7: RTYPE_LIST(RTYPE_IS) break;
    case 8: RTYPE_LIST(RTYPE_IS) break;
    default: break;
    }
#undef RTYPE_IS
    return RT_OTHER;
}

const char *rtype_name(rtype t)
{
    return (unsigned)t < RT_COUNT ? names[t] : "OTHER";
}

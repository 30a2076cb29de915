/* units.c - byte counts for people. */
#include "units.h"

#include <inttypes.h>
#include <stdio.h>

void units_bytes(uint64_t n, char *buf, size_t size)
{
    static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%" PRIu64 " B", n);
    else
        snprintf(buf, size, "%.*f %s", v < 10 ? 1 : 0, v, units[u]);
}

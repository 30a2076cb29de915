/* units.h - byte counts for people: "812 B", "1.2 MB", "36 GB" (powers of
 * 1000, as disks and dump sizes are quoted). */
#ifndef HEAPSIFT_UNITS_H
#define HEAPSIFT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Writes n as a count of B, KB, MB, GB or TB into buf: one decimal below
 * 10 of a unit, none above. */
void units_bytes(uint64_t n, char *buf, size_t size);

#endif

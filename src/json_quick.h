/* json_quick.h - reading only address, type and generation of a dump line.
 *
 * The diff needs nothing else from the dumps it compares against (dump 1, and
 * dumps 3..N unless trends are wanted), and simdjson's full structural pass
 * over them would be most of heapsift's running time. Ruby writes every
 * object line as {"address":"0x...", "type":"NAME", ... and ends it with
 * "generation":N, "memsize":N, "flags":{...} (each optional, in that order).
 * json_quick_line checks that shape strictly and reads those members,
 * walking back from the end of the line; a line that does not have it
 * exactly (another number member where generation or memsize should be, a
 * flags object that is not flat) is left to the full parser.
 * Pure C, no state: safe from any thread.
 */
#ifndef HEAPSIFT_JSON_QUICK_H
#define HEAPSIFT_JSON_QUICK_H

#include <stdbool.h>
#include <stddef.h>

#include "json_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads line[0..len) (no newline) into rec: kind, address, type, generation,
 * object_id. Returns false, touching nothing the caller relies on, when the
 * line is not in the shape described above. */
bool json_quick_line(const char *line, size_t len, scan_record *rec);

#ifdef __cplusplus
}
#endif

#endif

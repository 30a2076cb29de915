/* json_quick.h - reading only address, type and generation of a dump line
 * (and, for trends, where the object comes from).
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
 * Pure C. Safe from any thread: its only state is per thread (the memos of
 * the flags objects last checked) or the caller's (a quick_site_memo, one
 * per thread).
 */
#ifndef HEAPSIFT_JSON_QUICK_H
#define HEAPSIFT_JSON_QUICK_H

#include <stdbool.h>
#include <stddef.h>

#include "json_repair.h" /* scan_refbuf */
#include "json_scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct quick_site_memo quick_site_memo;

/* Reads line[0..len) (no newline) into rec: kind, address, type, generation,
 * object_id. Returns false, touching nothing the caller relies on, when the
 * line is not in the shape described above. */
bool json_quick_line(const char *line, size_t len, scan_record *rec);

/* The same, and the members that say where an object comes from: its site
 * ("file", "line", "method", which Ruby writes just before "generation"),
 * "class" (just after the type, shape_id and slot_size) and a DATA's
 * "struct" or an IMEMO's "imemo_type". What a HEAP_LIGHT load keeps.
 * Declines (false) a line whose members are not plain text where the full
 * parser would decode or judge them (quotes, backslashes, control bytes,
 * bytes outside ASCII), CLASS and MODULE lines (their names are read in
 * full), SHAPE lines, and any line where a member it reads could be
 * somewhere else: the full parser reads those. With a memo (may be NULL)
 * a site seen before is known by one compare, and rec->site_tag points to
 * the memo's tag for it (NULL without one): the answers are the same. */
bool json_quick_sites(const char *line, size_t len, scan_record *rec, quick_site_memo *memo);

/* The sites one reader saw lately, for json_quick_sites to know a line's
 * site by one compare: one per thread that reads (it is written on every
 * call), NULL for none (the same answers, slower). NULL from _new when
 * memory is short. */
quick_site_memo *json_quick_site_memo_new(void);
void json_quick_site_memo_free(quick_site_memo *memo);

/* Every member heapsift reads (dump_members.h), exactly as the full parser
 * reads the line (json_scan_line: simdjson, and json_quick's check of the
 * identity), for the details of the objects shown: it reads the line
 * forward in full and takes it only when it is valid JSON in a plain form:
 * an object line (not ROOT or SHAPE) that json_quick_line takes and whose
 * identity it reads the same; members apart by ", "; keys and string
 * values of printable ASCII (no byte outside it), keys and the members
 * heapsift reads without escapes; values strings, numbers, true, false,
 * null, arrays of those or objects of those; "references" all hex
 * addresses, flags.object_id a whole number, the members of each kind in
 * the form simdjson reads them. Anything else is declined (false, rec
 * untouched) and left to the full parser. On success rec's fields are all
 * set (refs: none; offset and line_no kept), its strings pointing into
 * the line. */
bool json_quick_details(const char *line, size_t len, scan_record *rec);

/* json_quick_details with the references too, for the graph: the addresses
 * of "references" go onto refs (emptied first) and rec->refs, rec->nrefs
 * point at them, as the full parser's extract gives them. */
bool json_quick_details_refs(const char *line, size_t len, scan_record *rec, scan_refbuf *refs);

#ifdef __cplusplus
}
#endif

#endif

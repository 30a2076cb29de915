/* hs_uthash.h - uthash with heapsift's one out-of-memory policy.
 *
 * uthash calls uthash_fatal when it cannot allocate a bucket array or a
 * table. Left alone it exits quietly; heapsift treats that like every other
 * exhausted allocation: hs_xmalloc of an impossible size aborts with a
 * message (see status.h). The macro must be defined before uthash.h is first
 * included, so include this header instead of <uthash.h>, and first among
 * the headers that may pull uthash in.
 */
#ifndef HEAPSIFT_HS_UTHASH_H
#define HEAPSIFT_HS_UTHASH_H

#include <stddef.h>

#include "status.h"

#ifdef uthash_fatal
#error "uthash_fatal is defined already (by <uthash.h> or by hand): include only hs_uthash.h"
#endif
#define uthash_fatal(msg) hs_xmalloc((size_t)-1)
#include <uthash.h>

#endif

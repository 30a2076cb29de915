/* json_scan_kernel.h - the simdjson On-Demand reader, once per simdjson kernel.
 *
 * simdjson compiles its On-Demand front end for one kernel only, the
 * "builtin" one the compiler flags allow: for generic x86-64 the scalar
 * fallback, whatever the CPU (its stage 1, in the shared library, is chosen
 * at run time). So json_scan_kernel.cpp is compiled once per kernel, each
 * time with that kernel's instruction set and into its own namespace, and
 * json_scan.cpp picks one table below when the first scanner is made.
 *
 * The kernel objects share no symbol: every inline function and template
 * instance they define (simdjson's, the C++ library's) is made local to its
 * object after the compile (Makefile.am, tests/simd.sh checks it), so that
 * the linker cannot keep an AVX-512 copy for a CPU without it.
 *
 * Private to json_scan.cpp and the kernels. C++ only: the C side sees
 * json_scan.h.
 */
#ifndef HEAPSIFT_JSON_SCAN_KERNEL_H
#define HEAPSIFT_JSON_SCAN_KERNEL_H

#include "json_scan.h"

extern "C" {

/* One compiled kernel: what json_scan.h's functions do, on the kernel's
 * own scanner state (made by scanner_new, used by one thread at a time). */
typedef struct json_scan_kernel {
    const char *name; /* simdjson's name of the kernel: "haswell", "fallback" ... */
    void *(*scanner_new)(void);
    /* A state sized for one line of `addrs` addresses, from m (NULL, with
     * m saying what failed, when it cannot be had): json_scanner_for_line. */
    void *(*scanner_for_line)(size_t len, size_t addrs, hs_mem *m);
    void (*scanner_free)(void *state);
    hs_status (*run)(void *state, const char *data, size_t begin, size_t end, const scan_options *opts,
                     const scan_sink *sink, scan_stats *stats, hs_error *err);
    bool (*line)(void *state, const char *line, size_t len, uint64_t offset, const scan_options *opts,
                 const scan_sink *sink);
} json_scan_kernel;

/* Those built (configure says which: x86-64 has the four, other machines
 * the builtin one); each object defines one. */
extern const json_scan_kernel json_scan_kernel_icelake;
extern const json_scan_kernel json_scan_kernel_haswell;
extern const json_scan_kernel json_scan_kernel_westmere;
extern const json_scan_kernel json_scan_kernel_fallback;
extern const json_scan_kernel json_scan_kernel_builtin;

} // extern "C"

#endif

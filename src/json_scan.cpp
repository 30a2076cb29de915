// json_scan.cpp - json_scan.h's functions, on the simdjson kernel this CPU
// runs best (or the one HEAPSIFT_SIMD names): the kernels themselves are
// json_scan_kernel.cpp, compiled once each (see json_scan_kernel.h).
#include "json_scan.h"

#include "config.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <simdjson.h>
#include <string>

#include "json_scan_kernel.h"

struct json_scanner {
    const json_scan_kernel *kernel; // the one chosen, the same for every scanner
    void *state;                    // the kernel's parsers and buffers
};

namespace {

// The kernels built, most capable first (configure.ac, Makefile.am).
const json_scan_kernel *const built[] = {
#if HEAPSIFT_SIMD_X86_64
    &json_scan_kernel_icelake,
    &json_scan_kernel_haswell,
    &json_scan_kernel_westmere,
    &json_scan_kernel_fallback,
#else
    &json_scan_kernel_builtin,
#endif
};
const size_t nbuilt = sizeof built / sizeof *built;

// Can this CPU run the kernel? simdjson's library knows (it has every
// kernel heapsift builds, and asks the CPU and the system what each needs);
// the fallback, and the builtin kernel (compiled for whatever the compiler
// targets by default), run anywhere.
bool runnable(const json_scan_kernel *k)
{
    if (k == built[nbuilt - 1])
        return true;
    const simdjson::implementation *impl = simdjson::get_available_implementations()[k->name];
    return impl && impl->supported_by_runtime_system();
}

const json_scan_kernel *built_named(const char *name)
{
    for (const json_scan_kernel *k : built)
        if (std::strcmp(k->name, name) == 0)
            return k;
    return nullptr;
}

struct choice {
    const json_scan_kernel *kernel; // NULL when HEAPSIFT_SIMD named none this CPU runs
    hs_error err;                   // then why
    char stage1[32];                // simdjson's active implementation (its stage 1)
};

void list_kernels(char *buf, size_t size, bool only_runnable)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const json_scan_kernel *k : built)
        if (!only_runnable || runnable(k)) {
            int n = std::snprintf(buf + used, size - used, "%s%s", used ? " " : "", k->name);
            if (n < 0 || static_cast<size_t>(n) >= size - used)
                return;
            used += static_cast<size_t>(n);
        }
}

// HEAPSIFT_SIMD=NAME takes that kernel for both simdjson's stage 1 and the
// On-Demand reader; without it, the reader follows the kernel simdjson
// chose (the best this CPU runs, or SIMDJSON_FORCE_IMPLEMENTATION's).
choice choose()
{
    choice c{};
    const char *want = std::getenv("HEAPSIFT_SIMD");
    if (want && *want) {
        const json_scan_kernel *k = built_named(want);
        char names[128];
        if (!k) {
            list_kernels(names, sizeof names, false);
            hs_fail(&c.err, HS_ERR_USAGE, "HEAPSIFT_SIMD=%s: no such kernel in this build (it has: %s)", want, names);
        } else if (!runnable(k)) {
            list_kernels(names, sizeof names, true);
            hs_fail(&c.err, HS_ERR_USAGE, "HEAPSIFT_SIMD=%s: this CPU cannot run that kernel (it runs: %s)", want,
                    names);
        } else {
            const simdjson::implementation *impl = simdjson::get_available_implementations()[k->name];
            if (impl)
                simdjson::get_active_implementation() = impl;
            c.kernel = k;
        }
    } else {
        const char *active = simdjson::get_active_implementation()->name().c_str();
        const json_scan_kernel *k = built_named(active);
        if (!k || !runnable(k))
            for (const json_scan_kernel *b : built)
                if (runnable(b)) {
                    k = b;
                    break;
                }
        c.kernel = k;
    }
    std::snprintf(c.stage1, sizeof c.stage1, "%s", simdjson::get_active_implementation()->name().c_str());
    return c;
}

// Chosen once, by the first thread that asks (a static's initialisation
// is thread-safe), before any parser exists: simdjson's parsers take the
// active implementation when they allocate.
const choice &chosen()
{
    static const choice c = choose();
    return c;
}

const json_scan_kernel *kernel()
{
    const choice &c = chosen();
    if (!c.kernel)
        hs_abort(&c.err);
    return c.kernel;
}

} // namespace

extern "C" {

hs_status json_scan_simd_init(hs_error *err)
{
    const choice &c = chosen();
    if (c.kernel)
        return HS_OK;
    if (err)
        *err = c.err;
    return c.err.status;
}

const char *json_scan_simd_kernel(void)
{
    const choice &c = chosen();
    return c.kernel ? c.kernel->name : "none";
}

void json_scan_simd_describe(char *buf, size_t size)
{
    const choice &c = chosen();
    char all[128], here[128];
    list_kernels(all, sizeof all, false);
    list_kernels(here, sizeof here, true);
    std::snprintf(buf, size, "simdjson %s, kernel %s (stage 1: %s); built: %s; this CPU runs: %s",
                  SIMDJSON_STRINGIFY(SIMDJSON_VERSION), c.kernel ? c.kernel->name : "none", c.stage1, all, here);
}

json_scanner *json_scanner_new(void)
{
    json_scanner *sc = static_cast<json_scanner *>(hs_xmalloc(sizeof *sc));
    sc->kernel = kernel();
    sc->state = sc->kernel->scanner_new();
    return sc;
}

json_scanner *json_scanner_for_line(const char *line, size_t len, hs_mem *m)
{
    // Every address of "references" is a string that starts with 0x: the
    // buffer for them is reserved at their count (Ruby writes nothing else).
    // Quotes found with memchr, not memmem: a sanitizer checks memmem's
    // whole haystack at each call, which on a line of ten million
    // addresses is quadratic.
    size_t addrs = 0;
    for (const char *p = line, *end = line + len;
         (p = static_cast<const char *>(std::memchr(p, '"', static_cast<size_t>(end - p)))) != nullptr; p++)
        addrs += end - p >= 3 && p[1] == '0' && p[2] == 'x';
    json_scanner *sc = static_cast<json_scanner *>(hs_mem_alloc(m, 1, sizeof *sc));
    if (!sc)
        return nullptr;
    sc->kernel = kernel();
    sc->state = sc->kernel->scanner_for_line(len, addrs, m);
    if (!sc->state) {
        std::free(sc);
        return nullptr;
    }
    return sc;
}

void json_scanner_free(json_scanner *sc)
{
    if (!sc)
        return;
    sc->kernel->scanner_free(sc->state);
    std::free(sc);
}

hs_status json_scan_run(json_scanner *sc, const char *data, size_t begin, size_t end,
                        const scan_options *opts, const scan_sink *sink, scan_stats *stats,
                        hs_error *err)
{
    return sc->kernel->run(sc->state, data, begin, end, opts, sink, stats, err);
}

bool json_scan_valid(const char *line, size_t len)
{
    kernel(); // the DOM parser, too, takes the active implementation
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    return parser.parse(line, len, true).get(doc) == simdjson::SUCCESS;
}

bool json_scan_line(json_scanner *sc, const char *line, size_t len, uint64_t offset,
                    const scan_options *opts, const scan_sink *sink)
{
    return sc->kernel->line(sc->state, line, len, offset, opts, sink);
}

} // extern "C"

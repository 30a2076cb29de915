// json_scan_kernel.cpp - the simdjson side of the scanner, compiled once per
// simdjson kernel (see json_scan_kernel.h): HEAPSIFT_KERNEL names it, and
// the kernel's instruction set is in the compiler flags that build it.
//
// Windows of about a megabyte, each ending at a newline, go through
// iterate_many as one batch (so a line can never be longer than the batch and
// end the stream silently). Each document must start where the next line
// starts; at the first document that does not, or that fails, the rest of the
// window is read one line at a time, and a line simdjson still rejects goes to
// json_repair. No exception crosses into C: simdjson is used through its error
// codes only, and allocation failures abort (see status.h).
#include "json_scan_kernel.h"

#include <cassert>
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <new>
#include <simdjson.h>
#include <string_view>

#include "json_quick.h"
#include "json_repair.h"

#ifndef HEAPSIFT_KERNEL
#error "HEAPSIFT_KERNEL names the kernel this object is compiled for"
#endif
#define KERNEL_PASTE2(a, b) a##b
#define KERNEL_PASTE(a, b) KERNEL_PASTE2(a, b)
// Everything here is in a namespace of its own per kernel, the scanner's
// type too: no two kernel objects define a type or function of one name.
#define KERNEL_NAMESPACE KERNEL_PASTE(heapsift_kernel_, HEAPSIFT_KERNEL)

namespace KERNEL_NAMESPACE {

using namespace simdjson;
// The On-Demand front end compiled here, for this object's kernel.
namespace ondemand = simdjson::SIMDJSON_BUILTIN_IMPLEMENTATION::ondemand;

struct scanner {
    ondemand::parser parser;      // reused for every window
    ondemand::parser line_parser; // for single lines, which a window may read
                                  // while its own document stream is open
    scan_refbuf refs;             // addresses of the line being read
    simdjson::dom::parser checker; // validates the rare line that needs it
                                   // (see scan_one_line), every byte of it
    quick_site_memo *site_memo{};  // json_quick_sites' sites seen lately, made
                                   // when first wanted (NULL: none, or no memory)
};

namespace {

// Windows of the full parser: iterate_many's batch, whose index grows with it.
const size_t default_window = 1 << 20;
// Windows of the quick readers. After each, the pass releases the pages
// behind it, which makes the kernel interrupt the other cores to flush
// their TLBs, and faults in the ones ahead (scanpass): 4 MiB windows make
// a quarter of those calls (the report of the 1.5 GB trio: 3-6% faster).
const size_t quick_window = 4 << 20;

// How far ahead of the line being read scan_quick prefetches the text.
const size_t PREFETCH_AHEAD = 2048;

// Bytes between the quotes of a raw string token (raw_json_token may include
// white space after the closing quote).
bool unquote(std::string_view tok, scan_str *out)
{
    if (tok.size() < 2 || tok[0] != '"')
        return false;
    const char *close = static_cast<const char *>(std::memchr(tok.data() + 1, '"', tok.size() - 1));
    if (!close)
        return false;
    out->ptr = tok.data() + 1;
    out->len = static_cast<uint32_t>(close - out->ptr);
    return true;
}

bool get_hex(ondemand::value &v, uint64_t *out)
{
    scan_str s;
    return unquote(v.raw_json_token(), &s) && scan_parse_hex(s.ptr, s.len, out);
}

bool get_str(ondemand::value &v, scan_str *out)
{
    std::string_view sv;
    if (v.get_string().get(sv))
        return false;
    out->ptr = sv.data();
    out->len = static_cast<uint32_t>(sv.size());
    return true;
}

bool get_u32(ondemand::value &v, uint32_t *out)
{
    uint64_t n;
    if (v.get_uint64().get(n) || n > UINT32_MAX)
        return false;
    *out = static_cast<uint32_t>(n);
    return true;
}

// Reads "references" into refs, or with refs NULL only walks it: On-Demand
// does not validate a value it skips, and whether a broken line is read by
// simdjson or repaired must not depend on whether references were wanted.
bool read_refs(ondemand::value &v, scan_refbuf *refs, uint32_t *bad)
{
    ondemand::array arr;
    if (v.get_array().get(arr))
        return false;
    for (auto el : arr) {
        ondemand::value ev;
        if (el.get(ev))
            return false;
        uint64_t a;
        if (!get_hex(ev, &a))
            (*bad)++;
        else if (refs)
            scan_refbuf_push(refs, a);
    }
    return true;
}

// Reads flags.object_id into *oid, setting *has.
bool read_flags(ondemand::value &v, uint64_t *oid, bool *has)
{
    ondemand::object obj;
    if (v.get_object().get(obj))
        return false;
    for (auto field : obj) {
        ondemand::raw_json_string key;
        if (field.key().get(key))
            return false;
        if (key.unsafe_is_equal("object_id")) {
            ondemand::value fv;
            if (field.value().get(fv) || fv.get_uint64().get(*oid))
                return false;
            *has = true;
        }
    }
    return true;
}

// How extract reads a member of each kind (dump_members.h) into rec->field,
// from the value v: true when it was of that kind.
#define READ_DUMP_RAW(field) unquote(v.raw_json_token(), &rec->field) // never escaped by Ruby
#define READ_DUMP_STRING(field) get_str(v, &rec->field)
#define READ_DUMP_HEX(field) (rec->has_##field = get_hex(v, &rec->field))
#define READ_DUMP_U32(field) (rec->has_##field = get_u32(v, &rec->field))
#define READ_DUMP_U64(field) (rec->has_##field = !v.get_uint64().get(rec->field))
// A reference that is no address is counted and left out (scan_one_line
// says so, keeping what this read of the line found).
#define READ_DUMP_REFS(field) read_refs(v, want_refs ? refs : nullptr, &rec->bad_##field)
#define READ_DUMP_FLAGS(field) read_flags(v, &rec->field, &rec->has_##field)
// And how a row fills its field (dump_how).
#define STORE_DUMP_OWN(kind, field) ok = READ_##kind(field)
#define STORE_DUMP_SHARED(kind, field) ok = READ_##kind(field)
#define STORE_DUMP_FALLBACK(kind, field) ok = DUMP_FILLED(kind, rec, field) || READ_##kind(field)

// Reads every member of one document into rec. On any error the caller reads
// the line another way; the code says why: simdjson's own for text that is
// not JSON, INCORRECT_TYPE for a member of the wrong kind, NO_SUCH_FIELD
// when the type or the address is missing.
template <typename Doc>
error_code extract(Doc &doc, const char *limit, bool want_refs, scan_refbuf *refs, scan_record *rec)
{
    ondemand::object obj;
    error_code e = doc.get_object().get(obj);
    if (e)
        return e;
    refs->n = 0;
    for (auto field : obj) {
        ondemand::raw_json_string rk;
        if ((e = field.key().get(rk)))
            return e;
        const char *k = rk.raw();
        const char *kend = static_cast<const char *>(std::memchr(k, '"', static_cast<size_t>(limit - k)));
        if (!kend)
            return TAPE_ERROR;
        scan_key key = scan_key_of(k, static_cast<size_t>(kend - k));
        if (key == KEY_OTHER)
            continue; // skipped by the iterator when it moves on
        ondemand::value v;
        if ((e = field.value().get(v)))
            return e;
        bool ok = true;
        switch (key) {
#define READ_MEMBER(id, json_name, kind, field, how) \
    case KEY_##id:                                   \
        STORE_##how(kind, field);                    \
        break;
        DUMP_MEMBERS(READ_MEMBER)
#undef READ_MEMBER
        case KEY_OTHER: break;
        }
        if (!ok)
            return INCORRECT_TYPE;
    }
    if (!rec->type.ptr)
        return NO_SUCH_FIELD;
    scan_record_finish(rec);
    if (rec->kind == SCAN_OBJECT && !rec->has_address)
        return NO_SUCH_FIELD;
    rec->refs = refs->v;
    rec->nrefs = refs->n;
    return SUCCESS;
}

// What json_quick says of a line another reader has read.
enum quick_verdict {
    QUICK_AGREES,    // it reads the same object
    QUICK_DISAGREES, // it reads another object: the line is broken
    QUICK_DECLINES,  // the line is not in its shape (ROOT lines, for one)
};

// Does json_quick, when it accepts the line, read the same object as rec?
// simdjson On-Demand does not validate the values it skips, so a broken line
// can parse "successfully" with members lost; json_quick reads address, type,
// generation and object_id strictly, and identity loads use it. A line where
// they disagree is broken and goes to the repair path.
quick_verdict ask_quick(const char *line, size_t len, const scan_record *rec)
{
    scan_record q{};
    if (!json_quick_line(line, len, &q))
        return QUICK_DECLINES;
    bool same = q.kind == rec->kind && q.has_address == rec->has_address && q.address == rec->address &&
                q.type.len == rec->type.len && std::memcmp(q.type.ptr, rec->type.ptr, q.type.len) == 0 &&
                q.has_generation == rec->has_generation &&
                (!q.has_generation || q.generation == rec->generation) &&
                q.has_object_id == rec->has_object_id && (!q.has_object_id || q.object_id == rec->object_id);
    return same ? QUICK_AGREES : QUICK_DISAGREES;
}

struct run_state {
    scanner *sc;
    const char *data;
    const scan_options *opts;
    const scan_sink *sink;
    scan_stats *stats;
    uint64_t line_no; // number of the next line, 1-based within the range
};

void report(run_state &st, scan_problem_kind kind, uint64_t offset, const char *why)
{
    if (!st.sink->problem)
        return;
    scan_problem p{ kind, offset, st.line_no, why };
    st.sink->problem(st.sink->ctx, &p);
}

// The members json_quick reads (kind, address, type, generation,
// object_id), from its reading of the line into rec.
void take_identity(scan_record *rec, const scan_record &quick)
{
    rec->kind = quick.kind;
    rec->has_address = quick.has_address;
    rec->address = quick.address;
    rec->type = quick.type;
    rec->has_generation = quick.has_generation;
    rec->generation = quick.generation;
    rec->has_object_id = quick.has_object_id;
    rec->object_id = quick.object_id;
}

// A line read another way than as it is: says so (kind, why) and hands on
// the object read from it.
void keep_repaired(run_state &st, scan_problem_kind kind, uint64_t offset, const char *why, const scan_record &rec)
{
    st.stats->repaired++;
    report(st, kind, offset, why);
    st.stats->records++;
    st.sink->record(st.sink->ctx, &rec);
}

// One line alone: simdjson first, then the repair path.
void scan_one_line(run_state &st, const char *line, size_t len, bool last_in_range)
{
    scanner *sc = st.sc;
    uint64_t offset = static_cast<uint64_t>(line - st.data);

    scan_record rec{};
    rec.offset = offset;
    rec.line_no = st.line_no;
    ondemand::document doc;
    error_code code = sc->line_parser.iterate(line, len, len + SIMDJSON_PADDING).get(doc);
    if (!code)
        code = extract(doc, line + len, st.opts->want_refs, &sc->refs, &rec);
    // A broken line On-Demand did not notice (see ask_quick).
    bool unnoticed = !code && ask_quick(line, len, &rec) == QUICK_DISAGREES;
    simdjson::dom::element checked;
    if (!code && (unnoticed || rec.bad_refs) && !sc->checker.parse(line, len, true).get(checked)) {
        // Valid JSON (the DOM parser checks every byte, which On-Demand does
        // not) that is still not read as it is: everything is as simdjson
        // read it but for what this says (json_repair's guess at where
        // strings end is for lines that are not JSON).
        char why[SCAN_WHY_MAX];
        int n = 0;
        if (unnoticed) {
            // json_quick reads its identity otherwise (members where Ruby
            // does not write them: a space before the line's last brace
            // hides the generation from it). Identity loads take
            // json_quick's reading, so it is kept here too.
            scan_record quick = rec;
            bool took = json_quick_line(line, len, &quick);
            assert(took); // ask_quick disagrees only about a line json_quick took
            (void)took;
            take_identity(&rec, quick);
            n = std::snprintf(why, sizeof why, "valid JSON, but not laid out as Ruby writes it: address, type, "
                                               "generation and object_id as an identity load reads them%s",
                              rec.bad_refs ? "; " : "");
        }
        // References that are no address are left out.
        if (rec.bad_refs)
            std::snprintf(why + n, sizeof why - static_cast<size_t>(n), JSON_REPAIR_BAD_REFS, rec.bad_refs);
        rec.repaired = true;
        keep_repaired(st, SCAN_REPAIRED, offset, why, rec);
        return;
    }
    if (!code && !unnoticed) {
        st.stats->records++;
        st.sink->record(st.sink->ctx, &rec);
        return;
    }
    // Valid JSON as far as it was read, but not a heap object line: no
    // address or type, or a member of the wrong kind.
    bool not_object = !unnoticed && (code == INCORRECT_TYPE || code == NO_SUCH_FIELD);

    char why[SCAN_WHY_MAX], repair_why[JSON_REPAIR_WHY_MAX];
    rec = scan_record{};
    rec.offset = offset;
    rec.line_no = st.line_no;
    rec.repaired = true;
    bool ok = json_repair_line(line, len, st.opts->want_refs, &sc->refs, &rec, repair_why,
                               sizeof repair_why);
    if (!repair_why[0] && not_object)
        std::snprintf(repair_why, sizeof repair_why, "a member holds a value of another kind than Ruby writes");
    // An object must be the same object whichever reader loaded its dump, and
    // identity loads read it with json_quick, which takes generation and flags
    // from the end of the line, past whatever broke it: when json_quick
    // accepts the line, its reading of those members is the one kept.
    scan_record quick = rec;
    if (json_quick_line(line, len, &quick)) {
        take_identity(&rec, quick);
        ok = true;
    }
    if (unnoticed)
        std::snprintf(why, sizeof why, "not valid JSON (broken inside a value the full parser skipped)%s%s",
                      repair_why[0] ? ": " : "", repair_why);
    else if (!not_object)
        std::snprintf(why, sizeof why, "not valid JSON (%s)%s%s", error_message(code),
                      repair_why[0] ? ": " : "", repair_why);
    else
        std::snprintf(why, sizeof why, "not a heap object line%s%s", repair_why[0] ? ": " : "",
                      repair_why);
    if (ok) {
        bool cut = last_in_range && std::strstr(repair_why, "line ends inside") != nullptr;
        keep_repaired(st, cut ? SCAN_TRUNCATED : SCAN_REPAIRED, offset, why, rec);
    } else {
        st.stats->skipped++;
        report(st, SCAN_SKIPPED, offset, why);
    }
}

bool is_blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

// Reads data[pos, wend), which iterate_many could not, one line at a time.
void scan_lines(run_state &st, size_t pos, size_t wend, size_t range_end)
{
    while (pos < wend) {
        const char *line = st.data + pos;
        const char *nl = static_cast<const char *>(std::memchr(line, '\n', wend - pos));
        size_t len = nl ? static_cast<size_t>(nl - line) : wend - pos;
        if (!is_blank(line, len)) {
            st.stats->lines++;
            st.stats->slow_lines++;
            scan_one_line(st, line, len, !nl && wend == range_end);
        }
        if (nl)
            st.line_no++;
        pos += len + (nl ? 1 : 0);
    }
}

// The newlines of a range, found 64 bytes at a time: each block's mask is
// made once for all the lines that end in it, where memchr starts again
// (a call, and the first bytes before its wide loop) at every line. Blocks
// count from the range's start, so no byte before it is read; the last
// may run up to 63 bytes past the range's end, which json_scan_run's
// padding allows.
struct newline_finder {
    const char *block; // the block of mask (nullptr: none yet)
    uint64_t mask;     // its newlines, bit k for block[k]
};

inline uint64_t newline_mask(const char *b)
{
#if defined(__AVX512BW__)
    return _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(b), _mm512_set1_epi8('\n'));
#elif defined(__AVX2__)
    const __m256i nl = _mm256_set1_epi8('\n');
    uint32_t lo = static_cast<uint32_t>(_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(b)), nl)));
    uint32_t hi = static_cast<uint32_t>(_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + 32)), nl)));
    return lo | static_cast<uint64_t>(hi) << 32;
#elif defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    uint64_t m = 0;
    for (int k = 0; k < 4; k++)
        m |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(
                 _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(b + 16 * k)), nl))))
             << (16 * k);
    return m;
#else
    uint64_t m = 0;
    for (int k = 0; k < 64; k++)
        m |= static_cast<uint64_t>(b[k] == '\n') << k;
    return m;
#endif
}

// The first newline in [p, end), or nullptr; origin: the range's start
// (blocks are 64 bytes from it), p never before the last call's.
inline const char *next_newline(newline_finder &f, const char *origin, const char *p, const char *end)
{
    const char *b = origin + (static_cast<size_t>(p - origin) & ~static_cast<size_t>(63));
    if (b != f.block) {
        f.block = b;
        f.mask = newline_mask(b);
    }
    uint64_t m = f.mask & (~0ull << (p - b));
    while (!m) {
        b += 64;
        if (b >= end)
            return nullptr;
        f.block = b;
        m = f.mask = newline_mask(b);
    }
    const char *q = b + __builtin_ctzll(m);
    return q < end ? q : nullptr;
}

// Reads data[pos, wend) for identity only: json_quick where the line has
// Ruby's usual shape, the full parser elsewhere.
void scan_quick(run_state &st, size_t pos, size_t wend, size_t range_end)
{
    // json_quick_line sets every member it reads on every line, and the
    // others stay zero: one record serves all lines.
    scan_record rec{};
    if (st.opts->quick_sites && !st.sc->site_memo)
        st.sc->site_memo = json_quick_site_memo_new();
    // The text ahead is asked for without keeping it in the caches beyond
    // L1 (it is read once): the tables every line looks up (the memo of
    // sites, the flags memos, the columns) then stay in L2.
    const char *ahead = st.data + pos;
    const char *origin = st.data + pos;
    newline_finder newlines{};
    while (pos < wend) {
        const char *line = st.data + pos;
        for (; ahead < line + PREFETCH_AHEAD; ahead += 64)
            __builtin_prefetch(ahead, 0, 0);
        const char *nl = next_newline(newlines, origin, line, st.data + wend);
        size_t len = nl ? static_cast<size_t>(nl - line) : wend - pos;
        // With want_refs json_quick_details keeps the references in the
        // scanner's buffer, as the full parser would.
        bool quick = st.opts->quick_details ? (st.opts->want_refs ? json_quick_details_refs(line, len, &rec, &st.sc->refs)
                                                                   : json_quick_details(line, len, &rec))
                   : st.opts->quick_sites     ? json_quick_sites(line, len, &rec, st.sc->site_memo)
                                              : json_quick_line(line, len, &rec);
        // Class names and SHAPE records (the shape tree) are read in full
        // where they are wanted: json_quick keeps neither.
        if (quick && st.opts->want_class_names &&
            ((rec.type.len == 5 && std::memcmp(rec.type.ptr, "CLASS", 5) == 0) ||
             (rec.type.len == 6 && std::memcmp(rec.type.ptr, "MODULE", 6) == 0) ||
             (rec.type.len == 5 && std::memcmp(rec.type.ptr, "SHAPE", 5) == 0)))
            quick = false;
        if (quick) {
            rec.offset = pos;
            rec.line_no = st.line_no;
            st.stats->lines++;
            st.stats->records++;
            st.stats->quick_lines++;
            st.sink->record(st.sink->ctx, &rec);
        } else if (!is_blank(line, len)) {
            st.stats->lines++;
            st.stats->slow_lines++;
            scan_one_line(st, line, len, !nl && wend == range_end);
        }
        if (nl)
            st.line_no++;
        pos += len + (nl ? 1 : 0);
    }
}

// Skips the blank lines from cur (a line start), counting them. Returns the
// start of the next line that is not blank (or wend) and sets *first to its
// first byte that is not white space.
size_t skip_blank_lines(run_state &st, size_t cur, size_t wend, size_t *first)
{
    for (;;) {
        size_t p = cur;
        while (p < wend && (st.data[p] == ' ' || st.data[p] == '\t' || st.data[p] == '\r'))
            p++;
        if (p < wend && st.data[p] == '\n') {
            st.line_no++;
            cur = p + 1;
            continue;
        }
        *first = p;
        return p == wend ? wend : cur;
    }
}

// Reads data[pos, wend) with iterate_many. Returns the offset from which the
// window must be read line by line (wend when the whole window was read):
// always a line start, so that every record's offset is one. range_end is
// the end of the whole range (a line cut there was cut short).
size_t scan_window(run_state &st, size_t pos, size_t wend, size_t range_end)
{
    scanner *sc = st.sc;
    size_t len = wend - pos;
    ondemand::document_stream stream;
    if (sc->parser.iterate_many(st.data + pos, len, len < 4096 ? 4096 : len).get(stream))
        return pos;
    size_t cur = pos; // start of the next line not yet read
    for (auto it = stream.begin(); it != stream.end(); ++it) {
        // Blank lines produce no document; a line may start with white space.
        size_t first;
        cur = skip_blank_lines(st, cur, wend, &first);
        if (pos + it.current_index() != first)
            return cur;
        auto docref = *it;
        if (docref.error())
            return cur;
        ondemand::document_reference doc = docref.value_unsafe();
        const char *line = st.data + cur;
        const char *nl = static_cast<const char *>(std::memchr(line, '\n', wend - cur));
        size_t line_len = nl ? static_cast<size_t>(nl - line) : wend - cur;
        // The document must be the whole line. A string left open makes the
        // batch's last document end early, and iterating it then stops at
        // that end without an error: the members after it would be lost.
        std::string_view src = it.source();
        const char *line_end = line + line_len;
        while (line_end > line && (line_end[-1] == ' ' || line_end[-1] == '\t' || line_end[-1] == '\r'))
            line_end--;
        if (src.data() != st.data + first || src.data() + src.size() != line_end)
            return cur;

        scan_record rec{};
        rec.offset = cur;
        rec.line_no = st.line_no;
        // A reference that is no address: the line alone (scan_one_line says so).
        if (extract(doc, line + line_len, st.opts->want_refs, &sc->refs, &rec) || rec.bad_refs)
            return cur;
        quick_verdict verdict = ask_quick(line, line_len, &rec);
        if (verdict == QUICK_DISAGREES)
            return cur;
        // And it must have ended there: skipping a value it does not read,
        // On-Demand only counts brackets, and on a broken line it can run on
        // into the next one. After a whole line the next token is the next
        // document's first byte (or there is none).
        size_t next = cur + line_len;
        while (next < wend && (st.data[next] == ' ' || st.data[next] == '\t' || st.data[next] == '\r' ||
                               st.data[next] == '\n'))
            next++;
        const char *loc = nullptr;
        if (!doc.current_location().get(loc) && loc != st.data + next)
            return cur;
        st.stats->lines++;
        if (verdict == QUICK_AGREES) {
            st.stats->records++;
            st.sink->record(st.sink->ctx, &rec);
        } else {
            // Nothing vouches for this document: in a batch, a string the
            // line leaves open runs on into the lines after it, and what
            // On-Demand skipped was never checked. The line is read alone,
            // as a window of one line would read it; there are few such
            // lines (ROOT lines) and the batch goes on after it.
            scan_one_line(st, line, line_len, !nl && wend == range_end);
        }
        cur += line_len;
        if (nl) {
            cur++;
            st.line_no++;
        }
    }
    // Only white space may remain.
    size_t first;
    return skip_blank_lines(st, cur, wend, &first);
}

void *scanner_new()
{
    void *mem = hs_xmalloc(sizeof(scanner));
    // Value-initialization: refs start zeroed, and the parser is built by its
    // (explicit) default constructor, which list-initialization may not call.
    return new (mem) scanner();
}

void scanner_free(void *state);

void *scanner_for_line(size_t len, size_t addrs, hs_mem *m)
{
    void *mem = hs_mem_alloc(m, 1, sizeof(scanner));
    uint64_t *refs = static_cast<uint64_t *>(hs_mem_alloc(m, addrs, sizeof(uint64_t)));
    if (hs_mem_failed(m)) {
        std::free(mem);
        std::free(refs);
        return nullptr;
    }
    scanner *sc = new (mem) scanner();
    sc->refs.v = refs;
    sc->refs.cap = addrs;
    // simdjson allocates with new (std::nothrow) and says MEMALLOC: about 4
    // bytes a byte of the line for its structural indexes and 1 for strings.
    if (sc->line_parser.allocate(len) != SUCCESS) {
        hs_mem_lost(m, 5 * len + SIMDJSON_PADDING);
        scanner_free(sc);
        return nullptr;
    }
    return sc;
}

void scanner_free(void *state)
{
    scanner *sc = static_cast<scanner *>(state);
    if (!sc)
        return;
    std::free(sc->refs.v);
    json_quick_site_memo_free(sc->site_memo);
    sc->~scanner();
    std::free(sc);
}

hs_status run(void *state, const char *data, size_t begin, size_t end, const scan_options *opts,
              const scan_sink *sink, scan_stats *stats, hs_error *err)
{
    *stats = scan_stats{};
    run_state st{ static_cast<scanner *>(state), data, opts, sink, stats, 1 };
    bool quick = opts->identity_only || opts->quick_sites || opts->quick_details;
    size_t window = opts->window_bytes ? opts->window_bytes : quick ? quick_window : default_window;
    size_t pos = begin;
    while (pos < end) {
        // A window ends just after a newline (or at the end of the range).
        size_t wend = end - pos <= window ? end : pos + window;
        if (wend < end) {
            const char *nl = static_cast<const char *>(std::memchr(data + wend - 1, '\n', end - wend + 1));
            wend = nl ? static_cast<size_t>(nl - data) + 1 : end;
        }
        if (quick) {
            scan_quick(st, pos, wend, end);
        } else {
            // scan_window counts lines up to where it stopped, so line_no is
            // right for the line-by-line pass.
            size_t from = scan_window(st, pos, wend, end);
            if (from < wend)
                scan_lines(st, from, wend, end);
        }
        pos = wend;
        if (sink->progress && !sink->progress(sink->ctx, pos - begin)) {
            stats->line_count = st.line_no - 1;
            return hs_fail(err, HS_ERR_CANCELLED, "cancelled");
        }
    }
    // A last line without a newline still counts as a line.
    stats->line_count = st.line_no - 1 + (end > begin && data[end - 1] != '\n');
    return HS_OK;
}

bool line(void *state, const char *line, size_t len, uint64_t offset, const scan_options *opts,
          const scan_sink *sink)
{
    if (opts->quick_details) {
        scan_record rec{};
        rec.offset = offset;
        rec.line_no = 1;
        scanner *sc = static_cast<scanner *>(state);
        if (opts->want_refs ? json_quick_details_refs(line, len, &rec, &sc->refs) : json_quick_details(line, len, &rec)) {
            sink->record(sink->ctx, &rec);
            return true;
        }
    }
    scan_stats stats{};
    run_state st{ static_cast<scanner *>(state), line - offset, opts, sink, &stats, 1 };
    // The line was cut short only when no newline ends it (the last line of
    // a dump); the byte after it is readable (padding, see above).
    scan_one_line(st, line, len, line[len] != '\n');
    return stats.records == 1;
}

} // namespace
} // namespace KERNEL_NAMESPACE

extern "C" const json_scan_kernel KERNEL_PASTE(json_scan_kernel_, HEAPSIFT_KERNEL) = {
    SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
    KERNEL_NAMESPACE::scanner_new,
    KERNEL_NAMESPACE::scanner_for_line,
    KERNEL_NAMESPACE::scanner_free,
    KERNEL_NAMESPACE::run,
    KERNEL_NAMESPACE::line,
};

/* main.c - options, then report mode (the report, --why, --path,
 * --suspects) or the explorer.
 *
 * Exit status: 0 success; 1 a dump could not be read or compared, or the
 * report could not be written; 2 bad usage; 3 --fail-over exceeded.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "dumpfile.h"
#include "filter.h"
#include "group.h"
#include "loader.h"
#include "memcheck.h"
#include "json_repair.h"
#include "json_scan.h"
#include "objinfo.h"
#include "problems.h"
#include "report.h"
#include "report_json.h"
#include "suspects.h"
#include "suspects_report.h"
#include "units.h"
#include "textsafe.h"
#include "ui.h"
#include "watch.h"
#include "why.h"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_FAIL_OVER = 3 };

typedef struct options {
    bool report;            /* --report, or standard output is not a terminal */
    group_by by;            /* --group-by */
    group_sort_key sort;    /* --sort */
    bool reverse;           /* --reverse (or a sort key after '-') */
    obj_filter filter;      /* --filter, --exclude, --type, --min-count */
    size_t top;             /* --top: groups (or suspects) written; 0 for all */
    const char *output;     /* -o FILE */
    bool force;             /* --force: -o may replace FILE */
    bool fail_over_set;     /* --fail-over was given */
    uint64_t fail_over;     /* ... its limit */
    bool fail_growing_set;  /* --fail-growing was given */
    uint64_t fail_growing;  /* ... its limit: objects a suspect may gain per window */
    bool json;              /* --format=json */
    diff_identity identity; /* --identity */
    bool trend;             /* --trend */
    int header;             /* -1 default, 0 --no-header, 1 --header */
    bool quiet;             /* --quiet */
    bool stats;             /* --stats: timings and sizes on stderr */
    ui_color color;         /* --color */
    view_tab first_tab;     /* --view: the explorer's first list */
    bool allow_same;        /* --allow-same: a dump may be given twice */
    const char *why;        /* --why=FILE:LINE as given */
    char why_file[1024];    /* ... its FILE */
    uint32_t why_line;      /* ... its LINE */
    bool suspects;          /* --suspects: the retained objects by what holds them */
    bool path_set;          /* --path: print the root path of one object */
    uint64_t path_addr;     /* ... at this address */
    unsigned threads;       /* --threads (0: one per core) */
    uint64_t max_memory;    /* --max-memory in bytes (0: no check) */
    bool max_memory_set;    /* --max-memory was given */
    const char *watch;      /* --watch=DIR: the explorer over DIR's dumps, adding
                               each new one as it arrives */
} options;

static const char usage_text[] =
    "Usage: heapsift [OPTION]... DUMP...\n"
    "  or:  heapsift [OPTION]... --watch=DIR\n"
    "Find the objects a Ruby process leaks, from heap dumps written by\n"
    "ObjectSpace.dump_all (NDJSON, plain or gzip), given oldest first.\n"
    "\n"
    "  3+ dumps: objects in dump 2 not in dump 1 and alive in every later dump\n"
    "  2 dumps:  objects in dump 2 not in dump 1;  1 dump: every object\n"
    "\n"
    "  -R, --report              print the text report instead of opening the\n"
    "                            explorer (the default when standard output is\n"
    "                            not a terminal)\n"
    "      --color=WHEN          explorer colours: auto (default; none when\n"
    "                            NO_COLOR is set), never, always\n"
    "      --allow-same          a dump may be given more than once\n"
    "      --view=LIST           the explorer's first list: suspects (default;\n"
    "                            what holds the leak) or groups (Tab switches)\n"
    "  -w, --watch=DIR           the explorer over the dumps in DIR (oldest\n"
    "                            first), adding each new one once it is complete;\n"
    "                            DIR/GLOB: only the names GLOB matches\n"
    "  -g, --group-by=KEY        %s\n"
    "                            (default: site, the classic type,file,line)\n"
    "  -s, --sort=KEY            %s\n"
    "                            (default: count; retained reads the latest\n"
    "                            dump's references)\n"
    "  -r, --reverse             reverse the sort\n"
    "  -f, --filter=PATTERN      only objects whose file path contains PATTERN\n"
    "                            (a glob when it has * ? or [)\n"
    "  -x, --exclude=PATTERN     leave out objects whose file path matches PATTERN\n"
    "  -t, --type=TYPES          only these types, comma separated (STRING,ARRAY)\n"
    "  -m, --min-count=N         hide groups with fewer than N objects (a filter:\n"
    "                            they leave the totals and the --fail-over count)\n"
    "  -n, --top=N               print only the first N groups (totals and\n"
    "                            --fail-over still count every group; 0: all)\n"
    "  -o, --output=FILE         write the report to FILE (atomically)\n"
    "      --force               replace FILE if it exists\n"
    "      --fail-over=N         exit with status 3 when more than N objects are\n"
    "                            retained (after filters): a CI gate\n"
    "      --fail-growing=N      exit with status 3 when a suspect gains more\n"
    "                            than N objects in every window (3+ dumps): a\n"
    "                            CI gate that a warm-up does not trip\n"
    "      --format=FORMAT       text (default) or json: one JSON document for\n"
    "                            the report, --trend, --suspects, --why, --path\n"
    "      --identity=MODE       exact (default): address plus object_id (Ruby 3.5+),\n"
    "                            else generation, else type; address: address\n"
    "                            alone, as the classic script\n"
    "      --trend               with the report, each group's live count per dump\n"
    "                            (every object with the group's key, unfiltered)\n"
    "      --header, --no-header the \"# \" header lines (default: on, except with\n"
    "                            --identity=address and site grouping, which print\n"
    "                            exactly what the classic script prints)\n"
    "      --why=FILE:LINE       why the objects allocated there are retained:\n"
    "                            retained size, what holds them, a root path\n"
    "                            (FILE may be any trailing part of the path)\n"
    "      --suspects            what holds the retained objects: one line per\n"
    "                            holder (or holders of one type and site), most\n"
    "                            bytes first, with its growth, root path, groups\n"
    "      --path=ADDRESS        print the shortest path from a GC root to the\n"
    "                            object at ADDRESS in the latest dump, and its\n"
    "                            retained size\n"
    "  -q, --quiet               no progress line and no warnings (errors and the\n"
    "                            --fail-over verdict are still printed)\n"
    "      --stats               print load and diff timings and table sizes on\n"
    "                            standard error\n"
    "  -j, --threads=N           parser threads (default: one per core)\n"
    "      --max-memory=SIZE     refuse to start when the dumps would need more\n"
    "                            memory than SIZE (512M, 4G ...; estimated from\n"
    "                            their sizes); default: what the machine has\n"
    "                            available, or less when a cgroup or ulimit -v\n"
    "                            leaves less; 0: no check\n"
    "  -h, --help                show this help\n"
    "  -V, --version             show the version\n"
    "\n"
    "Exit status: 0 success, 1 a dump could not be read or compared or the report\n"
    "not written, 2 bad usage, 3 more objects retained than --fail-over allows\n"
    "or a suspect grows by more than --fail-growing.\n";

/* Shows a path from the command line or a dump safely on stderr. */
static void put_safe(FILE *f, const char *s, size_t len)
{
    textsafe_write(f, s, len, true);
}

/* An error message from the library, on stderr, escaped (it names files). */
static void print_error(const char *msg)
{
    fprintf(stderr, "heapsift: ");
    put_safe(stderr, msg, strlen(msg));
    fputc('\n', stderr);
}

static void usage_error(const char *fmt, const char *arg) __attribute__((noreturn));
static void usage_error(const char *fmt, const char *arg)
{
    /* The argument is echoed: escaped, as it may hold anything. */
    char safe[1024];
    textsafe_escape(arg, strlen(arg), safe, sizeof safe);
    fprintf(stderr, "heapsift: ");
    fprintf(stderr, fmt, safe);
    fprintf(stderr, "\nTry 'heapsift --help' for more information.\n");
    exit(EXIT_USAGE);
}

/* An unknown name of a vocabulary: the error lists the known ones. */
static void vocabulary_error(const char *what, const char *arg, void (*names)(char *buf, size_t size))
{
    char known[256], fmt[400];
    names(known, sizeof known);
    snprintf(fmt, sizeof fmt, "unknown %s '%%s' (%s)", what, known);
    usage_error(fmt, arg);
}

static void print_usage(void)
{
    char by[256], sort[256];
    group_by_names(by, sizeof by);
    group_sort_names(sort, sizeof sort);
    printf(usage_text, by, sort);
}

static uint64_t parse_count(const char *arg, const char *opt)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-')
        usage_error("%s needs a whole number", opt);
    return v;
}

enum {
    OPT_FORCE = 256, OPT_FAIL_OVER, OPT_IDENTITY, OPT_TREND, OPT_HEADER, OPT_NO_HEADER,
    OPT_STATS, OPT_COLOR, OPT_PATH, OPT_WHY, OPT_MAX_MEMORY, OPT_SUSPECTS, OPT_VIEW, OPT_ALLOW_SAME,
    OPT_FAIL_GROWING, OPT_FORMAT,
};

static const struct option longopts[] = {
    { "report", no_argument, NULL, 'R' },
    { "group-by", required_argument, NULL, 'g' },
    { "sort", required_argument, NULL, 's' },
    { "reverse", no_argument, NULL, 'r' },
    { "filter", required_argument, NULL, 'f' },
    { "exclude", required_argument, NULL, 'x' },
    { "type", required_argument, NULL, 't' },
    { "min-count", required_argument, NULL, 'm' },
    { "top", required_argument, NULL, 'n' },
    { "output", required_argument, NULL, 'o' },
    { "force", no_argument, NULL, OPT_FORCE },
    { "fail-over", required_argument, NULL, OPT_FAIL_OVER },
    { "fail-growing", required_argument, NULL, OPT_FAIL_GROWING },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "identity", required_argument, NULL, OPT_IDENTITY },
    { "trend", no_argument, NULL, OPT_TREND },
    { "header", no_argument, NULL, OPT_HEADER },
    { "no-header", no_argument, NULL, OPT_NO_HEADER },
    { "quiet", no_argument, NULL, 'q' },
    { "stats", no_argument, NULL, OPT_STATS },
    { "color", required_argument, NULL, OPT_COLOR },
    { "path", required_argument, NULL, OPT_PATH },
    { "why", required_argument, NULL, OPT_WHY },
    { "suspects", no_argument, NULL, OPT_SUSPECTS },
    { "view", required_argument, NULL, OPT_VIEW },
    { "watch", required_argument, NULL, 'w' },
    { "allow-same", no_argument, NULL, OPT_ALLOW_SAME },
    { "colour", required_argument, NULL, OPT_COLOR },
    { "threads", required_argument, NULL, 'j' },
    { "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

/* The parse_* functions below each take the options of one concern and
 * return false for an option that is not theirs. */

/* How the groups are made and ordered: -g, -s, -r, --identity. */
static bool parse_grouping(int c, const char *arg, options *o)
{
    switch (c) {
    case 'g': {
        int by = group_by_from_name(arg);
        if (by < 0)
            vocabulary_error("grouping", arg, group_by_names);
        o->by = (group_by)by;
        return true;
    }
    case 's': {
        const char *name = arg;
        if (*name == '-') { /* --sort=-count reverses too */
            o->reverse = !o->reverse;
            name++;
        }
        int key = group_sort_from_name(name);
        if (key < 0)
            vocabulary_error("sort key", arg, group_sort_names);
        o->sort = (group_sort_key)key;
        return true;
    }
    case 'r': o->reverse = !o->reverse; return true;
    case OPT_IDENTITY:
        if (strcmp(arg, "exact") == 0)
            o->identity = DIFF_ID_EXACT;
        else if (strcmp(arg, "address") == 0)
            o->identity = DIFF_ID_ADDRESS;
        else
            usage_error("unknown identity '%s' (exact, address)", arg);
        return true;
    default: return false;
    }
}

/* Which objects count: -f, -x, -t, -m. */
static bool parse_filter(int c, const char *arg, options *o)
{
    const char *bad;
    switch (c) {
    case 'f': filter_set_include(&o->filter, arg); return true;
    case 'x': filter_set_exclude(&o->filter, arg); return true;
    case 't':
        if (!filter_set_types(&o->filter, arg, &bad))
            usage_error("unknown object type in '%s' (STRING, ARRAY, HASH, OBJECT, DATA ...)", arg);
        return true;
    case 'm': o->filter.min_count = parse_count(arg, "--min-count"); return true;
    default: return false;
    }
}

/* What the report writes and where: -R, -n, -o, --force, --fail-over,
 * --fail-growing, --format, --trend, --header, --no-header. */
static bool parse_output(int c, const char *arg, options *o)
{
    switch (c) {
    case 'R': o->report = true; return true;
    case 'n': o->top = (size_t)parse_count(arg, "--top"); return true;
    case 'o': o->output = arg; return true;
    case OPT_FORCE: o->force = true; return true;
    case OPT_FAIL_OVER:
        o->fail_over = parse_count(arg, "--fail-over");
        o->fail_over_set = true;
        return true;
    case OPT_FAIL_GROWING:
        o->fail_growing = parse_count(arg, "--fail-growing");
        o->fail_growing_set = true;
        return true;
    case OPT_FORMAT:
        if (strcmp(arg, "json") == 0)
            o->json = true;
        else if (strcmp(arg, "text") == 0)
            o->json = false;
        else
            usage_error("--format is text or json, not '%s'", arg);
        return true;
    case OPT_TREND: o->trend = true; return true;
    case OPT_HEADER: o->header = 1; return true;
    case OPT_NO_HEADER: o->header = 0; return true;
    default: return false;
    }
}

/* The report modes other than the plain report: --why, --path, --suspects. */
static bool parse_mode(int c, const char *arg, options *o)
{
    switch (c) {
    case OPT_WHY:
        if (!why_parse_site(arg, o->why_file, sizeof o->why_file, &o->why_line))
            usage_error("--why needs FILE:LINE, such as app/models/user.rb:42, not '%s'", arg);
        o->why = arg;
        return true;
    case OPT_PATH:
        if (!scan_parse_hex(arg, strlen(arg), &o->path_addr))
            usage_error("--path needs a hex address such as 0x7f3a1c2b4d58, not '%s'", arg);
        o->path_set = true;
        return true;
    case OPT_SUSPECTS: o->suspects = true; return true;
    default: return false;
    }
}

/* How heapsift itself runs: -q, --stats, --color, --view, -w, -j, --max-memory. */
static bool parse_running(int c, const char *arg, options *o)
{
    switch (c) {
    case 'w': o->watch = arg; return true;
    case OPT_ALLOW_SAME: o->allow_same = true; return true;
    case OPT_VIEW:
        if (strcmp(arg, "suspects") == 0)
            o->first_tab = TAB_SUSPECTS;
        else if (strcmp(arg, "groups") == 0)
            o->first_tab = TAB_GROUPS;
        else
            usage_error("unknown --view '%s' (suspects, groups)", arg);
        return true;
    case 'q': o->quiet = true; return true;
    case OPT_STATS: o->stats = true; return true;
    case OPT_COLOR:
        if (strcmp(arg, "auto") == 0)
            o->color = UI_COLOR_AUTO;
        else if (strcmp(arg, "never") == 0)
            o->color = UI_COLOR_NEVER;
        else if (strcmp(arg, "always") == 0)
            o->color = UI_COLOR_ALWAYS;
        else
            usage_error("unknown --color '%s' (auto, never, always)", arg);
        return true;
    case 'j': o->threads = (unsigned)parse_count(arg, "--threads"); return true;
    case OPT_MAX_MEMORY:
        if (!memcheck_parse_size(arg, &o->max_memory))
            usage_error("--max-memory needs a size such as 512M or 4G (0: no check), not '%s'", arg);
        o->max_memory_set = true;
        return true;
    default: return false;
    }
}

/* The version, and the simdjson kernel that reads the dumps (the one
 * HEAPSIFT_SIMD names, else the best this CPU runs). */
static void print_version(void)
{
    char simd[512];
    json_scan_simd_describe(simd, sizeof simd);
    printf("heapsift %s\n%s\n", PACKAGE_VERSION, simd);
}

static int parse_options(int argc, char **argv, options *o)
{
    int c;
    /* Our own messages (getopt's name the program as it was run, e.g.
     * "src/heapsift:"): a leading ':' tells a missing value from an
     * unknown option. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":Rg:s:rf:x:t:m:n:o:qj:w:hV", longopts, NULL)) != -1) {
        if (parse_grouping(c, optarg, o) || parse_filter(c, optarg, o) || parse_output(c, optarg, o) ||
            parse_mode(c, optarg, o) || parse_running(c, optarg, o))
            continue;
        switch (c) {
        case 'h': print_usage(); exit(0);
        case 'V': print_version(); exit(0);
        case ':':
        default: {
            /* A long option is named as typed; a short one by its letter
             * (it may sit in a cluster, as -Rz). */
            const char *typed = argv[optind - 1];
            bool is_long = strncmp(typed, "--", 2) == 0;
            char letter[3] = { '-', (char)optopt, 0 };
            const char *eq = is_long ? strchr(typed, '=') : NULL;
            for (const struct option *lo = longopts; eq && lo->name; lo++)
                if (lo->has_arg == no_argument && strlen(lo->name) == (size_t)(eq - typed - 2) &&
                    strncmp(lo->name, typed + 2, (size_t)(eq - typed - 2)) == 0)
                    usage_error("option '%s' takes no value", typed);
            size_t nlen = eq ? (size_t)(eq - typed - 2) : strlen(typed) - (is_long ? 2 : 0);
            int matches = 0;
            for (const struct option *lo = longopts; is_long && lo->name; lo++)
                matches += strncmp(lo->name, typed + 2, nlen) == 0;
            if (c != ':' && matches > 1)
                usage_error("option '%s' is ambiguous: give more of its name", typed);
            usage_error(c == ':' ? "option '%s' needs a value" : "unknown option '%s'",
                        is_long || !optopt ? typed : letter);
        }
        }
    }
    if (o->watch && optind < argc)
        usage_error("--watch takes its dumps from its folder, not from the command line ('%s')", argv[optind]);
    if (optind >= argc && !o->watch)
        usage_error("%s", "no dump given");
    return optind;
}

/* One progress line on stderr, rewritten in place. */
static void show_progress(loader *l)
{
    for (size_t k = 0; k < l->ndumps; k++) {
        loader_dump *d = &l->dump[k];
        if (atomic_load(&d->stage) != LOADER_LOADING)
            continue;
        uint64_t total = atomic_load(&d->progress.bytes_total);
        uint64_t done = atomic_load(&d->progress.bytes_done);
        uint64_t objects = atomic_load(&d->progress.objects);
        fprintf(stderr, "\r\033[Kheapsift: loading dump %zu/%zu  %3.0f%%  %" PRIu64 " MB  %" PRIu64 " objects",
                k + 1, l->ndumps, total ? 100.0 * (double)done / (double)total : 0.0, done >> 20, objects);
        return;
    }
    if (atomic_load(&l->diffing))
        fprintf(stderr, "\r\033[Kheapsift: comparing %zu dumps", l->ndumps);
}

/* Report mode: SIGINT, SIGTERM or SIGHUP while -o's file is written leave
 * no temporary file beside it; the process then dies of the signal. */
static void on_report_signal(int sig)
{
    report_discard_partial();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_report_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_report_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static hs_status wait_for_loader(loader *l, bool progress)
{
    while (!loader_finished(l) || atomic_load(&l->graph_state) == LOADER_GRAPH_RUNNING) {
        struct pollfd p = { loader_wake_fd(l), POLLIN, 0 };
        poll(&p, 1, 200);
        loader_drain(l);
        if (progress)
            show_progress(l);
    }
    if (progress)
        fprintf(stderr, "\r\033[K");
    return loader_join(l);
}

/* The dumps still mapped were read again while writing: false, with the
 * reason on stderr, when one of them shrank meanwhile. */
static bool files_unchanged(const session *ses)
{
    for (size_t k = 0; k < ses->ndumps; k++) {
        hs_error err;
        if (heap_check_file(ses->dumps[k], &err) != HS_OK) {
            print_error(err.msg);
            return false;
        }
    }
    return true;
}

/* Refuses, before anything is loaded, a load that would not fit in memory
 * (the machine would swap, or the kernel kill heapsift half way, or an
 * allocation fail half way under a cgroup or address-space limit). */
static bool memory_suffices(const char *const *paths, size_t n, const loader_opts *lopts, const options *o)
{
    if (o->max_memory_set && o->max_memory == 0)
        return true;
    memcheck_plan plan = { lopts->want_trends || lopts->trends_later, lopts->want_graph };
    hs_error err;
    if (memcheck_check(paths, n, &plan, o->max_memory_set ? o->max_memory : 0, &memcheck_system, &err) == HS_OK)
        return true;
    print_error(err.msg);
    return false;
}

static void print_stats(const loader *l)
{
    const session *ses = l->session;
    char simd[512];
    json_scan_simd_describe(simd, sizeof simd);
    fprintf(stderr, "heapsift: stats: %s\n", simd);
    for (size_t k = 0; k < ses->ndumps; k++) {
        const heap *h = ses->dumps[k];
        fprintf(stderr, "heapsift: stats: dump %zu: %.3f s, %.1f MB text, %zu objects, %" PRIu64
                        " lines (%" PRIu64 " by the quick reader, %" PRIu64 " by simdjson in batches, %" PRIu64
                        " by the full parser one at a time), %u sites, %u strings\n",
                k + 1, l->load_seconds[k], (double)h->text_size / 1e6, h->count, h->lines, h->quick_lines,
                h->lines - h->quick_lines - h->slow_lines, h->slow_lines, h->nsites,
                h->strings ? strtab_count(h->strings) : 0);
    }
    fprintf(stderr, "heapsift: stats: diff %.3f s, %zu suspects; details %.3f s (CPU %.3f s user, %.3f s system); total %.3f s\n",
            l->diff_seconds, ses->diff->count, l->details_seconds, l->details_user, l->details_sys, l->seconds);
    if (ses->graph) {
        const graph *g = ses->graph;
        fprintf(stderr,
                "heapsift: stats: graph %.3f s after that (references %.3f s, dominators %.3f s): %u objects, %" PRIu64
                " references (%" PRIu64 " dangling), %.1f MB kept\n",
                l->graph_seconds, l->graph_read_seconds, l->dominator_seconds, g->n, g->edges, g->dangling,
                (double)graph_bytes(g) / 1e6);
    }
}

/* --why or --path; returns the exit status. */
static int report_why(const session *ses, const options *o)
{
    hs_error err = { 0 };
    int status = 0;
    hs_status st;
    if (o->json)
        st = o->why ? report_json_why(stdout, ses, o->why_file, o->why_line, &o->filter, o->top, &err)
                    : report_json_path(stdout, ses, o->path_addr, &err);
    else
        st = o->why ? why_write(stdout, ses, o->why_file, o->why_line, &o->filter, o->top, isatty(STDOUT_FILENO), &err)
                    : why_write_path(stdout, ses, o->path_addr, &err);
    if (st != HS_OK) {
        print_error(err.msg);
        status = EXIT_INPUT;
    }
    return files_unchanged(ses) ? status : EXIT_INPUT;
}

/* A JSON document into -o FILE: what report_atomic_write calls. */
typedef struct json_job {
    const report_info *info;
    const report_opts *ropts;
    const suspects *sp;      /* --suspects, else NULL: the report */
    size_t top;
} json_job;

static hs_status write_json_job(FILE *out, void *ctx, hs_error *err)
{
    const json_job *j = ctx;
    return j->sp ? report_json_suspects(out, j->info, j->sp, j->top, err)
                 : report_json_write(out, j->info, j->ropts, err);
}

static hs_status write_json(const json_job *job, const options *o, hs_error *err)
{
    return o->output ? report_atomic_write(o->output, o->force, write_json_job, (void *)job, err)
                     : write_json_job(stdout, (void *)job, err);
}

/* --fail-growing: the first suspect (not dump_all's noise) that gained more
 * than the limit in every window, as its rank, or 0 when none did. */
static size_t growing_suspect(const suspects *sp, uint64_t limit)
{
    for (size_t r = 0; r < sp->nrows; r++) {
        const suspect *row = &sp->rows[r];
        if (row->noise || !row->window)
            continue;
        bool every = sp->nwindows > 0;
        for (size_t w = 0; w < sp->nwindows && every; w++)
            every = row->window[w] > limit;
        if (every)
            return r + 1;
    }
    return 0;
}

/* --suspects (and --fail-growing): the groups' objects by what holds them,
 * to stdout or -o; *growing gets growing_suspect's answer. */
static hs_status write_suspects(const report_info *info, const report_opts *ropts, const options *o,
                                size_t *growing, hs_error *err)
{
    suspects sp;
    hs_status st = suspects_find(info->session, info->set, &sp, err);
    if (st != HS_OK)
        return st;
    *growing = o->fail_growing_set ? growing_suspect(&sp, o->fail_growing) : 0;
    if (o->fail_growing_set && *growing) {
        char desc[2048];
        size_t len = suspects_describe(info->session, &sp, *growing - 1, desc, sizeof desc);
        char safe[4096];
        textsafe_escape(desc, len, safe, sizeof safe);
        fprintf(stderr, "heapsift: suspect %zu grows by more than --fail-growing=%" PRIu64 " objects in every window: %s\n",
                *growing, o->fail_growing, safe);
    }
    if (!o->suspects) {
        /* Only the gate wanted them: the report is written by the caller. */
        suspects_free(&sp);
        return HS_OK;
    }
    if (o->json) {
        json_job job = { info, ropts, &sp, o->top };
        st = write_json(&job, o, err);
        suspects_free(&sp);
        return st;
    }
    suspects_report_opts sopts = {
        .header = ropts->header,
        .escape = ropts->escape,
        .top = o->top,
        .groups = 5,
        .holders = 5,
        .when = ropts->when,
    };
    st = o->output ? suspects_save(o->output, o->force, info, &sp, &sopts, err)
                   : suspects_write(stdout, info, &sp, &sopts, err);
    suspects_free(&sp);
    return st;
}

/* Sorted by the live counts, the report shows them. */
static bool report_trends(const options *o)
{
    return (o->trend && !o->suspects) || group_sort_needs(o->sort) == SORT_NEEDS_TRENDS;
}

/* The groups the report shows; NULL, with the reason on stderr, when they
 * cannot be made (out of memory). */
static group_set *make_groups(const session *ses, const options *o)
{
    group_query q = {
        .by = o->by, .filter = &o->filter, .sort = o->sort, .reverse = o->reverse, .trends = report_trends(o),
    };
    group_set *set;
    hs_error err;
    if (group_new(&set, ses, &q, &err) != HS_OK) {
        print_error(err.msg);
        return NULL;
    }
    return set;
}

/* The report, or --suspects, of set (made by make_groups, freed here);
 * returns the exit status. */
static int report_groups(const session *ses, group_set *set, const options *o)
{
    hs_error err = { 0 };
    bool trend = report_trends(o);
    char when[64] = "";
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", localtime(&t));
    bool classic = o->identity == DIFF_ID_ADDRESS && o->by == GROUP_SITE && !o->suspects;
    report_info info = { ses, set };
    report_opts ropts = {
        .header = o->header >= 0 ? o->header : !classic,
        .trend = trend,
        .escape = !o->output && isatty(STDOUT_FILENO),
        .top = o->top,
        .when = o->output ? when : NULL,
    };
    hs_status st = HS_OK;
    size_t growing = 0;
    json_job job = { &info, &ropts, NULL, o->top };
    if (o->suspects || o->fail_growing_set)
        st = write_suspects(&info, &ropts, o, &growing, &err);
    if (st != HS_OK || o->suspects)
        ; /* written, or failed */
    else if (o->json)
        st = write_json(&job, o, &err);
    else if (o->output)
        st = report_save(o->output, o->force, &info, &ropts, &err);
    else
        st = report_write(stdout, &info, &ropts, &err);
    int status = 0;
    if (st != HS_OK) {
        print_error(err.msg);
        status = EXIT_INPUT;
    } else if (growing) {
        status = EXIT_FAIL_OVER; /* said which */
    } else if (o->fail_over_set && set->total_count > o->fail_over) {
        fprintf(stderr, "heapsift: %" PRIu64 " objects %s, more than --fail-over=%" PRIu64 "\n", set->total_count,
                ses->diff->mode == DIFF_RETAINED ? "retained" : "found", o->fail_over);
        status = EXIT_FAIL_OVER;
    }
    group_free(set);
    return status;
}

/* The report, --why, --path or --suspects, once the load is done; returns
 * the exit status. */
static int report(loader *l, const options *o)
{
    install_report_signals();
    bool progress = !o->quiet && isatty(STDERR_FILENO);
    if (wait_for_loader(l, progress) != HS_OK) {
        print_error(l->err.msg);
        return EXIT_INPUT;
    }
    if (l->opts.want_graph && l->graph_status != HS_OK) {
        print_error(l->graph_err.msg);
        return EXIT_INPUT;
    }
    /* What the loader held back for this is needed now. */
    loader_unreserve(l);
    /* --suspects reads no group's retained size: grouped before the graph
     * is attached, the groups skip computing them. */
    group_set *set = NULL;
    if (o->suspects && group_sort_needs(o->sort) != SORT_NEEDS_GRAPH && !(set = make_groups(l->session, o)))
        return EXIT_INPUT;
    if (l->opts.want_graph)
        loader_attach_graph(l);
    const session *ses = l->session;
    if (!o->quiet)
        problems_write(stderr, ses, "heapsift: ", PROBLEMS_SHOWN_CLI, true);
    if (o->stats)
        print_stats(l);
    if (o->why || o->path_set)
        return report_why(ses, o);
    if (!set && !(set = make_groups(ses, o)))
        return EXIT_INPUT;
    return report_groups(ses, set, o);
}

/* The explorer, until the person quits; returns the exit status. *l is
 * the load shown last (watch mode replaces it; NULL when a watched folder
 * never had a dump). */
static int explore(loader **l, const options *o, watch *w, const loader_opts *lopts, const char *const *paths,
                   size_t npaths)
{
    ui_opts uo = { .color = o->color,
                   .by = o->by,
                   .sort = o->sort,
                   .reverse = o->reverse,
                   .filter = &o->filter,
                   .tab = o->first_tab,
                   .watch = w,
                   .load = lopts,
                   .paths = paths,
                   .npaths = npaths };
    int status = ui_run(l, &uo);
    if (!*l)
        return status;
    /* Whatever still runs (the load after q, the graph or trends pass after
     * Q) is not wanted any more; its status is read once it has ended. */
    loader_cancel(*l);
    loader_join(*l);
    if (status == 1 && (*l)->status != HS_OK && (*l)->status != HS_ERR_CANCELLED)
        print_error((*l)->err.msg); /* also where the shell shows it */
    return status;
}

/* --watch=DIR: the explorer over the folder's dumps as they come. */
static int watch_folder(options *o, loader_opts *lopts)
{
    watch *w = NULL;
    hs_error err = { 0 };
    if (watch_open(&w, o->watch, &err) != HS_OK) {
        print_error(err.msg);
        return EXIT_INPUT;
    }
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO) || o->report || o->output || o->json || o->why ||
        o->path_set || o->fail_growing_set) {
        watch_close(w);
        usage_error("--watch opens the explorer: it needs a terminal, and no report option ('%s')", o->watch);
    }
    /* Trends grow with each dump, from the second on. */
    lopts->trends_later = true;
    lopts->want_trends = false;
    lopts->want_graph = true;
    lopts->skip_subtypes = false;
    loader *l = NULL;
    int status = EXIT_INPUT;
    if (watch_count(w) && loader_start(&l, watch_paths(w), watch_count(w), lopts, &err) != HS_OK)
        print_error(err.msg);
    else
        status = explore(&l, o, w, lopts, NULL, 0);
    loader_free(l);
    watch_close(w);
    return status;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, ""); /* the explorer's UTF-8 glyphs and wide characters */
    options o;
    memset(&o, 0, sizeof o);
    filter_init(&o.filter);
    o.header = -1;
    int first = parse_options(argc, argv, &o);
    {
        /* HEAPSIFT_SIMD naming a kernel that cannot run is said now, not
         * by an abort in the first parser. */
        hs_error simd_err;
        if (json_scan_simd_init(&simd_err) != HS_OK) {
            print_error(simd_err.msg);
            return EXIT_USAGE;
        }
    }
    if (o.output && strcmp(o.output, "-") == 0)
        o.output = NULL; /* -o - is standard output, as for most tools */
    const char *const *paths = (const char *const *)argv + first;
    size_t ndumps = (size_t)(argc - first);
    if (o.watch) {
        loader_opts wopts = { .identity = o.identity, .threads = o.threads };
        int status = watch_folder(&o, &wopts);
        filter_free(&o.filter);
        return status;
    }
    /* The explorer needs a terminal on both ends; anything else gets the report. */
    bool explorer = !o.report && !o.output && !o.path_set && !o.why && !o.json && !o.fail_growing_set &&
                    isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    if (o.fail_growing_set && ndumps < 3) {
        char given[32];
        snprintf(given, sizeof given, "%zu", ndumps);
        usage_error("--fail-growing compares windows between dumps: give three dumps or more, not %s", given);
    }
    /* Trends need every dump's sites. The report waits for them; the
     * explorer draws them for 3+ dumps, and shows the list before they come. */
    bool trends = o.trend || group_sort_needs(o.sort) == SORT_NEEDS_TRENDS;
    loader_opts lopts = {
        .identity = o.identity,
        .threads = o.threads,
        .want_trends = trends && !explorer,
        .trends_later = explorer && (trends || ndumps >= 3),
        .want_graph = o.path_set || o.why || o.suspects || o.fail_growing_set ||
                      group_sort_needs(o.sort) == SORT_NEEDS_GRAPH || explorer,
        /* Root paths name a DATA without a class by its struct. */
        .skip_subtypes = !explorer && !group_by_needs_subtypes(o.by) && !o.path_set && !o.why && !o.suspects,
    };
    int status = EXIT_INPUT;
    loader *l = NULL;
    hs_error err = { 0 };
    bool paths_ok = true;
    for (size_t k = 0; k < ndumps && paths_ok; k++)
        if (dumpfile_check_path(paths[k], &err) != HS_OK) {
            print_error(err.msg);
            paths_ok = false;
        }
    /* The same file twice compares a dump with itself: nothing can be new,
     * and a --fail-over gate would pass without a word. */
    for (size_t k = 0; k < ndumps && paths_ok && !o.allow_same; k++)
        for (size_t j = 0; j < k && paths_ok; j++)
            if (dumpfile_same_file(paths[j], paths[k])) {
                char msg[2200];
                snprintf(msg, sizeof msg,
                         "dumps %zu and %zu are the same file (%.1000s, %.1000s): give each dump once, or "
                         "--allow-same",
                         j + 1, k + 1, paths[j], paths[k]);
                print_error(msg);
                paths_ok = false;
            }
    if (!paths_ok) {
        /* said which */
    } else if (!memory_suffices(paths, ndumps, &lopts, &o)) {
        /* said why */
    } else if (loader_start(&l, paths, ndumps, &lopts, &err) != HS_OK) {
        print_error(err.msg);
        l = NULL;
    } else {
        status = explorer ? explore(&l, &o, NULL, &lopts, paths, ndumps) : report(l, &o);
    }
    /* Every thread has ended by now (a load waiting on a FIFO sees the
     * cancel too): loader_free joins what explore and report have not. */
    loader_free(l);
    filter_free(&o.filter);
    return status;
}

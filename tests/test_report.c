/* test_report.c - the text report: the classic script's output byte for
 * byte, the header, escaping, and saving atomically. */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "diff.h"
#include "filter.h"
#include "group.h"
#include "heap.h"
#include "report.h"

/* Loaded as the loader does without trends: the others for identity only. */
static heap *app[3];

static int load_app(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "app-%d.json.gz", k + 1);
        heap_load_opts opts = { .mode = k == 1 ? HEAP_FULL : HEAP_IDENTITY, .threads = 0 };
        hs_error err;
        if (heap_load(&app[k], data_path(name), &opts, &err) != HS_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    }
    return 0;
}

static int free_app(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++)
        heap_free(app[k]);
    return 0;
}

/* A diff of dumps[0..n), grouped, filtered and sorted, ready to report. */
typedef struct prepared {
    diff_result *diff;
    session *session;
    group_set *set;
    report_info info;
} prepared;

/* A grouping key by name (only the classic one has a constant). */
#define BY(name) ((group_by)group_by_from_name(name))

static void prepare(prepared *p, heap *const *dumps, size_t n, diff_identity id, group_by by,
                    const obj_filter *f)
{
    hs_error err;
    if (diff_run(&p->diff, dumps, n, id, &err) != HS_OK)
        fail_msg("%s", err.msg);
    heap *subject = dumps[p->diff->subject];
    if (subject->mode == HEAP_FULL)
        test_load_details(subject, p->diff->objects, p->diff->count, 0);
    p->session = session_borrow(dumps, n, p->diff);
    group_query q = { .by = by, .filter = f, .sort = SORT_COUNT, .trends = true };
    p->set = test_group_new(p->session, &q);
    p->info = (report_info){ p->session, p->set };
}

static void release(prepared *p)
{
    group_free(p->set);
    session_free(p->session);
    diff_free(p->diff);
}

/* The report as a string (caller frees). */
static char *report_text(const prepared *p, const report_opts *opts)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    hs_error err;
    assert_int_equal(report_write(out, &p->info, opts, &err), HS_OK);
    fclose(out);
    return buf;
}

static void classic_report(void **state)
{
    (void)state;
    prepared p;
    prepare(&p, app, 3, DIFF_ID_ADDRESS, GROUP_SITE, NULL);
    report_opts opts = { 0 };
    char *got = report_text(&p, &opts);
    char *want = read_file(data_path("expected/app-classic.txt"));
    assert_text_equal(got, want);
    free(got);
    free(want);
    release(&p);
}

static void identity_report(void **state)
{
    (void)state;
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { 0 };
    char *got = report_text(&p, &opts);
    char *want = read_file(data_path("expected/app-identity.txt"));
    assert_text_equal(got, want);
    free(got);
    free(want);
    release(&p);
}

/* Splits text into its lines (in place); returns how many. */
static size_t split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;
    for (char *p = text; *p && n < max;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

static void header(void **state)
{
    (void)state;
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { .header = true, .when = "2024-05-01 12:00" };
    char *text = report_text(&p, &opts);
    char *want = read_file(data_path("expected/app-identity.txt"));
    assert_text_equal(body_of(text), want); /* the body is unchanged */
    char *lines[16];
    size_t n = split_lines(text, lines, 16);
    assert_true(n > 8);
    assert_memory_equal(lines[0], "# heapsift ", 11);
    assert_non_null(strstr(lines[0], ": retained objects (in dump 2, not in dump 1, alive in dump 3)"));
    char want_dump[3][1200];
    snprintf(want_dump[0], sizeof want_dump[0], "# dump 1: %s (10362 objects, GC 7)", app[0]->path);
    snprintf(want_dump[1], sizeof want_dump[1], "# dump 2: %s (13838 objects, GC 17)", app[1]->path);
    snprintf(want_dump[2], sizeof want_dump[2], "# dump 3: %s (17468 objects, GC 24)", app[2]->path);
    for (int k = 0; k < 3; k++)
        assert_string_equal(lines[1 + k], want_dump[k]);
    assert_memory_equal(lines[4], "# identity: ", 12);
    assert_non_null(strstr(lines[4], "generation"));
    assert_non_null(strstr(lines[4], "; grouping: site; sort: count"));
    /* data/README: 191 suspects in reused slots, 6 the classic diff wrongly keeps. */
    assert_string_equal(lines[5], "# address-only matching would miss 191 of these (reused slots) and wrongly add 6");
    assert_string_equal(lines[6], "# written 2024-05-01 12:00");
    assert_string_equal(lines[7], "# 32 groups, 3485 objects");
    assert_memory_equal(lines[8], "Retained 283 ", 13);
    free(text);
    free(want);
    release(&p);

    prepare(&p, app, 3, DIFF_ID_ADDRESS, GROUP_SITE, NULL);
    opts.when = NULL;
    text = report_text(&p, &opts);
    want = read_file(data_path("expected/app-classic.txt"));
    assert_text_equal(body_of(text), want);
    n = split_lines(text, lines, 16);
    assert_string_equal(lines[4], "# identity: address; grouping: site; sort: count");
    assert_string_equal(lines[5], "# 35 groups, 3300 objects");
    free(text);
    free(want);
    release(&p);
}

static void header_with_filter(void **state)
{
    (void)state;
    obj_filter f;
    filter_init(&f);
    filter_set_include(&f, "app/models");
    filter_set_exclude(&f, "*.erb");
    const char *bad;
    assert_true(filter_set_types(&f, "STRING,OBJECT", &bad));
    f.min_count = 2;
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, GROUP_SITE, &f);
    report_opts opts = { .header = true };
    char *text = report_text(&p, &opts);
    assert_non_null(strstr(text, "\n# filter: path app/models excluding *.erb types OBJECT,STRING at least 2 objects\n"));
    assert_non_null(strstr(text, "\n# 2 groups, 152 objects\n"));
    assert_string_equal(body_of(text),
                        "Retained 76 OBJECT objects of size 0/5472 at: app/models/session.rb:9\n"
                        "Retained 76 STRING objects of size 1208/3040 at: app/models/session.rb:20\n"
                        "\n\nTotal Size: 1208/8512\n");
    free(text);
    release(&p);
    filter_free(&f);
}

static void top_and_verbs(void **state)
{
    (void)state;
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { .top = 2 };
    char *text = report_text(&p, &opts);
    /* The total stays over every group shown without --top. */
    assert_string_equal(text,
                        "Retained 283 STRING objects of size 51565/63451 at: app/controllers/products_controller.rb:7\n"
                        "Retained 283 STRING objects of size 7431/24856 at: app/services/page_cache.rb:7\n"
                        "\n\nTotal Size: 78800/361171\n");
    free(text);
    opts.top = 1000;
    text = report_text(&p, &opts);
    char *want = read_file(data_path("expected/app-identity.txt"));
    assert_string_equal(text, want);
    free(want);
    free(text);
    release(&p);

    prepare(&p, app, 2, DIFF_ID_EXACT, BY("gem"), NULL);
    opts.top = 1;
    text = report_text(&p, &opts);
    assert_memory_equal(text, "New 4791 objects of size ", 25);
    assert_non_null(strstr(text, " for gem: app\n"));
    free(text);
    release(&p);

    prepare(&p, app + 1, 1, DIFF_ID_EXACT, GROUP_SITE, NULL);
    text = report_text(&p, &opts);
    assert_memory_equal(text, "Live ", 5);
    assert_non_null(strstr(text, "\n\n\nTotal Size: 158064/3561872\n"));
    free(text);
    release(&p);

    assert_string_equal(report_verb(DIFF_RETAINED), "Retained");
    assert_string_equal(report_verb(DIFF_NEW), "New");
    assert_string_equal(report_verb(DIFF_ALL), "Live");
}

static void other_groupings(void **state)
{
    (void)state;
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, BY("gem"), NULL);
    report_opts opts = { 0 };
    char *text = report_text(&p, &opts);
    assert_string_equal(text,
                        "Retained 3277 objects of size 76180/349355 for gem: app\n"
                        "Retained 131 objects of size 2620/5240 for gem: leaky-1.2.3\n"
                        "Retained 77 objects of size 0/6576 for gem: stdlib\n"
                        "\n\nTotal Size: 78800/361171\n");
    free(text);
    release(&p);
}

static void trend_column(void **state)
{
    (void)state;
    heap *dumps[3];
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "app-%d.json.gz", k + 1);
        heap_load_opts o = { .mode = HEAP_LIGHT, .threads = 0 };
        hs_error err;
        assert_int_equal(heap_load(&dumps[k], data_path(name), &o, &err), HS_OK);
    }
    prepared p;
    prepare(&p, dumps, 3, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { .trend = true, .top = 1 };
    char *text = report_text(&p, &opts);
    /* HEAP_LIGHT has no sizes. */
    assert_string_equal(text,
                        "Retained 283 STRING objects of size 0/0 at: app/controllers/products_controller.rb:7"
                        "  trend: 121 404 679\n\n\nTotal Size: 0/0\n");
    free(text);
    release(&p);
    for (int k = 0; k < 3; k++)
        heap_free(dumps[k]);
}

/* Dump text must not reach a terminal raw: an ESC in a path, a bidi
 * override in a class name, a backslash, and the dump's own file name. */
static void escaping(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x10\", \"type\":\"CLASS\", \"name\":\"Evil\\u202eCls\", \"memsize\":40, \"flags\":{\"old\":true}}\n"
        "{\"address\":\"0x20\", \"type\":\"STRING\", \"class\":\"0x10\", \"bytesize\":2, \"file\":\"app/\x1b[31mevil.rb\", "
        "\"line\":3, \"generation\":1, \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n"
        "{\"address\":\"0x30\", \"type\":\"STRING\", \"class\":\"0x10\", \"file\":\"C:\\x.rb\", \"line\":4, "
        "\"generation\":1, \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n";
    char path[] = "/tmp/heapsift-test-\x1b[2J-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    heap *h = NULL;
    hs_error err;
    heap_load_opts o = { .mode = HEAP_FULL, .threads = 1 };
    assert_int_equal(heap_load(&h, path, &o, &err), HS_OK);
    unlink(path);

    prepared p;
    prepare(&p, &h, 1, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { .escape = true };
    char *out = report_text(&p, &opts);
    assert_non_null(strstr(out, " at: app/\\x1b[31mevil.rb:3\n"));
    assert_non_null(strstr(out, " at: C:\\\\x.rb:4\n"));
    assert_null(strchr(out, '\x1b'));
    free(out);
    opts.escape = false;
    out = report_text(&p, &opts);
    assert_non_null(strstr(out, " at: app/\x1b[31mevil.rb:3\n")); /* as the classic script prints */
    assert_non_null(strstr(out, " at: C:\\x.rb:4\n"));
    free(out);
    opts = (report_opts){ .escape = true, .header = true };
    out = report_text(&p, &opts);
    assert_non_null(strstr(out, "# dump 1: /tmp/heapsift-test-\\x1b[2J-"));
    assert_null(strchr(out, '\x1b'));
    free(out);
    release(&p);

    prepare(&p, &h, 1, DIFF_ID_EXACT, BY("class"), NULL);
    opts = (report_opts){ .escape = true };
    out = report_text(&p, &opts);
    assert_non_null(strstr(out, " for class: Evil\\u{202e}Cls\n"));
    assert_null(strstr(out, "\xe2\x80\xae"));
    free(out);
    release(&p);
    heap_free(h);
}

/* Dump text is read by length: a NUL in a file name is part of it, in
 * every grouping. */
static void nul_in_file_name(void **state)
{
    (void)state;
    static const char text[] =
        "{\"address\":\"0x20\", \"type\":\"STRING\", \"file\":\"lib/a\0b.rb\", \"line\":3, "
        "\"generation\":1, \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n";
    const char *path = temp_file_with(text, sizeof text - 1);
    heap *h = NULL;
    hs_error err;
    heap_load_opts o = { .mode = HEAP_FULL, .threads = 1 };
    assert_int_equal(heap_load(&h, path, &o, &err), HS_OK);
    unlink(path);
    report_opts opts = { .escape = true };
    prepared p;
    prepare(&p, &h, 1, DIFF_ID_EXACT, GROUP_SITE, NULL);
    char *out = report_text(&p, &opts);
    assert_string_equal(out, "Live 1 STRING objects of size 0/40 at: lib/a\\x00b.rb:3\n\n\nTotal Size: 0/40\n");
    free(out);
    release(&p);
    prepare(&p, &h, 1, DIFF_ID_EXACT, BY("file"), NULL);
    out = report_text(&p, &opts);
    assert_string_equal(out, "Live 1 objects of size 0/40 for file: lib/a\\x00b.rb\n\n\nTotal Size: 0/40\n");
    free(out);
    release(&p);
    heap_free(h);
}

static void write_failure(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full); /* Linux always has /dev/full */
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { 0 };
    hs_error err;
    assert_int_equal(report_write(full, &p.info, &opts, &err), HS_ERR_IO);
    assert_int_equal(err.status, HS_ERR_IO);
    fclose(full);
    release(&p);
}

/* Names in dir other than . and .. (at most 8). */
static size_t dir_entries(const char *dir, char names[8][256])
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 8)
            snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    return n;
}

/* What a signal handler does in the middle of a write: the temporary file
 * goes; the write then fails (its file is gone from under it) or completes
 * into a name that is gone, and nothing is left in the directory. */
typedef struct interrupted {
    const char *dir;
    size_t entries_while_writing;
} interrupted;


static hs_status write_then_signal(FILE *out, void *ctx, hs_error *err)
{
    (void)err;
    interrupted *in = ctx;
    char names[8][256];
    fputs("half a report\n", out);
    fflush(out);
    in->entries_while_writing = dir_entries(in->dir, names);
    report_discard_partial(); /* as on_report_signal does before dying */
    return HS_ERR_CANCELLED;
}

static void signal_during_write(void **state)
{
    (void)state;
    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/report.txt", dir);
    interrupted in = { dir, 0 };
    hs_error err;
    assert_int_equal(report_atomic_write(path, false, write_then_signal, &in, &err), HS_ERR_CANCELLED);
    assert_int_equal(in.entries_while_writing, 1); /* the temporary file */
    char names[8][256];
    assert_int_equal(dir_entries(dir, names), 0);
    report_discard_partial(); /* nothing to discard now: harmless */
    rmdir(dir);
}

static void save(void **state)
{
    (void)state;
    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/report.txt", dir);
    prepared p;
    prepare(&p, app, 3, DIFF_ID_EXACT, GROUP_SITE, NULL);
    report_opts opts = { 0 };
    hs_error err;
    char names[8][256];

    assert_int_equal(report_save(path, false, &p.info, &opts, &err), HS_OK);
    char *got = read_file(path);
    char *want = read_file(data_path("expected/app-identity.txt"));
    assert_string_equal(got, want);
    free(got);
    assert_int_equal(dir_entries(dir, names), 1);
    assert_string_equal(names[0], "report.txt");

    /* An existing file is refused without force, and left as it was. */
    FILE *f = fopen(path, "w");
    fputs("precious\n", f);
    fclose(f);
    assert_int_equal(report_save(path, false, &p.info, &opts, &err), HS_ERR_EXISTS);
    assert_int_equal(err.status, HS_ERR_EXISTS);
    assert_non_null(strstr(err.msg, path));
    got = read_file(path);
    assert_string_equal(got, "precious\n");
    free(got);
    assert_int_equal(dir_entries(dir, names), 1);

    /* With force it is replaced, by rename: the old inode is not written. */
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    int keep = open(path, O_RDONLY);
    assert_true(keep >= 0);
    assert_int_equal(report_save(path, true, &p.info, &opts, &err), HS_OK);
    got = read_file(path);
    assert_string_equal(got, want);
    free(got);
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_ino != after.st_ino);
    char old[16] = { 0 };
    assert_int_equal(read(keep, old, sizeof old - 1), 9);
    assert_string_equal(old, "precious\n");
    close(keep);
    assert_int_equal(dir_entries(dir, names), 1);

    /* A dangling symlink is refused, force or not, saying what it is (it
     * does not "already exist"), and is left a link. */
    char link_path[160];
    snprintf(link_path, sizeof link_path, "%s/dangling", dir);
    assert_int_equal(symlink("/tmp/heapsift-test-nowhere", link_path), 0);
    assert_int_equal(report_save(link_path, false, &p.info, &opts, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "is a symbolic link to nothing (to /tmp/heapsift-test-nowhere)"));
    assert_int_equal(report_save(link_path, true, &p.info, &opts, &err), HS_ERR_IO);
    struct stat lsb;
    assert_int_equal(lstat(link_path, &lsb), 0);
    assert_true(S_ISLNK(lsb.st_mode));
    assert_int_equal(access("/tmp/heapsift-test-nowhere", F_OK), -1);
    unlink(link_path);

    /* A directory that does not exist: nothing is created anywhere. */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such/dir/report.txt", dir);
    assert_int_equal(report_save(missing, true, &p.info, &opts, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, missing));
    /* Replacing a directory fails, and leaves no temporary file. */
    char sub[160];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_not_equal(report_save(sub, true, &p.info, &opts, &err), HS_OK);
    rmdir(sub);
    assert_int_equal(dir_entries(dir, names), 1);
    assert_string_equal(names[0], "report.txt");

    free(want);
    release(&p);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classic_report),
        cmocka_unit_test(identity_report),
        cmocka_unit_test(header),
        cmocka_unit_test(header_with_filter),
        cmocka_unit_test(top_and_verbs),
        cmocka_unit_test(other_groupings),
        cmocka_unit_test(trend_column),
        cmocka_unit_test(escaping),
        cmocka_unit_test(nul_in_file_name),
        cmocka_unit_test(write_failure),
        cmocka_unit_test(save),
        cmocka_unit_test(signal_during_write),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}

/* test_watch.c - watch mode's two halves without a terminal: the folder
 * (watch.c: what is a dump, when one is complete, in which order) and the
 * load of new dumps over loaded ones (loader_start_more), which must give
 * exactly what a load of all the dumps at once gives. */
#define _GNU_SOURCE
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "monotime.h"
#include "view.h"
#include "watch.h"

/* ---- the folder ----------------------------------------------------------------------- */

static void dump_names(void **state)
{
    (void)state;
    const char *yes[] = { "heap-1.json", "a.json.gz", "x.ndjson", "tmp-2021-heap.dump", "w.heap", "b.ndjson.gz" };
    const char *no[] = { ".heap-12.json.0badc0de.tmp", ".d3.json", "report.txt", "d1.json.tmp", "d1.json~",
                         "heap.json.part", ".json", "json", "d.gz", "" };
    for (size_t k = 0; k < sizeof yes / sizeof *yes; k++)
        assert_true(watch_is_dump_name(yes[k]));
    for (size_t k = 0; k < sizeof no / sizeof *no; k++)
        assert_false(watch_is_dump_name(no[k]));
}

static char folder[256];

static int make_folder(void **state)
{
    (void)state;
    snprintf(folder, sizeof folder, "/tmp/heapsift-test-watch-XXXXXX");
    assert_non_null(mkdtemp(folder));
    return 0;
}

static int remove_folder(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", folder);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Writes folder/name with text, its modification time `age` seconds ago. */
static void write_file(const char *name, const char *text, int age)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    if (age) {
        struct timeval tv[2];
        gettimeofday(&tv[0], NULL);
        tv[0].tv_sec -= age;
        tv[1] = tv[0];
        assert_int_equal(utimes(path, tv), 0);
    }
}

static const char *base(const char *path)
{
    return strrchr(path, '/') + 1;
}

/* The dumps there at the start: oldest first by time, whatever their names;
 * no dot file, no temporary, no report, no dump cut mid-line. */
static void startup_order(void **state)
{
    (void)state;
    write_file("zeta.json", "{}\n", 300);
    write_file("alpha.json", "{}\n", 100);
    write_file("mid.json.gz", "\x1f\x8b", 200);
    write_file(".hidden.json", "{}\n", 400);
    write_file(".heap-1.json.01234567.tmp", "{}\n", 400);
    write_file("report.txt", "{}\n", 400);
    write_file("cut.json", "{\"address\":", 400);
    watch *w;
    hs_error err;
    assert_int_equal(watch_open(&w, folder, &err), HS_OK);
    assert_int_equal(watch_count(w), 3);
    assert_string_equal(base(watch_paths(w)[0]), "zeta.json");
    assert_string_equal(base(watch_paths(w)[1]), "mid.json.gz");
    assert_string_equal(base(watch_paths(w)[2]), "alpha.json");
    assert_int_equal(watch_pending(w), 1); /* cut.json waits to end whole */
    watch_close(w);
}

/* With inotify: a dump written in place is taken when its writer closes it,
 * never while it is open, however long the writer pauses; one renamed in
 * at once; a file that never ends whole never. */
static void taken_when_closed(void **state)
{
    (void)state;
    unsetenv("HEAPSIFT_WATCH_POLL");
    watch *w;
    hs_error err;
    assert_int_equal(watch_open(&w, folder, &err), HS_OK);
    if (watch_how(w) != WATCH_INOTIFY) {
        print_message("# no inotify here: not checked\n");
        watch_close(w);
        return;
    }
    assert_int_equal(watch_count(w), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/d1.json", folder);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{\"a\":1}\n", 8), 8);
    usleep(1300 * 1000); /* longer than a pause that polling would take for the end */
    assert_int_equal(watch_check(w, monotime_now()), 0);
    assert_int_equal(watch_pending(w), 1);
    assert_int_equal(watch_timeout_ms(w), WATCH_POLL_MS);
    assert_int_equal(close(fd), 0);
    assert_int_equal(watch_check(w, monotime_now()), 1);
    assert_string_equal(base(watch_paths(w)[0]), "d1.json");
    /* Renamed in from a dot name. */
    write_file(".d2.json.partial", "{}\n", 0);
    assert_int_equal(watch_check(w, monotime_now()), 0);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/.d2.json.partial", folder);
    snprintf(to, sizeof to, "%s/d2.json", folder);
    assert_int_equal(rename(from, to), 0);
    assert_int_equal(watch_check(w, monotime_now()), 1);
    assert_string_equal(base(watch_paths(w)[1]), "d2.json");
    /* Closed without a last newline: cut, not taken. */
    write_file("d3.json", "{\"a\":", 0);
    assert_int_equal(watch_check(w, monotime_now()), 0);
    assert_int_equal(watch_pending(w), 1);
    /* Dropped (could not be loaded): gone from the list, never taken again. */
    watch_drop(w, 0);
    assert_int_equal(watch_count(w), 1);
    assert_string_equal(base(watch_paths(w)[0]), "d2.json");
    write_file("d1.json", "{}\n", 0);
    assert_int_equal(watch_check(w, monotime_now()), 0);
    assert_int_equal(watch_timeout_ms(w), WATCH_POLL_MS); /* d3.json still pending */
    watch_close(w);
}

/* Polling: a new dump is taken once its size and time stayed for a second. */
static void taken_when_stable(void **state)
{
    (void)state;
    setenv("HEAPSIFT_WATCH_POLL", "1", 1);
    watch *w;
    hs_error err;
    assert_int_equal(watch_open(&w, folder, &err), HS_OK);
    unsetenv("HEAPSIFT_WATCH_POLL");
    assert_int_equal(watch_how(w), WATCH_POLL);
    assert_int_equal(watch_fd(w), -1);
    assert_int_equal(watch_timeout_ms(w), WATCH_POLL_MS);
    write_file("d1.json", "{}\n", 0);
    double t = monotime_now();
    assert_int_equal(watch_check(w, t), 0); /* first seen */
    assert_int_equal(watch_pending(w), 1);
    usleep(1100 * 1000);
    assert_int_equal(watch_check(w, monotime_now()), 1);
    assert_string_equal(base(watch_paths(w)[0]), "d1.json");
    watch_close(w);
}

/* A folder and a glob: one process's dumps of a folder several write to. */
static void pattern(void **state)
{
    (void)state;
    write_file("heap-20261201-120000.000-4242.json", "{}\n", 300);
    write_file("heap-20261201-120100.000-4243.json", "{}\n", 250);
    write_file("heap-20261201-130000.000-4242.json.gz", "\x1f\x8b", 200);
    write_file(".heap-4242.json.0badc0de.tmp", "{}\n", 100);
    write_file("heap-20261201-140000.000-4242.json", "{}\n", 100);
    char where[512];
    snprintf(where, sizeof where, "%s/heap-*-4242.json*", folder);
    watch *w;
    hs_error err;
    assert_int_equal(watch_open(&w, where, &err), HS_OK);
    assert_string_equal(watch_dir(w), folder);
    assert_string_equal(watch_pattern(w), "heap-*-4242.json*");
    assert_int_equal(watch_count(w), 3);
    assert_string_equal(base(watch_paths(w)[0]), "heap-20261201-120000.000-4242.json");
    assert_string_equal(base(watch_paths(w)[1]), "heap-20261201-130000.000-4242.json.gz");
    assert_string_equal(base(watch_paths(w)[2]), "heap-20261201-140000.000-4242.json");
    watch_close(w);
    /* The glob's folder must exist. */
    snprintf(where, sizeof where, "%s/none/heap-*.json", folder);
    assert_int_equal(watch_open(&w, where, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "none: cannot watch it: No such file or directory"));
}

static void not_a_folder(void **state)
{
    (void)state;
    watch *w;
    hs_error err;
    char path[512];
    snprintf(path, sizeof path, "%s/none", folder);
    assert_int_equal(watch_open(&w, path, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "none: cannot watch it: No such file or directory"));
    write_file("file.json", "{}\n", 0);
    snprintf(path, sizeof path, "%s/file.json", folder);
    assert_int_equal(watch_open(&w, path, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "file.json: cannot watch it: not a folder"));
}

/* ---- new dumps over loaded ones --------------------------------------------------------- */

/* Waits for l to end everything, and attaches what it made. */
static void settle(loader *l)
{
    while (!loader_settled(l))
        usleep(2000);
    assert_int_equal(l->status, HS_OK);
    loader_attach_graph(l);
    loader_attach_trends(l);
}

/* The group list and the suspects of a loader's session, as exported. */
static char *view_text(loader *l)
{
    loader_unreserve(l);
    view v;
    group_query q = { .by = GROUP_SITE, .sort = SORT_COUNT, .trends = true };
    hs_error err;
    assert_int_equal(view_init(&v, l->session, &q, TAB_GROUPS, &err), HS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(view_write(&v, out, "now", &err), HS_OK);
    view_switch_tab(&v);
    assert_true(v.sp_ready);
    assert_int_equal(view_write(&v, out, "now", &err), HS_OK);
    fclose(out);
    view_free(&v);
    return buf;
}

static const loader_opts watch_opts = { .want_graph = true, .trends_later = true, .threads = 2 };

/* Two dumps, then three, then five, each added over the load before: the
 * same groups, trends, retained sizes and suspects as all of them loaded
 * at once. */
static void more_is_all_at_once(void **state)
{
    (void)state;
    const char *paths[5];
    char names[5][1024];
    for (int k = 0; k < 5; k++) {
        snprintf(names[k], sizeof names[k], "%s/tests/modern/ruby-3.1/d%d.json.gz", TOP_SRCDIR, k + 1);
        paths[k] = names[k];
    }
    hs_error err;
    loader *two;
    assert_int_equal(loader_start(&two, paths, 2, &watch_opts, &err), HS_OK);
    settle(two);
    char *two_text = view_text(two);
    loader *three;
    assert_int_equal(loader_start_more(&three, two, paths, 3, &watch_opts, &err), HS_OK);
    settle(three);
    assert_int_equal(three->borrowed, 2);
    /* The subject is a borrowed heap: its details are the owner's to read. */
    session *s = three->session;
    assert_int_equal(heap_try_load_details(s->subject, s->diff->objects, s->diff->count, 2, &err), HS_OK);
    loader_handover(two, three);
    loader_free(two);
    loader *five;
    assert_int_equal(loader_start_more(&five, three, paths, 5, &watch_opts, &err), HS_OK);
    settle(five);
    s = five->session;
    assert_int_equal(heap_try_load_details(s->subject, s->diff->objects, s->diff->count, 2, &err), HS_OK);
    char *three_text = view_text(three);
    loader_handover(three, five);
    loader_free(three);
    /* As the explorer does once it shows them: the dumps in the middle let
     * their text go (dump 3, the latest before, was read whole). */
    for (size_t k = 0; k < s->ndumps; k++)
        if (s->dumps[k] != s->subject && s->dumps[k] != s->latest) {
            heap_release_text(s->dumps[k]);
            assert_null(s->dumps[k]->file.data);
            assert_int_not_equal(s->dumps[k]->mode, HEAP_FULL);
        }
    assert_non_null(s->subject->file.data);
    char *five_text = view_text(five);

    const char *const counts[] = { "2", "3", "5" };
    char *texts[] = { two_text, three_text, five_text };
    for (int k = 0; k < 3; k++) {
        loader *all;
        size_t n = (size_t)atoi(counts[k]);
        assert_int_equal(loader_start(&all, paths, n, &watch_opts, &err), HS_OK);
        settle(all);
        char *want = view_text(all);
        assert_string_equal(texts[k], want);
        free(want);
        loader_free(all);
    }
    /* The steady leak grows in every window of the five. */
    assert_non_null(strstr(five_text, "Retained 40 STRING objects of size 280/1600 at: /app/memo.rb:12"));
    free(two_text);
    free(three_text);
    free(five_text);
    loader_free(five);
}

/* A load of more dumps that fails (one is no dump) leaves the base as it
 * was and frees only what it read. */
static void more_that_fails(void **state)
{
    (void)state;
    char d1[1024], d2[1024], bad[512];
    snprintf(d1, sizeof d1, "%s/tests/modern/ruby-3.1/d1.json.gz", TOP_SRCDIR);
    snprintf(d2, sizeof d2, "%s/tests/modern/ruby-3.1/d2.json.gz", TOP_SRCDIR);
    write_file("bad.json", "not a dump\n", 0);
    snprintf(bad, sizeof bad, "%s/bad.json", folder);
    const char *paths[] = { d1, d2, bad };
    hs_error err;
    loader *two, *three;
    assert_int_equal(loader_start(&two, paths, 2, &watch_opts, &err), HS_OK);
    settle(two);
    char *before = view_text(two);
    assert_int_equal(loader_start_more(&three, two, paths, 3, &watch_opts, &err), HS_OK);
    while (!loader_settled(three))
        usleep(2000);
    assert_int_equal(three->status, HS_ERR_FORMAT);
    assert_int_equal(atomic_load(&three->dump[2].stage), LOADER_FAILED);
    assert_non_null(strstr(three->err.msg, "bad.json"));
    loader_free(three);
    char *after = view_text(two);
    assert_string_equal(before, after);
    free(before);
    free(after);
    loader_free(two);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dump_names),
        cmocka_unit_test_setup_teardown(startup_order, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(taken_when_closed, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(taken_when_stable, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(pattern, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(not_a_folder, make_folder, remove_folder),
        cmocka_unit_test(more_is_all_at_once),
        cmocka_unit_test_setup_teardown(more_that_fails, make_folder, remove_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

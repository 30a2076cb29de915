/* bench_ui.c - how fast the explorer answers, measured on the real UI code
 * with a headless terminal (curses drawing into /dev/null):
 *   - the first frame: from start to the loading screen drawn;
 *   - a key on a list of 100,000 groups: handled and the screen redrawn;
 *   - a keystroke in the filter pane over 1,000,000 retained objects.
 * It writes its own dumps (a tiny first dump, then 1,000,000 objects at
 * 100,000 sites, used as dumps 2 and 3). Prints figures; never fails on time.
 *
 *   bench_ui [DIR]   (DIR defaults to $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"
#include "monotime.h"
#include "ui_internal.h"

enum { OBJECTS = 1000000, SITES = 100000 };

static void write_dumps(const char *d1, const char *d2)
{
    FILE *f = fopen(d1, "w");
    if (!f) {
        perror(d1);
        exit(1);
    }
    fprintf(f, "{\"address\":\"0x7f0000000008\", \"type\":\"STRING\", \"class\":\"0x7e0000000000\", "
               "\"bytesize\":3, \"value\":\"old\", \"file\":\"boot.rb\", \"line\":1, \"method\":\"x\", "
               "\"generation\":1, \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n");
    fclose(f);
    f = fopen(d2, "w");
    if (!f) {
        perror(d2);
        exit(1);
    }
    fprintf(f, "{\"address\":\"0x7e0000000000\", \"type\":\"CLASS\", \"class\":\"0x7e0000000028\", "
               "\"name\":\"String\", \"memsize\":40}\n");
    for (long i = 0; i < OBJECTS; i++) {
        long site = i % SITES;
        fprintf(f,
                "{\"address\":\"0x%" PRIx64 "\", \"type\":\"%s\", \"class\":\"0x7e0000000000\", "
                "\"bytesize\":%ld, \"value\":\"v%ld\", \"file\":\"app/part_%ld/file_%ld.rb\", \"line\":%ld, "
                "\"method\":\"m%ld\", \"generation\":%ld, \"memsize\":%ld, \"flags\":{\"wb_protected\":true}}\n",
                (uint64_t)0x7f0000100000 + (uint64_t)i * 40, i % 3 ? "STRING" : "ARRAY", i % 50, i, site % 100,
                site / 100, site % 997 + 1, site % 7, 5 + i % 3, 40 + (i % 5) * 8);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    double t_start = monotime_now();
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char d1[512], d2[512];
    snprintf(d1, sizeof d1, "%s/heapsift-bench-ui-1.json", dir);
    snprintf(d2, sizeof d2, "%s/heapsift-bench-ui-2.json", dir);
    struct stat sb;
    if (stat(d2, &sb) != 0 || sb.st_size < 100000000) {
        printf("writing %d objects at %d sites into %s\n", OBJECTS, SITES, dir);
        write_dumps(d1, d2);
        t_start = monotime_now();
    }

    setenv("LINES", "24", 1);
    setenv("COLUMNS", "80", 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm", out, in);
    if (!scr) {
        fprintf(stderr, "bench_ui: cannot start curses on /dev/null\n");
        return 1;
    }
    const char *paths[3] = { d1, d2, d2 };
    loader_opts lo = { .identity = DIFF_ID_EXACT, .threads = 0, .want_trends = true };
    loader *l;
    hs_error err;
    if (loader_start(&l, paths, 3, &lo, &err) != HS_OK) {
        fprintf(stderr, "bench_ui: %s\n", err.msg);
        return 1;
    }
    ui u;
    memset(&u, 0, sizeof u);
    u.loader = l;
    u.opts.color = UI_COLOR_AUTO;
    u.mode = MODE_LOADING;
    u.started = monotime_now();
    ui_theme_init(&u);
    ui_draw(&u);
    refresh();
    double first_frame = monotime_now() - t_start;

    loader_join(l);
    double loaded = monotime_now() - t_start;
    ui_loaded(&u);
    if (u.mode != MODE_BROWSE) {
        endwin();
        fprintf(stderr, "bench_ui: loading failed: %s\n", l->err.msg);
        return 1;
    }
    ui_draw(&u);
    refresh();
    size_t groups = u.view.set->nvisible;

    /* Keys on the group list: each handled and the screen redrawn. */
    static const int keys[] = { 'j', 'j', 'k', KEY_NPAGE, KEY_NPAGE, KEY_PPAGE, 'G', 'g', 'r', 'r' };
    double worst_key = 0, sum_key = 0;
    int nkeys = 0;
    for (int round = 0; round < 20; round++) {
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            double t = monotime_now();
            ui_key(&u, keys[k]);
            ui_draw(&u);
            refresh();
            double dt = monotime_now() - t;
            sum_key += dt;
            worst_key = dt > worst_key ? dt : worst_key;
            nkeys++;
        }
    }
    /* Sorting 100,000 groups by another key (the sort pane). */
    double t = monotime_now();
    ui_key(&u, 's');
    ui_key(&u, 'j');
    ui_key(&u, '\r');
    ui_draw(&u);
    refresh();
    double sort_time = monotime_now() - t;

    /* Typing a filter: each keystroke re-applies it to every object. */
    ui_key(&u, 'f');
    const char *typed = "app/part_4";
    double worst_filter = 0, sum_filter = 0;
    for (const char *c = typed; *c; c++) {
        t = monotime_now();
        ui_key(&u, *c);
        ui_draw(&u);
        refresh();
        double dt = monotime_now() - t;
        sum_filter += dt;
        worst_filter = dt > worst_filter ? dt : worst_filter;
    }
    size_t shown = u.view.set->nvisible;
    uint64_t shown_objects = u.view.set->total_count;
    ui_key(&u, 27);
    endwin();
    delscreen(scr);

    printf("explorer responsiveness (%zu groups, %zu retained objects, 80x24, headless):\n", groups,
           l->session->diff->count);
    printf("  first frame (loading screen) after start:   %7.1f ms   (target 100 ms)\n", first_frame * 1e3);
    printf("  loaded, diffed, trends (3 dumps, %.0f MB):    %7.0f ms\n", 2.0 * sb.st_size / 1e6, loaded * 1e3);
    printf("  key + redraw on the group list: mean %5.2f ms, worst %5.2f ms over %d keys   (target 20 ms)\n",
           sum_key / nkeys * 1e3, worst_key * 1e3, nkeys);
    printf("  re-sort by memsize + redraw:                %7.1f ms\n", sort_time * 1e3);
    printf("  filter keystroke + redraw: mean %5.1f ms, worst %5.1f ms over %zu keys   (target 50 ms)\n",
           sum_filter / strlen(typed) * 1e3, worst_filter * 1e3, strlen(typed));
    printf("  (after typing \"%s\": %zu groups, %" PRIu64 " objects shown)\n", typed, shown, shown_objects);
    view_free(&u.view);
    loader_free(l);
    return 0;
}

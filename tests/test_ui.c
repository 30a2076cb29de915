/* test_ui.c - the explorer's screens, drawn headless: curses on /dev/null
 * with LINES and COLUMNS set, the screen read back row by row and compared
 * with golden text in tests/golden/screens/ (HEAPSIFT_UPDATE_GOLDEN=1
 * rewrites them: read every one before keeping it). Keys go through ui_key
 * as the loop sends them. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "config.h"
#include "monotime.h"
#include "testutil.h"

#include <curses.h>
#include <dirent.h>
#include <locale.h>
#include <sys/stat.h>
#include <wchar.h>

#include "actions.h"
#include "loader.h"
#include "ui_internal.h"

/* The three app dumps, loaded as `heapsift D1 D2 D3` loads them for the
 * explorer (trends on). */
static loader *app;

static int load_app(void **state)
{
    (void)state;
    app = load_app_dumps();
    return app ? 0 : -1;
}

static int free_app(void **state)
{
    (void)state;
    loader_free(app);
    return 0;
}

/* ---- a headless terminal ------------------------------------------------------ */

static SCREEN *screen;
static FILE *screen_out, *screen_in;

/* The terminal type is fixed so that the test does not depend on $TERM
 * (unset or "dumb" under some CI runners); text read back does not depend
 * on it. */
static void term_open(int lines, int cols)
{
    char l[16], c[16];
    snprintf(l, sizeof l, "%d", lines);
    snprintf(c, sizeof c, "%d", cols);
    setenv("LINES", l, 1);
    setenv("COLUMNS", c, 1);
    screen_out = fopen("/dev/null", "w");
    screen_in = fopen("/dev/null", "r");
    assert_non_null(screen_out);
    assert_non_null(screen_in);
    screen = newterm("xterm", screen_out, screen_in);
    assert_non_null(screen);
    assert_int_equal(LINES, lines);
    assert_int_equal(COLS, cols);
}

static void term_close(void)
{
    endwin();
    delscreen(screen);
    fclose(screen_out);
    fclose(screen_in);
    screen = NULL;
}

/* After each test: a test that failed midway leaves its terminal open. */
static int term_teardown(void **state)
{
    (void)state;
    if (screen)
        term_close();
    setlocale(LC_ALL, "C");
    return 0;
}

/* A ui as ui_run sets it up; loaded (ui_loaded) when the loader is done. */
static void ui_open(ui *u, loader *l)
{
    memset(u, 0, sizeof *u);
    u->loader = l;
    u->opts.color = UI_COLOR_NEVER; /* the mono theme: A_REVERSE marks the selection */
    u->mode = MODE_LOADING;
    u->utf8 = false;
    u->started = monotime_now();
    u->tab = TAB_GROUPS; /* the group list first, as --view=groups (the suspects' tests switch) */
    ui_theme_init(u);
    if (loader_finished(l))
        ui_loaded(u);
}

static void ui_close(ui *u)
{
    ui_release(u);
}

static void keys(ui *u, const char *s)
{
    for (; *s; s++)
        ui_key(u, (unsigned char)*s);
}

/* The screen as text: one line a row, trailing spaces cut (caller frees). */
static char *screen_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char row[1024];
    for (int y = 0; y < LINES; y++) {
        int n = mvinnstr(y, 0, row, COLS < (int)sizeof row - 1 ? COLS : (int)sizeof row - 1);
        if (n < 0)
            n = 0;
        row[n] = '\0';
        while (n > 0 && row[n - 1] == ' ')
            row[--n] = '\0';
        fprintf(out, "%s\n", row);
    }
    fclose(out);
    return buf;
}

/* Draws u and compares the screen with tests/golden/screens/NAME.txt. */
static void check_screen(ui *u, const char *name)
{
    ui_draw(u);
    char *got = screen_text();
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/screens/%s.txt", TOP_SRCDIR, name);
    const char *update = getenv("HEAPSIFT_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    char *want = read_file(path);
    if (strcmp(got, want) != 0) {
        size_t at = 0, line = 0;
        while (got[at] && got[at] == want[at])
            line += got[at++] == '\n';
        const char *g = got + at, *w = want + at;
        while (g > got && g[-1] != '\n')
            g--, w--;
        fail_msg("screen %s differs at row %zu:\n got: %.*s\nwant: %.*s", name, line,
                 (int)strcspn(g, "\n"), g, (int)strcspn(w, "\n"), w);
    }
    free(want);
    free(got);
}

/* Row y of the screen, trailing spaces cut (static buffer). */
static const char *screen_row(int y)
{
    static char row[1024];
    int n = mvinnstr(y, 0, row, COLS);
    if (n < 0)
        n = 0;
    row[n] = '\0';
    while (n > 0 && row[n - 1] == ' ')
        row[--n] = '\0';
    return row;
}

/* ---- screens ---------------------------------------------------------------------- */

static void group_list(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_true(u.view_ready);
    check_screen(&u, "groups-80x24");
    /* The selected row (the first group) is drawn in reverse, the next not. */
    assert_true(mvinch(2, 40) & A_REVERSE);
    assert_false(mvinch(3, 40) & A_REVERSE);
    /* Moving down scrolls the list under a fixed frame: 20 rows fit, so
     * selecting row 22 (index 21) shows rows 3 to 22. */
    for (int k = 0; k < 21; k++)
        ui_key(&u, 'j');
    ui_draw(&u);
    assert_string_equal(screen_row(2),
                        "     260    1.4 KB     10 KB STRING   -+@   ...rollers/products_controller.rb:40");
    assert_string_equal(screen_row(21), "      76       0 B    5.5 KB OBJECT   -*@   app/models/session.rb:9");
    assert_true(mvinch(21, 40) & A_REVERSE);
    assert_memory_equal(screen_row(22), " group 22/32  by site  sort count", 33);
    ui_close(&u);
    term_close();
}

static void sort_pane(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    ui_key(&u, 's');
    assert_int_equal(u.mode, MODE_SORT);
    check_screen(&u, "sort-pane");
    /* Esc leaves it as it was. */
    ui_key(&u, 27);
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_int_equal(u.view.set->sort, SORT_COUNT);
    /* Down to memsize, Enter: sorted by memsize. */
    keys(&u, "sj\r");
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_int_equal(u.view.set->sort, SORT_MEMSIZE);
    ui_draw(&u);
    assert_string_equal(screen_row(2), "     130       0 B    121 KB HASH     -+@   lib/rackish.rb:27");
    /* The first group stays selected: second by memsize. */
    assert_memory_equal(screen_row(22), " group 2/32  by site  sort memsize", 34);
    assert_true(mvinch(3, 40) & A_REVERSE);
    /* r in the pane reverses at once; the pane stays. */
    keys(&u, "sr");
    assert_int_equal(u.mode, MODE_SORT);
    assert_true(u.view.set->reverse);
    ui_key(&u, 'q');
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_false(u.quit);
    ui_close(&u);
    term_close();
}

static void filter_pane(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    ui_key(&u, 'f');
    assert_int_equal(u.mode, MODE_FILTER);
    keys(&u, "app/models");
    /* The list follows as the person types (data/README: 76 + 76). */
    assert_int_equal(u.view.set->nvisible, 2);
    assert_int_equal(u.view.set->total_count, 152);
    check_screen(&u, "filter-pane");
    /* Enter keeps it. */
    ui_key(&u, '\r');
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_string_equal(u.view.set->filter.include, "app/models");
    ui_draw(&u);
    assert_string_equal(screen_row(0),
                        " heapsift  Suspects | Groups  retained: 152 objects 8.5 KB, 3 dumps  2 groups");
    assert_memory_equal(screen_row(22), " group 1/2  by site  sort count  filter app/models", 50);
    ui_close(&u);
    term_close();
}

static void filter_escape_restores(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    /* From no filter: Esc brings every group back. */
    keys(&u, "fapp/models");
    assert_int_equal(u.view.set->nvisible, 2);
    ui_key(&u, 27);
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_null(u.view.set->filter.include);
    assert_int_equal(u.view.set->nvisible, 32);

    /* From a kept filter: Esc restores it, not an empty one. */
    keys(&u, "fapp/\r");
    assert_string_equal(u.view.set->filter.include, "app/");
    assert_int_equal(u.view.set->nvisible, 13);
    ui_key(&u, 'f');
    assert_string_equal(ui_filter_text(FF_INCLUDE), "app/");
    ui_key(&u, CTRL_KEY('u'));
    keys(&u, "lib/");
    assert_string_equal(u.view.set->filter.include, "lib/");
    ui_key(&u, 27);
    assert_string_equal(u.view.set->filter.include, "app/");
    assert_int_equal(u.view.set->nvisible, 13);

    /* Grouping changed in the pane (Left/Right on its last field) comes
     * back too. */
    ui_key(&u, 'f');
    for (int k = 0; k < FF_GROUP_BY; k++)
        ui_key(&u, KEY_DOWN);
    assert_int_equal(ui_filter_cursor(), FF_GROUP_BY);
    ui_key(&u, KEY_RIGHT);
    assert_int_equal(u.view.set->by, ((group_by)group_by_from_name("class")));
    ui_key(&u, 27);
    assert_int_equal(u.view.set->by, GROUP_SITE);
    assert_string_equal(u.view.set->filter.include, "app/");
    assert_int_equal(u.view.set->nvisible, 13);

    /* Min count takes digits only; a bad type says so. */
    keys(&u, "f");
    ui_key(&u, KEY_DOWN);
    ui_key(&u, KEY_DOWN);
    keys(&u, "STRINGX");
    assert_true(ui_filter_error());
    ui_draw(&u);
    char *text = screen_text();
    assert_non_null(strstr(text, "unknown type in Types (STRING,ARRAY,HASH,OBJECT,DATA...)"));
    free(text);
    ui_key(&u, KEY_DOWN);
    keys(&u, "1x3y0");
    assert_string_equal(ui_filter_text(FF_MIN_COUNT), "130");
    /* `heapsift --filter=app/ --min-count=130`: 9 groups. */
    assert_int_equal(u.view.set->filter.min_count, 130);
    assert_int_equal(u.view.set->nvisible, 9);
    ui_key(&u, 27);
    assert_int_equal(u.view.set->filter.min_count, 0);
    assert_false(u.view.set->filter.types_set);
    ui_close(&u);
    term_close();
}

/* Every action of actions.h, with its keys and its whole help line, at
 * the size the README promises is enough. */
/* At 80x24 help stays clear of the status line: what does not fit is one
 * G away, and every binding of the group list is on one screen or the
 * other. */
static void help_lists_every_action(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    ui_key(&u, '?');
    assert_int_equal(u.mode, MODE_HELP);
    ui_draw(&u);
    char *first = screen_text();
    assert_string_equal(screen_row(22), " group 1/32  by site  sort count");
    assert_non_null(strstr(first, "heapsift keys  (j/k scroll)"));
    ui_key(&u, 'G');
    ui_draw(&u);
    char *last = screen_text();
    assert_string_equal(screen_row(22), " group 1/32  by site  sort count");
    for (size_t k = 0; k < ui_groups_keys.n; k++) {
        const char *names = action_keys(ui_groups_keys.bindings[k].act), *help = keymap_help(&ui_groups_keys, k);
        char line[200];
        snprintf(line, sizeof line, "%-16s %s", names, help);
        if (!strstr(first, line) && !strstr(last, line))
            fail_msg("help at 80x24 lacks binding %zu: \"%s\"", k, line);
    }
    free(first);
    free(last);
    ui_key(&u, '?');
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_false(u.quit);
    ui_close(&u);
    term_close();
}

/* Sorted by retained size before the graph is read, the list is in count
 * order: the status line says so rather than claim an order it lacks
 * (beside the graph's progress, when there is room). */
static void retained_sort_before_the_graph(void **state)
{
    (void)state;
    term_open(24, 120);
    ui u;
    ui_open(&u, app);
    view_set_sort(&u.view, SORT_RETAINED);
    u.view.graph_pending = true;
    ui_draw(&u);
    assert_non_null(strstr(screen_row(22), "sort retained (count order for now)"));
    u.view.graph_pending = false;
    ui_draw(&u);
    assert_null(strstr(screen_row(22), "for now"));
    ui_close(&u);
    term_close();
}

/* The explorer's loader reads the trends after the list is out: until
 * they are attached the list has no TREND column, sorted by live counts it
 * is in count order and says so, and the status line shows the pass; the
 * loader's news then attaches them and the columns appear. */
static void live_sort_before_the_trends(void **state)
{
    (void)state;
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_graph = true, .trends_later = true };
    loader *l;
    hs_error err;
    assert_int_equal(loader_start(&l, app_dump_paths(), 3, &opts, &err), HS_OK);
    assert_int_equal(loader_join(l), HS_OK);
    /* As the UI finds it while the pass still reads dump 3. */
    atomic_store(&l->trends_state, LOADER_TRENDS_RUNNING);
    atomic_store(&l->trends_progress.bytes_done, atomic_load(&l->trends_progress.bytes_total) / 2);
    term_open(24, 120);
    ui u;
    ui_open(&u, l);
    assert_true(u.view.trends_pending);
    view_set_sort(&u.view, SORT_LIVE);
    ui_draw(&u);
    assert_null(strstr(screen_row(1), "TREND"));
    assert_null(strstr(screen_row(1), "LIVE"));
    assert_non_null(strstr(screen_row(22), "sort live (count order for now)"));
    assert_non_null(strstr(screen_row(22), "trends: reading dump 3 50%"));
    ui_graph_news(&u); /* nothing new yet */
    assert_true(u.view.trends_pending);

    atomic_store(&l->trends_state, LOADER_TRENDS_READY);
    ui_graph_news(&u);
    assert_false(u.view.trends_pending);
    assert_int_equal(atomic_load(&l->trends_state), LOADER_TRENDS_ATTACHED);
    ui_draw(&u);
    assert_non_null(strstr(screen_row(1), "TREND"));
    assert_non_null(strstr(screen_row(1), "LIVE"));
    assert_null(strstr(screen_row(22), "for now"));
    assert_null(strstr(screen_row(22), "trends:"));
    /* The first row has the most objects in dump 3 (golden app-trend.txt). */
    assert_non_null(strstr(screen_row(2), "121 404 679"));
    ui_close(&u);
    term_close();
    loader_free(l);
}

/* Rows that match the search are highlighted (bold and underlined without
 * colours), the others not; the status line counts the matches. */
static void search_highlight(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    keys(&u, "/server.rb\r");
    ui_draw(&u);
    int matching = 0, plain = 0;
    for (int y = 2; y < 22; y++) {
        bool match = strstr(screen_row(y), "server.rb") != NULL;
        bool selected = (mvinch(y, 2) & A_REVERSE) != 0;
        bool lit = (mvinch(y, 2) & A_UNDERLINE) != 0;
        if (selected)
            continue;
        if (match) {
            assert_true(lit);
            matching++;
        } else {
            assert_false(lit);
            plain++;
        }
    }
    assert_int_equal(matching, 8); /* nine server.rb groups on screen, one of them selected */
    assert_true(plain > 0);
    assert_non_null(strstr(screen_row(22), "match 1/14"));
    ui_close(&u);
    term_close();
}

/* < and > sort by the column left and right of the sorted one, wrapping,
 * and the sorted column's heading is marked (underlined). */
static void sort_by_columns(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    ui_draw(&u);
    assert_true(mvinch(1, 5) & A_UNDERLINE);   /* COUNT */
    assert_false(mvinch(1, 14) & A_UNDERLINE); /* BYTESIZE */
    keys(&u, ">");
    assert_int_equal(u.view.set->sort, SORT_BYTESIZE);
    assert_string_equal(u.status, "sorted by bytesize");
    ui_draw(&u);
    assert_false(mvinch(1, 5) & A_UNDERLINE);
    assert_true(mvinch(1, 14) & A_UNDERLINE);
    keys(&u, ">");
    assert_int_equal(u.view.set->sort, SORT_MEMSIZE);
    keys(&u, "<<");
    assert_int_equal(u.view.set->sort, SORT_COUNT);
    keys(&u, "<"); /* wraps to the last column: the location */
    assert_int_equal(u.view.set->sort, SORT_LOCATION);
    /* Left of it, the trend: sorted by the live counts, which then show
     * as numbers beside the glyphs. */
    keys(&u, "<");
    assert_int_equal(u.view.set->sort, SORT_LIVE);
    ui_draw(&u);
    assert_non_null(strstr(screen_row(1), "TREND"));
    assert_non_null(strstr(screen_row(1), "LIVE"));
    ui_close(&u);
    term_close();
}

/* Long labels at 80 columns: a method keeps its name, a gem its name and
 * version, the end of the path (file and line) stays; a class is cut at
 * its end. */
static void labels_cut_where_it_matters(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    erase();
    const char *method = "call in app/controllers/admin/reports/products_controller.rb";
    ui_put_label(&u, stdscr, 0, 0, method, strlen(method), 40, true);
    assert_string_equal(screen_row(0), "call in ...eports/products_controller.rb");
    const char *gem = "/usr/local/bundle/ruby/3.3.0/gems/rack-2.2.4/lib/rack/utils.rb:123";
    ui_put_label(&u, stdscr, 1, 0, gem, strlen(gem), 40, true);
    assert_string_equal(screen_row(1), "...rack-2.2.4/lib/rack/utils.rb:123");
    ui_put_label(&u, stdscr, 2, 0, gem, strlen(gem), 25, true);
    /* Too narrow for the gem and the file: the end wins. */
    assert_string_equal(screen_row(2), ".../lib/rack/utils.rb:123");
    /* A short gem path: the gem stays when the file's path fits after it. */
    const char *leaky = "gems/leaky-1.2.3/lib/leaky.rb:7";
    ui_put_label(&u, stdscr, 4, 0, leaky, strlen(leaky), 29, true);
    assert_string_equal(screen_row(4), "...leaky-1.2.3/lib/leaky.rb:7");
    const char *cls = "ActiveSupport::Cache::MemoryStore::DupCoder";
    ui_put_label(&u, stdscr, 3, 0, cls, strlen(cls), 20, false);
    assert_string_equal(screen_row(3), "ActiveSupport::Cache");
    ui_close(&u);
    term_close();
}

/* The sort pane: G and g go to the last and first keys, Enter sorts. */
static void sort_pane_ends(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    keys(&u, "sG\r");
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_int_equal(u.view.set->sort, SORT_KEY_COUNT - 1);
    keys(&u, "sGg\r");
    assert_int_equal(u.view.set->sort, 0);
    ui_close(&u);
    term_close();
}

/* Writes a file of `bytes` newlines at path (empties it for 0). */
static void write_bytes(const char *path, size_t bytes)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < bytes; i++)
        fputc('\n', f);
    assert_int_equal(fclose(f), 0);
}

/* The dumps pane's row of dump k (of 4, the last three compared) as
 * screen_row reads it, its size `size`. */
static void dumps_row(char *buf, size_t bufsize, int k, const char *size, const char *path)
{
    char head[64];
    if (k == 0)
        snprintf(head, sizeof head, "  %-8s %9s  ", "-", size);
    else
        snprintf(head, sizeof head, "%c dump %-3d %9s  ", k == 1 ? '*' : ' ', k, size);
    snprintf(buf, bufsize, "  %.63s%.63s", head, path);
}

/* The dumps pane (d): each file's size as it was when the pane opened
 * (drawing reads no file: the files change after it opened, and it shows
 * what they were), "?" for a file that could not be read then; opened
 * again, the sizes are taken again. The cursor starts on the first dump
 * compared. */
static void dumps_pane(void **state)
{
    (void)state;
    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    /* d0 does not exist; d1, d2 and d3 are the three dumps compared. */
    static const size_t bytes[4] = { 0, 2000, 3000, 100 };
    char path[4][64];
    const char *paths[4];
    for (int k = 0; k < 4; k++) {
        snprintf(path[k], sizeof path[k], "%s/d%d.json", dir, k);
        paths[k] = path[k];
        if (k > 0)
            write_bytes(path[k], bytes[k]);
    }
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    u.opts.paths = paths;
    u.opts.npaths = 4;
    u.first = 1;
    ui_key(&u, 'd');
    assert_int_equal(u.mode, MODE_DUMPS);
    write_bytes(path[1], 0);
    assert_int_equal(unlink(path[2]), 0);
    ui_draw(&u);
    /* 9 rows at the middle of 24: the title on row 7, the dumps from row 9. */
    assert_memory_equal(screen_row(7), "  Compare from which dump?", 26);
    char want[160], size[32];
    for (int k = 0; k < 4; k++) {
        if (k == 0)
            snprintf(size, sizeof size, "?");
        else
            units_bytes(bytes[k], size, sizeof size);
        dumps_row(want, sizeof want, k, size, path[k]);
        assert_string_equal(screen_row(9 + k), want);
    }
    /* Down, up, the end, the top: Enter on the first dump compared changes
     * nothing. */
    keys(&u, "kjGgj\r");
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_string_equal(u.status, "comparing from that dump already");
    /* Opened again: d1 is empty now and d2 gone. */
    ui_key(&u, 'd');
    ui_draw(&u);
    units_bytes(0, size, sizeof size);
    dumps_row(want, sizeof want, 1, size, path[1]);
    assert_string_equal(screen_row(10), want);
    dumps_row(want, sizeof want, 2, "?", path[2]);
    assert_string_equal(screen_row(11), want);
    /* d closes it, as Esc and q do. */
    ui_key(&u, 'd');
    assert_int_equal(u.mode, MODE_BROWSE);
    keys(&u, "dq");
    assert_int_equal(u.mode, MODE_BROWSE);
    ui_key(&u, 'd');
    ui_key(&u, 27);
    assert_int_equal(u.mode, MODE_BROWSE);
    /* A dump that arrives while the pane is open (watch mode) is listed
     * with no size until the watch's news are taken, then with its own. */
    u.opts.npaths = 3;
    ui_key(&u, 'd');
    u.opts.npaths = 4;
    ui_draw(&u);
    dumps_row(want, sizeof want, 3, "", path[3]);
    assert_string_equal(screen_row(12), want);
    ui_dumps_arrived(&u);
    ui_draw(&u);
    struct stat sb;
    assert_int_equal(stat(path[3], &sb), 0);
    units_bytes((uint64_t)sb.st_size, size, sizeof size);
    dumps_row(want, sizeof want, 3, size, path[3]);
    assert_string_equal(screen_row(12), want);
    ui_key(&u, 27);
    unlink(path[1]);
    unlink(path[3]);
    rmdir(dir);
    ui_close(&u);
    term_close();
}

static void help_screen(void **state)
{
    (void)state;
    term_open(30, 100);
    ui u;
    ui_open(&u, app);
    ui_key(&u, KEY_F(1));
    assert_int_equal(u.mode, MODE_HELP);
    check_screen(&u, "help-100x30");
    char *text = screen_text();
    ui_key(&u, KEY_END);
    ui_draw(&u);
    char *end = screen_text();
    for (size_t k = 0; k < ui_groups_keys.n; k++) {
        char line[200];
        snprintf(line, sizeof line, "%-16s %s", action_keys(ui_groups_keys.bindings[k].act),
                 keymap_help(&ui_groups_keys, k));
        assert_true(strstr(text, line) || strstr(end, line));
    }
    free(text);
    free(end);
    ui_key(&u, 'q'); /* closes help, does not quit */
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_false(u.quit);
    ui_close(&u);
    term_close();
}

static void object_list(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    ui_key(&u, '\r');
    assert_int_equal(view_top(&u.view)->kind, VIEW_OBJECTS);
    check_screen(&u, "objects");
    ui_key(&u, 'G');
    ui_draw(&u);
    assert_memory_equal(screen_row(22), " object 283/283", 15);
    /* The status line names the group the objects are of. */
    if (!strstr(screen_row(22), "in STRING app/controllers/products_controller.rb:7"))
        fail_msg("the object list at 80x24 does not say which group it lists: \"%s\"", screen_row(22));
    ui_key(&u, 'h');
    assert_int_equal(u.view.depth, 1);
    ui_close(&u);
    term_close();
}

/* The README's example: the first leaked Session and the array holding it. */
static void object_view(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    for (int k = 0; k < 21; k++)
        ui_key(&u, KEY_DOWN);
    ui_key(&u, KEY_ENTER);
    ui_key(&u, 'l');
    assert_int_equal(u.view.depth, 3);
    check_screen(&u, "object");
    /* A heading cannot be followed: the status line says why. */
    view_top(&u.view)->selected = 12;
    ui_key(&u, '\r');
    assert_int_equal(u.view.depth, 3);
    ui_draw(&u);
    assert_memory_equal(screen_row(22), " select a reference or a referrer to follow it  | row 13/20", 59);

    /* q goes back one level at a time, and quits from the group list. */
    ui_key(&u, 'q');
    assert_false(u.quit);
    assert_int_equal(u.view.depth, 2);
    ui_key(&u, 'q');
    assert_false(u.quit);
    assert_int_equal(u.view.depth, 1);
    ui_key(&u, 'q');
    assert_true(u.quit);
    ui_close(&u);

    /* Q quits from anywhere. */
    ui_open(&u, app);
    keys(&u, "\r\r");
    assert_int_equal(u.view.depth, 3);
    ui_key(&u, 'Q');
    assert_true(u.quit);
    assert_int_equal(u.exit_status, 0);
    ui_close(&u);
    term_close();
}

static void too_small(void **state)
{
    (void)state;
    term_open(8, 30);
    ui u;
    ui_open(&u, app);
    check_screen(&u, "too-small-30x8");
    ui_close(&u);
    term_close();

    /* 40x10 is enough; one less either way is not. */
    static const int sizes[3][3] = { { 10, 40, 1 }, { 9, 40, 0 }, { 10, 39, 0 } };
    for (int k = 0; k < 3; k++) {
        term_open(sizes[k][0], sizes[k][1]);
        ui_open(&u, app);
        ui_draw(&u);
        if (sizes[k][2])
            assert_memory_equal(screen_row(0), " heapsift  Suspects | Groups", 28);
        else
            assert_string_equal(screen_row(0), "terminal too small");
        ui_close(&u);
        term_close();
    }
}

/* True when the screen holds needle with a blank (or the row's end) after
 * it: text drawn over a pane's title by a misplaced write fails this. */
static bool on_screen_alone(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    return at && (at[strlen(needle)] == ' ' || at[strlen(needle)] == '\n');
}

/* The panes at the smallest size the explorer draws (40x10): every choice
 * and field shown, nothing written outside the screen or over the pane. */
static void sort_pane_at_minimum_size(void **state)
{
    (void)state;
    term_open(10, 40);
    ui u;
    ui_open(&u, app);
    ui_key(&u, 's');
    ui_draw(&u);
    char *text = screen_text();
    if (!on_screen_alone(text, "Sort groups by"))
        fail_msg("sort pane at 40x10:\n%s", text);
    for (int k = 0; k < SORT_KEY_COUNT; k++)
        assert_non_null(strstr(text, group_sort_name((group_sort_key)k)));
    assert_non_null(strstr(text, "Esc close"));
    free(text);
    ui_key(&u, 27);
    ui_close(&u);
    term_close();
}

static void filter_pane_at_minimum_size(void **state)
{
    (void)state;
    term_open(10, 40);
    ui u;
    ui_open(&u, app);
    ui_key(&u, 'f');
    ui_draw(&u);
    char *text = screen_text();
    static const char *const fields[] = { "Path contains", "Exclude path", "Types", "Min count", "Group by",
                                          "objects shown" };
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        if (!strstr(text, fields[k]))
            fail_msg("filter pane at 40x10 lacks \"%s\":\n%s", fields[k], text);
    free(text);
    ui_key(&u, 27);
    ui_close(&u);
    term_close();
}

/* With a UTF-8 locale: block trends and an ellipsis, as in the README. */
static void utf8_glyphs(void **state)
{
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        print_message("# no C.UTF-8 locale: not checked\n");
        return;
    }
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    u.utf8 = true;
    ui_draw(&u);
    wchar_t row[128];
    int n = mvinnwstr(2, 0, row, COLS);
    assert_true(n > 0);
    row[n] = L'\0';
    while (n > 0 && row[n - 1] == L' ')
        row[--n] = L'\0';
    if (wcscmp(row, L"     283     52 KB     63 KB STRING   \u2583\u2586\u2588   \u2026ontrollers/products_controller.rb:7"))
        fail_msg("row 3: \"%ls\"", row);
    ui_close(&u);
    term_close();
    setlocale(LC_ALL, "C");
}

/* The loading screen, from a loader whose progress is set by hand: dump 1
 * loaded, dump 2 at 40%, dump 3 waiting. */
static void loading_screen(void **state)
{
    (void)state;
    term_open(24, 80);
    loader_dump d[3];
    memset(d, 0, sizeof d);
    static const char *const paths[3] = { "data/app-1.json.gz", "data/app-2.json.gz", "data/app-3.json.gz" };
    for (int k = 0; k < 3; k++)
        d[k].path = paths[k];
    atomic_store(&d[0].progress.bytes_total, 2975826);
    atomic_store(&d[0].progress.bytes_done, 2975826);
    atomic_store(&d[0].progress.objects, 10362);
    atomic_store(&d[0].stage, LOADER_LOADED);
    d[0].seconds = 0.5;
    atomic_store(&d[1].progress.bytes_total, 4213983);
    atomic_store(&d[1].progress.bytes_done, 1685593); /* 40% */
    atomic_store(&d[1].progress.objects, 5500);
    atomic_store(&d[1].stage, LOADER_LOADING);
    /* 1.10 MB/s, in the middle of what "1.1 MB/s" shows: a draw up to 70 ms
     * late on a busy machine shows the same. */
    d[1].started = monotime_now() - 1.5324;
    atomic_store(&d[2].stage, LOADER_WAITING);
    loader l;
    memset(&l, 0, sizeof l);
    l.ndumps = 3;
    l.dump = d;
    ui u;
    ui_open(&u, &l);
    assert_int_equal(u.mode, MODE_LOADING);
    u.started = monotime_now() - 2.5;
    check_screen(&u, "loading");

    /* All loaded, comparing: every bar full and a line says so. */
    atomic_store(&d[1].progress.bytes_done, 4213983);
    atomic_store(&d[1].stage, LOADER_LOADED);
    d[1].seconds = 1.0;
    atomic_store(&d[2].progress.bytes_total, 5506466);
    atomic_store(&d[2].progress.bytes_done, 5506466);
    atomic_store(&d[2].stage, LOADER_LOADED);
    d[2].seconds = 1.0;
    atomic_store(&l.diffing, 1);
    ui_draw(&u);
    assert_string_equal(screen_row(11), "  comparing the dumps and reading the suspects...");
    assert_string_equal(screen_row(6), "    ################ 100%  4.2 MB/4.2 MB  4.2 MB/s  5500 objects  loaded");

    /* q cancels the load and leaves. */
    ui_key(&u, 'q');
    assert_true(u.quit);
    assert_true(atomic_load(&l.cancel));
    assert_int_equal(u.exit_status, 1);
    ui_close(&u);
    term_close();
}

/* A dump that does not exist: the failure screen names it. */
static void failed_screen(void **state)
{
    (void)state;
    const char *paths[3] = { "no-such-dump.json.gz", app->dump[1].path, app->dump[2].path };
    loader_opts opts = { .identity = DIFF_ID_EXACT, .want_trends = true };
    loader *l;
    hs_error err;
    assert_int_equal(loader_start(&l, paths, 3, &opts, &err), HS_OK);
    assert_int_equal(loader_join(l), HS_ERR_IO);
    term_open(24, 80);
    ui u;
    ui_open(&u, l);
    assert_int_equal(u.mode, MODE_FAILED);
    assert_int_equal(u.exit_status, 1);
    assert_false(u.view_ready);
    check_screen(&u, "failed");
    ui_key(&u, 'j'); /* no other key leaves */
    assert_false(u.quit);
    ui_key(&u, '\r');
    assert_true(u.quit);
    ui_close(&u);
    term_close();
    loader_free(l);
}

/* Search and export through the prompt. */
/* The key maps of every mode: no key means two things in one map (the
 * second binding could never be reached), every binding has help, and the
 * key bars are what the screens have always shown. */
static void key_maps(void **state)
{
    (void)state;
    static const int probe[] = { 'a', 'b', 'e', 'f', 'g', 'G', 'h', 'j', 'k', 'l', 'n', 'N', 'q', 'Q', 'r', 's',
                                 'w', 'y', 'Y', '/', '?', '!', ' ', '\n', '\r', '\t', 127, KEY_ESC,
                                 CTRL_KEY('h'), CTRL_KEY('u'), CTRL_KEY('n'), CTRL_KEY('p'), CTRL_KEY('f'),
                                 CTRL_KEY('b'), KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_ENTER, KEY_BACKSPACE,
                                 KEY_NPAGE, KEY_PPAGE, KEY_HOME, KEY_END, KEY_BTAB, KEY_F(1) };
    size_t maps = 0;
    for (int m = 0; m < MODE_COUNT; m++) {
        const ui_mode_ops *mode = ui_mode_of((ui_mode)m);
        assert_non_null(mode->maps[0]);
        for (size_t k = 0; k < 5 && mode->maps[k]; k++) {
            const key_map *km = mode->maps[k];
            maps++;
            assert_true(km->n > 0);
            for (size_t b = 0; b < km->n; b++)
                assert_true(keymap_help(km, b)[0] != '\0');
            for (size_t p = 0; p < sizeof probe / sizeof probe[0]; p++) {
                action first = keymap_action(km, probe[p]);
                for (size_t b = 0; b < km->n; b++)
                    if (km->bindings[b].act != first && action_has_key(km->bindings[b].act, probe[p]))
                        fail_msg("%s: key %d is bound to action %d and %d", km->name, probe[p], first,
                                 km->bindings[b].act);
            }
        }
    }
    assert_int_equal(maps, 15);
    /* The help pane of the group list lists 28 bindings (help-100x30). */
    assert_int_equal(ui_groups_keys.n, 28);
    char bar[256];
    keymap_bar(&ui_groups_keys, bar, sizeof bar);
    assert_string_equal(bar, " Enter open  / search  f filter  s sort  r reverse  e export  ? help  q quit");
    keymap_bar(&ui_object_keys, bar, sizeof bar);
    assert_string_equal(bar, " Enter follow  h back  / search  e export  ? help  q back  Q quit");
    keymap_bar(ui_mode_of(MODE_SORT)->maps[0], bar, sizeof bar);
    assert_string_equal(bar, " Enter choose  r reverse  Esc close");
    keymap_bar(ui_mode_of(MODE_FILTER)->maps[0], bar, sizeof bar);
    assert_string_equal(bar, " Up/Down/Tab field  Left/Right grouping  Enter keep  Esc undo");
    keymap_bar(ui_mode_of(MODE_LOADING)->maps[0], bar, sizeof bar);
    assert_string_equal(bar, " q cancel  Tab suspects/groups");
    keymap_bar(ui_mode_of(MODE_WATCHING)->maps[0], bar, sizeof bar);
    assert_string_equal(bar, " q quit  Tab suspects/groups");
    keymap_bar(ui_mode_of(MODE_TEXT)->maps[0], bar, sizeof bar);
    assert_string_equal(bar, " j scroll  g top  G end  e export  q close");
    /* Lookups: Enter opens in a list, keeps in the filter pane; l is typed
     * into a prompt; n is "no" in a question and "next" in a list. */
    assert_int_equal(keymap_action(&ui_groups_keys, '\r'), ACT_ENTER);
    assert_int_equal(keymap_action(ui_mode_of(MODE_FILTER)->maps[0], '\r'), ACT_ACCEPT);
    assert_int_equal(keymap_action(ui_mode_of(MODE_PROMPT)->maps[0], 'l'), ACT_NONE);
    assert_int_equal(keymap_action(ui_mode_of(MODE_PROMPT)->maps[1], 'n'), ACT_NO);
    assert_int_equal(keymap_action(&ui_groups_keys, 'n'), ACT_SEARCH_NEXT);
    assert_int_equal(keymap_action(ui_mode_of(MODE_SORT)->maps[0], KEY_ESC), ACT_CLOSE);
}

static void prompt_keys(void **state)
{
    (void)state;
    term_open(24, 80);
    ui u;
    ui_open(&u, app);
    keys(&u, "/session");
    assert_int_equal(u.mode, MODE_PROMPT);
    ui_draw(&u);
    assert_string_equal(screen_row(23), "/session");
    ui_key(&u, '\r');
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_int_equal(view_top(&u.view)->selected, 21);
    ui_key(&u, 'n');
    assert_int_equal(view_top(&u.view)->selected, 22);
    ui_key(&u, 'N');
    assert_int_equal(view_top(&u.view)->selected, 21);
    keys(&u, "/zzz\r");
    assert_int_equal(view_top(&u.view)->selected, 21);
    ui_draw(&u);
    assert_memory_equal(screen_row(22), " not found: zzz  | group 22/32", 30);
    /* Esc leaves the prompt without searching. */
    keys(&u, "/lib");
    ui_key(&u, 27);
    assert_int_equal(u.mode, MODE_BROWSE);
    assert_int_equal(view_top(&u.view)->selected, 21);

    /* e proposes the default name; Ctrl-U clears it. */
    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    ui_key(&u, 'e');
    assert_int_equal(u.mode, MODE_PROMPT);
    assert_string_equal(ui_prompt_input(), "heapsift-report.txt");
    ui_draw(&u);
    assert_string_equal(screen_row(23), "Export view to: heapsift-report.txt");
    ui_key(&u, CTRL_KEY('u'));
    char path[256];
    snprintf(path, sizeof path, "%s/r.txt", dir);
    keys(&u, path);
    ui_key(&u, '\r');
    assert_int_equal(u.mode, MODE_BROWSE);
    char want[300];
    snprintf(want, sizeof want, "exported to %s", path);
    assert_string_equal(u.status, want);
    assert_int_equal(access(path, R_OK), 0);
    /* Again: asked before replacing; n keeps the file. */
    ui_key(&u, 'e');
    ui_key(&u, CTRL_KEY('u'));
    keys(&u, path);
    ui_key(&u, '\r');
    assert_int_equal(u.mode, MODE_PROMPT);
    assert_int_equal(ui_prompt_kind(), PROMPT_EXPORT_REPLACE);
    ui_draw(&u);
    snprintf(want, sizeof want, "%s exists. Replace it? (y/n)", path);
    assert_string_equal(screen_row(23), want);
    ui_key(&u, 'n');
    assert_int_equal(u.mode, MODE_BROWSE);
    snprintf(want, sizeof want, "not exported: %s exists", path);
    assert_string_equal(u.status, want);
    unlink(path);
    rmdir(dir);
    ui_close(&u);
    term_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(group_list, term_teardown),
        cmocka_unit_test_teardown(sort_pane, term_teardown),
        cmocka_unit_test_teardown(filter_pane, term_teardown),
        cmocka_unit_test_teardown(filter_escape_restores, term_teardown),
        cmocka_unit_test_teardown(help_lists_every_action, term_teardown),
        cmocka_unit_test_teardown(help_screen, term_teardown),
        cmocka_unit_test_teardown(sort_pane_ends, term_teardown),
        cmocka_unit_test_teardown(dumps_pane, term_teardown),
        cmocka_unit_test_teardown(labels_cut_where_it_matters, term_teardown),
        cmocka_unit_test_teardown(sort_by_columns, term_teardown),
        cmocka_unit_test_teardown(search_highlight, term_teardown),
        cmocka_unit_test_teardown(retained_sort_before_the_graph, term_teardown),
        cmocka_unit_test_teardown(live_sort_before_the_trends, term_teardown),
        cmocka_unit_test_teardown(object_list, term_teardown),
        cmocka_unit_test_teardown(object_view, term_teardown),
        cmocka_unit_test_teardown(too_small, term_teardown),
        cmocka_unit_test_teardown(sort_pane_at_minimum_size, term_teardown),
        cmocka_unit_test_teardown(filter_pane_at_minimum_size, term_teardown),
        cmocka_unit_test_teardown(loading_screen, term_teardown),
        cmocka_unit_test_teardown(failed_screen, term_teardown),
        cmocka_unit_test_teardown(prompt_keys, term_teardown),
        cmocka_unit_test(key_maps),
        cmocka_unit_test_teardown(utf8_glyphs, term_teardown),
    };
    return cmocka_run_group_tests(tests, load_app, free_app);
}

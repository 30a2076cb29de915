/* ui_pane.c - a pane of text over the list, scrolled by row: the why pane
 * and the problems pane. Its text is written to a memory stream by the
 * library code that also writes it for the command line, unescaped: the
 * pane escapes what it draws. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE /* open_memstream */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>

/* The key that opened a pane (w, !) also closes it. */
static const key_binding text_bindings[] = {
    { ACT_DOWN, "scroll", "scroll down" },
    { ACT_UP, NULL, "scroll up" },
    { ACT_PAGE_DOWN, NULL, NULL },
    { ACT_PAGE_UP, NULL, NULL },
    { ACT_QUIT, "close", "close the pane" },
    { ACT_CLOSE, NULL, "close the pane" },
    { ACT_BACK, NULL, "close the pane" },
    { ACT_QUIT_NOW, NULL, NULL },
};
static const key_map text_map = KEY_MAP("text pane", text_bindings);

/* The text pane open now, or the last one (UI thread only). */
static struct {
    char *text;        /* what it shows, lines separated by '\n' (owned) */
    size_t rows;       /* screen rows it takes, long lines wrapped (counted
                          when it is drawn) */
    size_t top;        /* first row shown */
    char title[256];   /* its title, with its key bar */
    int key;           /* the key that opened it, which also closes it */
    char *next;        /* the text being written (ui_pane_begin's stream) */
    size_t next_size;  /* its length, set when the stream is closed */
} pane;

void ui_pane_release(void)
{
    free(pane.text);
    memset(&pane, 0, sizeof pane);
}

FILE *ui_pane_begin(ui *u)
{
    pane.next = NULL;
    pane.next_size = 0;
    FILE *out = open_memstream(&pane.next, &pane.next_size);
    if (!out)
        snprintf(u->status, sizeof u->status, "cannot open the pane: out of memory");
    return out;
}

void ui_pane_show(ui *u, FILE *text, const char *title, int key)
{
    fclose(text);
    free(pane.text);
    pane.text = pane.next;
    pane.next = NULL;
    /* Rows until ui_pane_draw counts the wrapped ones: keys typed ahead can
     * arrive before the first draw. */
    pane.rows = 0;
    for (size_t i = 0; i < pane.next_size; i++)
        pane.rows += pane.text[i] == '\n';
    pane.top = 0;
    char bar[128];
    keymap_bar(&text_map, bar, sizeof bar);
    snprintf(pane.title, sizeof pane.title, "%s  %s", title, bar);
    pane.key = key;
    u->mode = MODE_TEXT;
}

/* Lines longer than the pane wrap: pane_top and pane_rows count screen
 * rows, which depend on the width, so the rows are counted as they are
 * drawn. */
static void text_draw(ui *u)
{
    int h = LINES - 2, w = COLS;
    int y0 = 1, x0 = 0, width = w - 2;
    ui_pane(u, y0, x0, h, w, pane.title);
    const char *p = pane.text ? pane.text : "";
    size_t row = 0;
    int y = 2;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t at = 0;
        do {
            size_t n = width > 0 ? ui_fit(p + at, len - at, width) : len - at;
            /* Wrap after a space when the row has one. */
            for (size_t k = n; at + n < len && k > 1; k--)
                if (p[at + k - 1] == ' ') {
                    n = k;
                    break;
                }
            if (row >= pane.top && y < h)
                ui_put(stdscr, y0 + y++, x0 + 1, p + at, n, width, false);
            row++;
            at += n;
        } while (at < len);
        p = nl ? nl + 1 : p + len;
    }
    pane.rows = row;
    attrset(A_NORMAL);
}

static void text_key(ui *u, action act, int key)
{
    size_t page = LINES > 6 ? (size_t)LINES - 6 : 1;
    if (key == pane.key) {
        u->mode = MODE_BROWSE;
        return;
    }
    switch (act) {
    case ACT_DOWN:
        if (pane.top + 1 < pane.rows)
            pane.top++;
        break;
    case ACT_UP:
        if (pane.top)
            pane.top--;
        break;
    case ACT_PAGE_DOWN: pane.top = pane.top + page < pane.rows ? pane.top + page : pane.top; break;
    case ACT_PAGE_UP: pane.top = pane.top > page ? pane.top - page : 0; break;
    case ACT_QUIT:
    case ACT_CLOSE:
    case ACT_BACK: u->mode = MODE_BROWSE; break;
    case ACT_QUIT_NOW: u->quit = true; break;
    default: break; /* not bound here */
    }
}

static const key_map *text_keys(const ui *u)
{
    (void)u;
    return &text_map;
}

const ui_mode_ops ui_text_mode = { .over_list = true, .draw = text_draw, .key = text_key, .keys = text_keys, .maps = { &text_map } };

/* ui_pane.c - a pane of text over the list, scrolled by row: the why pane
 * and the problems pane. Its text is written to a memory stream by the
 * library code that also writes it for the command line, unescaped: the
 * pane escapes what it draws. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE /* open_memstream */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>

FILE *ui_pane_begin(ui *u)
{
    u->pane_next = NULL;
    u->pane_next_size = 0;
    FILE *out = open_memstream(&u->pane_next, &u->pane_next_size);
    if (!out)
        snprintf(u->status, sizeof u->status, "cannot open the pane: out of memory");
    return out;
}

void ui_pane_show(ui *u, FILE *text, const char *title, int key)
{
    fclose(text);
    free(u->pane_text);
    u->pane_text = u->pane_next;
    u->pane_next = NULL;
    /* Rows until ui_pane_draw counts the wrapped ones: keys typed ahead can
     * arrive before the first draw. */
    u->pane_rows = 0;
    for (size_t i = 0; i < u->pane_next_size; i++)
        u->pane_rows += u->pane_text[i] == '\n';
    u->pane_top = 0;
    snprintf(u->pane_title, sizeof u->pane_title, "%s  (j/k scroll, q or Esc close)", title);
    u->pane_key = key;
    u->mode = MODE_TEXT;
}

/* Lines longer than the pane wrap: pane_top and pane_rows count screen
 * rows, which depend on the width, so the rows are counted as they are
 * drawn. */
void ui_pane_draw(ui *u)
{
    int h = LINES - 2, w = COLS;
    int y0 = 1, x0 = 0, width = w - 2;
    ui_pane(u, y0, x0, h, w, u->pane_title);
    const char *p = u->pane_text ? u->pane_text : "";
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
            if (row >= u->pane_top && y < h)
                ui_put(stdscr, y0 + y++, x0 + 1, p + at, n, width, false);
            row++;
            at += n;
        } while (at < len);
        p = nl ? nl + 1 : p + len;
    }
    u->pane_rows = row;
    attrset(A_NORMAL);
}

bool ui_pane_key(ui *u, int key)
{
    size_t page = LINES > 6 ? (size_t)LINES - 6 : 1;
    switch (action_for_key(key)) {
    case ACT_DOWN:
        if (u->pane_top + 1 < u->pane_rows)
            u->pane_top++;
        return true;
    case ACT_UP:
        if (u->pane_top)
            u->pane_top--;
        return true;
    case ACT_PAGE_DOWN:
        u->pane_top = u->pane_top + page < u->pane_rows ? u->pane_top + page : u->pane_top;
        return true;
    case ACT_PAGE_UP:
        u->pane_top = u->pane_top > page ? u->pane_top - page : 0;
        return true;
    case ACT_QUIT_NOW:
        u->quit = true;
        return true;
    default:
        if (key == 'q' || key == 27 || key == u->pane_key || key == 'h' || key == KEY_LEFT) {
            u->mode = MODE_BROWSE;
            return true;
        }
        return false;
    }
}

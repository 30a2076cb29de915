/* ui_pane.c - panes over the list. A pane of text, scrolled by row: the
 * why pane and the problems pane. Its text is written to a memory stream by
 * the library code that also writes it for the command line, escaped as for
 * a terminal; the pane draws it as it is (so a backslash stays one), wraps
 * long lines under their own indentation, and exports it as shown. And what
 * the panes that choose a row (the sort pane, the dumps pane) share: the
 * cursor's keys, the frame, the rows (the cursor's highlighted), the
 * foot. */
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
    { ACT_HOME, "top", "the top" },
    { ACT_END, "end", "the end" },
    { ACT_EXPORT, "export", "export this text to a file" },
    { ACT_QUIT, "close", "close the pane" },
    { ACT_CLOSE, NULL, "close the pane" },
    { ACT_BACK, NULL, "close the pane" },
    { ACT_QUIT_NOW, NULL, NULL },
    { ACT_MOUSE, NULL, "the wheel scrolls" },
};
static const key_map text_map = KEY_MAP("text pane", text_bindings);

/* The text pane open now, or the last one (UI thread only). */
static struct {
    char *text;         /* what it shows, escaped, lines separated by '\n' (owned) */
    size_t len;         /* its length */
    size_t rows;        /* screen rows it takes at the width last drawn */
    size_t height;      /* rows of text the pane showed when last drawn */
    size_t top;         /* first row shown */
    char title[128];    /* its title */
    char export_name[64]; /* the file name its export proposes */
    int key;            /* the key that opened it, which also closes it */
    char *next;         /* the text being written (ui_pane_begin's stream) */
    size_t next_size;   /* its length, set when the stream is closed */
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

void ui_pane_cancel(FILE *text)
{
    fclose(text);
    free(pane.next);
    pane.next = NULL;
}

void ui_pane_show(ui *u, FILE *text, const char *title, int key)
{
    fclose(text);
    free(pane.text);
    pane.text = pane.next;
    pane.len = pane.next_size;
    pane.next = NULL;
    /* Rows until the first draw counts the wrapped ones: keys typed ahead
     * can arrive before it. */
    pane.rows = 0;
    for (size_t i = 0; i < pane.len; i++)
        pane.rows += pane.text[i] == '\n';
    pane.height = 1;
    pane.top = 0;
    snprintf(pane.title, sizeof pane.title, "%s", title);
    snprintf(pane.export_name, sizeof pane.export_name, "heapsift-%s.txt", key == 'w' ? "why" : "problems");
    pane.key = key;
    u->mode = MODE_TEXT;
}

/* The row a line's continuation starts at: under its text, past its
 * indentation and a little more, never beyond half the width. */
static size_t hanging_indent(const char *line, size_t len, int width)
{
    size_t lead = 0;
    while (lead < len && line[lead] == ' ')
        lead++;
    lead += 2;
    return lead < (size_t)width / 2 ? lead : (size_t)width / 2;
}

/* Lays out the text at `width` cells and draws the rows from pane.top on
 * screen lines first..last at column x0 (last < first: draws nothing, only
 * counts). Returns the rows the whole text takes. */
static size_t lay_out(int width, int first, int last, int x0)
{
    const char *p = pane.text ? pane.text : "", *end = p + pane.len;
    size_t row = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t at = 0, indent = 0;
        do {
            int room = width - (int)indent;
            size_t n = room > 0 ? ui_fit_escaped(p + at, len - at, room) : len - at;
            /* Wrap after a space when the row has one. */
            for (size_t k = n; at + n < len && k > 1; k--)
                if (p[at + k - 1] == ' ') {
                    n = k;
                    break;
                }
            if (row >= pane.top && (long)(row - pane.top) + first <= last)
                ui_put_escaped(stdscr, first + (int)(row - pane.top), x0 + (int)indent, p + at, n, room);
            row++;
            at += n;
            indent = hanging_indent(p, len, width);
        } while (at < len);
        p = nl ? nl + 1 : end;
    }
    return row;
}

static size_t max_top(void)
{
    return pane.rows > pane.height ? pane.rows - pane.height : 0;
}

static void text_draw(ui *u)
{
    /* From under the title line to above the status line, which stays in
     * view (an export says there what it did); the last line is the
     * pane's key bar. */
    int h = LINES - 3, w = COLS;
    int y0 = 1, x0 = 0, width = w - 2;
    ui_pane(u, y0, x0, h, w, pane.title);
    int first = y0 + 2, last = y0 + h - 1;
    pane.height = (size_t)(last - first + 1);
    pane.rows = lay_out(width, -1, -2, x0 + 1); /* count at this width */
    if (pane.top > max_top())
        pane.top = max_top();
    lay_out(width, first, last, x0 + 1);
    char bar[160];
    keymap_bar(&text_map, bar, sizeof bar);
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_KEYS]);
    ui_puts(stdscr, LINES - 1, 0, bar, COLS, false);
    attrset(A_NORMAL);
}

static hs_status write_pane(FILE *out, void *ctx, hs_error *err)
{
    (void)ctx;
    fwrite(pane.text, 1, pane.len, out);
    if (fflush(out) != 0 || ferror(out))
        return hs_fail(err, HS_ERR_IO, "writing the pane failed");
    return HS_OK;
}

static void text_key(ui *u, action act, int key)
{
    if (key == pane.key) {
        u->mode = MODE_BROWSE;
        return;
    }
    size_t page = pane.height > 1 ? pane.height - 1 : 1;
    switch (act) {
    case ACT_DOWN: pane.top = pane.top < max_top() ? pane.top + 1 : max_top(); break;
    case ACT_UP: pane.top = pane.top ? pane.top - 1 : 0; break;
    case ACT_PAGE_DOWN: pane.top = pane.top + page < max_top() ? pane.top + page : max_top(); break;
    case ACT_PAGE_UP: pane.top = pane.top > page ? pane.top - page : 0; break;
    case ACT_MOUSE: {
        MEVENT ev;
        if (getmouse(&ev) == OK && (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))) {
            bool up = ev.bstate & BUTTON4_PRESSED;
            pane.top = up ? (pane.top > 3 ? pane.top - 3 : 0) : (pane.top + 3 < max_top() ? pane.top + 3 : max_top());
        }
        break;
    }
    case ACT_HOME: pane.top = 0; break;
    case ACT_END: pane.top = max_top(); break;
    case ACT_EXPORT: ui_prompt_export(u, pane.export_name, write_pane, NULL); break;
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

const ui_mode_ops ui_text_mode = {
    .over_list = true, .draw = text_draw, .key = text_key, .keys = text_keys, .maps = { &text_map }
};

/* ---- a pane that chooses a row ------------------------------------------------ */

ui_choice_result ui_choice_key(ui *u, size_t *cursor, size_t nrows, action opener, action act)
{
    if (act == opener) {
        u->mode = MODE_BROWSE;
        return CHOICE_CLOSED;
    }
    switch (act) {
    case ACT_DOWN:
        if (*cursor + 1 < nrows)
            (*cursor)++;
        return CHOICE_STAYS;
    case ACT_UP:
        if (*cursor > 0)
            (*cursor)--;
        return CHOICE_STAYS;
    case ACT_HOME: *cursor = 0; return CHOICE_STAYS;
    case ACT_END: *cursor = nrows ? nrows - 1 : 0; return CHOICE_STAYS;
    case ACT_ENTER: u->mode = MODE_BROWSE; return CHOICE_PICKED;
    case ACT_CLOSE:
    case ACT_QUIT:
    case ACT_BACK: u->mode = MODE_BROWSE; return CHOICE_CLOSED;
    case ACT_QUIT_NOW: u->quit = true; return CHOICE_CLOSED;
    default: return CHOICE_OTHER;
    }
}

void ui_choice_frame(ui *u, int h, int w, const char *title, int *y0, int *x0)
{
    *y0 = (LINES - h) / 2;
    *x0 = (COLS - w) / 2;
    ui_pane(u, *y0, *x0, h, w, title);
}

void ui_choice_rows(ui *u, int y, int x, int width, int lines, size_t nrows, size_t cursor, ui_choice_row_fn *row)
{
    size_t top = lines > 0 && cursor >= (size_t)lines ? cursor - (size_t)lines + 1 : 0;
    for (int r = 0; r < lines && top + (size_t)r < nrows; r++) {
        size_t k = top + (size_t)r;
        attrset(k == cursor ? u->attr[PART_SELECTED] : (u->attr[PART_PANE] | A_REVERSE));
        row(u, y + r, x, width, k);
    }
    attrset(u->attr[PART_PANE] | A_REVERSE);
}

void ui_choice_foot(ui *u, int y, int x, int width, const key_map *keys, const char *more)
{
    char foot[160];
    size_t len = keymap_bar(keys, foot, sizeof foot);
    snprintf(foot + len, sizeof foot - len, "%s", more);
    attrset(u->attr[PART_PANE] | A_REVERSE);
    ui_puts(stdscr, y, x, foot, width, false);
}

/* ui_text.c - drawing dump text safely, and the colour themes. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE /* memmem, memrchr */
#include "ui_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "textsafe.h"

/* Themes as data: a colour pair (foreground, background; -1 is the
 * terminal's own) and attributes for each part, and the attributes alone for
 * terminals without colour or when colour is off. */
typedef struct part_style {
    short fg, bg;   /* colours when colour is on */
    attr_t color_attr;
    attr_t mono_attr; /* attributes when colour is off */
} part_style;

static const part_style theme[PART_COUNT] = {
    [PART_TITLE] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
    [PART_HEADING] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
    [PART_NORMAL] = { -1, -1, 0, 0 },
    [PART_SELECTED] = { COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE },
    [PART_STATUS] = { COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
    [PART_KEYS] = { -1, -1, A_DIM, 0 },
    [PART_WARNING] = { COLOR_RED, -1, A_BOLD, A_BOLD },
    [PART_BAR] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
    [PART_PANE] = { -1, -1, 0, 0 },
    [PART_MATCH] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE },
};

void ui_theme_init(ui *u)
{
    bool color = has_colors();
    if (u->opts.color == UI_COLOR_NEVER)
        color = false;
    if (u->opts.color == UI_COLOR_AUTO && getenv("NO_COLOR") && getenv("NO_COLOR")[0])
        color = false;
    if (color) {
        start_color();
        use_default_colors();
        for (int p = 0; p < PART_COUNT; p++) {
            init_pair((short)(p + 1), theme[p].fg, theme[p].bg);
            u->attr[p] = COLOR_PAIR(p + 1) | theme[p].color_attr;
        }
    } else {
        for (int p = 0; p < PART_COUNT; p++)
            u->attr[p] = theme[p].mono_attr;
    }
}

/* Cells that the escaped text e[0..len) takes, as ui_put draws it. */
static int escaped_cells(const char *e, size_t len)
{
    int cells = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < len;) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, e + i, len - i, &st);
        int cw = 1; /* ui_put's '?' for what the locale cannot decode */
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            n = 1;
            memset(&st, 0, sizeof st);
        } else if (wcwidth(wc) >= 0) {
            cw = wcwidth(wc);
        }
        cells += cw;
        i += n;
    }
    return cells;
}

size_t ui_fit(const char *s, size_t len, int width)
{
    size_t at = 0;
    int used = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (at < len) {
        /* One character of the raw text (a byte when it is not UTF-8)... */
        wchar_t wc;
        size_t n = mbrtowc(&wc, s + at, len - at, &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            n = 1;
            memset(&st, 0, sizeof st);
        }
        /* ...and what it becomes on the screen. */
        char e[64];
        size_t elen = textsafe_escape(s + at, n, e, sizeof e);
        int cw = escaped_cells(e, elen < sizeof e ? elen : sizeof e - 1);
        if (used + cw > width && at > 0)
            break;
        used += cw;
        at += n;
    }
    return at;
}

/* Draws text that is safe already (textsafe's output), clipped to width
 * cells; what the locale cannot show is drawn as '?'. */
/* draw_safe, leaving out the first `skip` cells of the text (a row
 * scrolled sideways). */
static int draw_safe_from(WINDOW *w, int y, int x, const char *safe, size_t len, int width, bool pad, int skip)
{
    wmove(w, y, x);
    int used = 0, skipped = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    const char *p = safe, *end = safe + len;
    while (p < end) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, (size_t)(end - p), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            /* Not decodable in this locale (an ASCII terminal): show '?'. */
            wc = L'?';
            n = 1;
            memset(&st, 0, sizeof st);
        }
        int cw = wcwidth(wc);
        if (cw < 0) {
            wc = L'?';
            cw = 1;
        }
        if (skipped < skip) {
            skipped += cw;
            p += n;
            continue;
        }
        if (used + cw > width)
            break;
        wchar_t one[2] = { wc, 0 };
        waddnwstr(w, one, 1);
        used += cw;
        p += n;
    }
    if (pad)
        for (; used < width; used++)
            waddch(w, ' ');
    return used;
}

static int draw_safe(WINDOW *w, int y, int x, const char *safe, size_t len, int width, bool pad)
{
    return draw_safe_from(w, y, x, safe, len, width, pad, 0);
}

int ui_put(WINDOW *w, int y, int x, const char *s, size_t len, int width, bool pad)
{
    if (width <= 0)
        return 0;
    size_t need = textsafe_escape(s, len, NULL, 0) + 1;
    char stack[1024];
    char *safe = need <= sizeof stack ? stack : hs_xmalloc(need);
    textsafe_escape(s, len, safe, need);
    int used = draw_safe(w, y, x, safe, need - 1, width, pad);
    if (safe != stack)
        free(safe);
    return used;
}

int ui_put_from(WINDOW *w, int y, int x, const char *s, size_t len, int width, int skip)
{
    if (width <= 0)
        return 0;
    size_t need = textsafe_escape(s, len, NULL, 0) + 1;
    char stack[1024];
    char *safe = need <= sizeof stack ? stack : hs_xmalloc(need);
    textsafe_escape(s, len, safe, need);
    int used = draw_safe_from(w, y, x, safe, need - 1, width, false, skip);
    if (safe != stack)
        free(safe);
    return used;
}

int ui_put_escaped(WINDOW *w, int y, int x, const char *s, size_t len, int width)
{
    return width <= 0 ? 0 : draw_safe(w, y, x, s, len, width, false);
}

size_t ui_fit_escaped(const char *s, size_t len, int width)
{
    size_t at = 0;
    int used = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (at < len) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s + at, len - at, &st);
        int cw = 1;
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            n = 1;
            memset(&st, 0, sizeof st);
        } else if (wcwidth(wc) >= 0) {
            cw = wcwidth(wc);
        }
        if (used + cw > width && at > 0)
            break;
        used += cw;
        at += n;
    }
    return at;
}

/* Display cells of the escaped form of s[0..len). */
static int cells(const char *s, size_t len)
{
    size_t need = textsafe_escape(s, len, NULL, 0) + 1;
    char *safe = malloc(need);
    if (!safe)
        return (int)len;
    textsafe_escape(s, len, safe, need);
    int used = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (const char *p = safe, *end = safe + strlen(safe); p < end;) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, (size_t)(end - p), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            n = 1;
            memset(&st, 0, sizeof st);
            used++;
        } else {
            int w = wcwidth(wc);
            used += w < 0 ? 1 : w;
        }
        p += n;
    }
    free(safe);
    return used;
}

int ui_put_tail(ui *u, WINDOW *w, int y, int x, const char *s, size_t len, int width)
{
    if (width <= 0)
        return 0;
    if (cells(s, len) <= width)
        return ui_put(w, y, x, s, len, width, false);
    /* The mark of what was cut: an ellipsis, or three dots without UTF-8
     * (a '<' there read as the start of an HTML tag). */
    const char *mark = u->utf8 ? "\u2026" : "...";
    int mw = u->utf8 ? 1 : 3;
    if (width <= mw)
        return ui_put(w, y, x, s + len - 1, 1, width, false);
    /* Drop leading bytes (at character boundaries) until the rest fits. */
    size_t from = 0;
    while (from < len && cells(s + from, len - from) > width - mw) {
        from++;
        while (from < len && ((unsigned char)s[from] & 0xc0) == 0x80)
            from++;
    }
    mvwaddstr(w, y, x, mark);
    return mw + ui_put(w, y, x + mw, s + from, len - from, width - mw, false);
}

/* Where a path's gem directory starts ("gems/NAME-VERSION/"), or NULL. */
static const char *gem_dir(const char *s, size_t len)
{
    const char *found = NULL;
    for (size_t i = 0; i + 5 <= len; i++)
        if (memcmp(s + i, "gems/", 5) == 0 && (i == 0 || s[i - 1] == '/'))
            found = s + i + 5;
    return found && memchr(found, '/', len - (size_t)(found - s)) ? found : NULL;
}

int ui_put_label(ui *u, WINDOW *w, int y, int x, const char *s, size_t len, int width, bool path)
{
    if (width <= 0)
        return 0;
    if (!path || cells(s, len) <= width)
        return ui_put(w, y, x, s, len, width, false);
    /* "call in app/.../file.rb": the method stays, the path is cut. */
    const char *in = memmem(s, len, " in ", 4);
    size_t head = in ? (size_t)(in - s) + 4 : 0;
    /* ".../gems/rack-2.2.4/lib/rack/utils.rb:12": the gem stays too. */
    const char *gem = gem_dir(s + head, len - head);
    int used = 0;
    if (head && cells(s, head) < width / 2)
        used = ui_put(w, y, x, s, head, width, false);
    else
        head = 0;
    if (gem) {
        const char *slash = memchr(gem, '/', len - (size_t)(gem - s));
        size_t glen = (size_t)(slash - gem) + 1;
        const char *mark = u->utf8 ? "\u2026" : "...";
        int mw = u->utf8 ? 1 : 3;
        /* Worth it when the file's name (and line) still fits after it. */
        const char *rest = slash + 1, *end = s + len;
        const char *last = memrchr(rest, '/', (size_t)(end - rest)), *name = last ? last + 1 : rest;
        int rest_cells = cells(rest, (size_t)(end - rest)), name_cells = cells(name, (size_t)(end - name)) + mw;
        if (cells(gem, glen) + mw + (rest_cells < name_cells ? rest_cells : name_cells) <= width - used) {
            /* What went before the gem's name is gone: say so. */
            mvwaddstr(w, y, x + used, mark);
            used += mw;
            used += ui_put(w, y, x + used, gem, glen, width - used, false);
            return used + ui_put_tail(u, w, y, x + used, slash + 1, len - (size_t)(slash + 1 - s), width - used);
        }
    }
    return used + ui_put_tail(u, w, y, x + used, s + head, len - head, width - used);
}

int ui_puts(WINDOW *w, int y, int x, const char *s, int width, bool pad)
{
    return ui_put(w, y, x, s, strlen(s), width, pad);
}

attr_t ui_pane(ui *u, int y0, int x0, int h, int w, const char *title)
{
    attr_t pane = u->attr[PART_PANE] | A_REVERSE;
    for (int y = 0; y < h; y++)
        ui_fill(stdscr, y0 + y, x0, w, pane);
    attrset(pane | A_BOLD);
    ui_puts(stdscr, y0, x0 + 2, title, w - 3, false);
    attrset(pane);
    return pane;
}

void ui_fill(WINDOW *w, int y, int x, int width, attr_t attr)
{
    wattrset(w, attr);
    wmove(w, y, x);
    for (int i = 0; i < width; i++)
        waddch(w, ' ');
}

/* ui_prompt.c - the one-line prompt at the bottom: the search text, the
 * export file name, and whether to replace a file that exists. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keys the prompt does not bind are typed. */
static const key_binding prompt_bindings[] = {
    { ACT_ACCEPT, "done", "search, or export to the file named" },
    { ACT_CLOSE, "cancel", "cancel" },
    { ACT_ERASE, NULL, NULL },
    { ACT_CLEAR, NULL, "erase the line" },
};
static const key_map prompt_map = KEY_MAP("prompt", prompt_bindings);
static const key_binding confirm_bindings[] = {
    { ACT_YES, "yes", NULL },
    { ACT_NO, "no", NULL },
};
static const key_map confirm_map = KEY_MAP("question", confirm_bindings);

/* The prompt open now (one at a time, UI thread only). */
static struct {
    prompt_kind kind;  /* what it asks for */
    char input[512];   /* what is being typed */
    size_t len;        /* bytes of input */
    ui_mode back;      /* the mode it returns to */
    /* An export's writer and what it is given (the view, or a pane). */
    hs_status (*write)(FILE *out, void *ctx, hs_error *err);
    void *ctx;
} prompt;

/* The current view as a text report (view_write). */
static hs_status write_view(FILE *out, void *ctx, hs_error *err)
{
    char when[64];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", localtime(&t));
    return view_write(ctx, out, when, err);
}

const char *ui_prompt_input(void)
{
    return prompt.input;
}

prompt_kind ui_prompt_kind(void)
{
    return prompt.kind;
}

void ui_prompt_open(ui *u, prompt_kind kind, const char *initial)
{
    prompt.kind = kind;
    snprintf(prompt.input, sizeof prompt.input, "%s", initial);
    prompt.len = strlen(prompt.input);
    prompt.back = u->mode;
    prompt.write = write_view;
    prompt.ctx = &u->view;
    u->mode = MODE_PROMPT;
}

void ui_prompt_export(ui *u, const char *name, hs_status (*write)(FILE *out, void *ctx, hs_error *err), void *ctx)
{
    ui_prompt_open(u, PROMPT_EXPORT, name);
    prompt.write = write;
    prompt.ctx = ctx;
}

static void prompt_draw(ui *u)
{
    /* Over the pane it was opened from, when it was. */
    if (prompt.back != MODE_BROWSE && prompt.back != MODE_PROMPT)
        ui_mode_of(prompt.back)->draw(u);
    const char *label = prompt.kind == PROMPT_SEARCH ? "/" : prompt.kind == PROMPT_EXPORT ? "Export view to: " : "";
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_NORMAL]);
    attrset(u->attr[PART_NORMAL] | A_BOLD);
    if (prompt.kind == PROMPT_EXPORT_REPLACE) {
        char q[700];
        snprintf(q, sizeof q, "%s exists. Replace it? (y/n) ", prompt.input);
        ui_puts(stdscr, LINES - 1, 0, q, COLS, false);
    } else {
        int x = ui_puts(stdscr, LINES - 1, 0, label, COLS, false);
        attrset(u->attr[PART_NORMAL]);
        int room = COLS - x - 1;
        size_t from = prompt.len > (size_t)room ? prompt.len - (size_t)room : 0;
        x += ui_put(stdscr, LINES - 1, x, prompt.input + from, prompt.len - from, room, false);
        attrset(A_REVERSE);
        mvaddch(LINES - 1, x, ' '); /* the cursor */
    }
    attrset(A_NORMAL);
}

/* The file name typed, with a leading ~/ (or a lone ~) as $HOME, as a
 * shell would have it. */
static void expand_home(char *buf, size_t size)
{
    const char *home = getenv("HOME");
    if (buf[0] != '~' || (buf[1] != '/' && buf[1] != '\0') || !home || !home[0])
        return;
    char expanded[1024];
    int n = snprintf(expanded, sizeof expanded, "%s%s", home, buf + 1);
    if (n > 0 && (size_t)n < size)
        memcpy(buf, expanded, (size_t)n + 1);
}

static void export_now(ui *u, bool force)
{
    hs_error err;
    expand_home(prompt.input, sizeof prompt.input);
    prompt.len = strlen(prompt.input);
    hs_status st = report_export_write(prompt.input, force, prompt.write, prompt.ctx, &err);
    if (st == HS_ERR_EXISTS && !force) {
        prompt.kind = PROMPT_EXPORT_REPLACE;
        return;
    }
    if (st == HS_OK)
        snprintf(u->status, sizeof u->status, "exported to %.200s", prompt.input);
    else
        snprintf(u->status, sizeof u->status, "export failed: %.200s", err.msg);
    u->mode = prompt.back;
}

static void confirm_key(ui *u, action act)
{
    if (act == ACT_YES) {
        export_now(u, true);
    } else if (act == ACT_NO) {
        snprintf(u->status, sizeof u->status, "not exported: %.200s exists", prompt.input);
        u->mode = prompt.back;
    }
}

static void accept(ui *u)
{
    if (prompt.kind == PROMPT_SEARCH) {
        u->mode = MODE_BROWSE;
        if (!view_search(&u->view, prompt.input, 1))
            snprintf(u->status, sizeof u->status, "%s", u->view.message);
    } else if (prompt.len == 0) {
        snprintf(u->status, sizeof u->status, "not exported: no file name");
        u->mode = prompt.back;
    } else {
        export_now(u, false);
    }
}

static void prompt_key(ui *u, action act, int key)
{
    if (prompt.kind == PROMPT_EXPORT_REPLACE) {
        confirm_key(u, act);
        return;
    }
    switch (act) {
    case ACT_CLOSE: u->mode = prompt.back; break;
    case ACT_ACCEPT: accept(u); break;
    case ACT_ERASE:
        if (prompt.len)
            prompt.input[--prompt.len] = '\0';
        break;
    case ACT_CLEAR:
        prompt.len = 0;
        prompt.input[0] = '\0';
        break;
    default:
        /* Unbound keys are typed. */
        if (key >= 32 && key < 256 && key != 127 && prompt.len + 1 < sizeof prompt.input) {
            prompt.input[prompt.len++] = (char)key;
            prompt.input[prompt.len] = '\0';
        }
        break;
    }
}

static const key_map *prompt_keys(const ui *u)
{
    (void)u;
    return prompt.kind == PROMPT_EXPORT_REPLACE ? &confirm_map : &prompt_map;
}

const ui_mode_ops ui_prompt_mode = { .over_list = true, .draw = prompt_draw, .key = prompt_key, .keys = prompt_keys, .maps = { &prompt_map, &confirm_map } };

/* ui_prompt.c - the one-line prompt at the bottom: the search text, the
 * export file name, and whether to replace a file that exists. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void ui_prompt_open(ui *u, prompt_kind kind, const char *initial)
{
    u->prompt = kind;
    snprintf(u->input, sizeof u->input, "%s", initial);
    u->input_len = strlen(u->input);
    u->mode = MODE_PROMPT;
}

void ui_prompt_draw(ui *u)
{
    const char *label = u->prompt == PROMPT_SEARCH          ? "/"
                      : u->prompt == PROMPT_EXPORT          ? "Export view to: "
                                                            : "";
    ui_fill(stdscr, LINES - 1, 0, COLS, u->attr[PART_NORMAL]);
    attrset(u->attr[PART_NORMAL] | A_BOLD);
    if (u->prompt == PROMPT_EXPORT_REPLACE) {
        char q[700];
        snprintf(q, sizeof q, "%s exists. Replace it? (y/n) ", u->input);
        ui_puts(stdscr, LINES - 1, 0, q, COLS, false);
    } else {
        int x = ui_puts(stdscr, LINES - 1, 0, label, COLS, false);
        attrset(u->attr[PART_NORMAL]);
        int room = COLS - x - 1;
        size_t from = u->input_len > (size_t)room ? u->input_len - (size_t)room : 0;
        x += ui_put(stdscr, LINES - 1, x, u->input + from, u->input_len - from, room, false);
        attrset(A_REVERSE);
        mvaddch(LINES - 1, x, ' '); /* the cursor */
    }
    attrset(A_NORMAL);
}

static void export_now(ui *u, bool force)
{
    char when[64];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", localtime(&t));
    hs_error err;
    hs_status st = view_export(&u->view, u->input, force, when, &err);
    if (st == HS_ERR_EXISTS && !force) {
        u->prompt = PROMPT_EXPORT_REPLACE;
        return;
    }
    if (st == HS_OK)
        snprintf(u->status, sizeof u->status, "exported to %.200s", u->input);
    else
        snprintf(u->status, sizeof u->status, "export failed: %.200s", err.msg);
    u->mode = MODE_BROWSE;
}

bool ui_prompt_key(ui *u, int key)
{
    if (u->prompt == PROMPT_EXPORT_REPLACE) {
        if (key == 'y' || key == 'Y')
            export_now(u, true);
        else if (key == 'n' || key == 'N' || key == 27 || key == 'q') {
            snprintf(u->status, sizeof u->status, "not exported: %.200s exists", u->input);
            u->mode = MODE_BROWSE;
        }
        return true;
    }
    switch (key) {
    case 27:
        u->mode = MODE_BROWSE;
        return true;
    case '\n':
    case '\r':
    case KEY_ENTER:
        if (u->prompt == PROMPT_SEARCH) {
            u->mode = MODE_BROWSE;
            if (!view_search(&u->view, u->input, 1))
                snprintf(u->status, sizeof u->status, "%s", u->view.message);
        } else if (u->input_len == 0) {
            snprintf(u->status, sizeof u->status, "not exported: no file name");
            u->mode = MODE_BROWSE;
        } else {
            export_now(u, false);
        }
        return true;
    case KEY_BACKSPACE:
    case 127:
    case CTRL_KEY('h'):
        if (u->input_len)
            u->input[--u->input_len] = '\0';
        return true;
    case CTRL_KEY('u'):
        u->input_len = 0;
        u->input[0] = '\0';
        return true;
    default:
        if (key >= 32 && key < 256 && key != 127 && u->input_len + 1 < sizeof u->input) {
            u->input[u->input_len++] = (char)key;
            u->input[u->input_len] = '\0';
        }
        return true;
    }
}

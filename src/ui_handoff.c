/* ui_handoff.c - handing something from the explorer to the rest of the
 * person's tools: `y` copies the selected row's address or location to the
 * clipboard with OSC 52 (the terminal, tmux and SSH carry it), and `o`
 * opens the selected row's source file at its line in $VISUAL or $EDITOR,
 * leaving the screen to it and taking it back after. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include "ui_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "textsafe.h"

/* Standard base64 of s[0..len) into out (room for 4 * ((len + 2) / 3) + 1). */
static void base64(const unsigned char *s, size_t len, char *out)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < len ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < len ? s[i + 2] : 0);
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
        out[o++] = i + 1 < len ? digits[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? digits[v & 63] : '=';
    }
    out[o] = '\0';
}

void ui_copy(ui *u)
{
    char text[1024];
    if (!view_copy_text(&u->view, text, sizeof text)) {
        snprintf(u->status, sizeof u->status, "%s", u->view.message);
        return;
    }
    size_t len = strlen(text);
    char *b64 = hs_xmalloc(4 * ((len + 2) / 3) + 1);
    base64((const unsigned char *)text, len, b64);
    /* Straight to the terminal, after what curses has queued. */
    refresh();
    fprintf(stdout, "\033]52;c;%s\a", b64);
    fflush(stdout);
    free(b64);
    char shown[200];
    textsafe_escape(text, len, shown, sizeof shown);
    snprintf(u->status, sizeof u->status, "copied %s (to the clipboard, by OSC 52)", shown);
}

void ui_open_source(ui *u)
{
    char file[1024];
    uint32_t line = 0;
    if (!view_source(&u->view, file, sizeof file, &line)) {
        snprintf(u->status, sizeof u->status, "%s", u->view.message);
        return;
    }
    if (access(file, R_OK) != 0) {
        char shown[600];
        textsafe_escape(file, strlen(file), shown, sizeof shown);
        snprintf(u->status, sizeof u->status, "%.120s: %.40s (run heapsift in the app's directory)", shown,
                 strerror(errno));
        return;
    }
    const char *editor = getenv("VISUAL");
    if (!editor || !*editor)
        editor = getenv("EDITOR");
    if (!editor || !*editor)
        editor = "vi";
    char at[32];
    snprintf(at, sizeof at, "+%" PRIu32, line);
    /* The screen is the editor's until it leaves; Ctrl-C there is the
     * editor's, not a reason for heapsift to quit. */
    def_prog_mode();
    endwin();
    struct sigaction ignore, old_int, old_quit;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        /* Through the shell, so that EDITOR="code -w" works. */
        if (line)
            execl("/bin/sh", "sh", "-c", "exec $0 \"$@\"", editor, at, file, (char *)NULL);
        else
            execl("/bin/sh", "sh", "-c", "exec $0 \"$@\"", editor, file, (char *)NULL);
        _exit(127);
    }
    int wstatus = 0;
    if (pid > 0)
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    reset_prog_mode();
    clearok(curscr, TRUE);
    refresh();
    if (pid < 0)
        snprintf(u->status, sizeof u->status, "cannot start %.100s: %s", editor, strerror(errno));
    else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
        snprintf(u->status, sizeof u->status, "cannot run %.100s (set VISUAL or EDITOR)", editor);
    else
        snprintf(u->status, sizeof u->status, "back from %.100s", editor);
}

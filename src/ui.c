/* ui.c - the explorer's terminal owner: set-up and teardown, signals, the
 * loop that waits on the keyboard and the loader, and key dispatch. The only
 * place that starts or ends curses. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include "report.h"
#include "mapguard.h"
#include "ui_internal.h"

#include "monotime.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- signals: a byte on a pipe wakes the loop, which then leaves cleanly -- */

static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t caught_signal;
static bool curses_active;

static void on_signal(int sig)
{
    int saved = errno;
    caught_signal = sig;
    char b = (char)sig;
    if (write(signal_pipe[1], &b, 1) < 0) {
        /* The pipe is full: a wake-up is already pending. */
    }
    errno = saved;
}

/* A resize: ncurses's own SIGWINCH handler notes it (the next getch then
 * returns KEY_RESIZE), and a byte on the pipe wakes the loop, which would
 * otherwise sleep in poll() until the next key when the signal arrives
 * outside of poll (while drawing, say). */
static struct sigaction curses_winch;

static void on_winch(int sig)
{
    int saved = errno;
    if (!(curses_winch.sa_flags & SA_SIGINFO) && curses_winch.sa_handler != SIG_DFL &&
        curses_winch.sa_handler != SIG_IGN)
        curses_winch.sa_handler(sig);
    char b = 0;
    if (write(signal_pipe[1], &b, 1) < 0) {
        /* The pipe is full: a wake-up is already pending. */
    }
    errno = saved;
}

/* Installed after newterm(), which sets up ncurses's handler. */
static void install_winch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_winch;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, &curses_winch);
}

/* Leaves curses on any exit path (an abort in library code included). */
static void restore_terminal(void)
{
    if (curses_active) {
        endwin();
        curses_active = false;
    }
}

/* A crash (an abort on running out of memory, a bug) must not leave the
 * person's terminal in curses mode: the handler puts back the terminal
 * modes saved at start and leaves the alternate screen, with
 * async-signal-safe calls only, then dies of the signal. */
static struct termios saved_modes;
static bool have_saved_modes;
static char leave_screen[64];  /* rmcup, cnorm and sgr0 from terminfo */
static size_t leave_screen_len;

static void on_fatal_signal(int sig)
{
    if (curses_active) {
        if (have_saved_modes)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_modes);
        if (write(STDOUT_FILENO, leave_screen, leave_screen_len) < 0) {
            /* nothing more can be done */
        }
    }
    report_discard_partial();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* SIGBUS: a dump that shrank under its mapping is no crash (mapguard.h
 * absorbs it and the load says so); anything else is. */
static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    if (mapguard_handle(si->si_addr))
        return;
    on_fatal_signal(sig);
}

static void keep_leave_screen(const char *cap)
{
    char *s = tigetstr((char *)cap);
    if (!s || s == (char *)-1)
        return;
    size_t len = strlen(s);
    if (leave_screen_len + len < sizeof leave_screen) {
        memcpy(leave_screen + leave_screen_len, s, len);
        leave_screen_len += len;
    }
}

static void install_fatal_signals(void)
{
    keep_leave_screen("rmcup");
    keep_leave_screen("cnorm");
    keep_leave_screen("sgr0");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sa.sa_handler = NULL;
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
}

static void install_signals(void)
{
    if (pipe(signal_pipe) == 0) {
        for (int i = 0; i < 2; i++)
            fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* An export into a FIFO whose reader left is an error to report
     * (EPIPE), not a death with the terminal left raw. */
    signal(SIGPIPE, SIG_IGN);
    atexit(restore_terminal);
}

/* ---- drawing and keys ------------------------------------------------------- */

static const ui_mode_ops *const modes[MODE_COUNT] = {
#define UI_MODE_ENTRY(id, ops) [id] = &ops,
    UI_MODES(UI_MODE_ENTRY)
#undef UI_MODE_ENTRY
};

const ui_mode_ops *ui_mode_of(ui_mode m)
{
    return modes[m];
}

void ui_draw(ui *u)
{
    erase(); /* no clear(): curses sends only what changed */
    if (LINES < 10 || COLS < 40) {
        attrset(u->attr[PART_WARNING]);
        mvaddstr(0, 0, "terminal too small");
        mvaddstr(1, 0, "heapsift needs 40x10");
        attrset(A_NORMAL);
        return;
    }
    if (modes[u->mode]->over_list)
        ui_list_draw(u);
    modes[u->mode]->draw(u);
    if (modes[u->mode]->over_list)
        ui_list_draw_long_status(u);
}

void ui_loaded(ui *u)
{
    loader *l = u->loader;
    if (l->status != HS_OK) {
        u->mode = MODE_FAILED;
        u->exit_status = 1;
        return;
    }
    group_query q = { .by = u->opts.by, .filter = u->opts.filter, .sort = u->opts.sort,
                      .reverse = u->opts.reverse, .trends = true };
    loader_unreserve(l); /* the memory held for the grouping that follows */
    hs_error err;
    if (view_init(&u->view, l->session, &q, u->tab, &err) != HS_OK) {
        /* Nothing to browse: said as a failed load is, on the screen and
         * by main once the explorer ends. */
        l->status = err.status;
        l->err = err;
        u->mode = MODE_FAILED;
        u->exit_status = 1;
        return;
    }
    u->view.graph_pending = atomic_load(&l->graph_state) == LOADER_GRAPH_RUNNING;
    int ts = atomic_load(&l->trends_state);
    u->view.trends_pending = ts != LOADER_TRENDS_NONE && ts != LOADER_TRENDS_ATTACHED;
    u->view_ready = true;
    u->mode = MODE_BROWSE;
    ui_graph_news(u);
}

void ui_graph_news(ui *u)
{
    loader *l = u->loader;
    if (!u->view_ready)
        return;
    if (loader_attach_graph(l)) {
        if (!view_graph_ready(&u->view))
            snprintf(u->status, sizeof u->status, "%s", u->view.message);
    } else if (u->view.graph_pending && atomic_load(&l->graph_state) == LOADER_GRAPH_FAILED) {
        if (l->graph_status == HS_ERR_CANCELLED) {
            u->view.graph_pending = false;
        } else {
            /* Said at once on the status line; the Suspects list and the
             * status line's right end keep saying it. */
            view_graph_failed(&u->view, l->graph_err.msg);
            snprintf(u->status, sizeof u->status, "%s", u->view.message);
        }
    }
    if (loader_attach_trends(l)) {
        if (!view_trends_ready(&u->view))
            snprintf(u->status, sizeof u->status, "%s", u->view.message);
    } else if (u->view.trends_pending && atomic_load(&l->trends_state) == LOADER_TRENDS_FAILED) {
        u->view.trends_pending = false;
        if (l->trends_status != HS_ERR_CANCELLED)
            snprintf(u->view.message, sizeof u->view.message, "no trends: %.200s", l->trends_err.msg);
    }
}

/* Is a pass that fills the view in still running (its progress shows)? */
static bool ui_waiting(const ui *u)
{
    return u->view_ready && (u->view.graph_pending || u->view.trends_pending);
}

void ui_key(ui *u, int key)
{
    if (key == KEY_RESIZE)
        return; /* curses has the new size; the next draw uses it */
    if (key == CTRL_KEY('l')) {
        clearok(curscr, TRUE);
        return;
    }
    if (LINES < 10 || COLS < 40) {
        /* Nothing is shown: nothing may happen unseen (an export, say). */
        if (key == 'q' || key == 'Q') {
            if (u->mode == MODE_LOADING) {
                loader_cancel(u->loader);
                u->exit_status = 1;
                u->cancelled = true;
            }
            u->quit = true;
        }
        return;
    }
    const ui_mode_ops *m = modes[u->mode];
    m->key(u, keymap_action(m->keys(u), key), key);
}

void ui_release(ui *u)
{
    ui_filter_release();
    ui_pane_release();
    ui_dumps_release();
    if (u->view_ready)
        view_free(&u->view);
    u->view_ready = false;
}

/* ---- the loop ------------------------------------------------------------------ */

static bool locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

int ui_run(loader **lp, const ui_opts *opts)
{
    ui u;
    memset(&u, 0, sizeof u);
    u.loader = *lp;
    u.opts = *opts;
    u.mode = u.loader ? MODE_LOADING : MODE_WATCHING;
    assert(u.loader || u.opts.watch);
    u.started = monotime_now();
    u.utf8 = locale_is_utf8();
    u.tab = opts->tab;

    install_signals();
    have_saved_modes = tcgetattr(STDIN_FILENO, &saved_modes) == 0;
    if (!getenv("ESCDELAY"))
        set_escdelay(25); /* Esc alone answers at once; arrows over SSH still work */
    if (!newterm(NULL, stdout, stdin)) {
        fprintf(stderr, "heapsift: cannot start the terminal interface (TERM=%s); use --report\n",
                getenv("TERM") ? getenv("TERM") : "");
        if (u.loader)
            loader_cancel(u.loader);
        return 1;
    }
    curses_active = true;
    /* A terminal that cannot move the cursor (TERM=dumb) would show one
     * line and then nothing. */
    char *cup = tigetstr((char *)"cup");
    if (!cup || cup == (char *)-1) {
        restore_terminal();
        fprintf(stderr, "heapsift: the terminal (TERM=%s) cannot place the cursor; use --report\n",
                getenv("TERM") ? getenv("TERM") : "");
        if (u.loader)
            loader_cancel(u.loader);
        return 1;
    }
    install_fatal_signals();
    install_winch();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    /* Clicks, double-clicks and the wheel, reported at once (double-clicks
     * are told apart by ui_list.c, so a single click does not wait). */
    mousemask(ALL_MOUSE_EVENTS, NULL);
    mouseinterval(0);
    nodelay(stdscr, TRUE);
    curs_set(0);
    ui_theme_init(&u);

    bool dirty = true;
    bool terminal_lost = false; /* the loop ended because the terminal went away */
    int idle_wakeups = 0; /* stdin readable yet no key: the terminal is gone */
    while (!u.quit) {
        if (u.mode == MODE_LOADING && loader_finished(u.loader)) {
            ui_loaded(&u);
            dirty = true;
        }
        if (dirty) {
            if (u.view_ready)
                view_set_screen_cols(&u.view, COLS); /* before drawing: what the list shows */
            ui_draw(&u);
            refresh();
            dirty = false;
        }
        struct pollfd p[5] = {
            { STDIN_FILENO, POLLIN, 0 },
            { u.loader ? loader_wake_fd(u.loader) : -1, POLLIN, 0 },
            { signal_pipe[0], POLLIN, 0 },
            { u.next ? loader_wake_fd(u.next) : -1, POLLIN, 0 },     /* watch mode: the new dumps' load */
            { u.opts.watch ? watch_fd(u.opts.watch) : -1, POLLIN, 0 }, /* watch mode: the folder */
        };
        /* While loading, progress is redrawn at most ten times a second. */
        int timeout = u.mode == MODE_LOADING           ? 100
                      : ui_waiting(&u) || u.next != NULL ? 500 /* the graph's or the trends' progress */
                                                         : -1;
        int watch_ms = ui_watch_timeout_ms(&u);
        if (watch_ms >= 0 && (timeout < 0 || watch_ms < timeout))
            timeout = watch_ms;
        int rc = poll(p, 5, timeout);
        if (caught_signal)
            break;
        if (rc < 0 && errno != EINTR)
            break;
        if (p[1].revents & POLLIN) {
            loader_drain(u.loader);
            if (ui_waiting(&u)) {
                ui_graph_news(&u);
                dirty = true; /* the retained or trend columns, or their progress */
            }
            if (u.mode == MODE_LOADING) {
                double now = monotime_now();
                if (now - u.last_progress >= 0.1 || loader_finished(u.loader)) {
                    u.last_progress = now;
                    dirty = true;
                }
            }
        }
        if (u.opts.watch || u.next) {
            if (p[3].revents & POLLIN)
                loader_drain(u.next);
            /* New files, or a load that has just ended everything: the
             * dumps that arrived meanwhile can be loaded now. */
            if ((p[4].revents & POLLIN) || (p[1].revents & POLLIN) || rc == 0 || u.next || u.mode == MODE_WATCHING) {
                ui_watch_check(&u);
                dirty = true;
            }
            if (ui_watch_news(&u))
                dirty = true;
        }
        if (p[2].revents & POLLIN) {
            /* A resize (a signal that ends the loop set caught_signal). */
            char buf[64];
            while (read(signal_pipe[0], buf, sizeof buf) > 0)
                ;
            dirty = true;
        }
        if (rc == 0 && (u.mode == MODE_LOADING || ui_waiting(&u)))
            dirty = true;
        if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
            terminal_lost = true; /* an SSH connection dropped, without a SIGHUP */
            break;
        }
        int key, keys = 0;
        while ((key = getch()) != ERR) {
            keys++;
            ui_key(&u, key);
            dirty = true;
            if (u.quit)
                break;
        }
        /* A pane that closed lets a new dump's view in. */
        if (keys && u.next && ui_watch_news(&u))
            dirty = true;
        /* A closed terminal can read as endlessly "ready" with nothing to
         * read; leave rather than spin. */
        idle_wakeups = (p[0].revents & POLLIN) && !keys ? idle_wakeups + 1 : 0;
        if (idle_wakeups > 100) {
            terminal_lost = true;
            break;
        }
        if (rc < 0) /* EINTR: a resize, most likely */
            dirty = true;
    }
    restore_terminal();
    ui_release(&u);
    loader_free(u.next); /* a new dump's load that was not shown yet */
    *lp = u.loader;
    if (u.cancelled)
        fprintf(stderr, "heapsift: loading cancelled (q): nothing was compared\n");
    if (terminal_lost && !caught_signal) {
        fprintf(stderr, "heapsift: the terminal went away; leaving\n");
        if (u.loader)
            loader_cancel(u.loader);
        return 1;
    }
    if (caught_signal) {
        if (u.loader)
            loader_cancel(u.loader);
        return 128 + caught_signal;
    }
    return u.exit_status;
}

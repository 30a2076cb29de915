/* actions.h - every action a person can take in the explorer and the keys
 * that take it, and the shape of a key map: which actions a screen or pane
 * binds, what its key bar shows and what its help says. Each mode's file
 * holds its own key map; key lookup, the help pane and every key bar and
 * pane footer are generated from them, so what the screen says a key does
 * is what it does.
 *
 * ACTION_LIST: X(ID, KEYS(curses key codes...), KEY_NAMES, HELP). KEY_NAMES
 * is how help shows the keys; its first word is how key bars show them.
 * HELP is what help says unless a key map says otherwise.
 *
 * Used by the UI only (the key codes are curses').
 */
#ifndef HEAPSIFT_ACTIONS_H
#define HEAPSIFT_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#define CTRL_KEY(c) ((c) & 0x1f)
#define KEY_ESC 27 /* curses has no name for it */

#define ACTION_LIST(X)                                                                          \
    X(ACT_DOWN, KEYS('j', KEY_DOWN, CTRL_KEY('n')), "j Down", "move down")                     \
    X(ACT_UP, KEYS('k', KEY_UP, CTRL_KEY('p')), "k Up", "move up")                             \
    X(ACT_PAGE_DOWN, KEYS(KEY_NPAGE, ' ', CTRL_KEY('f')), "PgDn Space", "page down")           \
    X(ACT_PAGE_UP, KEYS(KEY_PPAGE, 'b', CTRL_KEY('b')), "PgUp b", "page up")                   \
    X(ACT_HOME, KEYS('g', KEY_HOME), "g Home", "first row")                                    \
    X(ACT_END, KEYS('G', KEY_END), "G End", "last row")                                        \
    X(ACT_ENTER, KEYS('\n', '\r', KEY_ENTER, 'l', KEY_RIGHT), "Enter l Right",                 \
      "open the group, object or reference under the cursor")                                  \
    X(ACT_BACK, KEYS('h', KEY_LEFT, KEY_BACKSPACE, 127, CTRL_KEY('h')), "h Left Backspace",     \
      "back to the previous view")                                                              \
    X(ACT_TAB, KEYS('\t'), "Tab", "switch between the Suspects and the Groups")               \
    X(ACT_SCROLL_RIGHT, KEYS(']', KEY_SRIGHT), "] S-Right", "scroll long rows right")          \
    X(ACT_SCROLL_LEFT, KEYS('[', KEY_SLEFT), "[ S-Left", "scroll long rows left")               \
    X(ACT_SEARCH, KEYS('/'), "/", "search this list (case-insensitive)")                       \
    X(ACT_SEARCH_NEXT, KEYS('n'), "n", "next match")                                           \
    X(ACT_SEARCH_PREV, KEYS('N'), "N", "previous match")                                       \
    X(ACT_FILTER, KEYS('f'), "f", "filter: path, exclude, types, min count, grouping")         \
    X(ACT_SORT, KEYS('s', KEY_F(6)), "s F6", "sort pane: what the groups are sorted by")       \
    X(ACT_SORT_LEFT, KEYS('<'), "<", "sort by the column to the left")                           \
    X(ACT_SORT_RIGHT, KEYS('>'), ">", "sort by the column to the right")                        \
    X(ACT_REVERSE, KEYS('r'), "r", "reverse the sort")                                         \
    X(ACT_WHY, KEYS('w'), "w", "why the group is retained: size, holders, root path")          \
    X(ACT_PROBLEMS, KEYS('!'), "!", "what was wrong with the dumps: damaged lines, warnings")  \
    X(ACT_DUMPS, KEYS('d'), "d", "the dumps: compare from another one (leave a warm-up out)")  \
    X(ACT_EXPORT, KEYS('e'), "e", "export this view as a text report")                         \
    X(ACT_COPY, KEYS('y'), "y", "copy the address or location to the clipboard (OSC 52)")    \
    X(ACT_OPEN, KEYS('o'), "o", "open the source file at its line in $VISUAL or $EDITOR")    \
    X(ACT_HELP, KEYS('?', KEY_F(1)), "? F1", "this help")                                      \
    X(ACT_QUIT, KEYS('q'), "q", "back; quit from the group list")                              \
    X(ACT_QUIT_NOW, KEYS('Q'), "Q", "quit at once")                                            \
    X(ACT_REDRAW, KEYS(CTRL_KEY('l')), "Ctrl-L", "redraw the screen")                          \
    X(ACT_MOUSE, KEYS(KEY_MOUSE), "Mouse", "click selects, twice opens, the wheel scrolls") \
    /* Panes and the prompt: */                                                                 \
    X(ACT_CLOSE, KEYS(KEY_ESC), "Esc", "close, changing nothing")                              \
    X(ACT_ACCEPT, KEYS('\n', '\r', KEY_ENTER), "Enter", "done")                                \
    X(ACT_ERASE, KEYS(KEY_BACKSPACE, 127, CTRL_KEY('h')), "Backspace", "erase a character")    \
    X(ACT_CLEAR, KEYS(CTRL_KEY('u')), "Ctrl-U", "erase the field")                             \
    X(ACT_FIELD, KEYS(KEY_DOWN, '\t', KEY_UP, KEY_BTAB), "Up/Down/Tab",                          \
      "next field (Up, Shift-Tab: the one before)")                                             \
    X(ACT_CHOICE, KEYS(KEY_RIGHT, KEY_LEFT), "Left/Right", "the next choice (Left: the one before)") \
    X(ACT_YES, KEYS('y', 'Y'), "y", "yes")                                                     \
    X(ACT_NO, KEYS('n', 'N', KEY_ESC, 'q'), "n", "no")

typedef enum action {
    ACT_NONE = 0,
#define ACTION_ENUM(id, keys, names, help) id,
    ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
    ACT_COUNT
} action;

/* One action bound in a key map. */
typedef struct key_binding {
    action act;        /* what its keys do here */
    const char *bar;   /* the key bar's word after the key, or NULL: not on the bar */
    const char *help;  /* what help says it does here, or NULL: the action's help */
} key_binding;

/* The keys of one screen or pane. A key takes the first binding whose
 * action has it, so one key may mean different things in different maps
 * (Enter, Backspace, q), never two things in one. */
typedef struct key_map {
    const char *name;            /* what it is for ("sort pane") */
    const key_binding *bindings; /* in help's order */
    size_t n;
} key_map;

#define KEY_MAP(name, table) { name, table, sizeof table / sizeof table[0] }

/* The action bound to a curses key in km, or ACT_NONE. (Ctrl-L and a
 * resize are the loop's, in every map.) */
action keymap_action(const key_map *km, int key);

/* Writes km's key bar: " KEY WORD  KEY WORD ..." for the bindings with a
 * bar word, KEY being the first word of the action's key names. What does
 * not fit in size is left off whole. Returns the length. */
size_t keymap_bar(const key_map *km, char *buf, size_t size);

/* What help says binding k of km does. */
const char *keymap_help(const key_map *km, size_t k);

/* Key names and help line of an action. */
const char *action_keys(action a);
const char *action_help(action a);

/* Does a key belong to an action? */
bool action_has_key(action a, int key);

#endif

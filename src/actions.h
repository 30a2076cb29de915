/* actions.h - every action a person can take in the explorer: its keys and
 * its help line, in one table. The key bindings and the help screen are
 * both generated from it, so help can never drift from the keys.
 *
 * X(ID, KEYS(curses key codes...), KEY_NAMES, HELP): KEY_NAMES is how help
 * shows the keys. Used by the UI only (key codes are curses'). KEYS is
 * defined by the code that expands the list.
 */
#ifndef HEAPSIFT_ACTIONS_H
#define HEAPSIFT_ACTIONS_H

#define CTRL_KEY(c) ((c) & 0x1f)

#define ACTION_LIST(X)                                                                          \
    X(ACT_DOWN, KEYS('j', KEY_DOWN, CTRL_KEY('n')), "j Down", "move down")                     \
    X(ACT_UP, KEYS('k', KEY_UP, CTRL_KEY('p')), "k Up", "move up")                             \
    X(ACT_PAGE_DOWN, KEYS(KEY_NPAGE, ' ', CTRL_KEY('f')), "PgDn Space", "page down")           \
    X(ACT_PAGE_UP, KEYS(KEY_PPAGE, 'b', CTRL_KEY('b')), "PgUp b", "page up")                   \
    X(ACT_HOME, KEYS('g', KEY_HOME), "g Home", "first row")                                    \
    X(ACT_END, KEYS('G', KEY_END), "G End", "last row")                                        \
    X(ACT_ENTER, KEYS('\n', '\r', KEY_ENTER, 'l', KEY_RIGHT), "Enter l Right",                 \
      "open the group, object or reference under the cursor")                         \
    X(ACT_BACK, KEYS('h', KEY_LEFT, KEY_BACKSPACE, 127, CTRL_KEY('h')), "h Left Backspace",     \
      "back to the previous view")                                                              \
    X(ACT_SEARCH, KEYS('/'), "/", "search this list (case-insensitive)")                       \
    X(ACT_SEARCH_NEXT, KEYS('n'), "n", "next match")                                           \
    X(ACT_SEARCH_PREV, KEYS('N'), "N", "previous match")                                       \
    X(ACT_FILTER, KEYS('f'), "f", "filter: path, exclude, types, min count, grouping") \
    X(ACT_SORT, KEYS('s'), "s", "sort pane: what the groups are sorted by")             \
    X(ACT_REVERSE, KEYS('r'), "r", "reverse the sort")                                         \
    X(ACT_WHY, KEYS('w'), "w", "why the group is retained: size, holders, root path") \
    X(ACT_PROBLEMS, KEYS('!'), "!", "what was wrong with the dumps: damaged lines, warnings")  \
    X(ACT_EXPORT, KEYS('e'), "e", "export this view as a text report")                         \
    X(ACT_HELP, KEYS('?', KEY_F(1)), "? F1", "this help")                                      \
    X(ACT_QUIT, KEYS('q'), "q", "back; quit from the group list")                              \
    X(ACT_QUIT_NOW, KEYS('Q'), "Q", "quit at once")                                            \
    X(ACT_REDRAW, KEYS(CTRL_KEY('l')), "Ctrl-L", "redraw the screen")

typedef enum action {
    ACT_NONE = 0,
#define ACTION_ENUM(id, keys, names, help) id,
    ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
    ACT_COUNT
} action;

/* The action bound to a curses key, or ACT_NONE. */
action action_for_key(int key);

/* Key names and help line of an action (for the help screen). */
const char *action_keys(action a);
const char *action_help(action a);

#endif

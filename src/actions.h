/* actions.h - every action a person can take in the explorer, the keys that
 * take it, and which screens and panes (key maps) bind it. Key lookup, the
 * help pane and every key bar and pane footer are generated from these two
 * tables, so what the screen says a key does is what it does.
 *
 * ACTION_LIST: X(ID, KEYS(curses key codes...), KEY_NAMES, HELP). KEY_NAMES
 * is how help shows the keys; its first word is how key bars show them.
 * HELP is what help says unless a binding says otherwise.
 *
 * KEYMAP_LIST: X(ID, NAME). One key map per screen or pane that takes keys:
 * the three lists (one per view kind), the panes, the prompt, the loading
 * and failure screens.
 *
 * BINDING_LIST: X(KEYMAPS, ACTION, BAR, HELP). KEYMAPS is a mask of KM_BIT()s
 * the row applies to; BAR the word the key bar shows after the key (NULL:
 * not on the bar); HELP what help says for it there (NULL: the action's).
 * A key takes the first action bound in the key map that has it, so one key
 * may mean different things in different maps (Enter, Backspace, q).
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
    X(ACT_SEARCH, KEYS('/'), "/", "search this list (case-insensitive)")                       \
    X(ACT_SEARCH_NEXT, KEYS('n'), "n", "next match")                                           \
    X(ACT_SEARCH_PREV, KEYS('N'), "N", "previous match")                                       \
    X(ACT_FILTER, KEYS('f'), "f", "filter: path, exclude, types, min count, grouping")         \
    X(ACT_SORT, KEYS('s'), "s", "sort pane: what the groups are sorted by")                    \
    X(ACT_REVERSE, KEYS('r'), "r", "reverse the sort")                                         \
    X(ACT_WHY, KEYS('w'), "w", "why the group is retained: size, holders, root path")          \
    X(ACT_PROBLEMS, KEYS('!'), "!", "what was wrong with the dumps: damaged lines, warnings")  \
    X(ACT_EXPORT, KEYS('e'), "e", "export this view as a text report")                         \
    X(ACT_HELP, KEYS('?', KEY_F(1)), "? F1", "this help")                                      \
    X(ACT_QUIT, KEYS('q'), "q", "back; quit from the group list")                              \
    X(ACT_QUIT_NOW, KEYS('Q'), "Q", "quit at once")                                            \
    X(ACT_REDRAW, KEYS(CTRL_KEY('l')), "Ctrl-L", "redraw the screen")                          \
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

#define KEYMAP_LIST(X)                                        \
    X(KM_LOADING, "loading")      /* the loader runs */       \
    X(KM_FAILED, "failed")        /* loading failed */        \
    X(KM_GROUPS, "group list")    /* the retained groups */   \
    X(KM_OBJECTS, "object list")  /* a group's objects */     \
    X(KM_OBJECT, "object")        /* one object */            \
    X(KM_SORT, "sort pane")                                   \
    X(KM_FILTER, "filter pane")                               \
    X(KM_HELP, "help")                                        \
    X(KM_PROMPT, "prompt")        /* search text, file name */ \
    X(KM_CONFIRM, "confirm")      /* a yes/no question */     \
    X(KM_TEXT, "text pane")       /* why, problems */

typedef enum keymap {
#define KEYMAP_ENUM(id, name) id,
    KEYMAP_LIST(KEYMAP_ENUM)
#undef KEYMAP_ENUM
    KM_COUNT
} keymap;

#define KM_BIT(km) (1u << (km))
#define KM_LISTS (KM_BIT(KM_GROUPS) | KM_BIT(KM_OBJECTS) | KM_BIT(KM_OBJECT))
#define KM_DRILLED (KM_BIT(KM_OBJECTS) | KM_BIT(KM_OBJECT))

#define BINDING_LIST(X)                                                                   \
    X(KM_BIT(KM_LOADING), ACT_QUIT, "cancel", "stop loading and leave (exit status 1)")  \
    X(KM_BIT(KM_LOADING), ACT_QUIT_NOW, NULL, "stop loading and leave")                 \
    X(KM_BIT(KM_LOADING), ACT_CLOSE, NULL, "stop loading and leave")                    \
    X(KM_BIT(KM_FAILED), ACT_QUIT, "quit", "leave (exit status 1)")                      \
    X(KM_BIT(KM_FAILED), ACT_QUIT_NOW, NULL, "leave")                                   \
    X(KM_BIT(KM_FAILED), ACT_ACCEPT, NULL, "leave")                                     \
    X(KM_BIT(KM_FAILED), ACT_CLOSE, NULL, "leave")                                      \
    /* The lists. */                                                                      \
    X(KM_LISTS, ACT_DOWN, NULL, NULL)                                                     \
    X(KM_LISTS, ACT_UP, NULL, NULL)                                                       \
    X(KM_LISTS, ACT_PAGE_DOWN, NULL, NULL)                                                \
    X(KM_LISTS, ACT_PAGE_UP, NULL, NULL)                                                  \
    X(KM_LISTS, ACT_HOME, NULL, NULL)                                                     \
    X(KM_LISTS, ACT_END, NULL, NULL)                                                      \
    X(KM_BIT(KM_GROUPS), ACT_ENTER, "open", NULL)                                         \
    X(KM_DRILLED, ACT_ENTER, "follow", NULL)                                              \
    X(KM_BIT(KM_GROUPS), ACT_BACK, NULL, NULL)                                            \
    X(KM_DRILLED, ACT_BACK, "back", NULL)                                                 \
    X(KM_LISTS, ACT_SEARCH, "search", NULL)                                               \
    X(KM_LISTS, ACT_SEARCH_NEXT, NULL, NULL)                                              \
    X(KM_LISTS, ACT_SEARCH_PREV, NULL, NULL)                                              \
    X(KM_BIT(KM_GROUPS), ACT_FILTER, "filter", NULL)                                      \
    X(KM_DRILLED, ACT_FILTER, NULL, NULL)                                                 \
    X(KM_BIT(KM_GROUPS), ACT_SORT, "sort", NULL)                                          \
    X(KM_DRILLED, ACT_SORT, NULL, NULL)                                                   \
    X(KM_BIT(KM_GROUPS), ACT_REVERSE, "reverse", NULL)                                    \
    X(KM_DRILLED, ACT_REVERSE, NULL, NULL)                                                \
    X(KM_LISTS, ACT_WHY, NULL, NULL)                                                      \
    X(KM_LISTS, ACT_PROBLEMS, NULL, NULL)                                                 \
    X(KM_LISTS, ACT_EXPORT, "export", NULL)                                               \
    X(KM_LISTS, ACT_HELP, "help", NULL)                                                   \
    X(KM_BIT(KM_GROUPS), ACT_QUIT, "quit", NULL)                                          \
    X(KM_DRILLED, ACT_QUIT, "back", NULL)                                                 \
    X(KM_BIT(KM_GROUPS), ACT_QUIT_NOW, NULL, NULL)                                        \
    X(KM_DRILLED, ACT_QUIT_NOW, "quit", NULL)                                             \
    X(KM_LISTS, ACT_REDRAW, NULL, NULL)                                                   \
    /* The sort pane. */                                                                  \
    X(KM_BIT(KM_SORT), ACT_DOWN, NULL, "next key")                                        \
    X(KM_BIT(KM_SORT), ACT_UP, NULL, "previous key")                                      \
    X(KM_BIT(KM_SORT), ACT_ENTER, "choose", "sort by the key under the cursor")           \
    X(KM_BIT(KM_SORT), ACT_REVERSE, "reverse", NULL)                                      \
    X(KM_BIT(KM_SORT), ACT_CLOSE, "close", "close the pane")                              \
    X(KM_BIT(KM_SORT), ACT_QUIT, NULL, "close the pane")                                  \
    X(KM_BIT(KM_SORT), ACT_SORT, NULL, "close the pane")                                  \
    X(KM_BIT(KM_SORT), ACT_BACK, NULL, "close the pane")                                  \
    X(KM_BIT(KM_SORT), ACT_QUIT_NOW, NULL, NULL)                                          \
    /* The filter pane: other keys are typed into the field. */                           \
    X(KM_BIT(KM_FILTER), ACT_FIELD, "field", NULL)                                        \
    X(KM_BIT(KM_FILTER), ACT_CHOICE, "grouping", "the next grouping (in Group by)")       \
    X(KM_BIT(KM_FILTER), ACT_ERASE, NULL, NULL)                                           \
    X(KM_BIT(KM_FILTER), ACT_CLEAR, NULL, NULL)                                           \
    X(KM_BIT(KM_FILTER), ACT_ACCEPT, "keep", "keep the filter")                           \
    X(KM_BIT(KM_FILTER), ACT_CLOSE, "undo", "put back the filter the pane opened with")   \
    /* Help. */                                                                           \
    X(KM_BIT(KM_HELP), ACT_QUIT, "close", "close help")                                   \
    X(KM_BIT(KM_HELP), ACT_HELP, NULL, "close help")                                      \
    X(KM_BIT(KM_HELP), ACT_CLOSE, NULL, "close help")                                     \
    X(KM_BIT(KM_HELP), ACT_ACCEPT, NULL, "close help")                                    \
    X(KM_BIT(KM_HELP), ACT_BACK, NULL, "close help")                                      \
    X(KM_BIT(KM_HELP), ACT_QUIT_NOW, NULL, NULL)                                          \
    /* The prompt: other keys are typed. */                                               \
    X(KM_BIT(KM_PROMPT), ACT_ACCEPT, "done", "search, or export to the file named")       \
    X(KM_BIT(KM_PROMPT), ACT_CLOSE, "cancel", "cancel")                                   \
    X(KM_BIT(KM_PROMPT), ACT_ERASE, NULL, NULL)                                           \
    X(KM_BIT(KM_PROMPT), ACT_CLEAR, NULL, "erase the line")                               \
    X(KM_BIT(KM_CONFIRM), ACT_YES, "yes", NULL)                                           \
    X(KM_BIT(KM_CONFIRM), ACT_NO, "no", NULL)                                             \
    /* Text panes: the key that opened one (w, !) also closes it. */                      \
    X(KM_BIT(KM_TEXT), ACT_DOWN, "scroll", "scroll down")                                 \
    X(KM_BIT(KM_TEXT), ACT_UP, NULL, "scroll up")                                         \
    X(KM_BIT(KM_TEXT), ACT_PAGE_DOWN, NULL, NULL)                                         \
    X(KM_BIT(KM_TEXT), ACT_PAGE_UP, NULL, NULL)                                           \
    X(KM_BIT(KM_TEXT), ACT_QUIT, "close", "close the pane")                               \
    X(KM_BIT(KM_TEXT), ACT_CLOSE, NULL, "close the pane")                                 \
    X(KM_BIT(KM_TEXT), ACT_BACK, NULL, "close the pane")                                  \
    X(KM_BIT(KM_TEXT), ACT_QUIT_NOW, NULL, NULL)

/* The action bound to a curses key in key map km, or ACT_NONE. Ctrl-L and
 * a resize are the loop's, in every map. */
action keymap_action(keymap km, int key);

/* Writes km's key bar: " KEY WORD  KEY WORD ..." for the bindings with a
 * bar word, KEY being the first word of the action's key names. Returns
 * the length. */
size_t keymap_bar(keymap km, char *buf, size_t size);

/* The help lines of km, in table order: binding k (0-based) of km gives
 * its action (when act is not NULL), key names and help text; false past
 * the last one. */
bool keymap_help(keymap km, size_t k, action *act, const char **keys, const char **help);

/* How many help lines km has. */
size_t keymap_help_count(keymap km);

/* Key names and help line of an action. */
const char *action_keys(action a);
const char *action_help(action a);

/* Does a key belong to an action (in any map)? */
bool action_has_key(action a, int key);

#endif

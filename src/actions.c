/* actions.c - key lookup and help text, generated from ACTION_LIST. */
#include <curses.h>

#include "actions.h"

typedef struct action_entry {
    int keys[8];        /* curses key codes, 0-terminated */
    const char *names;  /* how help shows the keys */
    const char *help;   /* what the action does */
} action_entry;

#define KEYS(...) { __VA_ARGS__, 0 }

static const action_entry table[ACT_COUNT] = {
    [ACT_NONE] = { { 0 }, "", "" },
#define ACTION_ENTRY(id, keys, names, help) [id] = { keys, names, help },
    ACTION_LIST(ACTION_ENTRY)
#undef ACTION_ENTRY
};

action action_for_key(int key)
{
    for (int a = 1; a < ACT_COUNT; a++)
        for (const int *k = table[a].keys; *k; k++)
            if (*k == key)
                return (action)a;
    return ACT_NONE;
}

const char *action_keys(action a)
{
    return a < ACT_COUNT ? table[a].names : "";
}

const char *action_help(action a)
{
    return a < ACT_COUNT ? table[a].help : "";
}

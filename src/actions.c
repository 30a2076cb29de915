/* actions.c - key lookup, key bars and help text, generated from
 * ACTION_LIST and the key maps. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "actions.h"

typedef struct action_entry {
    int keys[8];        /* curses key codes, 0-terminated */
    const char *names;  /* how help shows the keys */
    const char *help;   /* what the action does */
} action_entry;

#define KEYS(...) { __VA_ARGS__, 0 }

static const action_entry actions[ACT_COUNT] = {
    [ACT_NONE] = { { 0 }, "", "" },
#define ACTION_ENTRY(id, keys, names, help) [id] = { keys, names, help },
    ACTION_LIST(ACTION_ENTRY)
#undef ACTION_ENTRY
};

bool action_has_key(action a, int key)
{
    if (a <= ACT_NONE || a >= ACT_COUNT)
        return false;
    for (const int *k = actions[a].keys; *k; k++)
        if (*k == key)
            return true;
    return false;
}

action keymap_action(const key_map *km, int key)
{
    for (size_t b = 0; b < km->n; b++)
        if (action_has_key(km->bindings[b].act, key))
            return km->bindings[b].act;
    return ACT_NONE;
}

size_t keymap_bar(const key_map *km, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t b = 0; b < km->n; b++) {
        const key_binding *kb = &km->bindings[b];
        if (!kb->bar)
            continue;
        const char *names = actions[kb->act].names;
        int first = (int)strcspn(names, " ");
        int w = snprintf(buf + len, size - len, "%s%.*s %s", len ? "  " : " ", first, names, kb->bar);
        if (w < 0 || (size_t)w >= size - len) {
            buf[len] = '\0';
            break;
        }
        len += (size_t)w;
    }
    return len;
}

const char *keymap_help(const key_map *km, size_t k)
{
    const key_binding *kb = &km->bindings[k];
    return kb->help ? kb->help : actions[kb->act].help;
}

const char *action_keys(action a)
{
    return a < ACT_COUNT ? actions[a].names : "";
}

const char *action_help(action a)
{
    return a < ACT_COUNT ? actions[a].help : "";
}

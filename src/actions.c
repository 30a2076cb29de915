/* actions.c - key lookup, key bars and help, generated from ACTION_LIST and
 * BINDING_LIST. */
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

typedef struct binding {
    unsigned keymaps;   /* KM_BIT mask of the maps the row applies to */
    action act;
    const char *bar;    /* the key bar's word, or NULL */
    const char *help;   /* help's text there, or NULL for the action's */
} binding;

static const binding bindings[] = {
#define BINDING_ENTRY(maps, act, bar, help) { maps, act, bar, help },
    BINDING_LIST(BINDING_ENTRY)
#undef BINDING_ENTRY
};

#define NBINDINGS (sizeof bindings / sizeof bindings[0])

bool action_has_key(action a, int key)
{
    if (a <= ACT_NONE || a >= ACT_COUNT)
        return false;
    for (const int *k = actions[a].keys; *k; k++)
        if (*k == key)
            return true;
    return false;
}

action keymap_action(keymap km, int key)
{
    for (size_t b = 0; b < NBINDINGS; b++)
        if ((bindings[b].keymaps & KM_BIT(km)) && action_has_key(bindings[b].act, key))
            return bindings[b].act;
    return ACT_NONE;
}

size_t keymap_bar(keymap km, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t b = 0; b < NBINDINGS; b++) {
        if (!(bindings[b].keymaps & KM_BIT(km)) || !bindings[b].bar)
            continue;
        const char *names = actions[bindings[b].act].names;
        int first = (int)strcspn(names, " ");
        int w = snprintf(buf + len, size - len, "%s%.*s %s", len ? "  " : " ", first, names, bindings[b].bar);
        if (w < 0 || (size_t)w >= size - len) {
            buf[len] = '\0'; /* what does not fit is left off whole */
            break;
        }
        len += (size_t)w;
    }
    return len;
}

bool keymap_help(keymap km, size_t k, action *act, const char **keys, const char **help)
{
    for (size_t b = 0; b < NBINDINGS; b++) {
        if (!(bindings[b].keymaps & KM_BIT(km)))
            continue;
        if (k-- == 0) {
            if (act)
                *act = bindings[b].act;
            *keys = actions[bindings[b].act].names;
            *help = bindings[b].help ? bindings[b].help : actions[bindings[b].act].help;
            return true;
        }
    }
    return false;
}

size_t keymap_help_count(keymap km)
{
    size_t n = 0;
    for (size_t b = 0; b < NBINDINGS; b++)
        n += (bindings[b].keymaps & KM_BIT(km)) != 0;
    return n;
}

const char *action_keys(action a)
{
    return a < ACT_COUNT ? actions[a].names : "";
}

const char *action_help(action a)
{
    return a < ACT_COUNT ? actions[a].help : "";
}

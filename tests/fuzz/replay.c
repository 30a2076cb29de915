/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput on saved inputs,
 * without libFuzzer, as a TAP test.
 *
 *   replay_TARGET [FILE|DIR]...
 *
 * With no argument it reads REGRESS_DIR (set at build time: the target's
 * tests/fuzz/regress/ directory). Every file is one test, run in a child
 * process so that a crash (abort, a sanitizer report) is one "not ok" line
 * and the others still run. Files are taken in name order.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef REGRESS_DIR
#define REGRESS_DIR "."
#endif

/* The inputs to run: paths, owned. */
typedef struct input_list {
    char **path; /* each input file */
    size_t n;    /* entries used */
    size_t cap;  /* entries allocated */
} input_list;

static void add(input_list *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->path = realloc(l->path, l->cap * sizeof *l->path);
        if (!l->path) {
            perror("replay");
            exit(99);
        }
    }
    l->path[l->n] = strdup(path);
    if (!l->path[l->n]) {
        perror("replay");
        exit(99);
    }
    l->n++;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds path, or the regular files in it (not those whose name starts with
 * a dot, nor README) when it is a directory. */
static void collect(input_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("Bail out! %s: %s\n", path, strerror(errno));
        exit(99);
    }
    if (!S_ISDIR(st.st_mode)) {
        add(l, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        printf("Bail out! %s: %s\n", path, strerror(errno));
        exit(99);
    }
    size_t first = l->n;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
            continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            add(l, full);
    }
    closedir(d);
    qsort(l->path + first, l->n - first, sizeof *l->path, cmp_path);
}

/* Reads a whole file; NULL on failure. */
static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            uint8_t *more = realloc(buf, cap);
            if (!more)
                free(buf);
            buf = more;
        }
    }
    fclose(f);
    *size = n;
    return buf;
}

/* Runs one input in a child; true when it returned normally. */
static bool run_one(const char *path, char *why, size_t why_size)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        size_t size = 0;
        uint8_t *data = read_all(path, &size);
        if (!data)
            _exit(98);
        /* Exactly sized, as libFuzzer passes it, so a read past the end shows. */
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
            _exit(98);
        memcpy(copy, data, size);
        free(data);
        LLVMFuzzerTestOneInput(copy, size);
        free(copy);
        exit(0); /* exit, not _exit: LeakSanitizer runs at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(why, why_size, "waitpid: %s", strerror(errno));
            return false;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFEXITED(status))
        snprintf(why, why_size, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(why, why_size, "killed by signal %d", WTERMSIG(status));
    return false;
}

int main(int argc, char **argv)
{
    input_list l = { NULL, 0, 0 };
    if (argc < 2)
        collect(&l, REGRESS_DIR);
    for (int i = 1; i < argc; i++)
        collect(&l, argv[i]);
    if (l.n == 0) {
        printf("1..0 # SKIP no inputs\n");
        return 0;
    }
    printf("1..%zu\n", l.n);
    int failed = 0;
    for (size_t k = 0; k < l.n; k++) {
        const char *name = strrchr(l.path[k], '/');
        name = name ? name + 1 : l.path[k];
        char why[128] = "";
        if (run_one(l.path[k], why, sizeof why)) {
            printf("ok %zu - %s\n", k + 1, name);
        } else {
            printf("not ok %zu - %s (%s)\n", k + 1, name, why);
            failed = 1;
        }
        free(l.path[k]);
    }
    free(l.path);
    return failed;
}

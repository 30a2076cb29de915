/* mapguard.c - the SIGBUS handler for mapped dumps (see mapguard.h). */
#define _GNU_SOURCE
#include "mapguard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* At most this many mappings at once: heapsift keeps two dumps mapped (the
 * subject and the latest) and maps one more while it loads. */

typedef struct guard_slot {
    _Atomic uintptr_t start; /* first byte of the range; 0 while the slot is free */
    _Atomic size_t len;      /* bytes in the range; 0 while the slot is being
                                filled or emptied, so the handler skips it */
    _Atomic uint64_t fault;  /* lowest faulting page offset, or MAPGUARD_NO_FAULT */
} guard_slot;

static guard_slot slots[MAPGUARD_SLOTS];
static struct sigaction previous;  /* the SIGBUS action before ours */
static size_t page;                /* page size, read before the handler is installed */
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static bool installed;

bool mapguard_handle(void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    for (size_t k = 0; k < MAPGUARD_SLOTS; k++) {
        uintptr_t start = atomic_load(&slots[k].start);
        size_t len = atomic_load(&slots[k].len);
        if (!start || !len || a < start || a - start >= len)
            continue;
        uintptr_t from = a & ~(uintptr_t)(page - 1);
        /* The file ends before this page: zeros from here on, so every
         * later read of the range is quiet too. */
        void *p = mmap((void *)from, start + len - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                       -1, 0);
        if (p == MAP_FAILED)
            return false;
        uint64_t off = from - start, seen = atomic_load(&slots[k].fault);
        while (off < seen && !atomic_compare_exchange_weak(&slots[k].fault, &seen, off))
            ;
        return true;
    }
    return false;
}

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (mapguard_handle(si->si_addr))
        return;
    /* Not a dump's page (or it could not be replaced): the fault means what
     * it meant before heapsift, and happens again on return. */
    sigaction(SIGBUS, &previous, NULL);
}

static void install(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    installed = sigaction(SIGBUS, &sa, &previous) == 0;
}

int mapguard_add(void *start, size_t len)
{
    pthread_once(&install_once, install);
    if (!installed || !start || !len)
        return -1;
    for (int k = 0; k < MAPGUARD_SLOTS; k++) {
        uintptr_t expected = 0;
        /* Claim the slot (its len is 0, so the handler ignores it), then
         * make it live by giving it a length. */
        if (!atomic_compare_exchange_strong(&slots[k].start, &expected, (uintptr_t)start))
            continue;
        atomic_store(&slots[k].fault, MAPGUARD_NO_FAULT);
        atomic_store(&slots[k].len, len);
        return k;
    }
    return -1;
}

void mapguard_remove(int slot)
{
    if (slot < 0 || slot >= MAPGUARD_SLOTS)
        return;
    atomic_store(&slots[slot].len, 0);
    atomic_store(&slots[slot].start, 0);
}

uint64_t mapguard_fault(int slot)
{
    if (slot < 0 || slot >= MAPGUARD_SLOTS)
        return MAPGUARD_NO_FAULT;
    return atomic_load(&slots[slot].fault);
}

/* mapguard.h - surviving a mapped file that shrinks while it is read.
 *
 * Reading a page of a file mapping that lies past the file's end raises
 * SIGBUS, which kills the process. A dump that is truncated or rewritten
 * while heapsift has it mapped would do that, with no word of why. So every
 * file mapping is registered here: the SIGBUS handler (installed by the
 * first mapguard_add) maps zero pages over the rest of a registered range
 * from the page that faulted, records where that was, and returns, so the
 * reader goes on over zeros. The owner of the range then asks
 * mapguard_fault whether it happened and fails with a message (see
 * dumpfile_check). A SIGBUS outside every registered range keeps its old
 * meaning: the handler puts the previous action back and the fault repeats.
 *
 * Any thread may call these functions; the handler touches only atomics and
 * calls only mmap and sigaction.
 */
#ifndef HEAPSIFT_MAPGUARD_H
#define HEAPSIFT_MAPGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File mappings registered at once (each loaded dump that keeps its text
 * mapped holds one). */
#define MAPGUARD_SLOTS 64

/* mapguard_fault's answer when no page of the range faulted. */
#define MAPGUARD_NO_FAULT UINT64_MAX

/* Registers the page-aligned range [start, start + len) of a file mapping.
 * Returns a slot number for the other calls, or -1 when every slot is taken
 * or the handler cannot be installed (the caller should then not map). */
int mapguard_add(void *start, size_t len);

/* For another SIGBUS handler that replaced this one (the explorer's crash
 * handler): treats a fault at addr as mapguard's handler would. True when
 * addr was in a registered range and the fault was absorbed (return from
 * the handler); false when it is someone else's fault. Async-signal-safe. */
bool mapguard_handle(void *addr);

/* Forgets a slot; call before unmapping its range. */
void mapguard_remove(int slot);

/* The offset from the range's start of the first page that faulted (the
 * file ended before it), or MAPGUARD_NO_FAULT. */
uint64_t mapguard_fault(int slot);

#endif

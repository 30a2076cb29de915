/* problems.h - what was wrong with the dumps, in words: each dump's
 * file-level warning (a damaged gzip stream, a file that grew), a dump
 * that is the one before it again, its duplicated addresses, and its lines
 * that were repaired or skipped with
 * line, byte and reason. main writes it to stderr after a report; the
 * explorer shows it in a pane. */
#ifndef HEAPSIFT_PROBLEMS_H
#define HEAPSIFT_PROBLEMS_H

#include <stdbool.h>
#include <stdio.h>

#include "session.h"

/* Problem lines listed per dump on the command line (the rest are counted);
 * the explorer shows every one a dump keeps (HEAP_MAX_PROBLEMS). */
#define PROBLEMS_SHOWN_CLI 3

/* Writes every warning about the session's dumps to out, one per line, each line
 * starting with `prefix` ("heapsift: " or ""), at most `shown` problem lines
 * per dump; text from the dumps escaped when `escape` (textsafe). Writes
 * nothing when all is well. */
void problems_write(FILE *out, const session *ses, const char *prefix, unsigned shown, bool escape);

/* How many dumps have something problems_write would say (for the
 * explorer's status line). */
size_t problems_dumps(const session *ses);

/* Objects the dumps show moved by compaction (see diff_result), 0 when
 * none did. */
uint64_t problems_moved(const session *ses);

/* One line for the explorer's status line saying the worst of it: a dump
 * that shrank while open (from which byte it reads as zeros), else how
 * many lines were repaired and skipped, else that there are warnings.
 * Writes "" and returns false when all is well. */
bool problems_summary(const session *ses, char *buf, size_t size);

#endif

/* textsafe.h - making bytes from a dump safe to show on a terminal.
 *
 * A dump is data from a production process: its strings, paths and names can
 * hold escape sequences, control characters, bidirectional overrides or
 * invalid UTF-8. Before any of it reaches a terminal it goes through
 * textsafe_escape, which keeps printable UTF-8 and writes everything else
 * visibly: \n \t \r \\ for the common ones, \xNN for other bytes, \u{NNNN}
 * for invisible or reordering code points. Pure function, any thread.
 */
#ifndef HEAPSIFT_TEXTSAFE_H
#define HEAPSIFT_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the escaped form of s[0..len) into buf (at most size bytes, always
 * NUL-terminated when size > 0). Returns the length the full escaped text
 * would have, like snprintf, so a caller can tell it was cut. */
size_t textsafe_escape(const char *s, size_t len, char *buf, size_t size);

/* True when s[0..len) would be written unchanged. */
bool textsafe_is_clean(const char *s, size_t len);

/* Writes s[0..len) to out: escaped, whole however long, when `escape`;
 * the bytes as they are otherwise (a report written to a file). */
void textsafe_write(FILE *out, const char *s, size_t len, bool escape);

#endif

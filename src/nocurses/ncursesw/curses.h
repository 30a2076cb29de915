/* Found first on the core library's include path (Makefile.am,
 * CORE_CPPFLAGS): only src/ui*.c and src/actions.c may use curses. */
#error "curses in the core library: move this code into the UI (src/ui*.c)"

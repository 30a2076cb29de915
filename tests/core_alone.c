/* core_alone.c - linked with every object of the core library and no curses
 * or UI library (see Makefile.am): that it links is the test. */
int main(void)
{
    return 0;
}

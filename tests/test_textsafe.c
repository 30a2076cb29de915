/* test_textsafe.c - escaping dump bytes for a terminal. */
#include "testutil.h"

#include "textsafe.h"

/* Escapes s[0..len) into a roomy buffer, checks the returned length against
 * what was written and that is_clean agrees, and compares with want. */
static void check_escape(const char *s, size_t len, const char *want)
{
    char buf[256];
    size_t n = textsafe_escape(s, len, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    bool unchanged = len == strlen(want) && memcmp(s, want, len) == 0;
    assert_int_equal(textsafe_is_clean(s, len), unchanged);
}

#define CHECK(lit, want) check_escape(lit, sizeof(lit) - 1, want)

static void clean_text_unchanged(void **state)
{
    (void)state;
    CHECK("", "");
    CHECK("app/models/user.rb:12", "app/models/user.rb:12");
    CHECK(" !\"#~", " !\"#~");
    CHECK("caf\xc3\xa9.rb", "caf\xc3\xa9.rb");                 /* é */
    CHECK("\xe6\xbc\xa2\xe5\xad\x97", "\xe6\xbc\xa2\xe5\xad\x97"); /* 漢字 */
    CHECK("\xf0\x9f\x92\xa5", "\xf0\x9f\x92\xa5");             /* U+1F4A5, 4 bytes */
    CHECK("\xc2\xa0", "\xc2\xa0");                             /* U+00A0, just past C1 */
    CHECK("\xef\xbf\xbd", "\xef\xbf\xbd");                     /* U+FFFD */
}

static void escape_sequences(void **state)
{
    (void)state;
    CHECK("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
    CHECK("\x1b]0;title\x07", "\\x1b]0;title\\x07"); /* OSC ... BEL */
}

static void c0_controls(void **state)
{
    (void)state;
    CHECK("a\nb\tc\rd", "a\\nb\\tc\\rd");
    CHECK("\x01\x08\x1f", "\\x01\\x08\\x1f");
    CHECK("del\x7f", "del\\x7f");
    CHECK("x\0y", "x\\x00y"); /* read by length, not up to the NUL */
}

static void c1_controls(void **state)
{
    (void)state;
    CHECK("\xc2\x9b" "31m", "\\u{009b}31m"); /* CSI encoded as UTF-8 */
    CHECK("\xc2\x85", "\\u{0085}");
    CHECK("\xc2\x80\xc2\x9f", "\\u{0080}\\u{009f}");
    CHECK("\x9b" "31m", "\\x9b31m");           /* a raw C1 byte is invalid UTF-8 */
}

static void invisible_and_reordering(void **state)
{
    (void)state;
    CHECK("evil\xe2\x80\xae" "bur.exe", "evil\\u{202e}bur.exe"); /* RLO */
    CHECK("\xe2\x80\xaa\xe2\x80\xac", "\\u{202a}\\u{202c}");
    CHECK("\xe2\x81\xa6x\xe2\x81\xa9", "\\u{2066}x\\u{2069}");   /* isolates */
    CHECK("a\xe2\x80\x8b" "b", "a\\u{200b}b");                   /* zero width space */
    CHECK("\xe2\x80\x8f", "\\u{200f}");                          /* RLM */
    CHECK("\xe2\x80\xa8", "\\u{2028}");
    CHECK("\xef\xbb\xbf" "x", "\\u{feff}x");                     /* BOM */
}

static void invalid_utf8(void **state)
{
    (void)state;
    CHECK("lib/caf\xe9.rb", "lib/caf\\xe9.rb");          /* Latin-1, as in broken-paths.json */
    CHECK("\xc0\xaf", "\\xc0\\xaf");                     /* overlong '/' */
    CHECK("\xe0\x80\xaf", "\\xe0\\x80\\xaf");            /* overlong, 3 bytes */
    CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");            /* surrogate */
    CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");   /* past U+10FFFF */
    CHECK("\xff\xfe", "\\xff\\xfe");
    CHECK("ok\xe6\xbc", "ok\\xe6\\xbc");                 /* sequence cut at the end */
    CHECK("\xe6\xbc" "a", "\\xe6\\xbc" "a");             /* cut by an ASCII byte */
    CHECK("\xa9\xc3\xa9", "\\xa9\xc3\xa9");              /* stray continuation, then é */
}

static void backslash(void **state)
{
    (void)state;
    CHECK("lib\\we\"ird.rb", "lib\\\\we\"ird.rb");
    CHECK("\\x1b", "\\\\x1b"); /* text that looks like an escape stays distinguishable */
}

/* Like snprintf: the full length is returned whatever fits, the output is a
 * prefix of the full text, and it is always terminated. */
static void truncation(void **state)
{
    (void)state;
    const char *s = "a\x1b" "bc\xe2\x80\xae" "d";
    size_t len = strlen(s);
    const char *full = "a\\x1bbc\\u{202e}d";
    size_t full_len = strlen(full);
    assert_int_equal(textsafe_escape(s, len, NULL, 0), full_len);
    for (size_t size = 1; size <= full_len + 2; size++) {
        char buf[64];
        memset(buf, '#', sizeof buf);
        assert_int_equal(textsafe_escape(s, len, buf, size), full_len);
        size_t kept = size - 1 < full_len ? size - 1 : full_len;
        assert_int_equal(strlen(buf), kept);
        assert_memory_equal(buf, full, kept);
        assert_int_equal(buf[size], '#'); /* nothing written past size */
    }
    char one = 'x';
    assert_int_equal(textsafe_escape("abc", 3, &one, 1), 3);
    assert_int_equal(one, '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_text_unchanged),
        cmocka_unit_test(escape_sequences),
        cmocka_unit_test(c0_controls),
        cmocka_unit_test(c1_controls),
        cmocka_unit_test(invisible_and_reordering),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(backslash),
        cmocka_unit_test(truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

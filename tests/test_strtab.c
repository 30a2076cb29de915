/* test_strtab.c - interned byte strings: ids, lengths, merging. */
#include "testutil.h"

#include "strtab.h"

static void new_table_holds_only_absent(void **state)
{
    (void)state;
    strtab *t = strtab_new();
    assert_int_equal(strtab_count(t), 1);
    size_t len = 99;
    assert_string_equal(strtab_str(t, STRTAB_NONE, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(strtab_find(t, "x", 1), STRTAB_NONE);
    assert_int_equal(strtab_count(t), 1); /* find never adds */
    strtab_free(t);
}

static void intern_is_stable(void **state)
{
    (void)state;
    strtab *t = strtab_new();
    assert_int_equal(strtab_intern(t, "app.rb", 6), 1);
    assert_int_equal(strtab_intern(t, "lib.rb", 6), 2);
    assert_int_equal(strtab_intern(t, "app.rb", 6), 1);
    assert_int_equal(strtab_count(t), 3);
    assert_int_equal(strtab_find(t, "lib.rb", 6), 2);
    assert_int_equal(strtab_find(t, "lib.r", 5), STRTAB_NONE); /* a prefix is another string */
    assert_int_equal(strtab_find(t, "lib.rbx", 7), STRTAB_NONE);
    size_t len;
    assert_string_equal(strtab_str(t, 2, &len), "lib.rb");
    assert_int_equal(len, 6);
    assert_string_equal(strtab_str(t, 1, NULL), "app.rb");
    strtab_free(t);
}

/* The input need not be terminated and stays the caller's. */
static void input_is_copied(void **state)
{
    (void)state;
    strtab *t = strtab_new();
    char buf[] = "xxmethodyy";
    uint32_t id = strtab_intern(t, buf + 2, 6);
    memset(buf, 'z', sizeof buf - 1);
    size_t len;
    const char *s = strtab_str(t, id, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(s, "method\0", 7);
    assert_int_equal(strtab_find(t, "method", 6), id);
    strtab_free(t);
}

/* A present but empty string is not the absent one. */
static void empty_string_has_its_own_id(void **state)
{
    (void)state;
    strtab *t = strtab_new();
    uint32_t id = strtab_intern(t, "", 0);
    assert_int_not_equal(id, STRTAB_NONE);
    assert_int_equal(strtab_intern(t, "", 0), id);
    assert_int_equal(strtab_find(t, "", 0), id);
    size_t len = 99;
    assert_string_equal(strtab_str(t, id, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(strtab_count(t), 2);
    strtab_free(t);
}

static void nul_bytes_are_part_of_the_string(void **state)
{
    (void)state;
    strtab *t = strtab_new();
    uint32_t ab = strtab_intern(t, "a\0b", 3);
    uint32_t ac = strtab_intern(t, "a\0c", 3);
    uint32_t a = strtab_intern(t, "a", 1);
    uint32_t a0 = strtab_intern(t, "a\0", 2);
    uint32_t nul = strtab_intern(t, "\0", 1);
    assert_int_equal(ab, 1);
    assert_int_equal(ac, 2);
    assert_int_equal(a, 3);
    assert_int_equal(a0, 4);
    assert_int_equal(nul, 5);
    assert_int_equal(strtab_intern(t, "", 0), 6); /* not the same as "\0" */
    size_t len;
    assert_memory_equal(strtab_str(t, ac, &len), "a\0c", 4);
    assert_int_equal(len, 3);
    strtab_str(t, a0, &len);
    assert_int_equal(len, 2);
    assert_int_equal(strtab_find(t, "a\0b", 3), ab);
    assert_int_equal(strtab_find(t, "a\0d", 3), STRTAB_NONE);
    strtab_free(t);
}

/* Many strings and one larger than an arena block: ids stay dense and
 * earlier pointers stay valid as the table grows. */
static void growth_keeps_pointers(void **state)
{
    (void)state;
    strtab *t = strtab_new();
    const char *first = strtab_str(t, strtab_intern(t, "first", 5), NULL);
    char key[32];
    for (unsigned i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "lib/file_%u.rb", i);
        assert_int_equal(strtab_intern(t, key, (size_t)n), i + 2);
    }
    size_t big_len = 200000;
    char *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('a' + i % 26);
    uint32_t big_id = strtab_intern(t, big, big_len);
    assert_int_equal(big_id, 100002);
    assert_int_equal(strtab_count(t), 100003);

    assert_ptr_equal(strtab_str(t, 1, NULL), first);
    assert_string_equal(first, "first");
    assert_string_equal(strtab_str(t, 2, NULL), "lib/file_0.rb");
    assert_string_equal(strtab_str(t, 100001, NULL), "lib/file_99999.rb");
    assert_int_equal(strtab_find(t, "lib/file_4242.rb", 16), 4244);
    size_t len;
    const char *s = strtab_str(t, big_id, &len);
    assert_int_equal(len, big_len);
    assert_memory_equal(s, big, big_len);
    assert_int_equal(s[big_len], '\0');
    free(big);
    strtab_free(t);
}

static void merge_maps_ids(void **state)
{
    (void)state;
    strtab *dst = strtab_new();
    strtab_intern(dst, "x.rb", 4);  /* 1 */
    strtab_intern(dst, "y.rb", 4);  /* 2 */
    strtab *src = strtab_new();
    strtab_intern(src, "y.rb", 4);  /* 1 */
    strtab_intern(src, "z\0z", 3);  /* 2 */
    strtab_intern(src, "", 0);      /* 3 */
    strtab_intern(src, "x.rb", 4);  /* 4 */
    uint32_t *map = strtab_merge(dst, src);
    assert_int_equal(map[0], STRTAB_NONE);
    assert_int_equal(map[1], 2);
    assert_int_equal(map[2], 3);
    assert_int_equal(map[3], 4);
    assert_int_equal(map[4], 1);
    assert_int_equal(strtab_count(dst), 5);
    assert_int_equal(strtab_count(src), 5); /* src is left as it was */
    size_t len;
    assert_memory_equal(strtab_str(dst, 3, &len), "z\0z", 3);
    assert_int_equal(len, 3);
    free(map);

    /* Merging again adds nothing; merging an empty table maps only 0. */
    map = strtab_merge(dst, src);
    assert_int_equal(map[2], 3);
    assert_int_equal(strtab_count(dst), 5);
    free(map);
    strtab *empty = strtab_new();
    map = strtab_merge(dst, empty);
    assert_int_equal(map[0], STRTAB_NONE);
    assert_int_equal(strtab_count(dst), 5);
    free(map);
    strtab_free(empty);
    strtab_free(src);
    strtab_free(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_table_holds_only_absent),
        cmocka_unit_test(intern_is_stable),
        cmocka_unit_test(input_is_copied),
        cmocka_unit_test(empty_string_has_its_own_id),
        cmocka_unit_test(nul_bytes_are_part_of_the_string),
        cmocka_unit_test(growth_keeps_pointers),
        cmocka_unit_test(merge_maps_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

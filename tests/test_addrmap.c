/* test_addrmap.c - finding objects by address: the guess from a block's
 * spacing and the steps and binary search behind it, against a plain
 * search over the same addresses. */
#include "testutil.h"

#include "addrmap.h"

/* A fixed pseudo-random sequence (xorshift64), so failures repeat. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* What addrmap_find must answer, by looking at every address: ADDRMAP_NONE
 * when a is not among addr[0..n), else true when `got` is an object at a. */
static void assert_finds(const uint64_t *addr, size_t n, const addrmap *m, uint64_t a)
{
    bool present = false;
    for (size_t i = 0; i < n && !present; i++)
        present = addr[i] == a;
    uint32_t got = addrmap_find(m, a);
    if (!present) {
        assert_int_equal(got, ADDRMAP_NONE);
        return;
    }
    assert_int_not_equal(got, ADDRMAP_NONE);
    assert_true(got < n);
    assert_int_equal(addr[got], a);
}

/* A Ruby heap: 40-byte slots, 64 KiB pages in shuffled order, some slots
 * empty. Every object is found at its own index; the bytes between slots,
 * the slots left empty and the blocks with no page are not. */
static void finds_every_slot_of_shuffled_pages(void **state)
{
    (void)state;
    const size_t pages = 50, per_page = 65536 / 40;
    uint64_t *addr = malloc(pages * per_page * sizeof *addr);
    size_t order[50], n = 0;
    for (size_t p = 0; p < pages; p++)
        order[p] = p;
    uint64_t seed = 7;
    for (size_t p = pages - 1; p > 0; p--) {
        size_t q = next_random(&seed) % (p + 1), t = order[p];
        order[p] = order[q];
        order[q] = t;
    }
    const uint64_t base = 0x7f3a00000000ULL;
    for (size_t p = 0; p < pages; p++)
        for (size_t k = 0; k < per_page; k++)
            if (k % 7 != 3) /* every seventh slot free */
                addr[n++] = base + 2 * order[p] * 65536 + 16 + k * 40; /* every other block empty */
    addrmap m;
    addrmap_build(&m, addr, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(addrmap_find(&m, addr[i]), i);
    for (size_t p = 0; p < 2 * pages; p++) {
        uint64_t page = base + p * 65536;
        assert_finds(addr, n, &m, page);          /* before the first slot */
        assert_finds(addr, n, &m, page + 16 + 3 * 40); /* a free slot */
        assert_finds(addr, n, &m, page + 16 + 8);  /* inside a slot */
        assert_finds(addr, n, &m, page + 65535);  /* past the last */
    }
    assert_int_equal(addrmap_find(&m, 0), ADDRMAP_NONE);
    assert_int_equal(addrmap_find(&m, UINT64_MAX), ADDRMAP_NONE);
    addrmap_free(&m);
    free(addr);
}

/* Blocks filled unevenly (slots of several sizes, clusters, a block with
 * one address): the guess misses by far, and the search behind it still
 * finds each address and nothing else. */
static void finds_in_uneven_blocks(void **state)
{
    (void)state;
    const size_t n = 20000;
    uint64_t *addr = malloc(n * sizeof *addr);
    uint64_t seed = 99;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_random(&seed);
        uint64_t block = 0x55000000ULL + r % 16;
        /* Most in the first 2 KiB of a block (even blocks: the guess falls
         * short) or in the last (odd ones: it overshoots), the rest spread
         * over it. */
        uint64_t off = (r >> 8) % 8 ? (r >> 16) % 2048 : (r >> 16) % 65536;
        if (block % 2 && (r >> 8) % 8)
            off = 65535 - off;
        addr[i] = (block << 16) + (off & ~(uint64_t)7);
    }
    addr[n - 1] = 0x66000000ULL << 16; /* a block of its own */
    addrmap m;
    addrmap_build(&m, addr, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(addr[addrmap_find(&m, addr[i])], addr[i]);
    for (size_t q = 0; q < 4000; q++) {
        uint64_t r = next_random(&seed);
        assert_finds(addr, n, &m, ((0x55000000ULL + r % 17) << 16) + ((r >> 16) % 65536));
    }
    assert_finds(addr, n, &m, (0x66000000ULL << 16) + 8);
    addrmap_free(&m);
    free(addr);
}

/* Many objects at one address (a hostile dump) and none at all. */
static void copes_with_duplicates_and_nothing(void **state)
{
    (void)state;
    const size_t n = 70000; /* more copies than the guess's 65535 steps */
    uint64_t *addr = malloc(n * sizeof *addr);
    for (size_t i = 0; i < n; i++)
        addr[i] = i % 2 ? 0x7f0000001000ULL : 0x7f0000001000ULL + 40 * (i % 100);
    addrmap m;
    addrmap_build(&m, addr, n);
    for (size_t i = 0; i < n; i += 97)
        assert_int_equal(addr[addrmap_find(&m, addr[i])], addr[i]);
    assert_int_equal(addrmap_find(&m, 0x7f0000001000ULL + 20), ADDRMAP_NONE);
    addrmap_free(&m);
    free(addr);

    addrmap empty;
    addrmap_build(&empty, NULL, 0);
    assert_int_equal(addrmap_find(&empty, 0x7f0000001000ULL), ADDRMAP_NONE);
    addrmap_free(&empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_every_slot_of_shuffled_pages),
        cmocka_unit_test(finds_in_uneven_blocks),
        cmocka_unit_test(copes_with_duplicates_and_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

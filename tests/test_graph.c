/* test_graph.c - the reference graph on small graphs with known dominators,
 * and on a million-deep chain (no recursion anywhere). */
#include "testutil.h"

#include "graph.h"

#define N GRAPH_NONE

/* Builds a graph from adjacency lists: adj[v] ends with N. */
static void build(graph *g, uint32_t n, const uint32_t adj[][6], const uint32_t *roots, const uint8_t *kinds,
                  size_t nroots)
{
    uint64_t *start = calloc(n + 1, sizeof *start);
    uint32_t refs[256];
    size_t at = 0;
    for (uint32_t v = 0; v < n; v++) {
        start[v] = at;
        for (int k = 0; adj[v][k] != N; k++) {
            if (adj[v][k] == 999)
                refs[at++] = GRAPH_NONE; /* a dangling reference */
            else
                refs[at++] = adj[v][k];
        }
    }
    start[n] = at;
    graph_build(g, n, start, refs, roots, kinds, nroots);
    free(start);
}

/* root -> 0; 0 -> 1, 2; 1 -> 3; 2 -> 3; 4 is unreachable and points at 3. */
static void diamond_and_unreachable(void **state)
{
    (void)state;
    static const uint32_t adj[5][6] = { { 1, 2, N }, { 3, N }, { 3, N }, { N }, { 3, N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 5, adj, roots, NULL, 1);
    uint64_t mem[] = { 10, 20, 30, 40, 50 };
    graph_dominators(&g, mem);
    assert_int_equal(g.idom[0], 5); /* the virtual root */
    assert_int_equal(g.idom[1], 0);
    assert_int_equal(g.idom[2], 0);
    assert_int_equal(g.idom[3], 0); /* two ways in: only 0 dominates it */
    assert_int_equal(g.idom[4], GRAPH_NONE);
    assert_int_equal(g.retained[0], 100);
    assert_int_equal(g.retained[1], 20);
    assert_int_equal(g.retained[3], 40);
    assert_int_equal(g.retained[4], 0);
    assert_int_equal(g.retained[5], 100);
    assert_int_equal(graph_in_degree(&g, 3), 3); /* 1, 2 and the unreachable 4 */
    graph_free(&g);
}

/* Cycles, self-loops and repeated references change nothing about who
 * dominates whom. */
static void cycles_self_loops_repeats(void **state)
{
    (void)state;
    static const uint32_t adj[4][6] = { { 1, 1, 0, N }, { 2, N }, { 0, 3, N }, { 3, N } };
    uint32_t roots[] = { 0, 0 };
    graph g;
    build(&g, 4, adj, roots, NULL, 2);
    graph_dominators(&g, NULL);
    assert_int_equal(g.idom[1], 0);
    assert_int_equal(g.idom[2], 1);
    assert_int_equal(g.idom[3], 2);
    assert_int_equal(g.retained[0], 4);
    assert_int_equal(g.retained[2], 2);
    assert_int_equal(g.edges, 7 + 2);
    assert_int_equal(graph_out_degree(&g, 0), 3);
    graph_free(&g);
}

/* Two roots share an object: only the virtual root dominates it. */
static void shared_between_roots(void **state)
{
    (void)state;
    static const uint32_t adj[3][6] = { { 2, N }, { 2, N }, { N } };
    uint32_t roots[] = { 0, 1 };
    graph g;
    build(&g, 3, adj, roots, NULL, 2);
    graph_dominators(&g, NULL);
    assert_int_equal(g.idom[2], 3);
    assert_int_equal(g.retained[0], 1);
    assert_int_equal(g.retained[3], 3);
    graph_free(&g);
}

static void dangling_references_are_counted(void **state)
{
    (void)state;
    static const uint32_t adj[2][6] = { { 999, 1, 999, N }, { N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 2, adj, roots, NULL, 1);
    assert_int_equal(g.dangling, 2);
    assert_int_equal(graph_out_degree(&g, 0), 1);
    graph_free(&g);
}

/* A short path through a conservative stack root, a longer one through the
 * VM: the VM's is shown, and the stack's only when it is the only one. */
static void root_paths_prefer_real_roots(void **state)
{
    (void)state;
    /* vm -> 0 -> 1 -> 2 -> 3; machine_context -> 3; 4 only from the stack. */
    static const uint32_t adj[5][6] = { { 1, N }, { 2, N }, { 3, N }, { N }, { N } };
    uint32_t roots[] = { 0, 3, 4 };
    uint8_t kinds[] = { 1, 2, 2 };
    graph g;
    build(&g, 5, adj, roots, kinds, 3);
    snprintf(g.root_names[1], sizeof g.root_names[1], "vm");
    snprintf(g.root_names[2], sizeof g.root_names[2], "machine_context");
    g.nroot_names = 3;
    int mc = graph_root_kind(&g, "machine_context");
    assert_int_equal(mc, 2);
    uint32_t *path;
    unsigned kind;
    size_t len = graph_root_path(&g, 3, mc, &path, &kind);
    assert_int_equal(len, 4);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[3], 3);
    assert_int_equal(kind, 1);
    free(path);
    len = graph_root_path(&g, 3, -1, &path, &kind); /* no preference: the shortest */
    assert_int_equal(len, 1);
    assert_int_equal(kind, 2);
    free(path);
    len = graph_root_path(&g, 4, mc, &path, &kind); /* only the stack holds it */
    assert_int_equal(len, 1);
    assert_int_equal(kind, 2);
    free(path);
    graph_free(&g);
}

static void unreachable_has_no_path(void **state)
{
    (void)state;
    static const uint32_t adj[2][6] = { { N }, { 0, N } };
    uint32_t roots[] = { 0 };
    graph g;
    build(&g, 2, adj, roots, NULL, 1);
    uint32_t *path;
    unsigned kind;
    assert_int_equal(graph_root_path(&g, 1, -1, &path, &kind), 0);
    assert_null(path);
    graph_free(&g);
}

/* A million-deep linked list: an array holding the next one. */
static void million_deep_chain(void **state)
{
    (void)state;
    uint32_t n = 1000000;
    uint64_t *start = malloc((n + 1) * sizeof *start);
    uint32_t *refs = malloc(n * sizeof *refs);
    for (uint32_t v = 0; v < n; v++) {
        start[v] = v;
        refs[v] = v + 1 < n ? v + 1 : GRAPH_NONE;
    }
    start[n] = n;
    uint32_t root = 0;
    graph g;
    graph_build(&g, n, start, refs, &root, NULL, 1);
    graph_dominators(&g, NULL);
    assert_int_equal(g.dangling, 1);
    assert_int_equal(g.idom[n - 1], n - 2);
    assert_int_equal(g.retained[0], n);
    assert_int_equal(g.retained[n / 2], n - n / 2);
    uint32_t *path;
    unsigned kind;
    assert_int_equal(graph_root_path(&g, n - 1, -1, &path, &kind), n);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[n - 1], n - 1);
    free(path);
    graph_free(&g);
    free(start);
    free(refs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(diamond_and_unreachable),
        cmocka_unit_test(cycles_self_loops_repeats),
        cmocka_unit_test(shared_between_roots),
        cmocka_unit_test(dangling_references_are_counted),
        cmocka_unit_test(root_paths_prefer_real_roots),
        cmocka_unit_test(unreachable_has_no_path),
        cmocka_unit_test(million_deep_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

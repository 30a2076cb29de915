/* test_shapes.c - ivar names from SHAPE records: the shape tree, and an
 * object's references lined up with its ivars (objinfo). The lines are
 * Ruby 3.3's and 4.0's own (WebAssembly builds), cut down to the records
 * the objects need. */
#include "testutil.h"

#include "addrmap.h"
#include "heap.h"
#include "objinfo.h"
#include "shapes.h"

/* Ruby 3.3: Account's five ivars (@id @email @tags @owner @score) on a
 * T_OBJECT root; Holder's two (@name @items). */
static const char dump_33[] =
    "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x4a003f8\"]}\n"
    "{\"address\":\"0x28d0060\", \"type\":\"SHAPE\", \"id\":1, \"depth\":1, \"shape_type\":\"ROOT\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x28d00d8\", \"type\":\"SHAPE\", \"id\":6, \"parent_id\":1, \"depth\":2, \"shape_type\":\"T_OBJECT\", \"edges\":3, \"memsize\":24}\n"
    "{\"address\":\"0x28d1598\", \"type\":\"SHAPE\", \"id\":228, \"parent_id\":6, \"depth\":3, \"shape_type\":\"IVAR\", \"edge_name\":\"@id\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x28d15b0\", \"type\":\"SHAPE\", \"id\":229, \"parent_id\":228, \"depth\":4, \"shape_type\":\"IVAR\", \"edge_name\":\"@email\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x28d15c8\", \"type\":\"SHAPE\", \"id\":230, \"parent_id\":229, \"depth\":5, \"shape_type\":\"IVAR\", \"edge_name\":\"@tags\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x28d15e0\", \"type\":\"SHAPE\", \"id\":231, \"parent_id\":230, \"depth\":6, \"shape_type\":\"IVAR\", \"edge_name\":\"@owner\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x28d15f8\", \"type\":\"SHAPE\", \"id\":232, \"parent_id\":231, \"depth\":7, \"shape_type\":\"IVAR\", \"edge_name\":\"@score\", \"edges\":0, \"memsize\":24}\n"
    "{\"address\":\"0x28d1610\", \"type\":\"SHAPE\", \"id\":233, \"parent_id\":6, \"depth\":3, \"shape_type\":\"IVAR\", \"edge_name\":\"@name\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x28d1628\", \"type\":\"SHAPE\", \"id\":234, \"parent_id\":233, \"depth\":4, \"shape_type\":\"IVAR\", \"edge_name\":\"@items\", \"edges\":0, \"memsize\":24}\n"
    "{\"address\":\"0x28d1640\", \"type\":\"SHAPE\", \"id\":11, \"parent_id\":1, \"depth\":2, \"shape_type\":\"OBJ_TOO_COMPLEX\", \"edges\":0, \"memsize\":24}\n"
    "{\"address\":\"0x48e8bb4\", \"type\":\"CLASS\", \"shape_id\":0, \"slot_size\":80, \"class\":\"0x48e8b64\", \"name\":\"Account\", \"memsize\":80}\n"
    /* three references for five ivars: @id is an Integer, @score a Symbol */
    "{\"address\":\"0x4a003f8\", \"type\":\"OBJECT\", \"shape_id\":232, \"slot_size\":40, \"class\":\"0x48e8bb4\", \"embedded\":true, \"ivars\":5, \"references\":[\"0x491f4ac\", \"0x491f3d0\", \"0x491f3a8\"], \"file\":\"eval\", \"line\":9, \"method\":\"new\", \"generation\":9, \"memsize\":40, \"flags\":{\"wb_protected\":true}}\n"
    /* five for five: each reference is its ivar */
    "{\"address\":\"0x4a00420\", \"type\":\"OBJECT\", \"shape_id\":232, \"slot_size\":40, \"class\":\"0x48e8bb4\", \"embedded\":true, \"ivars\":5, \"references\":[\"0x491f4ac\", \"0x491f3d0\", \"0x491f3a8\", \"0x491f380\", \"0x491f358\"], \"memsize\":40}\n"
    /* none: every ivar is an immediate */
    "{\"address\":\"0x4a00448\", \"type\":\"OBJECT\", \"shape_id\":232, \"slot_size\":40, \"class\":\"0x48e8bb4\", \"embedded\":true, \"ivars\":5, \"memsize\":40}\n"
    /* Holder: @name, @items */
    "{\"address\":\"0x4a00470\", \"type\":\"OBJECT\", \"shape_id\":234, \"slot_size\":40, \"class\":\"0x48e8bb4\", \"embedded\":true, \"ivars\":2, \"references\":[\"0x491f4ac\", \"0x491f3d0\"], \"memsize\":40}\n"
    /* too complex: 40 ivars in a table */
    "{\"address\":\"0x3a0b7a4\", \"type\":\"OBJECT\", \"shape_id\":11, \"slot_size\":20, \"class\":\"0x48e8bb4\", \"embedded\":true, \"ivars\":40, \"too_complex_shape\":true, \"references\":[\"0x491f4ac\"], \"memsize\":948}\n"
    /* a shape the dump has no record of */
    "{\"address\":\"0x4a00498\", \"type\":\"OBJECT\", \"shape_id\":999, \"slot_size\":40, \"class\":\"0x48e8bb4\", \"ivars\":1, \"references\":[\"0x491f4ac\"], \"memsize\":40}\n"
    /* a String with a generic ivar: names, but no lining up */
    "{\"address\":\"0x3a09170\", \"type\":\"STRING\", \"shape_id\":233, \"slot_size\":20, \"class\":\"0x39af5f8\", \"embedded\":true, \"bytesize\":3, \"value\":\"str\", \"references\":[\"0x491f4ac\"], \"memsize\":60}\n"
    "{\"address\":\"0x491f4ac\", \"type\":\"STRING\", \"shape_id\":0, \"slot_size\":20, \"bytesize\":3, \"value\":\"a@b\", \"memsize\":20}\n"
    "{\"address\":\"0x491f3d0\", \"type\":\"ARRAY\", \"shape_id\":0, \"slot_size\":20, \"length\":0, \"memsize\":20}\n"
    "{\"address\":\"0x491f3a8\", \"type\":\"OBJECT\", \"shape_id\":1, \"slot_size\":20, \"ivars\":0, \"memsize\":20}\n";

/* Ruby 4.0: flag bits above the id, an OBJ_ID slot after the ivars, and a
 * too complex object on shape 0 with "too_complex_shape". */
static const char dump_40[] =
    "{\"address\":\"0x2450038\", \"type\":\"SHAPE\", \"id\":0, \"depth\":1, \"shape_type\":\"ROOT\", \"edges\":6, \"memsize\":30}\n"
    "{\"address\":\"0x2450068\", \"type\":\"SHAPE\", \"id\":2, \"parent_id\":0, \"depth\":2, \"shape_type\":\"IVAR\",\"edge_name\":\"@id\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x2450080\", \"type\":\"SHAPE\", \"id\":3, \"parent_id\":2, \"depth\":3, \"shape_type\":\"IVAR\",\"edge_name\":\"@email\", \"edges\":1, \"memsize\":24}\n"
    "{\"address\":\"0x2450098\", \"type\":\"SHAPE\", \"id\":4, \"parent_id\":3, \"depth\":4, \"shape_type\":\"OBJ_ID\", \"edges\":0, \"memsize\":24}\n"
    "{\"address\":\"0x13f5a0e0\", \"type\":\"OBJECT\", \"shape_id\":524292, \"slot_size\":48, \"class\":\"0x13080600\", \"embedded\":true, \"ivars\":3, \"references\":[\"0x13fa7d68\"], \"memsize\":48, \"flags\":{\"wb_protected\":true, \"age\":0, \"object_id\":8}}\n"
    "{\"address\":\"0x13fa74e0\", \"type\":\"OBJECT\", \"shape_id\":0, \"slot_size\":24, \"class\":\"0x13080540\", \"ivars\":40, \"too_complex_shape\":true, \"references\":[\"0x13fa7d68\"], \"memsize\":952}\n"
    "{\"address\":\"0x13fa7d68\", \"type\":\"STRING\", \"shape_id\":0, \"slot_size\":24, \"bytesize\":3, \"value\":\"a@b\", \"memsize\":24}\n";

typedef struct loaded {
    heap *h;
    addrmap index;
    const char *path;
} loaded;

static void load(loaded *l, const char *text, size_t len)
{
    l->path = temp_file_with(text, len);
    heap_load_opts opts = { .mode = HEAP_FULL, .threads = 1 };
    hs_error err;
    assert_int_equal(heap_load(&l->h, l->path, &opts, &err), HS_OK);
    addrmap_build(&l->index, l->h->addr, l->h->count);
}

static void unload(loaded *l)
{
    addrmap_free(&l->index);
    heap_free(l->h);
    unlink(l->path);
}

static size_t object_at(const loaded *l, uint64_t addr)
{
    uint32_t i = addrmap_find(&l->index, addr);
    assert_int_not_equal(i, ADDRMAP_NONE);
    return i;
}

/* The ivar names of oi, space-separated. */
static const char *names_of(const objinfo *oi, const heap *h)
{
    static char buf[256];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < oi->shape.nnames; k++) {
        size_t nlen;
        const char *n = strtab_str(h->strings, oi->ivar_names[k], &nlen);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.*s", k ? " " : "", (int)nlen, n);
    }
    return buf;
}

static const char *ref_ivar(const objinfo *oi, const heap *h, size_t r)
{
    static char buf[128];
    objinfo_ref_ivar(oi, h, r, buf, sizeof buf);
    return buf;
}

static void reads_the_shape_tree(void **state)
{
    (void)state;
    loaded l;
    load(&l, dump_33, sizeof dump_33 - 1);
    assert_int_equal(l.h->shapes, 10);
    assert_int_equal(l.h->shape_tree.count, 10);
    assert_int_equal(l.h->count, 11); /* SHAPE records are no objects */
    uint32_t names[8];
    shape_ivars si = shapes_ivars(&l.h->shape_tree, 232, names, 8);
    assert_true(si.known);
    assert_false(si.too_complex);
    assert_int_equal(si.nnames, 5);
    assert_int_equal(si.slots, 5);
    assert_string_equal(strtab_str(l.h->strings, names[0], NULL), "@id");
    assert_string_equal(strtab_str(l.h->strings, names[4], NULL), "@score");
    /* A name array too short gets the first names only. */
    uint32_t two[2];
    assert_int_equal(shapes_ivars(&l.h->shape_tree, 232, two, 2).nnames, 5);
    assert_string_equal(strtab_str(l.h->strings, two[1], NULL), "@email");
    assert_true(shapes_ivars(&l.h->shape_tree, 11, NULL, 0).too_complex);
    assert_false(shapes_ivars(&l.h->shape_tree, 999, NULL, 0).known);
    assert_false(shapes_ivars(&l.h->shape_tree, 7, NULL, 0).known); /* no record, inside the table */
    unload(&l);
}

static void loops_are_not_known(void **state)
{
    (void)state;
    shape_table t = { 0 };
    shapes_add(&t, 0, 0, false, STRTAB_NONE, SHAPE_ROOT);
    shapes_add(&t, 1, 2, true, 5, SHAPE_IVAR);
    shapes_add(&t, 2, 1, true, 6, SHAPE_IVAR);
    assert_false(shapes_ivars(&t, 1, NULL, 0).known);
    assert_true(shapes_ivars(&t, 0, NULL, 0).known);
    assert_int_equal(shapes_kind_of("OBJ_ID", 6), SHAPE_OBJ_ID);
    /* Ruby 3.4 on 32-bit: a T_OBJECT root whose parent_id is 65535, the
     * invalid 16-bit id: the chain ends there. */
    shapes_add(&t, 7, 65535, true, STRTAB_NONE, SHAPE_T_OBJECT);
    shapes_add(&t, 8, 7, true, 9, SHAPE_IVAR);
    uint32_t name;
    shape_ivars si = shapes_ivars(&t, 8, &name, 1);
    assert_true(si.known);
    assert_int_equal(si.nnames, 1);
    assert_int_equal(name, 9);
    /* An IVAR whose parent is missing is not known. */
    shapes_add(&t, 10, 65535, true, 9, SHAPE_IVAR);
    assert_false(shapes_ivars(&t, 10, NULL, 0).known);
    assert_int_equal(shapes_kind_of("SOMETHING_NEW", 13), SHAPE_OTHER);
    shapes_free(&t);
}

static void lines_references_up_with_ivars(void **state)
{
    (void)state;
    loaded l;
    load(&l, dump_33, sizeof dump_33 - 1);
    objinfo oi;
    hs_error err;

    /* Three references, five ivars: each reference is one of three. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x4a003f8), &err), HS_OK);
    assert_string_equal(names_of(&oi, l.h), "@id @email @tags @owner @score");
    assert_int_equal(oi.nrefs, 4); /* and the class */
    assert_string_equal(ref_ivar(&oi, l.h, 0), "@id|@email|@tags");
    assert_string_equal(ref_ivar(&oi, l.h, 2), "@tags|@owner|@score");
    assert_string_equal(ref_ivar(&oi, l.h, 3), ""); /* the class edge */
    assert_int_equal(oi.ivar_value[0], IVAR_UNKNOWN);
    objinfo_free(&oi);

    /* Five for five. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x4a00420), &err), HS_OK);
    assert_string_equal(ref_ivar(&oi, l.h, 0), "@id");
    assert_string_equal(ref_ivar(&oi, l.h, 4), "@score");
    assert_int_equal(oi.ivar_value[2], IVAR_REF);
    assert_int_equal(oi.ivar_ref[2], 2);
    assert_int_equal(oi.refs[2].address, 0x491f3a8);
    objinfo_free(&oi);

    /* No references: immediates all. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x4a00448), &err), HS_OK);
    assert_int_equal(oi.ivar_value[0], IVAR_IMMEDIATE);
    objinfo_free(&oi);

    /* The holder's ivar that references an object. */
    char name[64];
    assert_int_equal(objinfo_ivar_to(l.h, &l.index, object_at(&l, 0x4a00470), 0x491f3d0, name, sizeof name), 6);
    assert_string_equal(name, "@items");
    assert_int_equal(objinfo_ivar_to(l.h, &l.index, object_at(&l, 0x4a00470), 0x48e8bb4, name, sizeof name), 0);
    /* No room for the whole name: none rather than a cut one. */
    assert_int_equal(objinfo_ivar_to(l.h, &l.index, object_at(&l, 0x4a00470), 0x491f3d0, name, 4), 0);
    assert_string_equal(name, "");

    /* Too complex: no names, said so. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x3a0b7a4), &err), HS_OK);
    assert_true(oi.shape.too_complex);
    assert_int_equal(oi.shape.nnames, 0);
    assert_string_equal(ref_ivar(&oi, l.h, 0), "");
    objinfo_free(&oi);

    /* A shape without its records: nothing named. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x4a00498), &err), HS_OK);
    assert_false(oi.shape.known);
    assert_string_equal(ref_ivar(&oi, l.h, 0), "");
    objinfo_free(&oi);

    /* A String's generic ivar: its name, never a reference's. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x3a09170), &err), HS_OK);
    assert_string_equal(names_of(&oi, l.h), "@name");
    assert_null(oi.ivar_value);
    assert_string_equal(ref_ivar(&oi, l.h, 0), "");
    objinfo_free(&oi);
    unload(&l);
}

static void ruby_40_flag_bits_and_object_id_slot(void **state)
{
    (void)state;
    loaded l;
    load(&l, dump_40, sizeof dump_40 - 1);
    objinfo oi;
    hs_error err;
    /* shape_id 524292 is shape 4 with bit 19 set; three slots (@id @email
     * and the object_id), two named, one reference: the object_id is an
     * Integer, so the reference is @id or @email. */
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x13f5a0e0), &err), HS_OK);
    assert_int_equal(oi.shape_id, 4);
    assert_true(oi.shape.known);
    assert_int_equal(oi.shape.slots, 3);
    assert_int_equal(oi.shape.obj_id_slot, 2);
    assert_string_equal(names_of(&oi, l.h), "@id @email");
    assert_string_equal(ref_ivar(&oi, l.h, 0), "@id|@email");
    objinfo_free(&oi);
    assert_int_equal(objinfo_load(&oi, l.h, &l.index, object_at(&l, 0x13fa74e0), &err), HS_OK);
    assert_true(oi.shape.too_complex);
    assert_int_equal(oi.shape.nnames, 0);
    objinfo_free(&oi);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_shape_tree),
        cmocka_unit_test(loops_are_not_known),
        cmocka_unit_test(lines_references_up_with_ivars),
        cmocka_unit_test(ruby_40_flag_bits_and_object_id_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

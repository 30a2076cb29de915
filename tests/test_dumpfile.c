/* test_dumpfile.c - mapping, inflating and reading lines of dump files. */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

#include "dumpfile.h"

/* Text of n bytes made of numbered lines, so that any cut or shift shows. */
static char *make_text(size_t n)
{
    char *t = malloc(n + 1);
    size_t at = 0;
    for (unsigned i = 0; at < n; i++) {
        char line[96];
        int k = snprintf(line, sizeof line, "{\"address\":\"0x%x\", \"type\":\"STRING\", \"line\":%u}\n",
                         0x1000 + i * 40, i * 7919 % 10007);
        size_t take = (size_t)k < n - at ? (size_t)k : n - at;
        memcpy(t + at, line, take);
        at += take;
    }
    t[n] = '\0';
    return t;
}

/* gzip of text, one member per part (parts split the text evenly), in memory. */
static unsigned char *gzip_parts(const char *text, size_t len, int parts, size_t *out_len)
{
    size_t cap = len + 1024 * (size_t)parts, at = 0;
    unsigned char *out = malloc(cap);
    for (int p = 0; p < parts; p++) {
        size_t from = len * (size_t)p / (size_t)parts, to = len * (size_t)(p + 1) / (size_t)parts;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        zs.next_in = (unsigned char *)text + from;
        zs.avail_in = (uInt)(to - from);
        zs.next_out = out + at;
        zs.avail_out = (uInt)(cap - at);
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        at = cap - zs.avail_out;
        deflateEnd(&zs);
    }
    *out_len = at;
    return out;
}

static void assert_padding_zero(const dumpfile *df)
{
    for (size_t i = 0; i < DUMPFILE_PADDING; i++)
        assert_int_equal(df->data[df->size + i], 0);
}

static void plain_file(void **state)
{
    (void)state;
    const char text[] = "{\"address\":\"0x1\", \"type\":\"STRING\"}\n{\"type\":\"ROOT\"}\n";
    const char *path = temp_file_with(text, sizeof text - 1);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_int_equal(df.size, sizeof text - 1);
    assert_memory_equal(df.data, text, sizeof text - 1);
    assert_string_equal(df.path, path);
    assert_false(df.compressed);
    assert_true(df.file_backed);
    assert_int_equal(df.disk_size, sizeof text - 1);
    assert_string_equal(df.warning, "");
    assert_true(df.map_size >= df.size + DUMPFILE_PADDING);
    assert_padding_zero(&df);
    dumpfile_close(&df);
    assert_null(df.data);
    dumpfile_close(&df); /* twice is harmless */
    unlink(path);
}

/* The padding must be readable whatever the size, a file of exactly one
 * page (the padding is then a page of its own) above all. */
static void padding_at_page_boundaries(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t sizes[] = { 1, 63, 64, page - 64, page - 1, page, page + 1, 2 * page, 3 * page - 1 };
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        char *text = make_text(sizes[k]);
        const char *path = temp_file_with(text, sizes[k]);
        dumpfile df;
        hs_error err;
        assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
        assert_int_equal(df.size, sizes[k]);
        assert_memory_equal(df.data, text, sizes[k]);
        assert_padding_zero(&df);
        dumpfile_close(&df);
        unlink(path);
        free(text);
    }
}

/* Gzip is recognised by its magic bytes (the temp file has no .gz name). */
static void gzip_file(void **state)
{
    (void)state;
    size_t len = 300000;
    char *text = make_text(len);
    size_t gz_len;
    unsigned char *gz = gzip_parts(text, len, 1, &gz_len);
    const char *path = temp_file_with((const char *)gz, gz_len);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_true(df.compressed);
    assert_false(df.file_backed);
    assert_int_equal(df.size, len);
    assert_int_equal(df.disk_size, gz_len);
    assert_memory_equal(df.data, text, len);
    assert_string_equal(df.warning, "");
    assert_padding_zero(&df);
    /* Inflated text cannot be re-read: releasing it must not lose it. */
    dumpfile_release(&df, 0, df.size);
    assert_memory_equal(df.data, text, len);
    dumpfile_close(&df);
    unlink(path);
    free(gz);
    free(text);
}

/* A file written with zlib's own gzip writer, as `gzip` would. */
static void gzip_written_by_gzopen(void **state)
{
    (void)state;
    char path[] = "/tmp/heapsift-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    gzFile gz = gzopen(path, "wb9");
    assert_non_null(gz);
    const char line[] = "{\"address\":\"0x7f00\", \"type\":\"HASH\"}\n";
    for (int i = 0; i < 1000; i++)
        assert_int_equal(gzwrite(gz, line, sizeof line - 1), (int)(sizeof line - 1));
    assert_int_equal(gzclose(gz), Z_OK);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_int_equal(df.size, 1000 * (sizeof line - 1));
    assert_memory_equal(df.data + 999 * (sizeof line - 1), line, sizeof line - 1);
    dumpfile_close(&df);
    unlink(path);
}

/* `cat a.gz b.gz > c.gz` inflates to both texts, as gunzip does. */
static void concatenated_gzip_members(void **state)
{
    (void)state;
    size_t len = 100000;
    char *text = make_text(len);
    size_t gz_len;
    unsigned char *gz = gzip_parts(text, len, 3, &gz_len);
    const char *path = temp_file_with((const char *)gz, gz_len);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_int_equal(df.size, len);
    assert_memory_equal(df.data, text, len);
    assert_string_equal(df.warning, "");
    dumpfile_close(&df);
    unlink(path);
    free(gz);
    free(text);
}

static void truncated_gzip_keeps_prefix(void **state)
{
    (void)state;
    size_t len = 400000;
    char *text = make_text(len);
    size_t gz_len;
    unsigned char *gz = gzip_parts(text, len, 1, &gz_len);
    const char *path = temp_file_with((const char *)gz, gz_len / 2);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_true(df.size > 0);
    assert_true(df.size < len);
    assert_memory_equal(df.data, text, df.size);
    assert_non_null(strstr(df.warning, path));
    assert_non_null(strstr(df.warning, "cut short"));
    dumpfile_close(&df);
    unlink(path);

    /* A bad CRC: every byte inflated, and a warning that it is corrupt. */
    gz[gz_len - 8] ^= 0xff;
    path = temp_file_with((const char *)gz, gz_len);
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_int_equal(df.size, len);
    assert_non_null(strstr(df.warning, "corrupt"));
    dumpfile_close(&df);
    unlink(path);

    /* Only the 10-byte header: nothing inflated at all. */
    path = temp_file_with((const char *)gz, 10);
    assert_int_equal(dumpfile_open(&df, path, &err), HS_ERR_FORMAT);
    assert_int_equal(err.status, HS_ERR_FORMAT);
    assert_non_null(strstr(err.msg, path));
    assert_null(df.data);
    unlink(path);
    free(gz);
    free(text);
}

/* A mapped dump that changes under heapsift: written over in place (same
 * size, new modification time), then cut short. Both fail the check, naming
 * the file; a file that grew only warns. */
static void changed_while_read(void **state)
{
    (void)state;
    static const char text[] = "{\"address\":\"0x1\", \"type\":\"STRING\"}\n";
    const char *path = temp_file_with(text, sizeof text - 1);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_int_equal(dumpfile_check(&df, &err), HS_OK);

    /* Written over: the same bytes count, a later modification time. */
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "{", 1, 0), 1);
    struct timespec times[2] = { { 0, UTIME_OMIT }, { df.mtime.tv_sec + 10, 0 } };
    assert_int_equal(futimens(fd, times), 0);
    assert_int_equal(dumpfile_check(&df, &err), HS_ERR_IO);
    char want[1024];
    snprintf(want, sizeof want,
             "%s: the file changed while it was being read: it was written to (its size is the same, its "
             "modification time is not); nothing of it was kept (copy the dump where nothing writes to it, "
             "and run heapsift on the copy)",
             path);
    assert_string_equal(err.msg, want);

    /* Grown (appended to): a warning only, whatever the time. */
    assert_int_equal(pwrite(fd, "\n", 1, (off_t)(sizeof text - 1)), 1);
    assert_int_equal(dumpfile_check(&df, &err), HS_OK);
    assert_non_null(strstr(df.warning, "the file grew from 35 to 36 bytes"));

    /* Cut short. */
    assert_int_equal(ftruncate(fd, 10), 0);
    assert_int_equal(dumpfile_check(&df, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, "it shrank from 35 to 10 bytes; nothing of it was kept"));
    close(fd);
    dumpfile_close(&df);
    unlink(path);
}

static void empty_file(void **state)
{
    (void)state;
    const char *path = temp_file_with("", 0);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_ERR_FORMAT);
    assert_int_equal(err.status, HS_ERR_FORMAT);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "empty"));
    assert_null(df.data);
    assert_null(df.path);
    unlink(path);
}

static void missing_file(void **state)
{
    (void)state;
    const char *path = "/tmp/heapsift-test-no-such-dir/dump.json";
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_ERR_IO);
    assert_int_equal(err.status, HS_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_null(df.data);
    /* No error struct: the status alone. */
    assert_int_equal(dumpfile_open(&df, path, NULL), HS_ERR_IO);
}

static void directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, dir, &err), HS_ERR_IO);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "directory"));
    rmdir(dir);
}

/* Writes buf to the FIFO at path from a child process. */
static pid_t fifo_writer(const char *path, const void *buf, size_t len)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_WRONLY);
        const char *p = buf;
        while (fd >= 0 && len > 0) {
            ssize_t n = write(fd, p, len);
            if (n <= 0)
                _exit(1);
            p += n;
            len -= (size_t)n;
        }
        _exit(fd < 0);
    }
    return pid;
}

static void reap(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void fifo(void **state)
{
    (void)state;
    char dir[] = "/tmp/heapsift-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);

    /* More than the first read buffer (1 MiB), so it has to grow. */
    size_t len = 3u << 20;
    char *text = make_text(len);
    pid_t pid = fifo_writer(path, text, len);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    reap(pid);
    assert_int_equal(df.size, len);
    assert_memory_equal(df.data, text, len);
    assert_false(df.compressed);
    assert_false(df.file_backed);
    assert_int_equal(df.disk_size, len);
    assert_padding_zero(&df);
    dumpfile_close(&df);

    /* gzip through a pipe: `gzip -c dump | heapsift /dev/stdin`. */
    size_t gz_len;
    unsigned char *gz = gzip_parts(text, len, 1, &gz_len);
    pid = fifo_writer(path, gz, gz_len);
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    reap(pid);
    assert_true(df.compressed);
    assert_int_equal(df.size, len);
    assert_memory_equal(df.data, text, len);
    dumpfile_close(&df);

    /* A writer that closes at once: an empty dump. */
    pid = fifo_writer(path, "", 0);
    assert_int_equal(dumpfile_open(&df, path, &err), HS_ERR_FORMAT);
    reap(pid);
    assert_non_null(strstr(err.msg, path));

    free(gz);
    free(text);
    unlink(path);
    rmdir(dir);
}

/* Released pages of a mapped file are read again from the file. */
static void release_and_prefetch(void **state)
{
    (void)state;
    size_t len = 1u << 20;
    char *text = make_text(len);
    const char *path = temp_file_with(text, len);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    assert_memory_equal(df.data, text, len);
    dumpfile_release(&df, 100, 300000);
    dumpfile_release(&df, 0, len);
    dumpfile_prefetch(&df, 4096, 1u << 30); /* past the end: clamped */
    dumpfile_prefetch(&df, len + 10, 10);
    assert_memory_equal(df.data, text, len);
    assert_padding_zero(&df);
    dumpfile_close(&df);
    unlink(path);
    free(text);
}

static void lines(void **state)
{
    (void)state;
    const char text[] = "a\nbb\n\nccc";
    const char *path = temp_file_with(text, sizeof text - 1);
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, path, &err), HS_OK);
    struct { uint64_t offset; const char *line; } cases[] = {
        { 0, "a" }, { 1, "" }, { 2, "bb" }, { 3, "b" }, { 5, "" }, { 6, "ccc" }, { 8, "c" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *line = NULL;
        size_t len = 99;
        assert_int_equal(dumpfile_line(&df, cases[k].offset, &line, &len, &err), HS_OK);
        assert_int_equal(len, strlen(cases[k].line));
        assert_memory_equal(line, cases[k].line, len);
        assert_ptr_equal(line, df.data + cases[k].offset);
    }
    const char *line;
    size_t len;
    assert_int_equal(dumpfile_line(&df, 9, &line, &len, &err), HS_ERR_USAGE);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(dumpfile_line(&df, UINT64_MAX, &line, &len, &err), HS_ERR_USAGE);
    dumpfile_close(&df);
    unlink(path);
}

/* A real dump: the inflated size data/README gives, and its first line. */
static void real_gzip_dump(void **state)
{
    (void)state;
    dumpfile df;
    hs_error err;
    assert_int_equal(dumpfile_open(&df, data_path("app-2.json.gz"), &err), HS_OK);
    assert_int_equal(df.size, 4213983);
    assert_int_equal(df.disk_size, 214287);
    assert_true(df.compressed);
    const char *line;
    size_t len;
    assert_int_equal(dumpfile_line(&df, 0, &line, &len, &err), HS_OK);
    assert_true(len > 30);
    assert_memory_equal(line, "{\"type\":\"ROOT\", \"root\":\"vm\"", 27);
    assert_int_equal(df.data[df.size - 1], '\n');
    dumpfile_close(&df);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_file),
        cmocka_unit_test(padding_at_page_boundaries),
        cmocka_unit_test(gzip_file),
        cmocka_unit_test(gzip_written_by_gzopen),
        cmocka_unit_test(concatenated_gzip_members),
        cmocka_unit_test(truncated_gzip_keeps_prefix),
        cmocka_unit_test(changed_while_read),
        cmocka_unit_test(empty_file),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(directory),
        cmocka_unit_test(fifo),
        cmocka_unit_test(release_and_prefetch),
        cmocka_unit_test(lines),
        cmocka_unit_test(real_gzip_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_epubzip.c — the archive: mimetype first and stored, fixed times in UTC,
 * byte-identical output, atomic replacement of the previous book. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "epubzip.h"
#include "util.h"

/* 2022-09-17T09:15:14Z */
#define T_FIXED INT64_C(1663406114)
/* 2021-03-28T02:30:00Z: 02:30 does not exist in Berlin that night */
#define T_BERLIN_GAP INT64_C(1616898600)

struct fix {
	char dir[64];
	char path[128];
	struct tlog log;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_epubzip.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/book.epub", f->dir);
	tlog_open(&f->log, LOG_NORMAL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		char p[512];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
		remove(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	tlog_close(&f->log);
	free(f);
	return 0;
}

/* Names in dir, sorted, joined with spaces. */
static char *
listing(const char *dir)
{
	struct dirent **v;
	struct buf b = {0};
	int n = scandir(dir, &v, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 && strcmp(v[i]->d_name, "..") != 0) {
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, v[i]->d_name);
		}
		free(v[i]);
	}
	free(v);
	buf_puts(&b, "");
	return buf_detach(&b, NULL);
}

static char *
slurp(const char *path, size_t *len)
{
	char *data = NULL;
	assert_int_equal(read_file_bounded(path, 1 << 24, &data, len), 0);
	return data;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void *
dup_bytes(const void *p, size_t n)
{
	void *q = xmalloc(n);
	memcpy(q, p, n);
	return q;
}

static const char png[] = "\x89PNG\r\n\x1A\n\0\0\0\rIHDR fake image bytes";
static const char xhtml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html>"
                            "text text text text text text text text text text</html>\n";

/* A small book at path: returns epubzip_close's result. */
static int
build(const char *path, int64_t mtime, struct log *lg)
{
	struct epubzip *z = epubzip_new(path, mtime, lg);
	assert_non_null(z);
	assert_int_equal(
	    epubzip_add(z, "META-INF/container.xml", xstrdup(xhtml), strlen(xhtml), true), 0);
	assert_int_equal(
	    epubzip_add(z, "EPUB/text/p00001.xhtml", xstrdup(xhtml), strlen(xhtml), true), 0);
	assert_int_equal(epubzip_add(z, "EPUB/images/0123456789abcdef0123.png",
	                             dup_bytes(png, sizeof png - 1), sizeof png - 1, false),
	                 0);
	return epubzip_close(z);
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static void
test_mimetype_first_stored(void **state)
{
	struct fix *f = *state;
	size_t len;
	unsigned char *b;

	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	b = (unsigned char *)slurp(f->path, &len);
	assert_true(len > 58);
	assert_memory_equal(b, "PK\x03\x04", 4);
	assert_int_equal(le16(b + 6) & 0x0008, 0); /* no data descriptor */
	assert_int_equal(le16(b + 8), 0);          /* stored */
	assert_int_equal(le16(b + 18 + 0), 20);    /* compressed size (low) */
	assert_int_equal(le16(b + 22 + 0), 20);    /* uncompressed size (low) */
	assert_int_equal(le16(b + 26), 8);         /* name length */
	assert_int_equal(le16(b + 28), 0);         /* extra field length */
	assert_memory_equal(b + 30, "mimetype", 8);
	assert_memory_equal(b + 38, "application/epub+zip", 20);
	assert_memory_equal(b + 58, "PK\x03\x04", 4); /* next entry right after */
	/* DOS time and date = the UTC civil time 2022-09-17 09:15:14 */
	assert_int_equal(le16(b + 10), (9u << 11) | (15u << 5) | 7u);
	assert_int_equal(le16(b + 12), (42u << 9) | (9u << 5) | 17u);
	free(b);
	assert_string_equal(tlog_text(&f->log), "");
}

static void
test_entries_and_methods(void **state)
{
	struct fix *f = *state;
	static const char *names[] = {"mimetype", "META-INF/container.xml",
	                              "EPUB/text/p00001.xhtml",
	                              "EPUB/images/0123456789abcdef0123.png"};
	static const zip_uint16_t methods[] = {ZIP_CM_STORE, ZIP_CM_DEFLATE, ZIP_CM_DEFLATE,
	                                       ZIP_CM_STORE};
	int err = 0;
	zip_t *za;
	char got[128];

	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	za = zip_open(f->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 4);
	for (zip_uint64_t i = 0; i < 4; i++) {
		zip_stat_t st;
		zip_file_t *zf;
		zip_int64_t n;
		assert_int_equal(zip_stat_index(za, i, 0, &st), 0);
		assert_string_equal(st.name, names[i]);
		assert_int_equal(st.comp_method, methods[i]);
		zf = zip_fopen_index(za, i, 0);
		assert_non_null(zf);
		n = zip_fread(zf, got, sizeof got);
		zip_fclose(zf);
		if (i == 0)
			assert_memory_equal(got, "application/epub+zip", (size_t)n);
		if (i == 3) {
			assert_int_equal(n, sizeof png - 1);
			assert_memory_equal(got, png, sizeof png - 1);
		}
		/* no extra fields anywhere, local or central */
		assert_int_equal(zip_file_extra_fields_count(za, i, ZIP_FL_LOCAL), 0);
		assert_int_equal(zip_file_extra_fields_count(za, i, ZIP_FL_CENTRAL), 0);
	}
	zip_close(za);
}

static void
test_permissions(void **state)
{
	struct fix *f = *state;
	struct stat st;
	mode_t old = umask(022);
	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	umask(027);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	umask(old);
}

static void
set_tz(const char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* Builds at path under each TZ and checks that all the books are equal. */
static void
same_bytes_in_zones(struct fix *f, int64_t mtime)
{
	static const char *zones[] = {"UTC", "Asia/Shanghai", "America/Los_Angeles",
	                              "Europe/Berlin", "Pacific/Kiritimati"};
	char *first = NULL, *saved = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	size_t firstlen = 0;

	for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
		size_t len;
		char *b;
		set_tz(zones[i]);
		assert_int_equal(build(f->path, mtime, f->log.lg), 0);
		b = slurp(f->path, &len);
		if (first == NULL) {
			first = b;
			firstlen = len;
			continue;
		}
		if (len != firstlen || memcmp(b, first, len) != 0) {
			free(b);
			free(first);
			free(saved);
			fail_msg("book built with TZ=%s differs from the one built with TZ=UTC",
			         zones[i]);
		}
		free(b);
	}
	set_tz(saved);
	free(saved);
	free(first);
}

static void
test_same_bytes_any_tz(void **state)
{
	struct fix *f = *state;
	size_t len;
	unsigned char *b;

	same_bytes_in_zones(f, T_FIXED);
	/* the UTC civil time that falls in Berlin's DST gap */
	same_bytes_in_zones(f, T_BERLIN_GAP);
	b = (unsigned char *)slurp(f->path, &len);
	assert_int_equal(le16(b + 10), (2u << 11) | (30u << 5));
	assert_int_equal(le16(b + 12), (41u << 9) | (3u << 5) | 28u);
	free(b);
	/* before 1980: clamped to the first DOS date, still the same bytes */
	same_bytes_in_zones(f, 0);
	b = (unsigned char *)slurp(f->path, &len);
	assert_int_equal(le16(b + 10), 0);
	assert_int_equal(le16(b + 12), (1u << 5) | 1u);
	free(b);
}

static void
test_same_bytes_later(void **state)
{
	struct fix *f = *state;
	char other[160];
	size_t la, lb;
	char *a, *b;

	snprintf(other, sizeof other, "%s/other.epub", f->dir);
	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	sleep(2); /* DOS times have a 2 s resolution */
	assert_int_equal(build(other, T_FIXED, f->log.lg), 0);
	a = slurp(f->path, &la);
	b = slurp(other, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

static void
test_discard_keeps_old(void **state)
{
	struct fix *f = *state;
	struct epubzip *z;
	char *list, *old;
	size_t len;

	write_file(f->path, "old book");
	z = epubzip_new(f->path, T_FIXED, f->log.lg);
	assert_non_null(z);
	list = listing(f->dir);
	assert_contains(list, ".book.epub."); /* the temporary file, beside */
	free(list);
	assert_int_equal(epubzip_add(z, "EPUB/a.xhtml", xstrdup("a"), 1, true), 0);
	epubzip_discard(z);
	epubzip_discard(NULL);
	old = slurp(f->path, &len);
	assert_string_equal(old, "old book");
	free(old);
	list = listing(f->dir);
	assert_string_equal(list, "book.epub");
	free(list);
	assert_string_equal(tlog_text(&f->log), "");
}

static void
test_failed_close_keeps_old(void **state)
{
	struct fix *f = *state;
	struct epubzip *z;
	char *list, *old, tmp[256];
	size_t len;

	write_file(f->path, "old book");
	z = epubzip_new(f->path, T_FIXED, f->log.lg);
	assert_non_null(z);
	assert_int_equal(epubzip_add(z, "EPUB/a.xhtml", xstrdup("a"), 1, true), 0);
	/* Put a folder where the temporary file was: the rename into place
	 * fails (this works as root too, unlike a read-only folder). */
	list = listing(f->dir);
	assert_true(strncmp(list, ".book.epub.", 11) == 0);
	snprintf(tmp, sizeof tmp, "%s/%.*s", f->dir, (int)strcspn(list, " "), list);
	free(list);
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(epubzip_close(z), -1);
	assert_contains(tlog_text(&f->log), f->path);
	assert_contains(tlog_text(&f->log), "error");
	old = slurp(f->path, &len);
	assert_string_equal(old, "old book");
	free(old);
	list = listing(f->dir);
	assert_string_equal(list, "book.epub");
	free(list);
}

static void
test_missing_folder(void **state)
{
	struct fix *f = *state;
	char path[160], *list;

	snprintf(path, sizeof path, "%s/nope/book.epub", f->dir);
	assert_null(epubzip_new(path, T_FIXED, f->log.lg));
	assert_contains(tlog_text(&f->log), "folder");
	assert_contains(tlog_text(&f->log), "does not exist");
	assert_contains(tlog_text(&f->log), path);
	list = listing(f->dir);
	assert_string_equal(list, "");
	free(list);
}

static void
test_path_is_folder(void **state)
{
	struct fix *f = *state;
	char *list;

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_null(epubzip_new(f->path, T_FIXED, f->log.lg));
	assert_contains(tlog_text(&f->log), "is a folder");
	list = listing(f->dir);
	assert_string_equal(list, "book.epub");
	free(list);
	rmdir(f->path);
}

static void
test_not_writable(void **state)
{
	struct fix *f = *state;
	if (geteuid() == 0)
		skip(); /* root writes anywhere */
	assert_int_equal(chmod(f->dir, 0555), 0);
	assert_null(epubzip_new(f->path, T_FIXED, f->log.lg));
	assert_contains(tlog_text(&f->log), "not writable");
	chmod(f->dir, 0755);
}

static void
test_relative_path(void **state)
{
	struct fix *f = *state;
	char cwd[4096];
	struct stat st;

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(build("rel.epub", T_FIXED, f->log.lg), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(f->path, sizeof f->path, "%s/rel.epub", f->dir);
	assert_int_equal(stat(f->path, &st), 0);
}

static void
test_duplicate_and_bad_names(void **state)
{
	struct fix *f = *state;
	struct epubzip *z = epubzip_new(f->path, T_FIXED, f->log.lg);
	int err = 0;
	zip_t *za;

	assert_non_null(z);
	assert_int_equal(epubzip_add(z, "EPUB/a.xhtml", xstrdup("a"), 1, true), 0);
	assert_int_equal(epubzip_add(z, "EPUB/a.xhtml", xstrdup("b"), 1, true), -1);
	assert_contains(tlog_text(&f->log), "duplicate entry \"EPUB/a.xhtml\"");
	assert_int_equal(epubzip_add(z, "mimetype", xstrdup("b"), 1, true), -1);
	assert_int_equal(epubzip_add(z, "EPUB/a b.xhtml", xstrdup("b"), 1, true), -1);
	assert_int_equal(epubzip_add(z, "EPUB/\xE4\xB8\xAD.xhtml", xstrdup("b"), 1, true), -1);
	assert_int_equal(epubzip_add(z, "EPUB/a:b.xhtml", xstrdup("b"), 1, true), -1);
	assert_int_equal(epubzip_add(z, "", xstrdup("b"), 1, true), -1);
	assert_contains(tlog_text(&f->log), "bad entry name \"EPUB/a b.xhtml\"");
	/* an empty entry is fine */
	assert_int_equal(epubzip_add(z, "EPUB/empty.css", NULL, 0, true), 0);
	/* the book is still good after refused entries */
	assert_int_equal(epubzip_close(z), 0);
	za = zip_open(f->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 3);
	zip_close(za);
}

/* A file entry is read at close, stored as given, stamped like the rest. */
static void
test_add_file(void **state)
{
	struct fix *f = *state;
	char src[200], got[128];
	int err = 0;
	snprintf(src, sizeof src, "%s/picture.png", f->dir);
	FILE *fp = fopen(src, "wb");
	assert_non_null(fp);
	fwrite(png, 1, sizeof png - 1, fp);
	fclose(fp);

	struct epubzip *z = epubzip_new(f->path, T_FIXED, f->log.lg);
	assert_non_null(z);
	assert_int_equal(epubzip_add_file(z, "EPUB/images/a.png", src, false), 0);
	assert_int_equal(epubzip_close(z), 0);

	zip_t *za = zip_open(f->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 2);
	zip_stat_t st;
	assert_int_equal(zip_stat_index(za, 1, 0, &st), 0);
	assert_string_equal(st.name, "EPUB/images/a.png");
	assert_int_equal(st.comp_method, ZIP_CM_STORE);
	zip_file_t *zf = zip_fopen_index(za, 1, 0);
	assert_int_equal(zip_fread(zf, got, sizeof got), sizeof png - 1);
	assert_memory_equal(got, png, sizeof png - 1);
	zip_fclose(zf);
	zip_close(za);

	/* A file gone by the time the book is written fails the close and
	 * leaves the book that was there. */
	z = epubzip_new(f->path, T_FIXED, f->log.lg);
	assert_int_equal(epubzip_add_file(z, "EPUB/images/b.png", "/nonexistent/x.png", false), 0);
	assert_int_equal(epubzip_close(z), -1);
	assert_contains(tlog_text(&f->log), "error:");
	za = zip_open(f->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 2);
	zip_close(za);
}

static int
refuse(const char *tmp, void *ctx)
{
	*(char **)ctx = xstrdup(tmp);
	return -1;
}

/* A failed check leaves the old book and no temporary file. */
static void
test_close_checked(void **state)
{
	struct fix *f = *state;
	char *seen = NULL, *old = NULL, *now = NULL;
	size_t oldlen, nowlen;
	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	old = slurp(f->path, &oldlen);
	struct epubzip *z = epubzip_new(f->path, T_FIXED + 100, f->log.lg);
	assert_int_equal(epubzip_add(z, "EPUB/x.xhtml", xstrdup(xhtml), strlen(xhtml), true), 0);
	assert_int_equal(epubzip_close_checked(z, refuse, &seen), -1);
	assert_non_null(seen);
	assert_true(strstr(seen, "/.book.epub.") != NULL);
	assert_int_equal(access(seen, F_OK), -1);
	now = slurp(f->path, &nowlen);
	assert_int_equal(oldlen, nowlen);
	assert_memory_equal(old, now, oldlen);
	char *l = listing(f->dir);
	assert_string_equal(l, "book.epub");
	free(l);
	free(seen);
	free(old);
	free(now);
}

/* Entries of every size around the write buffer (1 MiB) and the read window
 * (64 KiB): libzip seeks back over each to rewrite its local header, inside
 * the buffer or behind it. The archive must read back whole, with libzip's
 * own file source and through epubzip_open_read, entries in any order. */
#define N_SIZES 9
static const size_t sizes[N_SIZES] = {0, 1, 190, 65535, 65536, 70000, (1 << 20) - 100,
                                      (1 << 20) + 1, 3 << 20};

static unsigned char *
pattern(size_t n, unsigned seed, bool text)
{
	unsigned char *p = xmalloc(n + 1);
	unsigned x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = text ? (unsigned char)("abc de\n"[(x >> 16) % 7]) : (unsigned char)(x >> 16);
	}
	return p;
}

static void
check_entries(zip_t *za, bool backwards)
{
	assert_int_equal(zip_get_num_entries(za, 0), 1 + 2 * N_SIZES);
	for (int k = 0; k < 2 * N_SIZES; k++) {
		int i = backwards ? 2 * N_SIZES - 1 - k : k;
		size_t n = sizes[i / 2];
		bool text = i % 2 == 1;
		char name[64];
		snprintf(name, sizeof name, "EPUB/e%02d.%s", i, text ? "xhtml" : "bin");
		zip_stat_t st;
		assert_int_equal(zip_stat(za, name, 0, &st), 0);
		assert_int_equal(st.size, n);
		unsigned char *want = pattern(n, (unsigned)i, text), *got = xmalloc(n + 1);
		zip_file_t *zf = zip_fopen(za, name, 0);
		assert_non_null(zf);
		zip_int64_t r, have = 0;
		while ((r = zip_fread(zf, got + have, n + 1 - (size_t)have)) > 0)
			have += r;
		assert_int_equal(r, 0);
		assert_int_equal(have, n);
		assert_int_equal(zip_fclose(zf), 0);
		assert_memory_equal(got, want, n);
		free(want);
		free(got);
	}
}

static void
test_sizes_round_trip(void **state)
{
	struct fix *f = *state;
	struct epubzip *z = epubzip_new(f->path, T_FIXED, f->log.lg);
	int err = 0;
	zip_error_t ze;
	assert_non_null(z);
	for (int i = 0; i < 2 * N_SIZES; i++) {
		size_t n = sizes[i / 2];
		bool text = i % 2 == 1;
		char name[64];
		snprintf(name, sizeof name, "EPUB/e%02d.%s", i, text ? "xhtml" : "bin");
		assert_int_equal(epubzip_add(z, name, pattern(n, (unsigned)i, text), n, text), 0);
	}
	assert_int_equal(epubzip_close(z), 0);
	assert_string_equal(tlog_text(&f->log), "");

	zip_t *za = zip_open(f->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	check_entries(za, false);
	zip_close(za);

	zip_error_init(&ze);
	za = epubzip_open_read(f->path, ZIP_CHECKCONS, &ze);
	assert_non_null(za);
	check_entries(za, true);
	check_entries(za, false);
	zip_close(za);
	zip_error_fini(&ze);
}

static void
test_open_read_errors(void **state)
{
	struct fix *f = *state;
	char p[256];
	zip_error_t ze;

	zip_error_init(&ze);
	snprintf(p, sizeof p, "%s/none.epub", f->dir);
	assert_null(epubzip_open_read(p, ZIP_CHECKCONS, &ze));
	assert_int_equal(zip_error_code_zip(&ze), ZIP_ER_OPEN);
	assert_int_equal(zip_error_code_system(&ze), ENOENT);
	zip_error_fini(&ze);

	zip_error_init(&ze);
	assert_null(epubzip_open_read(f->dir, ZIP_CHECKCONS, &ze)); /* a folder */
	assert_int_equal(zip_error_code_zip(&ze), ZIP_ER_OPEN);
	zip_error_fini(&ze);

	zip_error_init(&ze);
	write_file(p, "not a zip archive, but long enough to look for one in it......");
	assert_null(epubzip_open_read(p, ZIP_CHECKCONS, &ze));
	assert_int_equal(zip_error_code_zip(&ze), ZIP_ER_NOZIP);
	zip_error_fini(&ze);

	/* cut short: the central directory is gone */
	assert_int_equal(build(f->path, T_FIXED, f->log.lg), 0);
	size_t len;
	char *b = slurp(f->path, &len);
	FILE *fp = fopen(p, "wb");
	assert_non_null(fp);
	fwrite(b, 1, len - 30, fp);
	fclose(fp);
	free(b);
	zip_error_init(&ze);
	assert_null(epubzip_open_read(p, ZIP_CHECKCONS, &ze));
	assert_int_not_equal(zip_error_code_zip(&ze), ZIP_ER_OK);
	zip_error_fini(&ze);
}

/* A write that fails (here: over RLIMIT_FSIZE, as a full disk would) fails
 * the close with the system's reason; the old book stays, nothing is left. */
static void
test_write_error_keeps_old(void **state)
{
	struct fix *f = *state;
	struct rlimit was, small;
	size_t n = 3 << 20, len;

	write_file(f->path, "old book");
	struct epubzip *z = epubzip_new(f->path, T_FIXED, f->log.lg);
	assert_non_null(z);
	assert_int_equal(epubzip_add(z, "EPUB/big.bin", pattern(n, 7, false), n, false), 0);
	assert_int_equal(epubzip_add(z, "EPUB/a.xhtml", xstrdup(xhtml), strlen(xhtml), true), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small = was;
	small.rlim_cur = 1 << 20;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int rc = epubzip_close(z);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	assert_contains(tlog_text(&f->log), "cannot write the book");
	assert_contains(tlog_text(&f->log), strerror(EFBIG));
	char *old = slurp(f->path, &len);
	assert_string_equal(old, "old book");
	free(old);
	char *list = listing(f->dir);
	assert_string_equal(list, "book.epub");
	free(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mimetype_first_stored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_entries_and_methods, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_bytes_any_tz, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_bytes_later, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_discard_keeps_old, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_close_keeps_old, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_is_folder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_writable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_and_bad_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_checked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sizes_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_read_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_error_keeps_old, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

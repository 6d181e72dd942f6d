/* Unit tests: collect.c — walking the folder and reading posts. */
#include <sys/stat.h>

#include "collect.h"
#include "testutil.h"
#include "util.h"

static char root[64];

static void
put(const char *rel, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(path);
}

static void
mkd(const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/p2e-collect-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s' /tmp/p2e-outside.md", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void
test_walk(void **state)
{
	(void)state;
	mkd("b");
	mkd("b/deeper");
	mkd(".hidden");
	mkd("_site");
	mkd("_posts");
	mkd("名字 with space");
	put("z.md", "x", 1);
	put("a.MARKDOWN", "x", 1);
	put("b/c.html", "x", 1);
	put("b/deeper/d.htm", "x", 1);
	put(".hidden/x.md", "x", 1);
	put(".dot.md", "x", 1);
	put("_site/y.md", "x", 1);
	put("_posts/p.md", "x", 1);
	put("readme.rst", "x", 1);
	put(".md", "x", 1);
	put("名字 with space/文章 $(rm).txt", "x", 1);
	FILE *f = fopen("/tmp/p2e-outside.md", "w");
	fclose(f);
	char *l1 = xasprintf("%s/outside.md", root), *l2 = xasprintf("%s/b/loop", root);
	char *l3 = xasprintf("%s/inside-link.md", root), *t3 = xasprintf("%s/z.md", root);
	assert_int_equal(symlink("/tmp/p2e-outside.md", l1), 0);
	assert_int_equal(symlink("..", l2), 0);
	assert_int_equal(symlink(t3, l3), 0);

	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct post_list l = {0};
	assert_int_equal(collect_dir(root, t.lg, &l), 0);
	/* A folder's files, then its sub-folders, each in byte order. */
	const char *want[] = {"a.MARKDOWN", "inside-link.md", "z.md", "_posts/p.md", "b/c.html",
			      "b/deeper/d.htm", "名字 with space/文章 $(rm).txt"};
	assert_int_equal(l.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.v[i]->relpath, want[i]);
	assert_contains(tlog_text(&t), "outside.md: warning: symbolic link points outside the input folder");
	assert_contains(tlog_text(&t), "b/loop: warning: folder already visited");
	post_list_free(&l);
	tlog_close(&t);
	free(l1);
	free(l2);
	free(l3);
	free(t3);
}

static void
test_missing_dir(void **state)
{
	(void)state;
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct post_list l = {0};
	assert_int_equal(collect_dir("/nonexistent/p2e", t.lg, &l), -1);
	assert_contains(tlog_text(&t), "/nonexistent/p2e: error: cannot read folder");
	assert_int_equal(collect_dir("/etc/hostname", t.lg, &l), -1);
	assert_contains(tlog_text(&t), "not a folder");
	tlog_close(&t);
}

static char *
read_as(const char *rel, const void *data, size_t len, size_t max, struct tlog *t, int *rc)
{
	put(rel, data, len);
	struct post p = {0};
	p.path = xasprintf("%s/%s", root, rel);
	p.relpath = (char *)rel;
	char *text = NULL;
	size_t n = 0;
	*rc = collect_read(&p, max, t->lg, &text, &n);
	free(p.path);
	if (*rc == 0)
		assert_int_equal(strlen(text), n);
	return text;
}

static void
test_read(void **state)
{
	(void)state;
	struct tlog t;
	int rc;
	char *s;

	tlog_open(&t, LOG_NORMAL);
	s = read_as("bom.md", "\xEF\xBB\xBFhi", 5, 100, &t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "hi");
	free(s);
	s = read_as("u16.md", "\xFF\xFEh\0\x2D\x4E", 6, 100, &t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "h中");
	free(s);
	s = read_as("u16be.md", "\xFE\xFF\0h\x4E\x2D", 6, 100, &t, &rc);
	assert_string_equal(s, "h中");
	free(s);
	assert_string_equal(tlog_text(&t), "");

	/* "中文" in GB18030. */
	s = read_as("gbk.txt", "\xD6\xD0\xCE\xC4", 4, 100, &t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "中文");
	free(s);
	assert_contains(tlog_text(&t), "gbk.txt: warning: not UTF-8; read as GB18030");

	s = read_as("bad.md", "ok\xFF\0end", 7, 100, &t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "ok\xEF\xBF\xBD\xEF\xBF\xBD" "end");
	free(s);
	assert_contains(tlog_text(&t), "bad.md:1: warning: 2 invalid or control byte sequences replaced");

	char bin[2000];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)(i * 7 % 256);
	s = read_as("bin.txt", bin, sizeof bin, 100000, &t, &rc);
	assert_int_equal(rc, -1);
	assert_null(s);
	assert_contains(tlog_text(&t), "bin.txt: warning: not text");

	s = read_as("big.md", "0123456789", 10, 5, &t, &rc);
	assert_int_equal(rc, -1);
	assert_contains(tlog_text(&t), "big.md: warning: larger than 5 bytes; skipped");

	s = read_as("empty.md", "", 0, 5, &t, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "");
	free(s);
	tlog_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	};
	return cmocka_run_group_tests_name("collect", tests, NULL, NULL);
}

/* Unit tests: site.c — Hexo and Jekyll site roots. */
#include <sys/stat.h>

#include "site.h"
#include "testutil.h"
#include "util.h"

static void
mk(const char *path)
{
	assert_int_equal(mkdir(path, 0755), 0);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
rmrf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void
test_hexo(void **state)
{
	(void)state;
	char dir[] = "/tmp/p2e-site-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *src = xasprintf("%s/source", dir), *posts = xasprintf("%s/source/_posts", dir);
	char *cfg = xasprintf("%s/_config.yml", dir);
	mk(src);
	mk(posts);
	put(cfg, "# Hexo Configuration\ntitle: 我的博客\nsubtitle: ''\nauthor: 林一舟\n"
		 "language: zh-CN\ntimezone: ''\nurl: https://blog.example.org\n"
		 "permalink: :year/:month/:day/:title/\ndeploy:\n  type: git\n  repo: x\n");
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct site s;
	assert_int_equal(site_detect(dir, &s, t.lg), 0);
	assert_string_equal(s.kind, "Hexo");
	assert_string_equal(s.posts, posts);
	assert_string_equal(s.title, "我的博客");
	assert_string_equal(s.author, "林一舟");
	assert_string_equal(s.lang, "zh-CN");
	assert_string_equal(s.url, "https://blog.example.org");
	assert_string_equal(tlog_text(&t), "");
	site_free(&s);
	tlog_close(&t);
	rmrf(dir);
	free(src);
	free(posts);
	free(cfg);
}

static void
test_jekyll(void **state)
{
	(void)state;
	char dir[] = "/tmp/p2e-site-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *posts = xasprintf("%s/_posts", dir), *cfg = xasprintf("%s/_config.yml", dir);
	mk(posts);
	put(cfg, "title: Notes\nauthor:\n  name: Mei Lin\n  email: mei@example.org\nlang: en-GB\n");
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct site s;
	assert_int_equal(site_detect(dir, &s, t.lg), 0);
	assert_string_equal(s.kind, "Jekyll");
	assert_string_equal(s.posts, posts);
	assert_string_equal(s.title, "Notes");
	assert_string_equal(s.author, "Mei Lin");
	assert_string_equal(s.lang, "en-GB");
	assert_null(s.url);
	site_free(&s);

	/* A broken configuration is warned about; the folder is still used. */
	put(cfg, "title: [unclosed\n");
	assert_int_equal(site_detect(dir, &s, t.lg), 0);
	assert_string_equal(s.kind, "Jekyll");
	assert_null(s.title);
	assert_contains(tlog_text(&t), "_config.yml:2: warning: invalid front matter");
	assert_contains(tlog_text(&t), "warning: invalid front matter");
	site_free(&s);
	tlog_close(&t);
	rmrf(dir);
	free(posts);
	free(cfg);
}

static void
test_not_a_site(void **state)
{
	(void)state;
	char dir[] = "/tmp/p2e-site-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct site s;
	assert_int_equal(site_detect(dir, &s, t.lg), 0);
	assert_null(s.kind);
	assert_null(s.posts);
	/* _config.yml without a posts folder is not a site root either. */
	char *cfg = xasprintf("%s/_config.yml", dir);
	put(cfg, "title: x\n");
	assert_int_equal(site_detect(dir, &s, t.lg), 0);
	assert_null(s.kind);
	assert_null(s.title);
	site_free(&s);
	tlog_close(&t);
	rmrf(dir);
	free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hexo),
		cmocka_unit_test(test_jekyll),
		cmocka_unit_test(test_not_a_site),
	};
	return cmocka_run_group_tests_name("site", tests, NULL, NULL);
}

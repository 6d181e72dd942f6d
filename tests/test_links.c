/* Unit tests: links.c — links between posts of the archive. */
#include "links.h"
#include "testutil.h"

static void
expect(const struct links *l, const char *link, const char *want)
{
	char *got = links_resolve(l, link);
	if (want == NULL) {
		if (got != NULL)
			fail_msg("'%s' should name no post, got %s", link, got);
	} else {
		if (got == NULL)
			fail_msg("'%s' should be %s, got nothing", link, want);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
test_resolve(void **state)
{
	(void)state;
	struct post a = {.relpath = "2022/2022-09-17-first.md",
			 .url = "https://Blog.Example.org/2022/09/17/first/"};
	struct post b = {.relpath = "answers/000_134b.txt",
			 .url = "https://www.zhihu.com/question/1/answer/2"};
	struct post c = {.relpath = "notes.md", .url = "/notes/"};
	struct post dup = {.relpath = "other/notes.html"};
	struct links *l = links_new("https://www.blog.example.org");
	links_add(l, &a, "p00001.xhtml");
	links_add(l, &b, "p00002.xhtml");
	links_add(l, &c, "p00003.xhtml");
	links_add(l, &dup, "p00004.xhtml");

	/* By URL: scheme, www., letter case of the host, trailing slash,
	 * index.html, query and fragment do not matter. */
	expect(l, "https://blog.example.org/2022/09/17/first/", "p00001.xhtml");
	expect(l, "http://www.blog.example.org/2022/09/17/first", "p00001.xhtml");
	expect(l, "https://blog.example.org/2022/09/17/first/index.html#top", "p00001.xhtml");
	expect(l, "https://zhihu.com/question/1/answer/2?utm=x", "p00002.xhtml");
	/* By path on the site's host, or as a site path. */
	expect(l, "https://blog.example.org/notes/", "p00003.xhtml");
	expect(l, "/2022/09/17/first/", "p00001.xhtml");
	/* By file name, with or without the Jekyll date. */
	expect(l, "2022-09-17-first.md", "p00001.xhtml");
	expect(l, "../first/", "p00001.xhtml");
	expect(l, "000_134b.html", "p00002.xhtml");
	/* The first post keeps a name two posts share. */
	expect(l, "notes.html", "p00003.xhtml");
	/* Nothing else. */
	expect(l, "https://elsewhere.org/2022/09/17/first/", NULL);
	expect(l, "https://www.zhihu.com/question/1", NULL);
	expect(l, "mailto:a@b.c", NULL);
	expect(l, "#section", NULL);
	expect(l, "", NULL);
	expect(l, "missing.md", NULL);
	links_free(l);

	/* Without a site, a path URL only matches as a path. */
	l = links_new(NULL);
	links_add(l, &c, "p00003.xhtml");
	expect(l, "/notes", "p00003.xhtml");
	expect(l, "https://blog.example.org/notes/", NULL);
	links_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests_name("links", tests, NULL, NULL);
}

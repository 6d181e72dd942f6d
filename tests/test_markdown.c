/* test_markdown.c — Markdown bodies to HTML through md4c. */
#include "testutil.h"

#include "markdown.h"

static char *
md(const char *in)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(md_render(in, strlen(in), &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	return out;
}

#define EXPECT_MD(in, want)                                                                \
	do {                                                                               \
		char *o_ = md(in);                                                         \
		assert_string_equal(o_, want);                                             \
		free(o_);                                                                  \
	} while (0)

static void
test_basics(void **state)
{
	(void)state;
	EXPECT_MD("# Title\n\nSome *em* and **strong**.\n",
		  "<h1>Title</h1>\n<p>Some <em>em</em> and <strong>strong</strong>.</p>\n");
	EXPECT_MD("line  \nbreak\n\n---\n", "<p>line<br />\nbreak</p>\n<hr />\n");
	EXPECT_MD("", "");
	/* a BOM is skipped */
	EXPECT_MD("\xEF\xBB\xBF# T", "<h1>T</h1>\n");
}

static void
test_tables(void **state)
{
	(void)state;
	EXPECT_MD("| a | b |\n|---|---|\n| 1 | 2 |\n",
		  "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
		  "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n");
}

static void
test_strikethrough_autolinks(void **state)
{
	(void)state;
	EXPECT_MD("~~gone~~", "<p><del>gone</del></p>\n");
	EXPECT_MD("see https://e.org/x?a=1&b=2 now",
		  "<p>see <a href=\"https://e.org/x?a=1&amp;b=2\">https://e.org/x?a=1&amp;b=2</a> "
		  "now</p>\n");
	EXPECT_MD("www.e.org", "<p><a href=\"http://www.e.org\">www.e.org</a></p>\n");
	EXPECT_MD("<https://e.org>", "<p><a href=\"https://e.org\">https://e.org</a></p>\n");
}

static void
test_task_lists(void **state)
{
	char *o;

	(void)state;
	o = md("- [x] done\n- [ ] todo\n");
	assert_contains(o, "checked>done");
	assert_contains(o, "type=\"checkbox\"");
	free(o);
}

static void
test_raw_html(void **state)
{
	(void)state;
	/* kept verbatim: sanitising is xhtml.c's job */
	EXPECT_MD("<div class=\"raw\">\n*not md*\n</div>\n\ntext <span onclick=\"x\">s</span>\n",
		  "<div class=\"raw\">\n*not md*\n</div>\n<p>text <span onclick=\"x\">s</span></p>\n");
	EXPECT_MD("<script>alert(1)</script>\n", "<script>alert(1)</script>\n");
}

static void
test_code(void **state)
{
	(void)state;
	EXPECT_MD("```c\nif (a < b && c) {}\n```\n",
		  "<pre><code class=\"language-c\">if (a &lt; b &amp;&amp; c) {}\n</code></pre>\n");
	EXPECT_MD("    <indented>\n", "<pre><code>&lt;indented&gt;\n</code></pre>\n");
	EXPECT_MD("`a<b`", "<p><code>a&lt;b</code></p>\n");
}

static void
test_entities(void **state)
{
	(void)state;
	/* Markdown entities become characters; unknown ones stay escaped text */
	EXPECT_MD("&copy; &nbsp;&#x4e2d; &bogus; a < b & c",
		  "<p>\xC2\xA9 \xC2\xA0\xE4\xB8\xAD &amp;bogus; a &lt; b &amp; c</p>\n");
	EXPECT_MD("![a \"q\"](http://e.org/i.png \"t<\")",
		  "<p><img src=\"http://e.org/i.png\" alt=\"a &quot;q&quot;\" title=\"t&lt;\" /></p>\n");
}

static void
test_nul_and_bad_utf8(void **state)
{
	static const char in[] = "a\0b \xff c";
	char *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(md_render(in, sizeof in - 1, &out, &len), 0);
	/* md4c replaces NUL by U+FFFD; other bytes pass through for the cleaner */
	assert_contains(out, "a\xEF\xBF\xBD"
			     "b");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basics),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_strikethrough_autolinks),
	    cmocka_unit_test(test_task_lists),
	    cmocka_unit_test(test_raw_html),
	    cmocka_unit_test(test_code),
	    cmocka_unit_test(test_entities),
	    cmocka_unit_test(test_nul_and_bad_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

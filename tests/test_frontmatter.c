/* test_frontmatter.c — splitting posts and reading their YAML front matter.
 *
 * Warnings are part of the contract: they are captured with tlog and compared
 * whole, file:line included.
 */
#include "testutil.h"

#include "frontmatter.h"
#include "util.h"

/* One parse: the post, what fm_parse returned, what it said. */
struct run {
	struct post *p;
	int rc;
	struct tlog log;
};

static void
run_len(struct run *r, const char *relpath, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	r->p = xcalloc(1, sizeof *r->p);
	if (relpath != NULL) {
		r->p->relpath = xstrdup(relpath);
		r->p->path = xasprintf("/in/%s", relpath);
	}
	tlog_open(&r->log, LOG_NORMAL);
	r->rc = fm_parse(text, len, r->p, r->log.lg);
}

static void
run(struct run *r, const char *relpath, const char *text)
{
	run_len(r, relpath, text, strlen(text));
}

static void
done(struct run *r)
{
	post_free(r->p);
	tlog_close(&r->log);
}

#define assert_no_warnings(r) assert_string_equal(tlog_text(&(r)->log), "")

static void
assert_list(const struct strlist *l, const char *const *want, size_t n)
{
	if (l->n != n) {
		for (size_t i = 0; i < l->n; i++)
			print_message("  [%zu] \"%s\"\n", i, l->v[i]);
		fail_msg("list has %zu entries, expected %zu", l->n, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], want[i]);
}

#define LIST(...)                                                                                  \
	(const char *const[]){__VA_ARGS__},                                                        \
	    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

/* ------------------------------------------------------------------ */

/* The specimen post's front matter, byte for byte (note the blank first line
 * and the space after "categories:"); the body is shortened. */
static const char specimen[] = "\n"
                               "---\n"
                               "title: "
                               "'上合组织成员国元首签署《撒马尔罕宣言》，释放哪些信息？「逆全球化」"
                               "思潮涌动，区域性国际组织将去向何处？'\n"
                               "categories: \n"
                               " - 社交媒体\n"
                               " - 知乎\n"
                               " - 知乎热榜\n"
                               "headimg: 'https://picsum.photos/400/300?random=446'\n"
                               "author: 知乎\n"
                               "comments: false\n"
                               "date: Sat, 17 Sep 2022 09:15:14 GMT\n"
                               "thumbnail: 'https://picsum.photos/400/300?random=446'\n"
                               "---\n"
                               "\n"
                               "<div>   \n"
                               "王克丹的回答<br><br><p data-pid=\"eemtUDtd\">全球化</p>  \n"
                               "</div>\n"
                               "            ";

static void
test_specimen(void **state)
{
	(void)state;
	struct run r;
	run(&r, "000_134b3be4f23bb5c7.txt", specimen);
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title,
	                    "上合组织成员国元首签署《撒马尔罕宣言》，释放哪些信息？「逆全球化」"
	                    "思潮涌动，区域性国际组织将去向何处？");
	assert_list(&r.p->categories, LIST("社交媒体", "知乎", "知乎热榜"));
	assert_int_equal(r.p->tags.n, 0);
	assert_string_equal(r.p->headimg, "https://picsum.photos/400/300?random=446");
	assert_string_equal(r.p->thumbnail, "https://picsum.photos/400/300?random=446");
	assert_null(r.p->cover);
	assert_string_equal(r.p->author, "知乎");
	assert_string_equal(r.p->date_raw, "Sat, 17 Sep 2022 09:15:14 GMT");
	assert_int_equal(r.p->date_line, 11);
	assert_null(r.p->updated_raw);
	assert_null(r.p->lang);
	assert_null(r.p->url);
	assert_int_equal(r.p->body_line, 14);
	assert_true(strncmp(r.p->body, "\n<div>   \n", 10) == 0);
	assert_int_equal(r.p->body_len, strlen(r.p->body));
	assert_int_equal(r.p->body_len, strlen(strstr(specimen, "---\n\n<div>") + 4));
	assert_int_equal(r.p->format, POST_HTML);
	done(&r);
}

static void
test_bom(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "\xEF\xBB\xBF---\ntitle: A\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "A");
	assert_string_equal(r.p->body, "body\n");
	assert_int_equal(r.p->body_line, 4);
	done(&r);

	/* A BOM and no front matter: the BOM is not part of the body. */
	run(&r, "a.md", "\xEF\xBB\xBF# Hi\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->body, "# Hi\n");
	assert_int_equal(r.p->body_line, 1);
	done(&r);
}

static void
test_crlf(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md",
	    "---\r\ntitle: A\r\ndate: 2022-09-17\r\ntags: [x, y]\r\ncategories:\r\n - c\r\n---\r\n"
	    "body\r\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "A");
	assert_string_equal(r.p->date_raw, "2022-09-17");
	assert_int_equal(r.p->date_line, 3);
	assert_list(&r.p->tags, LIST("x", "y"));
	assert_list(&r.p->categories, LIST("c"));
	assert_string_equal(r.p->body, "body\r\n");
	assert_int_equal(r.p->body_line, 8);
	done(&r);

	/* A lone CR ends a line too. */
	run(&r, "a.md", "\r---\rtitle: A\rdate: x\r---\rbody");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "A");
	assert_int_equal(r.p->date_line, 4);
	assert_string_equal(r.p->body, "body");
	assert_int_equal(r.p->body_line, 6);
	done(&r);

	/* YAML errors are located with CRLF as well. */
	run(&r, "a.md", "\r\n---\r\ntitle: a\r\nfoo: bar: baz\r\n---\r\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:4: warning: invalid front matter: "
	                                       "mapping values are not allowed in this context\n");
	done(&r);
}

static void
test_leading_blank_lines(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "\n  \n\t\r\n---\ntitle: A\n---\nx");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "A");
	assert_string_equal(r.p->body, "x");
	assert_int_equal(r.p->body_line, 7);
	done(&r);
}

static void
test_no_front_matter(void **state)
{
	(void)state;
	struct run r;

	/* The body starts at the first line that is not blank. */
	run(&r, "a.md", "\n\n# Hello\n\ntext\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_null(r.p->title);
	assert_null(r.p->date_raw);
	assert_int_equal(r.p->date_line, 0);
	assert_string_equal(r.p->body, "# Hello\n\ntext\n");
	assert_int_equal(r.p->body_len, 14);
	assert_int_equal(r.p->body_line, 3);
	assert_int_equal(r.p->format, POST_MARKDOWN);
	done(&r);

	run(&r, "a.txt", "<p>hi</p>");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->body, "<p>hi</p>");
	assert_int_equal(r.p->body_line, 1);
	assert_int_equal(r.p->format, POST_HTML);
	done(&r);

	/* Not a marker line: "---" must stand alone. */
	run(&r, "a.md", "--- not front matter\ntitle: A\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_null(r.p->title);
	assert_string_equal(r.p->body, "--- not front matter\ntitle: A\n---\n");
	done(&r);

	run(&r, "a.md", "----\ntitle: A\n----\n");
	assert_int_equal(r.rc, 0);
	assert_null(r.p->title);
	done(&r);

	/* Empty text, and text of blank lines only. */
	run(&r, "a.md", "");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->body, "");
	assert_int_equal(r.p->body_len, 0);
	assert_int_equal(r.p->body_line, 1);
	done(&r);

	run(&r, "a.md", "\n\n  \n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->body, "");
	assert_int_equal(r.p->body_line, 4);
	done(&r);
}

static void
test_unclosed(void **state)
{
	(void)state;
	struct run r;
	run(&r, "posts/a.md", "\n---\ntitle: A\n\nbody\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: posts/a.md:2: warning: front matter is not "
	                    "closed: no '---' line after line 2\n");
	/* Nothing was filled in. */
	assert_null(r.p->title);
	assert_null(r.p->body);
	done(&r);

	run(&r, "a.md", "---");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:1: warning: front matter is not "
	                                       "closed: no '---' line after line 1\n");
	done(&r);

	/* "----" or "-- -" do not close it. */
	run(&r, "a.md", "---\ntitle: A\n----\n-- -\n");
	assert_int_equal(r.rc, -1);
	done(&r);
}

static void
test_closing_lines(void **state)
{
	(void)state;
	struct run r;

	/* "..." closes as well; trailing blanks after the markers are allowed. */
	run(&r, "a.md", "---  \ntitle: A\n... \t\nbody");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "A");
	assert_string_equal(r.p->body, "body");
	assert_int_equal(r.p->body_line, 4);
	done(&r);

	/* Closed on the last line, no newline: an empty body. */
	run(&r, "a.md", "---\ntitle: A\n---");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->body, "");
	assert_int_equal(r.p->body_len, 0);
	assert_int_equal(r.p->body_line, 4);
	done(&r);

	/* An empty block is fine (Jekyll uses it) and says nothing. */
	run(&r, "a.md", "---\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_null(r.p->title);
	assert_string_equal(r.p->body, "body\n");
	assert_int_equal(r.p->body_line, 3);
	done(&r);

	run(&r, "a.md", "---\n# only a comment\n\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_int_equal(r.p->body_line, 5);
	done(&r);
}

/* A block that is not a mapping is warned about and ignored; the post is
 * kept (rc 0) with its body. A block that is only "~" is like an empty one. */
static void
test_not_a_mapping(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "---\njust text\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:2: warning: front matter is not a mapping; ignored\n");
	assert_string_equal(r.p->body, "body\n");
	done(&r);

	run(&r, "a.md", "---\n\n- a\n- b\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:3: warning: front matter is not a mapping; ignored\n");
	done(&r);

	run(&r, "a.md", "---\n~\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	done(&r);
}

static void
test_invalid_yaml(void **state)
{
	(void)state;
	struct run r;

	run(&r, "a.md", "\n---\ntitle: a\nfoo: bar: baz\n---\nbody\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:4: warning: invalid front matter: "
	                                       "mapping values are not allowed in this context\n");
	assert_null(r.p->title);
	assert_null(r.p->body);
	done(&r);

	run(&r, "a.md", "---\ntitle: a\ntags: [a, b\ndate: 2022-09-17\n---\n");
	assert_int_equal(r.rc, -1);
	assert_contains(tlog_text(&r.log), "post2epub: a.md:");
	assert_contains(tlog_text(&r.log), ": warning: invalid front matter: ");
	done(&r);

	run(&r, "a.md", "---\ntitle: \"unterminated\n---\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(
	    tlog_text(&r.log),
	    "post2epub: a.md:3: warning: invalid front matter: found unexpected end "
	    "of stream\n");
	done(&r);

	/* Tabs cannot indent YAML. */
	run(&r, "a.md", "---\ntitle: a\ncategories:\n\t- a\n---\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:4: warning: invalid front matter: "
	                                       "found character that cannot start any token\n");
	done(&r);

	/* A control character: a reader error, located by its offset. */
	run(&r, "a.md", "---\ntitle: a\r\n\nx: \x01\n---\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:4: warning: invalid front matter: "
	                                       "control characters are not allowed\n");
	done(&r);
}

static void
test_aliases_refused(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "---\nbase: &b hello\ntitle: *b\n---\nbody\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:3: warning: front matter uses YAML "
	                                       "aliases, which are not accepted\n");
	assert_null(r.p->title);
	done(&r);

	/* The billion laughs never get going. */
	run(&r, "a.md", "---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\n");
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:3: warning: front matter uses YAML "
	                                       "aliases, which are not accepted\n");
	done(&r);

	/* An anchor alone is harmless. */
	run(&r, "a.md", "---\ntitle: &t Hello\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "Hello");
	done(&r);
}

static void
test_deep_nesting(void **state)
{
	(void)state;
	struct run r;
	struct buf b = {0};

	/* 32 levels are fine (in an unknown key, so ignored) ... */
	buf_puts(&b, "---\ntitle: T\nx: ");
	for (int i = 0; i < 31; i++)
		buf_putc(&b, '[');
	for (int i = 0; i < 31; i++)
		buf_putc(&b, ']');
	buf_puts(&b, "\n---\n");
	run(&r, "a.md", b.data);
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "T");
	done(&r);
	buf_free(&b);

	/* ... more are not. */
	buf_puts(&b, "---\ntitle: T\nx: ");
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '[');
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, ']');
	buf_puts(&b, "\n---\n");
	run(&r, "a.md", b.data);
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:3: warning: front matter is nested "
	                                       "too deeply (more than 32 levels)\n");
	assert_null(r.p->title);
	done(&r);
	buf_free(&b);

	/* Block style counts the same. */
	buf_puts(&b, "---\n");
	for (int i = 0; i < 40; i++) {
		for (int j = 0; j < i; j++)
			buf_putc(&b, ' ');
		buf_printf(&b, "k%d:\n", i);
	}
	buf_puts(&b, "---\n");
	run(&r, "a.md", b.data);
	assert_int_equal(r.rc, -1);
	assert_contains(tlog_text(&r.log), "warning: front matter is nested too deeply");
	done(&r);
	buf_free(&b);
}

static void
test_too_many_nodes(void **state)
{
	(void)state;
	struct run r;
	struct buf b = {0};

	buf_puts(&b, "---\ntitle: T\nx: [");
	for (int i = 0; i < 10001; i++)
		buf_puts(&b, "1,");
	buf_puts(&b, "]\n---\n");
	run(&r, "a.md", b.data);
	assert_int_equal(r.rc, -1);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:3: warning: front matter has too "
	                                       "many entries (more than 10000)\n");
	done(&r);
	buf_free(&b);
}

static void
test_long_scalar(void **state)
{
	(void)state;
	struct run r;
	struct buf b = {0};

	buf_puts(&b, "---\nother: ");
	for (int i = 0; i < 70000; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\ntitle: ");
	for (int i = 0; i < 70000; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\nauthor: Ann\n---\n");
	run(&r, "a.md", b.data);
	/* Too long for a field: ignored with a warning; elsewhere: silently. */
	assert_int_equal(r.rc, 0);
	assert_string_equal(tlog_text(&r.log), "post2epub: a.md:3: warning: 'title' is too long "
	                                       "(70000 bytes); ignored\n");
	assert_null(r.p->title);
	assert_string_equal(r.p->author, "Ann");
	done(&r);
	buf_free(&b);
}

static void
test_lists(void **state)
{
	(void)state;
	struct run r;

	/* Flow lists; duplicates and empty entries dropped. */
	run(&r, "a.md", "---\ntags: [a, b, 'c d', a, '', ~]\ncategories: [X]\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_list(&r.p->tags, LIST("a", "b", "c d"));
	assert_list(&r.p->categories, LIST("X"));
	done(&r);

	/* Block lists. */
	run(&r, "a.md",
	    "---\ncategories:\n- Diary\n-   Life  \ntags:\n  - \"x, y\"\n  - 2022\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_list(&r.p->categories, LIST("Diary", "Life"));
	/* an entry of a list is never split */
	assert_list(&r.p->tags, LIST("x, y", "2022"));
	done(&r);

	/* Singular Jekyll keys. */
	run(&r, "a.md", "---\ncategory: Diary\ntag: one\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_list(&r.p->categories, LIST("Diary"));
	assert_list(&r.p->tags, LIST("one"));
	done(&r);

	/* A mapping where a list belongs. */
	run(&r, "a.md", "---\ntags:\n  a: b\ncategories: [x, {y: z}, {w: v}]\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:3: warning: 'tags' should be a list, not a mapping\n"
	                    "post2epub: a.md:4: warning: 'categories' entries should be text, not "
	                    "mappings\n");
	assert_int_equal(r.p->tags.n, 0);
	assert_list(&r.p->categories, LIST("x"));
	done(&r);
}

static void
test_nested_categories(void **state)
{
	(void)state;
	struct run r;

	run(&r, "a.md", "---\ncategories: [[a, b], c, [a, b], [], [d]]\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_list(&r.p->categories, LIST("a / b", "c", "d"));
	done(&r);

	/* Hexo's documented form. */
	run(&r, "a.md",
	    "---\ncategories:\n- [Diary, PlayStation]\n- [Diary, Games]\n- [Life]\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_list(&r.p->categories, LIST("Diary / PlayStation", "Diary / Games", "Life"));
	done(&r);

	/* Block lists inside block lists, deeper levels flattened in order. */
	run(&r, "a.md", "---\ncategories:\n-\n  - a\n  - [b, [c]]\n  - ''\n- e\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_list(&r.p->categories, LIST("a / b / c", "e"));
	done(&r);
}

static void
test_tag_strings(void **state)
{
	(void)state;
	struct run r;

	/* tags: split on commas when there is one ... */
	run(&r, "a.md", "---\ntags: a, b ,c,, a\n---\n");
	assert_int_equal(r.rc, 0);
	assert_list(&r.p->tags, LIST("a", "b", "c"));
	done(&r);

	/* ... otherwise one tag, spaces and all. */
	run(&r, "a.md", "---\ntags: hello world\n---\n");
	assert_int_equal(r.rc, 0);
	assert_list(&r.p->tags, LIST("hello world"));
	done(&r);

	/* categories: a string is one category, commas or not. */
	run(&r, "a.md", "---\ncategories: a, b\n---\n");
	assert_int_equal(r.rc, 0);
	assert_list(&r.p->categories, LIST("a, b"));
	done(&r);

	run(&r, "a.md", "---\ntags: ' , '\ncategories: '  '\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_int_equal(r.p->tags.n, 0);
	assert_int_equal(r.p->categories.n, 0);
	done(&r);
}

static void
test_unknown_keys(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md",
	    "---\n"
	    "meta:\n"
	    "  x: [1, {y: [2, 3]}]\n"
	    "  title: not this one\n"
	    "  z:\n"
	    "    - a\n"
	    "    - {b: c}\n"
	    "Title: nor this\n"
	    "? [complex, key]\n"
	    ": value\n"
	    "comments: false\n"
	    "title: T\n"
	    "layout: post\n"
	    "---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "T");
	done(&r);
}

static void
test_duplicate_keys(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "---\ntitle: A\ndate: 2021-01-01\ntitle: B\ndate: 2022-02-02\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->title, "B");
	assert_string_equal(r.p->date_raw, "2022-02-02");
	assert_int_equal(r.p->date_line, 5);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:4: warning: duplicate key 'title' in front matter\n"
	                    "post2epub: a.md:5: warning: duplicate key 'date' in front matter\n");
	done(&r);

	/* Synonyms name the same field. */
	run(&r, "a.md", "---\nlang: en\nlanguage: fr\ntags: [a]\ntag: b\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->lang, "fr");
	assert_list(&r.p->tags, LIST("b"));
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:3: warning: duplicate key 'language' in front matter\n"
	                    "post2epub: a.md:5: warning: duplicate key 'tag' in front matter\n");
	done(&r);

	/* The last one wins, even when it is null. */
	run(&r, "a.md", "---\ntitle: A\ntitle:\n---\n");
	assert_int_equal(r.rc, 0);
	assert_null(r.p->title);
	assert_contains(tlog_text(&r.log), "a.md:3: warning: duplicate key 'title'");
	done(&r);
}

static void
test_author(void **state)
{
	(void)state;
	struct run r;

	run(&r, "a.md", "---\nauthor:\n  email: a@b.c\n  name: Ann\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->author, "Ann");
	done(&r);

	run(&r, "a.md", "---\nauthor: [Bob, Carol]\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->author, "Bob");
	done(&r);

	run(&r, "a.md", "---\nauthor:\n  - name: Dee\n  - name: Eve\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->author, "Dee");
	done(&r);

	run(&r, "a.md", "---\nauthor:\n  email: a@b.c\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:3: warning: 'author' has no 'name'; ignored\n");
	assert_null(r.p->author);
	done(&r);

	run(&r, "a.md", "---\nauthor: [[x]]\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(tlog_text(&r.log),
	                    "post2epub: a.md:2: warning: 'author' should be text, not a list\n");
	assert_null(r.p->author);
	done(&r);

	run(&r, "a.md", "---\nauthor: []\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_null(r.p->author);
	done(&r);
}

static void
test_wrong_types(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md",
	    "---\ntitle: [a, b]\nthumbnail: {a: b}\ndate:\n  - 2022-09-17\nupdated: 2022-09-18\n"
	    "cover: c.png\n---\nbody\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(
	    tlog_text(&r.log),
	    "post2epub: a.md:2: warning: 'title' should be text, not a list\n"
	    "post2epub: a.md:3: warning: 'thumbnail' should be text, not a mapping\n"
	    "post2epub: a.md:5: warning: 'date' should be text, not a list\n");
	assert_null(r.p->title);
	assert_null(r.p->thumbnail);
	assert_null(r.p->date_raw);
	assert_int_equal(r.p->date_line, 0);
	assert_string_equal(r.p->updated_raw, "2022-09-18");
	assert_string_equal(r.p->cover, "c.png");
	assert_string_equal(r.p->body, "body\n");
	done(&r);
}

static void
test_null_values(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md",
	    "---\ntitle: ~\ndate: null\nauthor:\ntags:\ncategories: Null\ncover: ''\nlang: NULL\n"
	    "headimg: \"  \"\nurl: ~\n---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_null(r.p->title);
	assert_null(r.p->date_raw);
	assert_int_equal(r.p->date_line, 0);
	assert_null(r.p->author);
	assert_null(r.p->cover);
	assert_null(r.p->lang);
	assert_null(r.p->headimg);
	assert_null(r.p->url);
	assert_int_equal(r.p->tags.n, 0);
	assert_int_equal(r.p->categories.n, 0);
	done(&r);

	/* Quoted, "null" is text. */
	run(&r, "a.md", "---\ntitle: 'null'\nauthor: \"~\"\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->title, "null");
	assert_string_equal(r.p->author, "~");
	done(&r);
}

static void
test_scalar_fields(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md",
	    "---\n"
	    "title: >\n"
	    "  Folded\n"
	    "  title\n"
	    "date: 2022-09-17 09:15:14 +08:00\n"
	    "updated: \"Sat, 17 Sep 2022 10:00:00 GMT\"\n"
	    "lang: zh-CN\n"
	    "permalink: /2022/09/17/x/\n"
	    "headimg: h.png\n"
	    "thumbnail: t.png\n"
	    "cover: c.png\n"
	    "title2: x\n"
	    "---\n");
	assert_int_equal(r.rc, 0);
	assert_no_warnings(&r);
	assert_string_equal(r.p->title, "Folded title");
	assert_string_equal(r.p->date_raw, "2022-09-17 09:15:14 +08:00");
	assert_int_equal(r.p->date_line, 5);
	assert_string_equal(r.p->updated_raw, "Sat, 17 Sep 2022 10:00:00 GMT");
	assert_string_equal(r.p->lang, "zh-CN");
	assert_string_equal(r.p->url, "/2022/09/17/x/");
	assert_string_equal(r.p->headimg, "h.png");
	assert_string_equal(r.p->thumbnail, "t.png");
	assert_string_equal(r.p->cover, "c.png");
	done(&r);

	run(&r, "a.md", "---\nurl: u\n---\n");
	assert_string_equal(r.p->url, "u");
	done(&r);
	run(&r, "a.md", "---\nlink: l\n---\n");
	assert_string_equal(r.p->url, "l");
	done(&r);

	/* A multi-line date value: the line is that of the value's start. */
	run(&r, "a.md", "---\ndate:\n  2022-09-17\n---\n");
	assert_string_equal(r.p->date_raw, "2022-09-17");
	assert_int_equal(r.p->date_line, 3);
	done(&r);
}

static void
test_format_detection(void **state)
{
	(void)state;
	static const struct {
		const char *relpath;
		const char *text;
		enum post_format want;
	} cs[] = {
	    {"a.md", "<div>x</div>", POST_MARKDOWN},
	    {"a.MARKDOWN", "<div>x</div>", POST_MARKDOWN},
	    {"a.html", "# not markdown", POST_HTML},
	    {"a.HTM", "text", POST_HTML},
	    {"a.txt", "  \n\t<div>x</div>", POST_HTML},
	    {"a.txt", "---\ntitle: A\n---\n\n   <p>x</p>", POST_HTML},
	    {"a.txt", "# title", POST_MARKDOWN},
	    {"a.txt", "", POST_MARKDOWN},
	    {"a.txt", "text <b>bold</b>", POST_MARKDOWN},
	    {"md", "<p>", POST_HTML},
	    {NULL, "<p>", POST_HTML},
	    {NULL, "p", POST_MARKDOWN},
	};
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		struct run r;
		run(&r, cs[i].relpath, cs[i].text);
		assert_int_equal(r.rc, 0);
		if (r.p->format != cs[i].want)
			fail_msg("case %zu (%s): format %d, expected %d", i,
			         cs[i].relpath ? cs[i].relpath : "(null)", r.p->format, cs[i].want);
		done(&r);
	}

	/* Only the path known: it decides. */
	struct run r;
	memset(&r, 0, sizeof r);
	r.p = xcalloc(1, sizeof *r.p);
	r.p->path = xstrdup("/x/post.htm");
	tlog_open(&r.log, LOG_NORMAL);
	r.rc = fm_parse("plain", 5, r.p, r.log.lg);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.p->format, POST_HTML);
	done(&r);
}

/* Bytes fm_parse is not supposed to get (the caller sanitises) must still
 * not crash it. */
static void
test_robustness(void **state)
{
	(void)state;
	struct run r;
	static const char nul_body[] = "---\ntitle: A\n---\nab\0cd";
	static const char nul_fm[] = "---\ntitle: A\0B\n---\nbody";

	run_len(&r, "a.md", nul_body, sizeof nul_body - 1);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.p->body_len, 5);
	assert_memory_equal(r.p->body, "ab\0cd", 6);
	done(&r);

	run_len(&r, "a.md", nul_fm, sizeof nul_fm - 1);
	assert_int_equal(r.rc, -1);
	assert_contains(tlog_text(&r.log), "a.md:2: warning: invalid front matter: ");
	done(&r);

	run(&r, "a.md", "---\ntitle: \xff\xfe\n---\n");
	assert_int_equal(r.rc, -1);
	assert_contains(tlog_text(&r.log), "a.md:2: warning: invalid front matter: ");
	done(&r);

	/* An escaped NUL inside a quoted scalar ends the C string. */
	run(&r, "a.md", "---\ntitle: \"A\\0B\"\n---\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->title, "A");
	done(&r);

	/* A second YAML document inside the block is parsed and dropped. */
	run(&r, "a.md", "---\ntitle: A\n--- x\n---\nbody");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->title, "A");
	assert_string_equal(r.p->body, "body");
	done(&r);

	/* Every prefix of the specimen: no crash, no leak, a sane body. */
	for (size_t n = 0; n <= sizeof specimen - 1; n++) {
		run_len(&r, "s.txt", specimen, n);
		if (r.rc == 0)
			assert_true(r.p->body_len <= n);
		done(&r);
	}
}

/* fm_parse replaces what a post already held. */
static void
test_reparse(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "---\ntitle: A\ntags: [x]\n---\none");
	assert_int_equal(fm_parse("---\ntitle: B\ntags: [y]\n---\ntwo", 30, r.p, r.log.lg), 0);
	assert_string_equal(r.p->title, "B");
	assert_list(&r.p->tags, LIST("y"));
	assert_string_equal(r.p->body, "two");
	done(&r);
}

/* url is where the post lives; permalink and link only stand in for it. */
static void
test_url_and_permalink(void **state)
{
	(void)state;
	struct run r;
	run(&r, "a.md", "---\npermalink: /2022/a/\nurl: https://blog.example.org/a\n---\nx\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.p->url, "https://blog.example.org/a");
	assert_no_warnings(&r);
	done(&r);
	run(&r, "a.md", "---\nurl: https://e.org/a\npermalink: :year/:title/\n---\nx\n");
	assert_string_equal(r.p->url, "https://e.org/a");
	assert_no_warnings(&r);
	done(&r);
	run(&r, "a.md", "---\nlink: https://e.org/b\n---\nx\n");
	assert_string_equal(r.p->url, "https://e.org/b");
	done(&r);
}

/* Bare YAML (a site's _config.yml): the same keys, the file's own lines. */
static void
test_bare_yaml(void **state)
{
	(void)state;
	struct post p = {0};
	struct tlog t;
	const char *cfg = "title: Site\nauthor: A\nlanguage: en\n";
	tlog_open(&t, LOG_NORMAL);
	p.relpath = "_config.yml";
	assert_int_equal(fm_parse_yaml(cfg, strlen(cfg), &p, t.lg), 0);
	assert_string_equal(p.title, "Site");
	assert_string_equal(p.lang, "en");
	assert_null(p.body);
	const char *bad = "title: x\nauthor: &a y\nz: *a\n";
	assert_int_equal(fm_parse_yaml(bad, strlen(bad), &p, t.lg), -1);
	assert_contains(tlog_text(&t), "_config.yml:3: warning: front matter uses YAML aliases");
	p.relpath = NULL;
	post_free_fields(&p);
	tlog_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_and_permalink),
	    cmocka_unit_test(test_bare_yaml),
	    cmocka_unit_test(test_specimen),
	    cmocka_unit_test(test_bom),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_leading_blank_lines),
	    cmocka_unit_test(test_no_front_matter),
	    cmocka_unit_test(test_unclosed),
	    cmocka_unit_test(test_closing_lines),
	    cmocka_unit_test(test_not_a_mapping),
	    cmocka_unit_test(test_invalid_yaml),
	    cmocka_unit_test(test_aliases_refused),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_too_many_nodes),
	    cmocka_unit_test(test_long_scalar),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_nested_categories),
	    cmocka_unit_test(test_tag_strings),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_author),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_null_values),
	    cmocka_unit_test(test_scalar_fields),
	    cmocka_unit_test(test_format_detection),
	    cmocka_unit_test(test_robustness),
	    cmocka_unit_test(test_reparse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests: template.c — built-in templates, slots, saving. */
#include <libxml/parser.h>
#include <sys/stat.h>

#include "template.h"
#include "testutil.h"
#include "util.h"

static char *
save(xmlDocPtr doc)
{
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(tpl_save(doc, &out, &len), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

static void
test_builtin_chapter(void **state)
{
	(void)state;
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct templates *tp = tpl_new(NULL, t.lg);
	assert_non_null(tp);
	xmlDocPtr doc = tpl_instantiate(tp, "chapter");
	assert_non_null(doc);
	tpl_set_head(doc, "zh-Hans", "标题 <&> \"q\"");
	tpl_set_text(doc, "title", "标题 <&> \"q\"");
	tpl_set_text(doc, "date", "2022年9月17日");
	tpl_set_text(doc, "author", NULL); /* removed */
	xmlNodePtr body = tpl_slot(doc, "body");
	assert_non_null(body);
	xmlNodePtr br = xmlNewDocNode(doc, NULL, BAD_CAST "br", NULL);
	xmlAddChild(body, br);
	tpl_finish(doc);
	char *s = save(doc);
	assert_true(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html", 60) ==
		    0);
	assert_contains(s, "xmlns=\"http://www.w3.org/1999/xhtml\"");
	assert_contains(s, "lang=\"zh-Hans\" xml:lang=\"zh-Hans\"");
	assert_contains(s, "<title>标题 &lt;&amp;&gt; \"q\"</title>");
	assert_contains(s, ">标题 &lt;&amp;&gt; \"q\"</h1>");
	assert_contains(s, "<br />");
	assert_not_contains(s, "data-slot");
	assert_not_contains(s, "data-optional");
	assert_not_contains(s, "post-author");  /* removed by set_text(NULL) */
	assert_not_contains(s, "post-terms");   /* empty optional */
	assert_not_contains(s, "post-thumb");   /* empty optional */
	assert_contains(s, "<div class=\"post-body\"><br /></div>");
	/* Output is well-formed XML. */
	xmlDocPtr back = xmlReadMemory(s, (int)strlen(s), "x", NULL, XML_PARSE_NONET);
	assert_non_null(back);
	xmlFreeDoc(back);
	free(s);
	xmlFreeDoc(doc);
	size_t n;
	assert_non_null(tpl_css(tp, &n));
	assert_true(n > 100);
	assert_null(tpl_instantiate(tp, "nope"));
	tpl_free(tp);
	assert_string_equal(tlog_text(&t), "");
	tlog_close(&t);
}

static void
test_custom_dir(void **state)
{
	(void)state;
	char dir[] = "/tmp/p2e-tpl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/title.xhtml", dir);
	FILE *f = fopen(path, "w");
	fputs("<html xmlns='http://www.w3.org/1999/xhtml'><head><title>t</title></head>"
	      "<body><h1 data-slot='title'/><p data-slot='count'/><p>custom</p></body></html>",
	      f);
	fclose(f);
	struct tlog t;
	tlog_open(&t, LOG_NORMAL);
	struct templates *tp = tpl_new(dir, t.lg);
	assert_non_null(tp);
	xmlDocPtr doc = tpl_instantiate(tp, "title");
	tpl_set_text(doc, "title", "T");
	tpl_set_text(doc, "count", "3 posts");
	tpl_finish(doc);
	char *s = save(doc);
	assert_contains(s, "<p>custom</p>");
	assert_contains(s, "<h1>T</h1>");
	free(s);
	xmlFreeDoc(doc);
	tpl_free(tp);

	/* A template without a required slot is refused. */
	f = fopen(path, "w");
	fputs("<html xmlns='http://www.w3.org/1999/xhtml'><body><h1 data-slot='title'/></body></html>",
	      f);
	fclose(f);
	assert_null(tpl_new(dir, t.lg));
	assert_contains(tlog_text(&t), "title.xhtml: error: template has no data-slot=\"count\"");
	/* Nor is one that is not well-formed. */
	f = fopen(path, "w");
	fputs("<html><body><p>unclosed</body></html>", f);
	fclose(f);
	assert_null(tpl_new(dir, t.lg));
	assert_contains(tlog_text(&t), "title.xhtml: error: template is not well-formed XML");
	/* An external entity is not loaded. */
	f = fopen(path, "w");
	fputs("<!DOCTYPE html [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
	      "<html xmlns='http://www.w3.org/1999/xhtml'><body><h1 data-slot='title'>&x;</h1>"
	      "<p data-slot='count'/></body></html>",
	      f);
	fclose(f);
	assert_null(tpl_new(dir, t.lg));
	assert_contains(tlog_text(&t), "title.xhtml: error: template declares entities");
	tlog_close(&t);
	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_chapter),
		cmocka_unit_test(test_custom_dir),
	};
	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}

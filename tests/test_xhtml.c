/* test_xhtml.c — the HTML cleaner: allow-lists, repairs, images, ids. */
#include "testutil.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include "util.h"
#include "xhtml.h"

#define CHAPTER                                                                            \
	"<html xmlns='http://www.w3.org/1999/xhtml'><head><title>t</title></head>"         \
	"<body><h1 id='title'>T</h1><section id='main'/></body></html>"

/* Image callback for tests: records the sources asked for; answers
 * "../images/N.jpg" unless the source contains "missing". */
struct imgs {
	int calls;
	char *last;
	unsigned long last_line;
};

static char *
img_cb(void *ctx, const char *src, unsigned long line)
{
	struct imgs *im = ctx;

	im->calls++;
	im->last_line = line;
	free(im->last);
	im->last = xstrdup(src);
	if (strstr(src, "missing") != NULL)
		return NULL;
	return xasprintf("../images/%d.jpg", im->calls);
}

struct run {
	struct tlog t;
	struct imgs im;
	char *out;  /* the nodes appended to the section, serialised */
	char *page; /* the whole chapter, serialised */
	int rc;
};

static char *
save_node(xmlNodePtr n, bool children)
{
	xmlBufferPtr b = xmlBufferCreate();
	xmlSaveCtxtPtr s = xmlSaveToBuffer(b, "UTF-8", XML_SAVE_NO_DECL);
	char *r;

	if (children) {
		for (xmlNodePtr k = n->children; k != NULL; k = k->next)
			xmlSaveTree(s, k);
	} else {
		xmlSaveTree(s, n);
	}
	xmlSaveClose(s);
	r = xstrdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return r;
}

static xmlNodePtr
find_main(xmlDocPtr doc)
{
	xmlNodePtr body = xmlDocGetRootElement(doc)->last;
	return body->last;
}

/* Renders html into a fresh chapter; images through img_cb unless
 * no_images. The whole page must re-parse as well-formed XML. */
static void
run_opts(struct run *r, const char *html, size_t len, bool no_images)
{
	xmlDocPtr doc = xmlReadMemory(CHAPTER, (int)strlen(CHAPTER), "c.xhtml", NULL, XML_PARSE_NONET);
	xmlNodePtr dest;
	struct xhtml_opts o = {0};
	xmlDocPtr again;

	memset(r, 0, sizeof *r);
	assert_non_null(doc);
	dest = find_main(doc);
	assert_string_equal((const char *)dest->name, "section");
	tlog_open(&r->t, LOG_NORMAL);
	o.file = "posts/a.html";
	o.line = 12;
	o.lg = r->t.lg;
	o.image = no_images ? NULL : img_cb;
	o.image_ctx = &r->im;
	r->rc = xhtml_render(html, len, &o, dest);
	r->out = save_node(dest, true);
	r->page = save_node(xmlDocGetRootElement(doc), false);
	again = xmlReadMemory(r->page, (int)strlen(r->page), "again.xhtml", NULL,
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (again == NULL)
		fail_msg("not well-formed: %s", r->page);
	xmlFreeDoc(again);
	xmlFreeDoc(doc);
}

static void
run(struct run *r, const char *html)
{
	run_opts(r, html, strlen(html), false);
}

static void
run_free(struct run *r)
{
	tlog_close(&r->t);
	free(r->im.last);
	free(r->out);
	free(r->page);
}

/* Runs html and expects exactly want, with no warnings. */
static void
expect(const char *html, const char *want)
{
	struct run r;

	run(&r, html);
	assert_int_equal(r.rc, 0);
	if (strcmp(r.out, want) != 0)
		fail_msg("input:\n  %s\ngot:\n  %s\nwant:\n  %s", html, r.out, want);
	assert_string_equal(tlog_text(&r.t), "");
	run_free(&r);
}

/* ------------------------------------------------------------------- */

static const char specimen[] =
	"<div>   \n"
	"王克丹的回答<br><br><p data-pid=\"eemtUDtd\">全球化来源于国际在产出环节的分工。</p>"
	"<p data-pid=\"_nF7HOD4\">现在的基本梯队还是比较明显的。</p>"
	"<p data-pid=\"n8Dsai9D\">合作是短暂的，利益是永恒的。</p>"
	"<a data-draft-node=\"block\" data-draft-type=\"link-card\" "
	"href=\"https://www.zhihu.com/question/361308619/answer/2641093809\" "
	"class=\"internal\">为什么一个已经明显产能过剩的社会，还会存在广泛的贫穷？</a><p></p>  \n"
	"</div>\n";

static void
test_specimen(void **state)
{
	(void)state;
	expect(specimen,
	       "<div>   \n王克丹的回答<br/><br/>"
	       "<p data-pid=\"eemtUDtd\">全球化来源于国际在产出环节的分工。</p>"
	       "<p data-pid=\"_nF7HOD4\">现在的基本梯队还是比较明显的。</p>"
	       "<p data-pid=\"n8Dsai9D\">合作是短暂的，利益是永恒的。</p>"
	       "<a data-draft-node=\"block\" data-draft-type=\"link-card\" "
	       "href=\"https://www.zhihu.com/question/361308619/answer/2641093809\" "
	       "class=\"internal\">为什么一个已经明显产能过剩的社会，还会存在广泛的贫穷？</a>  \n"
	       "</div>\n");
}

static void
test_namespace(void **state)
{
	struct run r;

	(void)state;
	run(&r, "<p>x</p>");
	/* The new nodes live in the XHTML namespace declared on the root. */
	assert_contains(r.page, "<section id=\"main\"><p>x</p></section>");
	assert_contains(r.page, "<html xmlns=\"http://www.w3.org/1999/xhtml\">");
	run_free(&r);
}

static void
test_empty(void **state)
{
	(void)state;
	expect("", "");
	expect("   \n\t ", "");
	expect("<!-- only a comment -->", "");
	expect("<p></p><p> </p><h2>\n</h2>", "");
	expect("<p id=\"keep\"></p>", "<p id=\"keep\"/>");
}

static void
test_text_only(void **state)
{
	(void)state;
	/* libxml2 wraps loose text in an implied <p>. */
	expect("just text & more", "<p>just text &amp; more</p>");
	expect("a<b>b</b>c", "<p>a<b>b</b>c</p>");
}

static void
test_entities(void **state)
{
	(void)state;
	expect("<p>&nbsp;&amp;&lt;&gt;&quot;&#x4e2d;&#25991;&copy;&bogus;</p>",
	       "<p>\xC2\xA0&amp;&lt;&gt;\"中文©&amp;bogus;</p>");
	expect("<p title='a&quot;b&lt;'>x</p>", "<p title=\"a&quot;b&lt;\">x</p>");
}

static void
test_bad_utf8(void **state)
{
	static const char in[] = "<p>a\xff\xfe b \xe4\xb8\xad c\x01</p>";
	struct run r;

	(void)state;
	run_opts(&r, in, sizeof in - 1, false);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "中");
	assert_contains(r.out, "\xEF\xBF\xBD"); /* U+FFFD */
	run_free(&r);
}

static void
test_misnested(void **state)
{
	struct run r;

	(void)state;
	run(&r, "<p><b>bold <i>both</b> italic</i></p><div>unclosed<span>open");
	assert_contains(r.out, "bold ");
	assert_contains(r.out, "italic");
	assert_contains(r.out, "<div>unclosed<span>open</span></div>");
	run_free(&r);
	/* loose text in the section is fine (flow content) */
	expect("<div><p>a</div>b</p>", "<div><p>a</p></div>b");
}

static void
test_stray_body_end(void **state)
{
	(void)state;
	expect("<p>a</p></body></html><p>after</p>more",
	       "<p>a</p><p>after</p><p>more</p>");
	expect("<html><head><title>x</title><style>p{}</style></head><body><p>in</p></body></html>",
	       "<p>in</p>");
}

static void
test_block_in_p(void **state)
{
	(void)state;
	expect("<p>a<figure><figcaption>c</figcaption></figure>b</p>",
	       "<p>a</p><figure><figcaption>c</figcaption></figure><p>b</p>");
	expect("<p>a<section>s</section><article>t</article></p>",
	       "<p>a</p><section>s</section><article>t</article>");
	/* libxml2 itself closes the p before div/ul/table */
	expect("<p>a<div>d</div>b</p>", "<p>a</p><div>d</div>b");
	expect("<p>a<ul><li>x</li></ul></p>", "<p>a</p><ul><li>x</li></ul>");
	expect("<p>a<table><tr><td>1</td></tr></table>b</p>",
	       "<p>a</p><table><tbody><tr><td>1</td></tr></tbody></table>b");
	/* The p's attributes follow the second half, the id stays in front. */
	expect("<p id=\"x\" class=\"c\">a<aside>s</aside>b</p>",
	       "<p id=\"x\" class=\"c\">a</p><aside>s</aside><p class=\"c\">b</p>");
	expect("<h2>t<section>s</section></h2>", "<h2>t</h2><section>s</section>");
	expect("<pre>a\n<blockquote>q</blockquote>\nb</pre>",
	       "<pre>a\n</pre><blockquote>q</blockquote><pre>\nb</pre>");
}

static void
test_block_in_inline(void **state)
{
	(void)state;
	/* An inline ancestor of a block becomes a div; the p around is split. */
	expect("<p>x<span class=\"k\">y<section>z</section>w</span>v</p>",
	       "<p>x</p><div class=\"k\">y<section>z</section>w</div><p>v</p>");
	expect("<b><div>x</div>y</b>", "<div><div>x</div>y</div>");
	/* a is transparent: it may hold blocks where its parent may. */
	expect("<p>x<a href=\"http://e.org/\"><figure>f</figure></a></p>",
	       "<p>x</p><a href=\"http://e.org/\"><figure>f</figure></a>");
	expect("<div><a href=\"http://e.org/\"><section>s</section></a></div>",
	       "<div><a href=\"http://e.org/\"><section>s</section></a></div>");
	/* time loses its datetime when it becomes a div */
	expect("<p><q cite=\"http://e.org/\">a<section>b</section></q></p>",
	       "<div>a<section>b</section></div>");
}

static void
test_nested_links(void **state)
{
	(void)state;
	/* the same rule for other elements that must not nest */
	expect("<dfn>a<dfn>b</dfn></dfn><header><header>h</header></header>",
	       "<dfn>a<span>b</span></dfn><header><div>h</div></header>");
	expect("<a href=\"http://a.org/\"><div><a href=\"http://b.org/\">y</a></div></a>",
	       "<a href=\"http://a.org/\"><div>y</div></a>");
	expect("<a href=\"http://a.org/\">1<b><a href=\"http://b.org/\">2</a></b></a>",
	       "<a href=\"http://a.org/\">1<b>2</b></a>");
}

static void
test_removed_elements(void **state)
{
	struct run r;

	(void)state;
	run(&r, "<p>a<script>alert(1)</script>b<script>x()</script></p>"
		"<style>p{color:red}</style>"
		"<iframe src=\"http://e.org/\">fallback</iframe>"
		"<form action=\"/x\"><input name=q><button>go</button>formtext</form>"
		"<object data=\"x.swf\"><param name=a value=b>obj</object>"
		"<embed src=\"x.swf\">"
		"<select><option>o</option></select><textarea>t</textarea>"
		"<canvas>c</canvas><template><p>t</p></template><p>end</p>"
		"<p>x<embed src=\"y.swf\">after embed</p>");
	assert_string_equal(r.out, "<p>ab</p><p>end</p><p>xafter embed</p>");
	assert_string_equal(tlog_text(&r.t),
			    "post2epub: posts/a.html:12: warning: removed <script> (not allowed in an ebook)\n"
			    "post2epub: posts/a.html:12: warning: removed <iframe> (not allowed in an ebook)\n"
			    "post2epub: posts/a.html:12: warning: removed <form> (not allowed in an ebook)\n"
			    "post2epub: posts/a.html:12: warning: removed <object> (not allowed in an ebook)\n"
			    "post2epub: posts/a.html:12: warning: removed <embed> (not allowed in an ebook)\n");
	run_free(&r);
}

static void
test_head_things(void **state)
{
	(void)state;
	expect("<base href=\"http://evil.org/\"><meta http-equiv=\"refresh\" content=\"0;url=http://e\">"
	       "<link rel=stylesheet href=x.css><p>x</p><meta charset=\"iso-8859-1\"><p>中文é</p>",
	       "<p>x</p><p>中文é</p>");
	expect("<p>a<svg><script>alert(1)</script><text>t</text></svg>b<math><mi>x</mi></math></p>",
	       "<p>ab</p>");
	expect("<noscript><p>ns</p></noscript><center>c</center><font color=red>f</font>"
	       "<o:p>office</o:p><custom-tag>ct</custom-tag>",
	       "<p>ns</p><div>c</div>f<p>office</p>ct");
}

static void
test_attributes(void **state)
{
	(void)state;
	expect("<p onclick=\"x()\" style=\"color:red\" align=center dir=rtl name=n "
	       "class=\"c d\" title=\"t\" lang=\"zh-Hans\" data-pid=\"1\" data-X=\"2\" "
	       "onmouseover=\"y\" tabindex=1>x</p>",
	       "<p class=\"c d\" title=\"t\" lang=\"zh-Hans\" xml:lang=\"zh-Hans\" "
	       "data-pid=\"1\" data-x=\"2\">x</p>");
	expect("<p lang=\"not a tag\">x</p>", "<p>x</p>");
	expect("<ol start=\"3\" reversed type=a><li value=\"7\">x</li></ol>"
	       "<ul><li value=\"2\">y</li></ul>",
	       "<ol start=\"3\" reversed=\"reversed\"><li value=\"7\">x</li></ol>"
	       "<ul><li>y</li></ul>");
	expect("<table><tr><td colspan=\"2\" rowspan=\"x\" width=9>a</td>"
	       "<td colspan=0>b</td></tr></table>",
	       "<table><tbody><tr><td colspan=\"2\">a</td><td>b</td></tr></tbody></table>");
	expect("<p><time datetime=\"2022-09-17T09:15:14Z\">then</time>"
	       "<time datetime=\"yesterday\">y</time><time>now</time></p>",
	       "<p><time datetime=\"2022-09-17T09:15:14Z\">then</time>"
	       "<span>y</span><span>now</span></p>");
	expect("<blockquote cite=\"javascript:x\">q</blockquote>"
	       "<blockquote cite=\"https://e.org/s\">r</blockquote>",
	       "<blockquote>q</blockquote><blockquote cite=\"https://e.org/s\">r</blockquote>");
}

static void
test_links(void **state)
{
	struct run r;

	(void)state;
	run(&r, "<a href=\"javascript:alert(1)\">a</a>"
		"<a href=\" JaVa\tScRiPt:alert(1)\">b</a>"
		"<a href=\"vbscript:msgbox\">c</a>"
		"<a href=\"data:text/html,<script>x</script>\">d</a>"
		"<a href=\"file:///etc/passwd\">e</a>"
		"<a href=\"relative/page.html\">f</a>"
		"<a href=\"HTTPS://e.org/a b?q=中#x#y\">g</a>"
		"<a href=\"//e.org/p\">h</a>"
		"<a href=\"mailto:me@e.org\">i</a>"
		"<a href=\"http:no-host\">j</a>"
		"<a href=\"http://[::1]:8080/a[1]\">k</a>");
	assert_string_equal(r.out,
			    "<a>a</a><a>b</a><a>c</a><a>d</a><a>e</a><a>f</a>"
			    "<a href=\"https://e.org/a%20b?q=%E4%B8%AD#x%23y\">g</a>"
			    "<a href=\"https://e.org/p\">h</a>"
			    "<a href=\"mailto:me@e.org\">i</a><a>j</a>"
			    "<a href=\"http://[::1]:8080/a%5B1%5D\">k</a>");
	assert_string_equal(tlog_text(&r.t),
			    "post2epub: posts/a.html:12: warning: removed a javascript: link\n");
	run_free(&r);
}

static void
test_ids(void **state)
{
	(void)state;
	/* duplicates, collisions with the template, invalid names */
	expect("<p id=\"a\">1</p><p id=\"a\">2</p><p id=\"a\">3</p>"
	       "<p id=\"main\">4</p><p id=\"title\">5</p><p id=\"7\">6</p><p id=\"has space\">7</p>"
	       "<p id=\"\">8</p><p id=\"a-2\">9</p>",
	       "<p id=\"a\">1</p><p id=\"a-2\">2</p><p id=\"a-3\">3</p>"
	       "<p id=\"main-2\">4</p><p id=\"title-2\">5</p><p id=\"id-7\">6</p><p>7</p>"
	       "<p>8</p><p id=\"a-2-2\">9</p>");
	/* links follow renamed ids, unknown fragments lose the href */
	expect("<p><a href=\"#7\">x</a><a href=\"#main\">y</a><a href=\"#nowhere\">z</a>"
	       "<a href=\"#\">w</a><a href=\"#%E4%B8%AD\">v</a></p>"
	       "<p id=\"7\">t</p><p id=\"main\">u</p><p id=\"中\">c</p>",
	       "<p><a href=\"#id-7\">x</a><a href=\"#main-2\">y</a><a>z</a><a>w</a>"
	       "<a href=\"#&#x4E2D;\">v</a></p>"
	       "<p id=\"id-7\">t</p><p id=\"main-2\">u</p><p id=\"&#x4E2D;\">c</p>");
	/* a template id the post does not define is a fine target */
	expect("<a href=\"#title\">top</a>", "<a href=\"#title\">top</a>");
	/* old-style anchors */
	expect("<p><a name=\"fn1\">1</a> <a href=\"#fn1\">see</a></p>",
	       "<p><a id=\"fn1\">1</a> <a href=\"#fn1\">see</a></p>");
}

static void
test_ids_across_calls(void **state)
{
	xmlDocPtr doc = xmlReadMemory(CHAPTER, (int)strlen(CHAPTER), "c.xhtml", NULL, 0);
	xmlNodePtr dest = find_main(doc);
	struct xhtml_opts o = {0};
	char *out;

	(void)state;
	assert_int_equal(xhtml_render("<p id=\"x\">1</p>", 15, &o, dest), 0);
	assert_int_equal(xhtml_render("<p id=\"x\">2</p>", 15, &o, dest), 0);
	out = save_node(dest, true);
	assert_string_equal(out, "<p id=\"x\">1</p><p id=\"x-2\">2</p>");
	free(out);
	xmlFreeDoc(doc);
}

/* give_up: every image is still asked about, then nothing is added. */
struct give_up_ctx {
	bool give_up;
	int asked;
};

static char *
give_up_image(void *ctx, const char *src, unsigned long line)
{
	struct give_up_ctx *g = ctx;
	(void)line;
	g->asked++;
	if (strstr(src, "later") != NULL)
		g->give_up = true;
	return NULL;
}

static void
test_give_up(void **state)
{
	xmlDocPtr doc = xmlReadMemory(CHAPTER, (int)strlen(CHAPTER), "c.xhtml", NULL, 0);
	xmlNodePtr dest = find_main(doc);
	struct give_up_ctx g = {false, 0};
	struct xhtml_opts o = {.image = give_up_image, .image_ctx = &g, .give_up = &g.give_up};
	const char *html = "<p>a<img src=\"now.png\"><img src=\"later.png\"><img src=\"x.png\"></p>";
	char *out;

	(void)state;
	assert_int_equal(xhtml_render(html, strlen(html), &o, dest), 1);
	assert_int_equal(g.asked, 3);
	out = save_node(dest, true);
	assert_string_equal(out, "");
	free(out);
	g.give_up = false;
	g.asked = 0;
	html = "<p>b<img src=\"now.png\" alt=\"n\"></p>";
	assert_int_equal(xhtml_render(html, strlen(html), &o, dest), 0);
	assert_int_equal(g.asked, 1);
	out = save_node(dest, true);
	assert_string_equal(out, "<p>bn</p>");
	free(out);
	xmlFreeDoc(doc);
}

static void
test_zhihu_noscript_twin(void **state)
{
	struct run r;

	(void)state;
	run(&r, "<figure data-size=\"normal\"><noscript><img src=\"https://pic2.zhimg.com/v2-a_b.jpg\" "
		"data-caption=\"\" data-rawwidth=\"1080\" data-original=\"https://pic2.zhimg.com/v2-a_r.jpg\" "
		"class=\"origin_image\" width=\"1080\"/></noscript>"
		"<img src=\"data:image/svg+xml;utf8,&lt;svg xmlns='http://www.w3.org/2000/svg' "
		"width='1080' height='720'&gt;&lt;/svg&gt;\" data-caption=\"\" data-rawwidth=\"1080\" "
		"data-original=\"https://pic2.zhimg.com/v2-a_r.jpg\" "
		"data-actualsrc=\"https://pic2.zhimg.com/v2-a_b.jpg\" class=\"origin_image lazy\" "
		"width=\"1080\"/></figure>");
	assert_int_equal(r.im.calls, 1);
	assert_string_equal(r.im.last, "https://pic2.zhimg.com/v2-a_b.jpg");
	assert_string_equal(r.out, "<figure data-size=\"normal\"><img src=\"../images/1.jpg\" alt=\"\" "
				   "class=\"origin_image lazy\" width=\"1080\"/></figure>");
	assert_string_equal(tlog_text(&r.t), "");
	run_free(&r);

	/* twin after, and the plain form: noscript unwrapped, one image */
	run(&r, "<p><img data-src=\"http://e.org/1.png\" src=\"data:image/gif;base64,R0lGOD\">"
		"<noscript><img src=\"http://e.org/1.png\"></noscript></p>");
	assert_int_equal(r.im.calls, 1);
	assert_string_equal(r.out, "<p><img src=\"../images/1.jpg\" alt=\"\"/></p>");
	run_free(&r);

	/* a noscript image that is not a twin stays */
	run(&r, "<noscript><img src=\"http://e.org/a.png\"></noscript><img src=\"http://e.org/b.png\">");
	assert_int_equal(r.im.calls, 2);
	run_free(&r);
}

static void
test_image_sources(void **state)
{
	struct run r;

	(void)state;
	run(&r, "<img src=\"http://e.org/plain.png\" alt=\"A &amp; B\" width=\"10\" height=\"50%\" "
		"onerror=\"x\" id=\"im\">");
	assert_string_equal(r.im.last, "http://e.org/plain.png");
	assert_string_equal(r.out, "<img src=\"../images/1.jpg\" alt=\"A &amp; B\" id=\"im\" "
				   "width=\"10\"/>");
	run_free(&r);

	run(&r, "<img data-original=\"http://e.org/o.png\" data-src=\"http://e.org/s.png\" src=\"x\">");
	assert_string_equal(r.im.last, "http://e.org/o.png");
	run_free(&r);

	run(&r, "<img srcset=\"http://e.org/s.png 320w, http://e.org/l.png 1024w, "
		"http://e.org/m.png 640w\" src=\"http://e.org/fallback.png\">");
	assert_string_equal(r.im.last, "http://e.org/l.png");
	run_free(&r);

	run(&r, "<img srcset=\"http://e.org/1x.png, http://e.org/3x.png 3x,http://e.org/2x.png 2x\">");
	assert_string_equal(r.im.last, "http://e.org/3x.png");
	run_free(&r);

	run(&r, "<img data-srcset=\"http://e.org/d.png 2x\" src=\"data:image/gif;base64,R0\">");
	assert_string_equal(r.im.last, "http://e.org/d.png");
	run_free(&r);

	/* no usable source: dropped silently, without asking */
	run(&r, "<p>a<img src=\"  \">b<img></p>");
	assert_int_equal(r.im.calls, 0);
	assert_string_equal(r.out, "<p>ab</p>");
	assert_string_equal(tlog_text(&r.t), "");
	run_free(&r);
}

static void
test_image_dropped(void **state)
{
	struct run r;

	(void)state;
	/* callback says no: alt text, else a link to an http(s) source */
	run(&r, "<p><img src=\"http://e.org/missing.png\" alt=\"the alt\">|"
		"<img src=\"http://e.org/missing.png\">|<img src=\"ftp://e.org/missing.png\">|"
		"<a href=\"http://e.org/\"><img src=\"http://e.org/missing.png\"></a></p>");
	assert_string_equal(r.out, "<p>the alt|<a href=\"http://e.org/missing.png\">[image]</a>||"
				   "<a href=\"http://e.org/\"/></p>");
	run_free(&r);

	/* no callback: every image dropped */
	run_opts(&r, "<img src=\"http://e.org/x.png\" alt=\"x\">", 38, true);
	assert_string_equal(r.out, "x");
	run_free(&r);

	/* figure with only a dropped image keeps its caption */
	run(&r, "<figure><img src=\"http://e.org/missing.png\" alt=\"\"><figcaption>cap</figcaption></figure>");
	assert_contains(r.out, "<figcaption>cap</figcaption></figure>");
	run_free(&r);

	run(&r, "<video src=\"https://e.org/v.mp4\">fallback</video><audio><source src=\"x.ogg\"></audio>");
	assert_string_equal(r.out, "<a href=\"https://e.org/v.mp4\">[video]</a>");
	run_free(&r);
}

static void
test_lists(void **state)
{
	(void)state;
	expect("<ul>text<li>a</li><div>d</div> <li>b</li></ul>",
	       "<ul><li>text</li><li>a<div>d</div></li><li>b</li></ul>");
	expect("<li>stray</li>", "<div>stray</div>");
	expect("<ol>\n<li>1</li>\n<li>2</li>\n</ol>", "<ol><li>1</li><li>2</li></ol>");
	expect("<dl><dd>x</dd>text<dt>t</dt></dl>",
	       "<dl><dt/><dd>xtext</dd><dt>t</dt><dd/></dl>");
	expect("<dt>loose</dt>", "<div>loose</div>");
	expect("<menu><li>m</li></menu>", "<ul><li>m</li></ul>");
}

static void
test_tables(void **state)
{
	(void)state;
	expect("<table>junk<tr><td>1<td>2<tr><th>h</table>",
	       "junk<table><tbody><tr><td>1</td><td>2</td></tr><tr><th>h</th></tr></tbody></table>");
	expect("<table><tfoot><tr><td>f</td></tr></tfoot><tbody><tr><td>b</td></tr></tbody>"
	       "<thead><tr><th>h</th></tr></thead><caption>c</caption></table>",
	       "<table><caption>c</caption><thead><tr><th>h</th></tr></thead>"
	       "<tbody><tr><td>b</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>");
	expect("<table><tr>text<td>x</td></tr></table>",
	       "<table><tbody><tr><td>text</td><td>x</td></tr></tbody></table>");
	expect("<p><td>loose cell</td></p>", "<div>loose cell</div>");
}

static void
test_figure_ruby(void **state)
{
	(void)state;
	expect("<figure><figcaption>a</figcaption>x<figcaption>b</figcaption>y</figure>",
	       "<figure><figcaption>a</figcaption>x<div>b</div>y</figure>");
	expect("<figcaption>alone</figcaption>", "<div>alone</div>");
	expect("<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby></p>",
	       "<p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby></p>");
	expect("<p><ruby>no annotation</ruby><rt>stray</rt></p>",
	       "<p><span>no annotation</span><span>stray</span></p>");
}

static void
test_void_elements(void **state)
{
	(void)state;
	/* libxml2 2.9.14 nests what follows these inside them */
	expect("<p>a<wbr>b<source src=x>c<track>d<keygen>e</p>",
	       "<p>a<wbr/>bcde</p>");
}

static void
test_checkbox(void **state)
{
	(void)state;
	/* md4c's task lists */
	expect("<ul><li class=\"task-list-item\"><input type=\"checkbox\" disabled checked>done</li>"
	       "<li><input type=\"checkbox\" disabled>todo</li><li><input type=text>x</li></ul>",
	       "<ul><li class=\"task-list-item\">\u2611 done</li><li>\u2610 todo</li><li>x</li></ul>");
}

static void
test_pre_whitespace(void **state)
{
	(void)state;
	expect("<pre>  a\n\tb  &lt;c&gt;\n</pre>", "<pre>  a\n\tb  &lt;c&gt;\n</pre>");
}

static char *
repeat(const char *open, const char *mid, const char *close, int n)
{
	struct buf b = {0};

	for (int i = 0; i < n; i++)
		buf_puts(&b, open);
	buf_puts(&b, mid);
	for (int i = 0; i < n; i++)
		buf_puts(&b, close);
	return buf_detach(&b, NULL);
}

static void
test_deep_nesting(void **state)
{
	static const char *const shapes[][3] = {
		{"<div>", "deep", "</div>"},
		{"<b>", "<div>x</div><div>y</div>", "</b>"},
		{"<span><p>", "<section>s</section>t", "</p></span>"},
		{"<ins>", "<figure>f</figure>", "</ins>"},
		{"<ul><li>", "x", "</li></ul>"},
		{"<table><tr><td>", "x", "</td></tr></table>"},
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		char *in = repeat(shapes[i][0], shapes[i][1], shapes[i][2], 20000);
		run(&r, in);
		assert_int_equal(r.rc, 0);
		run_free(&r);
		free(in);
	}
	/* unclosed too; libxml2 halts at 256 levels, which is reported */
	{
		char *in = repeat("<div><b>", "x", "", 20000);
		run(&r, in);
		assert_not_contains(r.out, "x");
		assert_string_equal(tlog_text(&r.t),
				    "post2epub: posts/a.html:12: warning: HTML nested too deeply; "
				    "the rest of the body was dropped\n");
		run_free(&r);
		free(in);
	}
	/* below libxml2's limit, the output is capped at 100 levels */
	{
		char *in = repeat("<div>", "y", "</div>", 250);
		run(&r, in);
		assert_contains(r.out, "y");
		assert_string_equal(tlog_text(&r.t), "");
		run_free(&r);
		free(in);
	}
}

static void
test_nasty_wellformed(void **state)
{
	static const char *const nasty[] = {
		"<p>a<p>b<li>c<td>d<dt>e<tr>f<caption>g<thead>h<col>i",
		"</p></div></li></table><p>x",
		"<table><table><tr><table>x</table></tr></table></table>",
		"<a href=x><a href=y><a href=z>deep</a></a></a>",
		"<![CDATA[x]]><?pi x?><!DOCTYPE html><p>&#0;&#xD800;&#x110000;&#x1;</p>",
		"<p title=\"\x01\x02\">\x0b\x0c</p>",
		"<ruby><rt><div>x</div></rt></ruby>",
		"<h1><h2><p><h3>x</h3></p></h2></h1>",
		"<figure><p><figcaption>c</figcaption></p></figure>",
		"<select><p>x</select><b>y",
		"<ul><table><li>x</li></table></ul>",
		"<pre><pre><pre>x</pre></pre></pre>",
		"<p><dl><dt><section>s</section></dt></dl></p>",
		"<img src=x><img srcset=\",,,\"><img srcset=\" , 1x\">",
		"<time datetime=\"2022-13-45\"><div>x</div></time>",
		"<div id=\"x\" id=\"y\"><p id=\"x\">dup</p></div>",
		"<colgroup><col></colgroup><col><caption>c</caption><tbody><tr><td>x</td></tr></tbody>",
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
		run(&r, nasty[i]);
		assert_int_equal(r.rc, 0);
		run_free(&r);
	}
}

/* HTML bodies report the line of the element in the post's file;
 * bodies rendered from Markdown report the body's first line. */
static void
test_line_numbers(void **state)
{
	(void)state;
	const char *html = "<p>a</p>\n<p>b</p>\n<p><script>x</script></p>\n<img src='missing.png'>";
	for (int exact = 0; exact <= 1; exact++) {
		xmlDocPtr doc = xmlReadMemory(CHAPTER, (int)strlen(CHAPTER), "c.xhtml", NULL,
					      XML_PARSE_NONET);
		struct tlog t;
		struct imgs im = {0};
		struct xhtml_opts o = {0};
		tlog_open(&t, LOG_NORMAL);
		o.file = "posts/a.html";
		o.line = 10;
		o.exact_lines = exact;
		o.lg = t.lg;
		o.image = img_cb;
		o.image_ctx = &im;
		assert_int_equal(xhtml_render(html, strlen(html), &o, find_main(doc)), 0);
		assert_contains(tlog_text(&t), exact ? "posts/a.html:12: warning: removed <script>"
						     : "posts/a.html:10: warning: removed <script>");
		assert_int_equal(im.last_line, exact ? 13 : 10);
		free(im.last);
		tlog_close(&t);
		xmlFreeDoc(doc);
	}
}

static void
found_cb(void *ctx, const char *src, unsigned long line)
{
	struct buf *b = ctx;
	buf_printf(b, "%lu:%s;", line, src);
}

/* xhtml_images reports exactly the images xhtml_render asks about. */
static void
test_images_scan(void **state)
{
	(void)state;
	const char *html =
		"<p><img src='a.png'></p>\n"
		"<noscript><img src='https://x/r.jpg'></noscript>"
		"<img src='data:image/svg+xml;utf8,&lt;svg/&gt;' data-actualsrc='https://x/r.jpg'>\n"
		"<script><img src='no.png'></script><iframe><img src='no2.png'></iframe>\n"
		"<img srcset='s1.jpg 100w, s2.jpg 800w'>";
	struct xhtml_opts o = {0};
	struct buf b = {0};
	o.file = "a.html";
	o.line = 3;
	o.exact_lines = true;
	assert_int_equal(xhtml_images(html, strlen(html), &o, found_cb, &b), 0);
	assert_string_equal(b.data, "3:a.png;4:https://x/r.jpg;6:s2.jpg;");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_images_scan),
	    cmocka_unit_test(test_specimen),
	    cmocka_unit_test(test_namespace),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_text_only),
	    cmocka_unit_test(test_entities),
	    cmocka_unit_test(test_bad_utf8),
	    cmocka_unit_test(test_misnested),
	    cmocka_unit_test(test_stray_body_end),
	    cmocka_unit_test(test_block_in_p),
	    cmocka_unit_test(test_block_in_inline),
	    cmocka_unit_test(test_nested_links),
	    cmocka_unit_test(test_removed_elements),
	    cmocka_unit_test(test_head_things),
	    cmocka_unit_test(test_attributes),
	    cmocka_unit_test(test_links),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_ids_across_calls),
	    cmocka_unit_test(test_zhihu_noscript_twin),
	    cmocka_unit_test(test_image_sources),
	    cmocka_unit_test(test_image_dropped),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_figure_ruby),
	    cmocka_unit_test(test_void_elements),
	    cmocka_unit_test(test_checkbox),
	    cmocka_unit_test(test_pre_whitespace),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_nasty_wellformed),
	    cmocka_unit_test(test_give_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

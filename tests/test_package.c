/* test_package.c — container.xml, package.opf, toc.ncx, nav.xhtml and the
 * UUID v5 identifier. Every document is parsed back and checked with XPath. */
#include "testutil.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "package.h"

/* ------------------------------------------------------------------ */
/* Parsing back                                                         */

struct xdoc {
	char *text;
	size_t len;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

static void
xdoc_parse(struct xdoc *x)
{
	assert_non_null(x->text);
	assert_int_equal(strlen(x->text), x->len);
	x->doc = xmlReadMemory(x->text, (int)x->len, "mem.xml", NULL, XML_PARSE_NONET);
	if (x->doc == NULL)
		fail_msg("not well-formed:\n%s", x->text);
	x->ctx = xmlXPathNewContext(x->doc);
	assert_non_null(x->ctx);
	xmlXPathRegisterNs(x->ctx, BAD_CAST "opf", BAD_CAST "http://www.idpf.org/2007/opf");
	xmlXPathRegisterNs(x->ctx, BAD_CAST "dc", BAD_CAST "http://purl.org/dc/elements/1.1/");
	xmlXPathRegisterNs(x->ctx, BAD_CAST "ncx", BAD_CAST "http://www.daisy.org/z3986/2005/ncx/");
	xmlXPathRegisterNs(x->ctx, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
	xmlXPathRegisterNs(x->ctx, BAD_CAST "epub", BAD_CAST "http://www.idpf.org/2007/ops");
	xmlXPathRegisterNs(x->ctx, BAD_CAST "c",
	                   BAD_CAST "urn:oasis:names:tc:opendocument:xmlns:container");
}

static void
xdoc_free(struct xdoc *x)
{
	xmlXPathFreeContext(x->ctx);
	xmlFreeDoc(x->doc);
	free(x->text);
	memset(x, 0, sizeof *x);
}

/* The string value of expr (wrapped in string()); caller frees. */
static char *
xp_str(struct xdoc *x, const char *expr)
{
	char q[1024];
	xmlXPathObjectPtr o;
	char *s;
	snprintf(q, sizeof q, "string(%s)", expr);
	o = xmlXPathEvalExpression(BAD_CAST q, x->ctx);
	if (o == NULL)
		fail_msg("bad XPath %s", q);
	s = strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	return s;
}

static long
xp_count(struct xdoc *x, const char *expr)
{
	char q[1024];
	xmlXPathObjectPtr o;
	long n;
	snprintf(q, sizeof q, "count(%s)", expr);
	o = xmlXPathEvalExpression(BAD_CAST q, x->ctx);
	if (o == NULL)
		fail_msg("bad XPath %s", q);
	n = (long)o->floatval;
	xmlXPathFreeObject(o);
	return n;
}

#define assert_xp(x, expr, want)                                                                   \
	do {                                                                                       \
		char *got_ = xp_str((x), (expr));                                                  \
		if (strcmp(got_, (want)) != 0) {                                                   \
			fprintf(stderr, "%s\n", (x)->text);                                        \
			fail_msg("%s: got \"%s\", want \"%s\"", (expr), got_, (want));             \
		}                                                                                  \
		free(got_);                                                                        \
	} while (0)

#define assert_xp_count(x, expr, want)                                                             \
	do {                                                                                       \
		long n_ = xp_count((x), (expr));                                                   \
		if (n_ != (want)) {                                                                \
			fprintf(stderr, "%s\n", (x)->text);                                        \
			fail_msg("count(%s) = %ld, want %ld", (expr), n_, (long)(want));           \
		}                                                                                  \
	} while (0)

/* ------------------------------------------------------------------ */
/* A book description                                                   */

static const struct pkg_item items[] = {
    {"nav", "nav.xhtml", "application/xhtml+xml", "nav", false, false},
    {"cover", "cover.xhtml", "application/xhtml+xml", NULL, true, true},
    {"title", "title.xhtml", "application/xhtml+xml", NULL, true, false},
    {"p00002", "text/p00002.xhtml", "application/xhtml+xml", NULL, true, false},
    {"p00001", "text/p00001.xhtml", "application/xhtml+xml", NULL, true, false},
    {"css", "style.css", "text/css", NULL, false, false},
    {"i1", "images/0123456789abcdef0123.png", "image/png", "cover-image", false, false},
};

static const struct pkg_toc_entry flat[] = {
    {"Title page", "title.xhtml", 0},
    {"Second <post> & more", "text/p00002.xhtml", 0},
    {"First", "text/p00001.xhtml", 0},
};

static const char *const subjects[] = {"life", "code"};

static const struct pkg_landmark landmarks[] = {
    {"cover", "Cover", "cover.xhtml"},
    {"toc", "Contents", "nav.xhtml#toc"},
    {"bodymatter", "Start", "text/p00002.xhtml"},
};

static struct pkg_info
book(void)
{
	struct pkg_info info = {
	    .identifier = "urn:uuid:50960143-e2b7-5b7a-9ca7-05375f51d5c1",
	    .title = "Notes & \"Things\"",
	    .language = "en",
	    .creator = "A. Writer",
	    .date = "2022-09-17",
	    .description = "A blog, as a book.",
	    .subjects = subjects,
	    .nsubjects = 2,
	    .modified = 1663406114, /* 2022-09-17T09:15:14Z */
	    .cover_id = "i1",
	    .items = items,
	    .nitems = sizeof items / sizeof *items,
	    .toc = flat,
	    .ntoc = sizeof flat / sizeof *flat,
	    .landmarks = landmarks,
	    .nlandmarks = sizeof landmarks / sizeof *landmarks,
	    .toc_title = "Contents",
	};
	return info;
}

/* ------------------------------------------------------------------ */
/* container.xml                                                        */

static void
test_container(void **state)
{
	struct xdoc x = {0};
	(void)state;
	assert_int_equal(pkg_write_container(&x.text, &x.len), 0);
	assert_true(strncmp(x.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	xdoc_parse(&x);
	assert_xp(&x, "/c:container/@version", "1.0");
	assert_xp_count(&x, "/c:container/c:rootfiles/c:rootfile", 1);
	assert_xp(&x, "//c:rootfile/@full-path", "EPUB/package.opf");
	assert_xp(&x, "//c:rootfile/@media-type", "application/oebps-package+xml");
	xdoc_free(&x);
}

/* ------------------------------------------------------------------ */
/* package.opf                                                          */

static void
test_opf_metadata(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	assert_int_equal(pkg_write_opf(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp(&x, "/opf:package/@version", "3.0");
	assert_xp(&x, "/opf:package/@unique-identifier", "uid");
	assert_xp(&x, "/opf:package/@xml:lang", "en");
	assert_xp(&x, "//opf:metadata/dc:identifier[@id = /opf:package/@unique-identifier]",
	          "urn:uuid:50960143-e2b7-5b7a-9ca7-05375f51d5c1");
	assert_xp_count(&x, "//dc:identifier", 1);
	assert_xp(&x, "//opf:metadata/dc:title", "Notes & \"Things\"");
	assert_xp(&x, "//opf:metadata/dc:language", "en");
	assert_xp(&x, "//opf:metadata/dc:creator", "A. Writer");
	assert_xp(&x, "//opf:metadata/dc:date", "2022-09-17");
	assert_xp(&x, "//opf:metadata/dc:description", "A blog, as a book.");
	assert_xp_count(&x, "//opf:metadata/dc:publisher", 0);
	assert_xp_count(&x, "//opf:metadata/dc:source", 0);
	assert_xp_count(&x, "//opf:metadata/dc:subject", 2);
	assert_xp(&x, "//opf:metadata/dc:subject[2]", "code");
	assert_xp_count(&x, "//opf:meta[@property='dcterms:modified']", 1);
	assert_xp(&x, "//opf:meta[@property='dcterms:modified']", "2022-09-17T09:15:14Z");
	assert_xp_count(&x, "//opf:meta[@name='cover']", 1);
	assert_xp(&x, "//opf:meta[@name='cover']/@content", "i1");
	/* written with indentation, non-void elements never self-closed */
	assert_contains(x.text, "\n  <metadata");
	assert_contains(x.text, "\n    <dc:title>");
	xdoc_free(&x);

	info.publisher = "Small Press";
	info.source = "https://blog.example.org/";
	assert_int_equal(pkg_write_opf(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp(&x, "//opf:metadata/dc:publisher", "Small Press");
	assert_xp(&x, "//opf:metadata/dc:source", "https://blog.example.org/");
	xdoc_free(&x);
}

static void
test_opf_modified_format(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	info.modified = 0;
	assert_int_equal(pkg_write_opf(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp(&x, "//opf:meta[@property='dcterms:modified']", "1970-01-01T00:00:00Z");
	xdoc_free(&x);
	info.modified = INT64_C(4102444799); /* 2099-12-31T23:59:59Z */
	assert_int_equal(pkg_write_opf(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp(&x, "//opf:meta[@property='dcterms:modified']", "2099-12-31T23:59:59Z");
	xdoc_free(&x);
}

static void
test_opf_manifest_spine(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	char *ids;
	(void)state;
	assert_int_equal(pkg_write_opf(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp_count(&x, "//opf:manifest/opf:item", (long)info.nitems + 1);
	assert_xp(&x, "//opf:item[@id='p00001']/@href", "text/p00001.xhtml");
	assert_xp(&x, "//opf:item[@id='p00001']/@media-type", "application/xhtml+xml");
	assert_xp_count(&x, "//opf:item[@id='p00001']/@properties", 0);
	assert_xp(&x, "//opf:item[@properties='nav']/@href", "nav.xhtml");
	assert_xp_count(&x, "//opf:item[@properties='nav']", 1);
	assert_xp(&x, "//opf:item[@properties='cover-image']/@id", "i1");
	assert_xp(&x, "//opf:item[@id='ncx']/@href", "toc.ncx");
	assert_xp(&x, "//opf:item[@id='ncx']/@media-type", "application/x-dtbncx+xml");
	assert_xp(&x, "//opf:item[@id='css']/@media-type", "text/css");
	/* the spine: spine items in item order, the nonlinear cover marked */
	assert_xp(&x, "//opf:spine/@toc", "ncx");
	assert_xp_count(&x, "//opf:spine/opf:itemref", 4);
	ids = xp_str(&x, "concat(//opf:itemref[1]/@idref, ' ', //opf:itemref[2]/@idref, ' ', "
	                 "//opf:itemref[3]/@idref, ' ', //opf:itemref[4]/@idref)");
	assert_string_equal(ids, "cover title p00002 p00001");
	free(ids);
	assert_xp(&x, "//opf:itemref[@idref='cover']/@linear", "no");
	assert_xp_count(&x, "//opf:itemref[@linear]", 1);
	/* every idref names a manifest item */
	assert_xp_count(&x, "//opf:itemref[not(@idref = //opf:item/@id)]", 0);
	xdoc_free(&x);
}

static void
test_opf_optional_absent(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	info.creator = NULL;
	info.date = NULL;
	info.description = "";
	info.nsubjects = 0;
	info.cover_id = NULL;
	assert_int_equal(pkg_write_opf(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp_count(&x, "//dc:creator", 0);
	assert_xp_count(&x, "//dc:date", 0);
	assert_xp_count(&x, "//dc:description", 0);
	assert_xp_count(&x, "//dc:subject", 0);
	assert_xp_count(&x, "//opf:meta[@name='cover']", 0);
	assert_xp_count(&x, "//opf:metadata/*", 4); /* identifier title language modified */
	xdoc_free(&x);
}

static void
test_opf_refused(void **state)
{
	struct pkg_info info;
	struct pkg_item bad[] = {
	    {"nav", "nav.xhtml", "application/xhtml+xml", "nav", false, false},
	};
	struct pkg_item clash[] = {
	    {"ncx", "a.xhtml", "application/xhtml+xml", NULL, true, false},
	};
	char *out = NULL;
	size_t len = 0;
	(void)state;

	info = book();
	info.cover_id = "nope"; /* names no item */
	assert_int_equal(pkg_write_opf(&info, &out, &len), -1);
	info = book();
	info.items = bad; /* nothing in the spine */
	info.nitems = 1;
	assert_int_equal(pkg_write_opf(&info, &out, &len), -1);
	info = book();
	info.items = clash; /* the NCX's id taken */
	info.nitems = 1;
	assert_int_equal(pkg_write_opf(&info, &out, &len), -1);
	info = book();
	info.title = "";
	assert_int_equal(pkg_write_opf(&info, &out, &len), -1);
	info = book();
	info.language = NULL;
	assert_int_equal(pkg_write_opf(&info, &out, &len), -1);
	assert_null(out);
}

/* ------------------------------------------------------------------ */
/* nav.xhtml                                                            */

static void
test_nav_flat(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	info.nlandmarks = 0;
	assert_int_equal(pkg_write_nav(&info, &x.text, &x.len), 0);
	assert_true(strncmp(x.text,
	                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html",
	                    60) == 0);
	assert_not_contains(x.text, "/>\n    <meta"); /* no charset meta of our own */
	assert_not_contains(x.text, "<ol/>");
	assert_not_contains(x.text, "http-equiv");
	xdoc_parse(&x);
	assert_xp(&x, "/h:html/@lang", "en");
	assert_xp(&x, "/h:html/@xml:lang", "en");
	assert_xp(&x, "/h:html/h:head/h:title", "Contents");
	assert_xp(&x, "/h:html/h:head/h:link/@href", "style.css");
	assert_xp(&x, "/h:html/h:head/h:link/@rel", "stylesheet");
	assert_xp_count(&x, "//h:nav", 1);
	assert_xp_count(&x, "//h:nav[@epub:type='toc']", 1);
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:h1", "Contents");
	assert_xp_count(&x, "//h:nav[@epub:type='toc']/h:ol", 1);
	assert_xp_count(&x, "//h:nav[@epub:type='toc']/h:ol/h:li", 3);
	assert_xp_count(&x, "//h:nav[@epub:type='toc']/h:ol/h:li/h:a", 3);
	assert_xp_count(&x, "//h:ol//h:ol", 0);
	assert_xp(&x, "//h:nav/h:ol/h:li[2]/h:a", "Second <post> & more");
	assert_xp(&x, "//h:nav/h:ol/h:li[2]/h:a/@href", "text/p00002.xhtml");
	assert_xp(&x, "//h:nav/h:ol/h:li[3]/h:a/@href", "text/p00001.xhtml");
	xdoc_free(&x);
}

static void
test_nav_two_levels(void **state)
{
	static const struct pkg_toc_entry toc[] = {
	    {"Title page", "title.xhtml", 0},        {"Part one", "text/p00001.xhtml", 0},
	    {"Section A", "text/p00001.xhtml#a", 1}, {"Section B", "text/p00001.xhtml#b", 1},
	    {"Last", "text/p00002.xhtml", 0},
	};
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	info.toc = toc;
	info.ntoc = sizeof toc / sizeof *toc;
	assert_int_equal(pkg_write_nav(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp_count(&x, "//h:nav[@epub:type='toc']/h:ol/h:li", 3);
	/* an entry with children: li > a + ol */
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:a", "Part one");
	assert_xp(&x, "name(//h:nav[@epub:type='toc']/h:ol/h:li[2]/*[2])", "ol");
	assert_xp_count(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:ol/h:li", 2);
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:ol/h:li[2]/h:a/@href",
	          "text/p00001.xhtml#b");
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[3]/h:a", "Last");
	assert_xp_count(&x, "//h:li[not(h:a or h:span)]", 0);
	xdoc_free(&x);
}

static void
test_nav_groups(void **state)
{
	static const struct pkg_toc_entry toc[] = {
	    {"2021", NULL, 0},
	    {"December", NULL, 1},
	    {"Old post", "text/p00001.xhtml", 2},
	    {"2022", NULL, 0},
	    {"New post", "text/p00002.xhtml", 1},
	};
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	info.toc = toc;
	info.ntoc = sizeof toc / sizeof *toc;
	assert_int_equal(pkg_write_nav(&info, &x.text, &x.len), 0);
	assert_not_contains(x.text, "<ol/>");
	assert_not_contains(x.text, "<li/>");
	xdoc_parse(&x);
	assert_xp_count(&x, "//h:nav[@epub:type='toc']/h:ol/h:li", 2);
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[1]/h:span", "2021");
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[1]/h:ol/h:li/h:span", "December");
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[1]/h:ol/h:li/h:ol/h:li/h:a/@href",
	          "text/p00001.xhtml");
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:span", "2022");
	assert_xp(&x, "//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:ol/h:li/h:a", "New post");
	/* every span is followed by its ol */
	assert_xp_count(&x, "//h:span[not(following-sibling::*[1][self::h:ol])]", 0);
	assert_xp_count(&x, "//h:a", 2 + 3 /* landmarks */);
	xdoc_free(&x);
}

static void
test_nav_landmarks(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	assert_int_equal(pkg_write_nav(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp_count(&x, "//h:nav", 2);
	assert_xp_count(&x, "//h:nav[@epub:type='landmarks']", 1);
	assert_xp_count(&x, "//h:nav[@epub:type='landmarks']/@hidden", 1);
	assert_xp_count(&x, "//h:nav[@epub:type='landmarks']/h:ol/h:li/h:a", 3);
	assert_xp(&x, "//h:nav[@epub:type='landmarks']//h:a[@epub:type='toc']/@href",
	          "nav.xhtml#toc");
	assert_xp(&x, "//h:nav[@epub:type='landmarks']//h:a[@epub:type='bodymatter']", "Start");
	xdoc_free(&x);
}

static void
test_nav_refused(void **state)
{
	static const struct pkg_toc_entry deep_first[] = {{"a", "a.xhtml", 1}};
	static const struct pkg_toc_entry jump[] = {{"a", "a.xhtml", 0}, {"b", "b.xhtml", 2}};
	static const struct pkg_toc_entry lonely_group[] = {{"a", "a.xhtml", 0}, {"g", NULL, 0}};
	static const struct pkg_toc_entry group_no_kids[] = {{"g", NULL, 0}, {"a", "a.xhtml", 0}};
	static const struct pkg_toc_entry untitled[] = {{"", "a.xhtml", 0}};
	static const struct pkg_toc_entry negative[] = {{"a", "a.xhtml", 0}, {"b", "b.xhtml", -1}};
	struct {
		const struct pkg_toc_entry *toc;
		size_t n;
	} cases[] = {
	    {flat, 0},          {deep_first, 1}, {jump, 2},     {lonely_group, 2},
	    {group_no_kids, 2}, {untitled, 1},   {negative, 2},
	};
	char *out = NULL;
	size_t len = 0;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct pkg_info info = book();
		info.toc = cases[i].toc;
		info.ntoc = cases[i].n;
		if (pkg_write_nav(&info, &out, &len) != -1)
			fail_msg("nav case %zu accepted", i);
		if (pkg_write_ncx(&info, &out, &len) != -1)
			fail_msg("ncx case %zu accepted", i);
	}
	assert_null(out);
}

/* ------------------------------------------------------------------ */
/* toc.ncx                                                              */

static void
test_ncx_flat(void **state)
{
	struct pkg_info info = book();
	struct xdoc x = {0};
	(void)state;
	assert_int_equal(pkg_write_ncx(&info, &x.text, &x.len), 0);
	assert_not_contains(x.text, "DOCTYPE");
	xdoc_parse(&x);
	assert_xp(&x, "/ncx:ncx/@version", "2005-1");
	assert_xp(&x, "//ncx:head/ncx:meta[@name='dtb:uid']/@content", info.identifier);
	assert_xp(&x, "//ncx:head/ncx:meta[@name='dtb:depth']/@content", "1");
	assert_xp(&x, "//ncx:head/ncx:meta[@name='dtb:totalPageCount']/@content", "0");
	assert_xp(&x, "//ncx:head/ncx:meta[@name='dtb:maxPageNumber']/@content", "0");
	assert_xp(&x, "/ncx:ncx/ncx:docTitle/ncx:text", "Notes & \"Things\"");
	assert_xp_count(&x, "/ncx:ncx/ncx:navMap/ncx:navPoint", 3);
	assert_xp(&x, "//ncx:navPoint[1]/@id", "navPoint-1");
	assert_xp(&x, "//ncx:navPoint[3]/@id", "navPoint-3");
	assert_xp(&x, "//ncx:navPoint[3]/@playOrder", "3");
	assert_xp(&x, "//ncx:navPoint[2]/ncx:navLabel/ncx:text", "Second <post> & more");
	assert_xp(&x, "//ncx:navPoint[2]/ncx:content/@src", "text/p00002.xhtml");
	xdoc_free(&x);
}

static void
test_ncx_nested(void **state)
{
	static const struct pkg_toc_entry toc[] = {
	    {"Title page", "title.xhtml", 0},
	    {"2021", NULL, 0},
	    {"December", NULL, 1},
	    {"Old post", "text/p00001.xhtml", 2},
	    {"Older post", "text/p00002.xhtml", 2},
	    {"2022", NULL, 0},
	    {"New post", "text/p00003.xhtml", 1},
	    {"Its section", "text/p00003.xhtml#s", 2},
	};
	struct pkg_info info = book();
	struct xdoc x = {0};
	char *orders;
	(void)state;
	info.toc = toc;
	info.ntoc = sizeof toc / sizeof *toc;
	assert_int_equal(pkg_write_ncx(&info, &x.text, &x.len), 0);
	xdoc_parse(&x);
	assert_xp(&x, "//ncx:meta[@name='dtb:depth']/@content", "3");
	assert_xp_count(&x, "//ncx:navPoint", 8);
	assert_xp_count(&x, "/ncx:ncx/ncx:navMap/ncx:navPoint", 3);
	/* every navPoint has a label and a content, ids in document order */
	assert_xp_count(&x, "//ncx:navPoint[not(ncx:navLabel/ncx:text) or not(ncx:content/@src)]",
	                0);
	assert_xp(&x, "(//ncx:navPoint)[8]/@id", "navPoint-8");
	/* a group heading points at its first descendant's file */
	assert_xp(&x, "/ncx:ncx/ncx:navMap/ncx:navPoint[2]/ncx:navLabel/ncx:text", "2021");
	assert_xp(&x, "/ncx:ncx/ncx:navMap/ncx:navPoint[2]/ncx:content/@src", "text/p00001.xhtml");
	assert_xp(&x, "/ncx:ncx/ncx:navMap/ncx:navPoint[2]/ncx:navPoint/ncx:content/@src",
	          "text/p00001.xhtml");
	assert_xp_count(&x, "/ncx:ncx/ncx:navMap/ncx:navPoint[2]/ncx:navPoint/ncx:navPoint", 2);
	assert_xp(&x,
	          "/ncx:ncx/ncx:navMap/ncx:navPoint[3]/ncx:navPoint/ncx:navPoint/ncx:content/@src",
	          "text/p00003.xhtml#s");
	/* playOrder follows document order, one number per target: the group
	 * headings share their first child's (epubcheck's NCX rules) */
	orders = xp_str(&x, "concat((//ncx:navPoint)[1]/@playOrder, (//ncx:navPoint)[2]/@playOrder,"
	                    "(//ncx:navPoint)[3]/@playOrder, (//ncx:navPoint)[4]/@playOrder,"
	                    "(//ncx:navPoint)[5]/@playOrder, (//ncx:navPoint)[6]/@playOrder,"
	                    "(//ncx:navPoint)[7]/@playOrder, (//ncx:navPoint)[8]/@playOrder)");
	assert_string_equal(orders, "12223445");
	free(orders);
	xdoc_free(&x);
}

/* ------------------------------------------------------------------ */
/* Identifier                                                           */

static void
test_uuid5(void **state)
{
	char out[46];
	static const char jp[] = "https://example.com/blog/ \xE6\x97\xA5\xE6\x9C\xAC";
	(void)state;
	/* python3: uuid.uuid5(uuid.NAMESPACE_URL, "http://python.org") */
	pkg_uuid5("http://python.org", 17, out);
	assert_string_equal(out, "urn:uuid:50960143-e2b7-5b7a-9ca7-05375f51d5c1");
	pkg_uuid5("", 0, out);
	assert_string_equal(out, "urn:uuid:1b4db7eb-4057-5ddf-91e0-36dec72071f5");
	pkg_uuid5(NULL, 0, out);
	assert_string_equal(out, "urn:uuid:1b4db7eb-4057-5ddf-91e0-36dec72071f5");
	/* uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com/blog/ 日本") */
	pkg_uuid5(jp, sizeof jp - 1, out);
	assert_string_equal(out, "urn:uuid:c96bd3b3-dfa0-5876-925e-994e46a50bba");
	assert_int_equal(strlen(out), 45);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_container),
	    cmocka_unit_test(test_opf_metadata),
	    cmocka_unit_test(test_opf_modified_format),
	    cmocka_unit_test(test_opf_manifest_spine),
	    cmocka_unit_test(test_opf_optional_absent),
	    cmocka_unit_test(test_opf_refused),
	    cmocka_unit_test(test_nav_flat),
	    cmocka_unit_test(test_nav_two_levels),
	    cmocka_unit_test(test_nav_groups),
	    cmocka_unit_test(test_nav_landmarks),
	    cmocka_unit_test(test_nav_refused),
	    cmocka_unit_test(test_ncx_flat),
	    cmocka_unit_test(test_ncx_nested),
	    cmocka_unit_test(test_uuid5),
	};
	int rc;
	xmlInitParser();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}

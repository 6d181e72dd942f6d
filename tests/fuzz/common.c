/* common.c — see common.h. */
#include "common.h"

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "template.h"
#include "util.h"
#include "xhtml.h"

void
fz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz check failed: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

const struct templates *
fz_templates(void)
{
	static struct templates *t;

	if (t == NULL) {
		struct log *lg = log_new(stderr, LOG_QUIET);
		t = tpl_new(NULL, lg);
		log_free(lg);
		if (t == NULL)
			fz_fail("tpl_new", "cannot load the built-in templates");
	}
	return t;
}

/* ------------------------------------------------------------ images */

/* The sources seen, in order: once from xhtml_images(), once from the
 * render's image callback. */
struct srcs {
	char **v;
	size_t n, cap;
	int mode;
};

static void
srcs_add(struct srcs *s, const char *src)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = xstrdup(src);
}

static void
srcs_free(struct srcs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static void
found_cb(void *ctx, const char *src, unsigned long line)
{
	(void)line;
	if (src == NULL)
		fz_fail("xhtml_images", "NULL source");
	srcs_add(ctx, src);
}

static char *
image_cb(void *ctx, const char *src, unsigned long line)
{
	struct srcs *s = ctx;

	(void)line;
	if (src == NULL)
		fz_fail("image callback", "NULL source");
	srcs_add(s, src);
	if (s->mode == FZ_IMG_REFUSE || (s->mode == FZ_IMG_SOME && strlen(src) % 2 != 0))
		return NULL;
	return xstrdup(FZ_IMAGE_HREF);
}

/* ------------------------------------------------------------ render */

void
fz_render_chapter(const char *html, size_t len, const struct fz_page *pg)
{
	struct log *lg = log_new(NULL, LOG_QUIET);
	struct srcs listed = {0}, asked = {0};
	char *out = NULL;
	size_t olen = 0;
	xmlDocPtr doc = tpl_instantiate(fz_templates(), "chapter");
	const char *title = pg->title && *pg->title ? pg->title : "Post";

	if (doc == NULL)
		fz_fail("tpl_instantiate", "chapter");
	tpl_set_head(doc, "en", title);
	tpl_set_text(doc, "title", title);
	tpl_set_text(doc, "date", pg->date ? pg->date : "1970-01-01");
	tpl_set_text(doc, "author", pg->author);
	tpl_set_text(doc, "terms", pg->terms);

	asked.mode = pg->img_mode;
	struct xhtml_opts o = {
		.file = pg->file ? pg->file : "post.html",
		.line = pg->line ? pg->line : 1,
		.exact_lines = pg->exact_lines,
		.lg = lg,
		.image = pg->img_mode == FZ_IMG_NONE ? NULL : image_cb,
		.image_ctx = &asked,
	};
	int irc = xhtml_images(html, len, &o, found_cb, &listed);
	int rrc = xhtml_render(html, len, &o, tpl_slot(doc, "body"));
	if ((irc == 0) != (rrc == 0))
		fz_fail("xhtml_images and xhtml_render disagree on parsing", NULL);
	if (rrc == 0 && o.image != NULL) {
		if (listed.n != asked.n)
			fz_fail("xhtml_images listed a different number of images than "
				"xhtml_render asked about",
				NULL);
		for (size_t i = 0; i < listed.n; i++)
			if (strcmp(listed.v[i], asked.v[i]) != 0)
				fz_fail("xhtml_images and xhtml_render differ on a source",
					listed.v[i]);
	}
	tpl_finish(doc);
	if (tpl_save(doc, &out, &olen) != 0)
		fz_fail("tpl_save", "failed");
	if (out == NULL || strlen(out) != olen)
		fz_fail("tpl_save", "length does not match the text");
	fz_check_chapter(out, olen);

	free(out);
	xmlFreeDoc(doc);
	srcs_free(&listed);
	srcs_free(&asked);
	log_free(lg);
}

/* ------------------------------------------------------------- check */

static bool
name_in(const xmlChar *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (ascii_casecmp((const char *)name, *list) == 0)
			return true;
	return false;
}

/* The value without leading white space and control characters, as a URL
 * parser would see it. */
static const char *
url_start(const xmlChar *v)
{
	const char *s = (const char *)v;
	while (*s != '\0' && (unsigned char)*s <= 0x20)
		s++;
	return s;
}

static bool
is_safe_href(const xmlChar *v)
{
	const char *s = url_start(v);
	return ascii_ncasecmp(s, "http://", 7) == 0 || ascii_ncasecmp(s, "https://", 8) == 0 ||
	       ascii_ncasecmp(s, "mailto:", 7) == 0 || s[0] == '#';
}

/* Checks one element of the body (in_a: an <a> is an ancestor). */
static void
check_element(xmlNodePtr n, bool in_a, xmlHashTablePtr ids)
{
	static const char *const banned[] = {
		"script", "iframe", "object", "embed", "form",     "applet", "style",
		"link",   "meta",   "base",   "svg",   "math",     "frame",  "frameset",
		"input",  "button", "textarea", "select", "template", "noscript", NULL,
	};
	bool is_img = ascii_casecmp((const char *)n->name, "img") == 0;
	bool has_alt = false;

	if (name_in(n->name, banned))
		fz_fail("banned element in the body", (const char *)n->name);
	if (in_a && ascii_casecmp((const char *)n->name, "a") == 0)
		fz_fail("a link inside a link", NULL);
	for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
		const xmlChar *an = a->name;
		xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
		const xmlChar *vv = v ? v : BAD_CAST "";

		if (ascii_ncasecmp((const char *)an, "on", 2) == 0)
			fz_fail("event attribute", (const char *)an);
		if (ascii_casecmp((const char *)an, "style") == 0)
			fz_fail("style attribute", (const char *)vv);
		if (ascii_casecmp((const char *)an, "href") == 0 ||
		    ascii_casecmp((const char *)an, "cite") == 0) {
			if (ascii_ncasecmp(url_start(vv), "javascript:", 11) == 0)
				fz_fail("javascript: link", (const char *)vv);
			if (!is_safe_href(vv))
				fz_fail("href/cite with a scheme not allowed", (const char *)vv);
		}
		if (ascii_casecmp((const char *)an, "src") == 0 ||
		    ascii_casecmp((const char *)an, "srcset") == 0 ||
		    ascii_casecmp((const char *)an, "poster") == 0 ||
		    ascii_casecmp((const char *)an, "action") == 0 ||
		    ascii_casecmp((const char *)an, "formaction") == 0 ||
		    ascii_casecmp((const char *)an, "background") == 0) {
			if (!is_img || ascii_casecmp((const char *)an, "src") != 0)
				fz_fail("resource attribute", (const char *)an);
			if (strcmp((const char *)vv, FZ_IMAGE_HREF) != 0)
				fz_fail("img src not from the image callback", (const char *)vv);
		}
		if (strcmp((const char *)an, "alt") == 0)
			has_alt = true;
		if (strcmp((const char *)an, "id") == 0 && a->ns == NULL) {
			if (xmlHashLookup(ids, vv) != NULL)
				fz_fail("duplicate id", (const char *)vv);
			xmlHashAddEntry(ids, vv, (void *)1);
		}
		xmlFree(v);
	}
	if (is_img && !has_alt)
		fz_fail("img without alt", NULL);
}

void
fz_check_chapter(const char *xml, size_t len)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDocPtr doc;
	xmlHashTablePtr ids = xmlHashCreate(16);

	if (ctxt == NULL || ids == NULL)
		fz_fail("out of memory", NULL);
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "chapter.xhtml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || !ctxt->wellFormed) {
		fprintf(stderr, "%.*s\n", (int)(len > 4000 ? 4000 : len), xml);
		fz_fail("the chapter is not well-formed XML", NULL);
	}
	if (!ctxt->nsWellFormed)
		fz_fail("the chapter is not namespace-well-formed", NULL);

	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, "html") != 0)
		fz_fail("the chapter's root is not html", NULL);

	/* Pre-order walk without recursion; ids are checked everywhere, the
	 * rest only inside <body> (the head legitimately links the CSS). */
	int body_depth = 0, depth = 0, a_depth = 0;
	xmlNodePtr n = root;
	while (n != NULL) {
		bool entering_body = false;
		if (n->type == XML_ELEMENT_NODE) {
			if (body_depth == 0 && strcmp((const char *)n->name, "body") == 0)
				entering_body = true;
			if (body_depth > 0 || entering_body)
				check_element(n, a_depth > 0, ids);
		}
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			depth++;
			if (entering_body)
				body_depth = depth;
			if (strcmp((const char *)n->name, "a") == 0)
				a_depth++;
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL) {
			n = n->parent;
			/* Leaving n. */
			if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "a") == 0)
				a_depth--;
			if (depth == body_depth)
				body_depth = 0;
			depth--;
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}

	xmlHashFree(ids, NULL);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
}

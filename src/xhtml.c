/* xhtml.c — see xhtml.h.
 *
 * Three passes, none of them recursive:
 *
 *  1. parse: libxml2's HTML parser over a UTF-8-sanitised copy of the input
 *     (an htmlDoc of our own, thrown away at the end);
 *  2. build: a walk of the HTML tree that creates fresh XHTML-namespace
 *     nodes in dest's document, under a detached container element. Only
 *     allow-listed elements and attributes are copied; text is copied as
 *     text, so libxml2 escapes it when the chapter is saved. Each HTML node's
 *     _private remembers the output parent to return to when the walk leaves
 *     it, which is what lets the walk go without a stack;
 *  3. repair: a pre-order walk of the output that enforces the content
 *     models epubcheck's schema checks and libxml2's HTML 4 parser does not
 *     know (blocks inside <p> or inline elements, list/table/dl children,
 *     figcaption position, ruby), then a last walk resolving fragment links.
 *
 * Only then are the nodes moved under dest, so dest is untouched on failure.
 */
#include "xhtml.h"

#include <libxml/HTMLparser.h>
#include <libxml/hash.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "template.h"
#include "util.h"

#define BC (const xmlChar *)

/* Output nesting cap: deeper elements are unwrapped (their text kept). The
 * repairs can at most double the depth (table > tbody > tr > td for a
 * <table><td>), which keeps chapters below libxml2's default parser limit
 * of 256 levels, and reading systems' own limits. */
#define MAX_DEPTH 100

/* ---------------------------------------------------------------------
 * Element rules (input side)
 * ------------------------------------------------------------------- */

enum action {
	A_KEEP,   /* copy the element (under the name in .out, or its own) */
	A_UNWRAP, /* drop the element, keep its content */
	A_DROP,   /* drop the element and its content */
	A_WARN,   /* as A_DROP, and warn once per kind and post */
	A_IMG,
	A_MEDIA,  /* <video>/<audio>: replaced by a link to an http(s) source */
};

struct rule {
	const char *name;
	unsigned char action;
	const char *out; /* NULL: same name */
};

/* Sorted by name (bsearch). Names not listed are unwrapped. */
static const struct rule rules[] = {
	{"a", A_KEEP, NULL},
	{"abbr", A_KEEP, NULL},
	{"acronym", A_KEEP, "abbr"},
	{"address", A_KEEP, "div"},
	{"applet", A_WARN, NULL},
	{"area", A_DROP, NULL},
	{"article", A_KEEP, NULL},
	{"aside", A_KEEP, NULL},
	{"audio", A_MEDIA, NULL},
	{"b", A_KEEP, NULL},
	{"base", A_DROP, NULL},
	{"basefont", A_DROP, NULL},
	{"bdi", A_KEEP, "span"},
	{"bdo", A_KEEP, "span"},
	{"big", A_KEEP, "span"},
	{"blockquote", A_KEEP, NULL},
	{"body", A_UNWRAP, NULL},
	{"br", A_KEEP, NULL},
	{"button", A_DROP, NULL},
	{"canvas", A_DROP, NULL},
	{"caption", A_KEEP, NULL},
	{"center", A_KEEP, "div"},
	{"cite", A_KEEP, NULL},
	{"code", A_KEEP, NULL},
	{"col", A_KEEP, NULL},
	{"colgroup", A_KEEP, NULL},
	{"data", A_KEEP, "span"},
	{"datalist", A_DROP, NULL},
	{"dd", A_KEEP, NULL},
	{"del", A_KEEP, NULL},
	{"details", A_KEEP, "div"},
	{"dfn", A_KEEP, NULL},
	{"dialog", A_DROP, NULL},
	{"dir", A_KEEP, "ul"},
	{"div", A_KEEP, NULL},
	{"dl", A_KEEP, NULL},
	{"dt", A_KEEP, NULL},
	{"em", A_KEEP, NULL},
	{"embed", A_WARN, NULL},
	{"fieldset", A_KEEP, "div"},
	{"figcaption", A_KEEP, NULL},
	{"figure", A_KEEP, NULL},
	{"footer", A_KEEP, NULL},
	{"form", A_WARN, NULL},
	{"frame", A_DROP, NULL},
	{"frameset", A_DROP, NULL},
	{"h1", A_KEEP, NULL},
	{"h2", A_KEEP, NULL},
	{"h3", A_KEEP, NULL},
	{"h4", A_KEEP, NULL},
	{"h5", A_KEEP, NULL},
	{"h6", A_KEEP, NULL},
	{"head", A_DROP, NULL},
	{"header", A_KEEP, NULL},
	{"hgroup", A_KEEP, "div"},
	{"hr", A_KEEP, NULL},
	{"html", A_UNWRAP, NULL},
	{"i", A_KEEP, NULL},
	{"iframe", A_WARN, NULL},
	{"img", A_IMG, NULL},
	{"input", A_DROP, NULL},
	{"ins", A_KEEP, NULL},
	{"kbd", A_KEEP, NULL},
	{"keygen", A_DROP, NULL},
	{"label", A_KEEP, "span"},
	{"legend", A_KEEP, "div"},
	{"li", A_KEEP, NULL},
	{"link", A_DROP, NULL},
	{"listing", A_KEEP, "pre"},
	{"main", A_KEEP, "div"},
	{"mark", A_KEEP, NULL},
	{"math", A_DROP, NULL},
	{"menu", A_KEEP, "ul"},
	{"meta", A_DROP, NULL},
	{"meter", A_DROP, NULL},
	{"nav", A_KEEP, "div"},
	{"noembed", A_DROP, NULL},
	{"noframes", A_DROP, NULL},
	{"object", A_WARN, NULL},
	{"ol", A_KEEP, NULL},
	{"optgroup", A_DROP, NULL},
	{"option", A_DROP, NULL},
	{"output", A_KEEP, "span"},
	{"p", A_KEEP, NULL},
	{"param", A_DROP, NULL},
	{"plaintext", A_KEEP, "pre"},
	{"pre", A_KEEP, NULL},
	{"progress", A_DROP, NULL},
	{"q", A_KEEP, NULL},
	{"rb", A_KEEP, "span"},
	{"rp", A_KEEP, NULL},
	{"rt", A_KEEP, NULL},
	{"ruby", A_KEEP, NULL},
	{"s", A_KEEP, NULL},
	{"samp", A_KEEP, NULL},
	{"script", A_WARN, NULL},
	{"section", A_KEEP, NULL},
	{"select", A_DROP, NULL},
	{"small", A_KEEP, NULL},
	{"source", A_DROP, NULL},
	{"span", A_KEEP, NULL},
	{"strike", A_KEEP, "s"},
	{"strong", A_KEEP, NULL},
	{"style", A_DROP, NULL},
	{"sub", A_KEEP, NULL},
	{"summary", A_KEEP, "div"},
	{"sup", A_KEEP, NULL},
	{"svg", A_DROP, NULL},
	{"table", A_KEEP, NULL},
	{"tbody", A_KEEP, NULL},
	{"td", A_KEEP, NULL},
	{"template", A_DROP, NULL},
	{"textarea", A_DROP, NULL},
	{"tfoot", A_KEEP, NULL},
	{"th", A_KEEP, NULL},
	{"thead", A_KEEP, NULL},
	{"time", A_KEEP, NULL},
	{"title", A_DROP, NULL},
	{"tr", A_KEEP, NULL},
	{"track", A_DROP, NULL},
	{"tt", A_KEEP, "code"},
	{"u", A_KEEP, NULL},
	{"ul", A_KEEP, NULL},
	{"var", A_KEEP, NULL},
	{"video", A_MEDIA, NULL},
	{"wbr", A_KEEP, NULL},
	{"xmp", A_KEEP, "pre"},
};

/* The kinds that are warned about, in the order of the bit mask. */
static const char *const warn_kinds[] = {"applet", "embed", "form", "iframe", "object", "script"};
#define WARN_JS_LINK (1u << 6)

/* Void in HTML5 but not to libxml2 2.9.14, which nests what follows them
 * inside them: their "children" belong to their parent. */
static bool
is_void5(const char *name)
{
	static const char *const v[] = {"embed", "keygen", "source", "track", "wbr"};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(name, v[i]) == 0)
			return true;
	return false;
}

static int
rule_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rule *)elem)->name);
}

static const struct rule *
rule_find(const xmlChar *name)
{
	return bsearch(name, rules, sizeof rules / sizeof rules[0], sizeof rules[0], rule_cmp);
}

/* ---------------------------------------------------------------------
 * Content models (output side)
 * ------------------------------------------------------------------- */

enum {
	CM_PHRASING = 1, /* the element is phrasing content */
	CM_PONLY = 2,    /* it accepts phrasing content only */
	CM_SPLIT = 4,    /* a block inside splits it (else it becomes a div) */
	CM_TRANSP = 8,   /* transparent: takes its parent's content model */
};

struct cm {
	const char *name;
	unsigned flags;
};

/* Sorted by name. Elements not listed are flow containers (blocks). */
static const struct cm cms[] = {
	{"a", CM_PHRASING | CM_TRANSP},
	{"abbr", CM_PHRASING | CM_PONLY},
	{"b", CM_PHRASING | CM_PONLY},
	{"br", CM_PHRASING},
	{"cite", CM_PHRASING | CM_PONLY},
	{"code", CM_PHRASING | CM_PONLY},
	{"del", CM_PHRASING | CM_TRANSP},
	{"dfn", CM_PHRASING | CM_PONLY},
	{"em", CM_PHRASING | CM_PONLY},
	{"h1", CM_PONLY | CM_SPLIT},
	{"h2", CM_PONLY | CM_SPLIT},
	{"h3", CM_PONLY | CM_SPLIT},
	{"h4", CM_PONLY | CM_SPLIT},
	{"h5", CM_PONLY | CM_SPLIT},
	{"h6", CM_PONLY | CM_SPLIT},
	{"i", CM_PHRASING | CM_PONLY},
	{"img", CM_PHRASING},
	{"ins", CM_PHRASING | CM_TRANSP},
	{"kbd", CM_PHRASING | CM_PONLY},
	{"mark", CM_PHRASING | CM_PONLY},
	{"p", CM_PONLY | CM_SPLIT},
	{"pre", CM_PONLY | CM_SPLIT},
	{"q", CM_PHRASING | CM_PONLY},
	{"rp", CM_PHRASING | CM_PONLY | CM_SPLIT},
	{"rt", CM_PHRASING | CM_PONLY | CM_SPLIT},
	{"ruby", CM_PHRASING | CM_PONLY | CM_SPLIT},
	{"s", CM_PHRASING | CM_PONLY},
	{"samp", CM_PHRASING | CM_PONLY},
	{"small", CM_PHRASING | CM_PONLY},
	{"span", CM_PHRASING | CM_PONLY},
	{"strong", CM_PHRASING | CM_PONLY},
	{"sub", CM_PHRASING | CM_PONLY},
	{"sup", CM_PHRASING | CM_PONLY},
	{"time", CM_PHRASING | CM_PONLY},
	{"u", CM_PHRASING | CM_PONLY},
	{"var", CM_PHRASING | CM_PONLY},
	{"wbr", CM_PHRASING},
};

static int
cm_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cm *)elem)->name);
}

static unsigned
cm_flags(xmlNodePtr n)
{
	const struct cm *c;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return 0;
	c = bsearch(n->name, cms, sizeof cms / sizeof cms[0], sizeof cms[0], cm_cmp);
	return c != NULL ? c->flags : 0;
}

/* ---------------------------------------------------------------------
 * Context
 * ------------------------------------------------------------------- */

struct ctx {
	const struct xhtml_opts *o;
	xmlDocPtr doc;
	xmlNsPtr ns;             /* XHTML namespace in dest's scope (may be NULL) */
	xmlNodePtr root;         /* detached container of the output */
	xmlHashTablePtr ids;     /* every id in dest's document and ours */
	xmlHashTablePtr idnext;  /* id base -> next numeric suffix to try */
	xmlHashTablePtr idmap;   /* id in the input -> id given (first use) */
	unsigned warned;         /* bit i: warn_kinds[i] already reported */
	int depth;               /* open elements in the output */
	int a_depth;             /* open <a> elements in the output */
	int hf_depth;            /* open <header>/<footer> elements */
	int dfn_depth;           /* open <dfn> elements */
};

static void *
lx(void *p)
{
	/* libxml2 returns NULL only when out of memory (or on misuse, which
	 * would be a bug here): same policy as the x* allocators. */
	if (p == NULL) {
		fputs("post2epub: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void
free_payload(void *payload, const xmlChar *name)
{
	(void)name;
	free(payload);
}

/* Warns once per post about a removed element kind (or, with kind NULL,
 * about a script link). Routine cleaning is silent. */
/* The line of an input node in the post's file, for messages. */
static unsigned long
line_of(const struct ctx *c, xmlNodePtr in)
{
	long l = in != NULL ? xmlGetLineNo(in) : -1;
	if (!c->o->exact_lines || l <= 0)
		return c->o->line;
	return c->o->line + (unsigned long)l - 1;
}

static void
warn_once(struct ctx *c, unsigned bit, const char *kind, xmlNodePtr in)
{
	if (c->warned & bit)
		return;
	c->warned |= bit;
	if (c->o->lg == NULL)
		return;
	if (kind != NULL)
		log_warn(c->o->lg, c->o->file, line_of(c, in),
			 "removed <%s> (not allowed in an ebook)", kind);
	else
		log_warn(c->o->lg, c->o->file, line_of(c, in), "removed a javascript: link");
}

static void
warn_kind(struct ctx *c, const char *kind, xmlNodePtr in)
{
	for (unsigned i = 0; i < sizeof warn_kinds / sizeof warn_kinds[0]; i++)
		if (strcmp(kind, warn_kinds[i]) == 0)
			warn_once(c, 1u << i, kind, in);
}

static bool
is_name(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BC name);
}

static bool
is_ws(const xmlChar *s)
{
	if (s == NULL)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f')
			return false;
	return true;
}

static bool
is_ws_text(xmlNodePtr n)
{
	return n->type == XML_TEXT_NODE && is_ws(n->content);
}

/* No element children and no text but white space. */
static bool
is_blank(xmlNodePtr n)
{
	for (xmlNodePtr k = n->children; k != NULL; k = k->next)
		if (!is_ws_text(k))
			return false;
	return true;
}

static xmlNodePtr
new_elem(struct ctx *c, const char *name)
{
	return lx(xmlNewDocNode(c->doc, c->ns, BC name, NULL));
}

static void
add_text(struct ctx *c, xmlNodePtr parent, const xmlChar *text)
{
	if (text == NULL || *text == '\0')
		return;
	xmlAddChild(parent, lx(xmlNewDocText(c->doc, text)));
}

static void
set_attr(xmlNodePtr n, const char *name, const char *value)
{
	lx(xmlSetProp(n, BC name, BC value));
}

static void
set_lang(xmlNodePtr n, const char *value)
{
	xmlNsPtr xns = xmlSearchNs(n->doc, n, BC "xml");

	set_attr(n, "lang", value);
	if (xns != NULL)
		lx(xmlSetNsProp(n, xns, BC "lang", BC value));
}

/* Next node in document order after n's subtree, not leaving root. */
static xmlNodePtr
next_skip(xmlNodePtr n, xmlNodePtr root)
{
	while (n != NULL && n != root) {
		if (n->next != NULL)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Small syntaxes: URLs, numbers, language tags, dates
 * ------------------------------------------------------------------- */

static bool
is_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* An optionally signed decimal integer of at most 9 digits. */
static bool
is_int(const char *s, long *v)
{
	const char *d = (*s == '-') ? s + 1 : s;

	if (!is_digits(d) || strlen(d) > 9)
		return false;
	if (v != NULL)
		*v = strtol(s, NULL, 10);
	return true;
}

/* xsd:language: [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})* */
static bool
is_langtag(const char *s)
{
	size_t run = 0;
	bool first = true;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s == '-') {
			if (run == 0)
				return false;
			run = 0;
			first = false;
		} else if (first ? ascii_isalpha(*s) : ascii_isalnum(*s)) {
			if (++run > 8)
				return false;
		} else {
			return false;
		}
	}
	return run > 0;
}

/* Matches the start of s against a tiny pattern ('d' a digit, anything
 * else itself). Returns the characters consumed, or 0. */
static size_t
match(const char *s, const char *pat)
{
	size_t i;

	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			return 0;
	}
	return i;
}

/* The subset of HTML's date/time microsyntax blogs use: YYYY, YYYY-MM,
 * YYYY-MM-DD, hh:mm[:ss], and date-times with an optional zone — all of
 * which epubcheck's time.datetime pattern accepts. */
static bool
is_datetime(const char *s)
{
	size_t n;

	if ((n = match(s, "dddd")) == 0)
		return match(s, "dd:dd") == 5 && (s[5] == '\0' || (match(s + 5, ":dd") && s[8] == '\0'));
	s += n;
	if (*s == '\0')
		return true;
	if (!match(s, "-dd"))
		return false;
	s += 3;
	if (*s == '\0')
		return true;
	if (!match(s, "-dd"))
		return false;
	s += 3;
	if (*s == '\0')
		return true;
	if ((*s != 'T' && *s != ' ') || !match(s + 1, "dd:dd"))
		return false;
	s += 6;
	if (match(s, ":dd")) {
		s += 3;
		if (*s == '.' && s[1] >= '0' && s[1] <= '9') {
			s++;
			for (n = 0; *s >= '0' && *s <= '9'; s++)
				if (++n > 3)
					return false;
		}
	}
	if (*s == 'Z')
		s++;
	else if ((*s == '+' || *s == '-') && match(s + 1, "dd")) {
		s += 3;
		if (*s == ':')
			s++;
		if (!match(s, "dd"))
			return false;
		s += 2;
	}
	return *s == '\0';
}

static bool
is_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A copy of s without leading and trailing C0 controls and spaces and
 * without tabs and newlines inside (what browsers do to URLs). */
static char *
url_strip(const char *s)
{
	size_t n = strlen(s);
	char *r, *w;

	while (*s != '\0' && (unsigned char)*s <= 0x20) {
		s++;
		n--;
	}
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	r = xstrndup(s, n);
	for (w = r, s = r; *s; s++)
		if (*s != '\t' && *s != '\n' && *s != '\r')
			*w++ = *s;
	*w = '\0';
	return r;
}

/* Length of the scheme of u (letters, digits, + - . after a letter, then
 * ':'), or 0 when u is relative. */
static size_t
url_scheme(const char *u)
{
	size_t i;

	if (!ascii_isalpha(u[0]))
		return 0;
	for (i = 1; ascii_isalnum(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'; i++)
		;
	return u[i] == ':' ? i : 0;
}

enum url_ok {
	URL_HTTP = 1,   /* http, https, and //host (made https:) */
	URL_MAILTO = 2,
};

/* Cleans an untrusted URL for an href/cite attribute: only the schemes in
 * allow survive (fragment-only references are handled by the caller).
 * The result is percent-encoded where xsd:anyURI and Java's URI parser
 * would object (spaces, non-ASCII, "<>\"{}|\\^`", stray '%', a second '#',
 * brackets outside the host).
 * Returns a malloc'd string or NULL; *js is set for javascript:/vbscript:. */
static char *
url_clean(const char *in, unsigned allow, bool *js)
{
	char *u = url_strip(in);
	struct buf b = {0};
	const char *p, *auth_end = NULL;
	size_t sl;
	bool frag = false;
	char *r = NULL;

	sl = url_scheme(u);
	if (u[0] == '/' && u[1] == '/' && (allow & URL_HTTP)) {
		if (u[2] == '\0' || u[2] == '/')
			goto out;
		buf_puts(&b, "https:");
		p = u;
	} else if (sl == 4 && ascii_ncasecmp(u, "http", 4) == 0 && (allow & URL_HTTP)) {
		buf_puts(&b, "http:");
		p = u + 5;
	} else if (sl == 5 && ascii_ncasecmp(u, "https", 5) == 0 && (allow & URL_HTTP)) {
		buf_puts(&b, "https:");
		p = u + 6;
	} else if (sl == 6 && ascii_ncasecmp(u, "mailto", 6) == 0 && (allow & URL_MAILTO)) {
		buf_puts(&b, "mailto:");
		p = u + 7;
		if (*p == '\0')
			goto out;
	} else {
		if (js != NULL && ((sl == 10 && ascii_ncasecmp(u, "javascript", 10) == 0) ||
				   (sl == 8 && ascii_ncasecmp(u, "vbscript", 8) == 0)))
			*js = true;
		goto out;
	}
	if (b.data[0] != 'm') {
		/* http(s): insist on an authority with a host. */
		if (p[0] != '/' || p[1] != '/' || p[2] == '\0' || p[2] == '/' || p[2] == '?' ||
		    p[2] == '#')
			goto out;
		auth_end = p + 2 + strcspn(p + 2, "/?#");
	}
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '#' && !frag) {
			frag = true;
			buf_putc(&b, '#');
		} else if (ch == '%' && is_hex(p[1]) && is_hex(p[2])) {
			buf_putc(&b, '%');
		} else if ((ch == '[' || ch == ']') && auth_end != NULL && p < auth_end) {
			buf_putc(&b, (char)ch); /* an IPv6 literal host */
		} else if (ch <= 0x20 || ch >= 0x7f || strchr("<>\"{}|\\^`%#[]", ch) != NULL) {
			buf_printf(&b, "%%%02X", ch);
		} else {
			buf_putc(&b, (char)ch);
		}
	}
	r = buf_detach(&b, NULL);
out:
	buf_free(&b);
	free(u);
	return r;
}

/* For a fragment-only reference "#x": the decoded fragment, or NULL when
 * it is empty or decodes to something that cannot be an id. */
static char *
fragment_decode(const char *in)
{
	char *u = url_strip(in);
	char *r = NULL, *w;
	const char *s;

	if (u[0] != '#' || u[1] == '\0')
		goto out;
	/* Checked against the ids at the end; here only kept savable. */
	r = xmalloc(strlen(u));
	for (s = u + 1, w = r; *s; s++) {
		if (*s == '%' && is_hex(s[1]) && is_hex(s[2])) {
			*w++ = (char)(hex_value(s[1]) * 16 + hex_value(s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	if (!utf8_valid(r, (size_t)(w - r)) || strpbrk(r, "\x01\x02\x03\x04\x05\x06\x07\x08"
							  "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
							  "\x11\x12\x13\x14\x15\x16\x17\x18"
							  "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") != NULL ||
	    w == r) {
		free(r);
		r = NULL;
	}
out:
	free(u);
	return r;
}

/* ---------------------------------------------------------------------
 * ids
 * ------------------------------------------------------------------- */

static void
id_add(struct ctx *c, const xmlChar *id)
{
	if (xmlHashLookup(c->ids, id) == NULL)
		xmlHashAddEntry(c->ids, id, c);
}

/* Collects every id already in dest's document, iteratively. */
static void
ids_collect(struct ctx *c)
{
	xmlNodePtr n = xmlDocGetRootElement(c->doc);
	xmlNodePtr top = n;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
				if (!xmlStrEqual(a->name, BC "id"))
					continue;
				xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
				if (v != NULL)
					id_add(c, v);
				xmlFree(v);
			}
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		n = next_skip(n, top);
	}
}

/* The id to give an element whose input id is raw: made an NCName (by
 * prefixing "id-" when that is enough; else dropped, NULL) and unique in
 * the document (suffix -2, -3, ...). Remembers raw -> result for links.
 * Caller frees. */
static char *
id_assign(struct ctx *c, const char *raw)
{
	char *base, *id;
	uintptr_t k;

	if (is_ws(BC raw))
		return NULL;
	if (xmlValidateNCName(BC raw, 0) == 0)
		base = xstrdup(raw);
	else {
		base = xasprintf("id-%s", raw);
		if (xmlValidateNCName(BC base, 0) != 0) {
			free(base);
			return NULL;
		}
	}
	if (xmlHashLookup(c->ids, BC base) == NULL) {
		id = base;
	} else {
		k = (uintptr_t)xmlHashLookup(c->idnext, BC base);
		if (k < 2)
			k = 2;
		for (id = NULL;; k++) {
			id = xasprintf("%s-%lu", base, (unsigned long)k);
			if (xmlHashLookup(c->ids, BC id) == NULL)
				break;
			free(id);
		}
		xmlHashUpdateEntry(c->idnext, BC base, (void *)(k + 1), NULL);
		free(base);
	}
	id_add(c, BC id);
	if (xmlHashLookup(c->idmap, BC raw) == NULL)
		xmlHashAddEntry(c->idmap, BC raw, xstrdup(id));
	return id;
}

/* ---------------------------------------------------------------------
 * Attributes
 * ------------------------------------------------------------------- */

static char *
attr_get(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BC name);
	char *r;

	if (v == NULL)
		return NULL;
	r = xstrdup((const char *)v);
	xmlFree(v);
	return r;
}

/* data-* names that are XML-compatible and lower case. */
static bool
is_data_name(const xmlChar *name)
{
	const xmlChar *s;

	if (xmlStrncmp(name, BC "data-", 5) != 0 || name[5] == '\0')
		return false;
	for (s = name + 5; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.'))
			return false;
	return xmlStrncasecmp(name + 5, BC "xml", 3) != 0;
}

static void
copy_id(struct ctx *c, xmlNodePtr out, const char *raw)
{
	char *id = id_assign(c, raw);

	if (id != NULL)
		set_attr(out, "id", id);
	free(id);
}

/* Copies the allowed attributes of the HTML element in to out (named
 * oname). Global: id, class, title, lang (+ xml:lang), data-*. */
static void
copy_attrs(struct ctx *c, xmlNodePtr in, xmlNodePtr out, const char *oname, bool data)
{
	bool has_id = xmlHasProp(in, BC "id") != NULL;

	for (xmlAttrPtr a = in->properties; a != NULL; a = a->next) {
		const char *an = (const char *)a->name;
		xmlChar *xv = xmlNodeGetContent((xmlNodePtr)a);
		const char *v = xv != NULL ? (const char *)xv : "";
		long num;
		char *u;
		bool js = false;

		if (strcmp(an, "id") == 0 || (strcmp(an, "name") == 0 && !has_id &&
					      strcmp(oname, "a") == 0)) {
			copy_id(c, out, v);
		} else if (strcmp(an, "class") == 0 || strcmp(an, "title") == 0) {
			set_attr(out, an, v);
		} else if (strcmp(an, "lang") == 0) {
			if (is_langtag(v))
				set_lang(out, v);
		} else if (data && is_data_name(a->name)) {
			set_attr(out, an, v);
		} else if (strcmp(oname, "a") == 0 && strcmp(an, "href") == 0) {
			const char *t = v;
			while (*t != '\0' && (unsigned char)*t <= 0x20)
				t++;
			if (*t == '#') {
				/* Resolved against the ids at the end. */
				u = fragment_decode(v);
				if (u != NULL) {
					char *h = xasprintf("#%s", u);
					set_attr(out, "href", h);
					free(h);
				}
			} else if (c->o->link != NULL &&
				   (u = c->o->link(c->o->link_ctx, t)) != NULL) {
				/* Another post of the book: its chapter. */
				set_attr(out, "href", u);
			} else {
				u = url_clean(v, URL_HTTP | URL_MAILTO, &js);
				if (js)
					warn_once(c, WARN_JS_LINK, NULL, in);
				if (u != NULL)
					set_attr(out, "href", u);
			}
			free(u);
		} else if (strcmp(an, "cite") == 0 &&
			   (strcmp(oname, "q") == 0 || strcmp(oname, "blockquote") == 0 ||
			    strcmp(oname, "del") == 0 || strcmp(oname, "ins") == 0)) {
			u = url_clean(v, URL_HTTP, NULL);
			if (u != NULL)
				set_attr(out, "cite", u);
			free(u);
		} else if (strcmp(oname, "ol") == 0 && strcmp(an, "start") == 0) {
			if (is_int(v, NULL))
				set_attr(out, "start", v);
		} else if (strcmp(oname, "ol") == 0 && strcmp(an, "reversed") == 0) {
			set_attr(out, "reversed", "reversed");
		} else if (strcmp(oname, "li") == 0 && strcmp(an, "value") == 0) {
			if (is_int(v, NULL))
				set_attr(out, "value", v);
		} else if ((strcmp(oname, "td") == 0 || strcmp(oname, "th") == 0) &&
			   (strcmp(an, "colspan") == 0 || strcmp(an, "rowspan") == 0)) {
			if (is_digits(v) && strlen(v) < 6 && is_int(v, &num) &&
			    (an[0] == 'c' ? num >= 1 && num <= 1000 : num <= 65534))
				set_attr(out, an, v);
		} else if (strcmp(oname, "time") == 0 && strcmp(an, "datetime") == 0) {
			if (is_datetime(v))
				set_attr(out, an, v);
		}
		xmlFree(xv);
	}
}

/* ---------------------------------------------------------------------
 * Images
 * ------------------------------------------------------------------- */

static bool
is_placeholder(const char *u)
{
	return ascii_ncasecmp(u, "data:image/svg+xml", 18) == 0 ||
	       ascii_ncasecmp(u, "data:image/gif", 14) == 0;
}

/* The best candidate of a srcset: the largest width descriptor, else the
 * largest density, else the first. Caller frees; NULL when empty. */
static char *
srcset_best(const char *s)
{
	char *best = NULL;
	double best_w = -1, best_x = -1;
	bool best_has_w = false;

	while (*s != '\0') {
		const char *u, *ue;
		double w = -1, x = -1;

		while (*s != '\0' && ((unsigned char)*s <= 0x20 || *s == ','))
			s++;
		if (*s == '\0')
			break;
		u = s;
		while (*s != '\0' && (unsigned char)*s > 0x20)
			s++;
		ue = s;
		if (ue > u && ue[-1] == ',') {
			while (ue > u && ue[-1] == ',')
				ue--;
		} else {
			/* Descriptors up to the next comma. */
			while (*s != '\0' && *s != ',') {
				char *end;
				double v;
				while (*s != '\0' && (unsigned char)*s <= 0x20)
					s++;
				v = strtod(s, &end);
				if (end != s && (*end == 'w' || *end == 'W'))
					w = v;
				else if (end != s && (*end == 'x' || *end == 'X'))
					x = v;
				while (*s != '\0' && *s != ',' && (unsigned char)*s > 0x20)
					s++;
				while (*s != '\0' && (unsigned char)*s <= 0x20)
					s++;
			}
		}
		if (ue == u)
			continue;
		if (best == NULL || (w >= 0 && (!best_has_w || w > best_w)) ||
		    (w < 0 && !best_has_w && x > best_x)) {
			free(best);
			best = xstrndup(u, (size_t)(ue - u));
			best_has_w = w >= 0;
			best_w = w;
			best_x = x >= 0 ? x : (best_has_w ? -1 : 1);
		}
	}
	return best;
}

/* The source an <img> stands for (see xhtml.h), or NULL. Caller frees. */
static char *
img_source(xmlNodePtr img)
{
	static const char *const lazy[] = {"data-actualsrc", "data-original", "data-src"};
	static const char *const sets[] = {"data-srcset", "srcset"};
	char *v, *t;

	for (size_t i = 0; i < sizeof lazy / sizeof lazy[0]; i++) {
		if ((v = attr_get(img, lazy[i])) == NULL)
			continue;
		t = url_strip(v);
		free(v);
		if (*t != '\0' && !is_placeholder(t))
			return t;
		free(t);
	}
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		if ((v = attr_get(img, sets[i])) == NULL)
			continue;
		t = srcset_best(v);
		free(v);
		if (t != NULL && !is_placeholder(t))
			return t;
		free(t);
	}
	if ((v = attr_get(img, "src")) == NULL)
		return NULL;
	t = url_strip(v);
	free(v);
	if (*t == '\0') {
		free(t);
		return NULL;
	}
	return t;
}

/* True when two <img> share a (non-data:) URL among their sources: the
 * Zhihu pattern <noscript><img src=R data-original=O></noscript>
 * <img src=placeholder data-actualsrc=R data-original=O>. */
static bool
img_twins(xmlNodePtr a, xmlNodePtr b)
{
	static const char *const names[] = {"src", "data-actualsrc", "data-original", "data-src"};
	bool same = false;

	for (size_t i = 0; i < 4 && !same; i++) {
		char *va = attr_get(a, names[i]);
		char *ta = va != NULL ? url_strip(va) : NULL;
		if (ta != NULL && *ta != '\0' && ascii_ncasecmp(ta, "data:", 5) != 0) {
			for (size_t j = 0; j < 4 && !same; j++) {
				char *vb = attr_get(b, names[j]);
				char *tb = vb != NULL ? url_strip(vb) : NULL;
				same = tb != NULL && strcmp(ta, tb) == 0;
				free(vb);
				free(tb);
			}
		}
		free(va);
		free(ta);
	}
	return same;
}

static xmlNodePtr
elem_sibling(xmlNodePtr n, bool forward)
{
	for (n = forward ? n->next : n->prev; n != NULL; n = forward ? n->next : n->prev) {
		if (n->type == XML_ELEMENT_NODE)
			return n;
		if (n->type == XML_TEXT_NODE && !is_ws(n->content))
			return NULL;
	}
	return NULL;
}

/* An <img> directly inside <noscript> whose twin sits beside the noscript. */
static bool
img_is_noscript_twin(xmlNodePtr img)
{
	xmlNodePtr ns = img->parent, s;

	if (!is_name(ns, "noscript"))
		return false;
	for (int fw = 0; fw < 2; fw++) {
		s = elem_sibling(ns, fw != 0);
		if (is_name(s, "img") && img_twins(img, s))
			return true;
	}
	return false;
}

/* Appends to out a link to url with text label, or nothing when we are
 * inside a link already or url is not http(s). */
static void
add_fallback_link(struct ctx *c, xmlNodePtr out, const char *url, const char *label)
{
	char *u;
	xmlNodePtr a;

	if (c->a_depth > 0)
		return;
	u = url_clean(url, URL_HTTP, NULL);
	if (u == NULL)
		return;
	a = new_elem(c, "a");
	set_attr(a, "href", u);
	add_text(c, a, BC label);
	xmlAddChild(out, a);
	free(u);
}

static void
build_img(struct ctx *c, xmlNodePtr in, xmlNodePtr out)
{
	char *src = NULL, *alt = NULL, *href = NULL, *w;
	xmlNodePtr img;

	if (img_is_noscript_twin(in))
		goto out;
	if ((src = img_source(in)) == NULL)
		goto out;
	alt = attr_get(in, "alt");
	if (c->o->image != NULL)
		href = c->o->image(c->o->image_ctx, src, line_of(c, in));
	if (href == NULL) {
		if (alt != NULL && !is_ws(BC alt))
			add_text(c, out, BC alt);
		else
			add_fallback_link(c, out, src, "[image]");
		goto out;
	}
	img = new_elem(c, "img");
	set_attr(img, "src", href);
	set_attr(img, "alt", alt != NULL ? alt : "");
	copy_attrs(c, in, img, "img", false);
	for (int i = 0; i < 2; i++) {
		const char *an = i == 0 ? "width" : "height";
		if ((w = attr_get(in, an)) != NULL && is_digits(w) && strlen(w) < 6)
			set_attr(img, an, w);
		free(w);
	}
	xmlAddChild(out, img);
out:
	free(src);
	free(alt);
	free(href);
}

/* <video>/<audio>: a link to the first http(s) source, nothing else. */
static void
build_media(struct ctx *c, xmlNodePtr in, xmlNodePtr out)
{
	char *src = attr_get(in, "src");

	for (xmlNodePtr k = in->children; src == NULL && k != NULL; k = k->next)
		if (is_name(k, "source"))
			src = attr_get(k, "src");
	if (src != NULL)
		add_fallback_link(c, out, src,
				  xmlStrEqual(in->name, BC "video") ? "[video]" : "[audio]");
	free(src);
}

/* A checkbox (Markdown task lists) is kept as a ballot box character. */
static void
build_checkbox(struct ctx *c, xmlNodePtr in, xmlNodePtr out)
{
	char *type = attr_get(in, "type");

	if (type != NULL && ascii_casecmp(type, "checkbox") == 0)
		add_text(c, out, BC(xmlHasProp(in, BC "checked") != NULL ? "\u2611 " : "\u2610 "));
	free(type);
}

/* ---------------------------------------------------------------------
 * Pass 2: build
 * ------------------------------------------------------------------- */

/* Handles one HTML element on the way down. Returns true when the walk
 * should visit its children (then in->_private holds the output parent to
 * restore on the way up, and *out the parent for the children). */
static bool
build_enter(struct ctx *c, xmlNodePtr in, xmlNodePtr *out)
{
	const struct rule *r = rule_find(in->name);
	const char *oname;
	xmlNodePtr e;
	char *dt;

	if (r == NULL || r->action == A_UNWRAP) {
		in->_private = *out;
		return true;
	}
	if (is_void5(r->name)) {
		if (r->action == A_KEEP)
			xmlAddChild(*out, new_elem(c, r->name));
		else if (r->action == A_WARN)
			warn_kind(c, r->name, in);
		in->_private = *out;
		return true;
	}
	switch (r->action) {
	case A_DROP:
		if (strcmp(r->name, "input") == 0)
			build_checkbox(c, in, *out);
		return false;
	case A_WARN:
		warn_kind(c, r->name, in);
		return false;
	case A_IMG:
		build_img(c, in, *out);
		return false;
	case A_MEDIA:
		build_media(c, in, *out);
		return false;
	default:
		break;
	}
	oname = r->out != NULL ? r->out : r->name;
	if ((strcmp(oname, "a") == 0 && c->a_depth > 0) ||
	    (c->depth >= MAX_DEPTH && in->children != NULL)) {
		in->_private = *out; /* no link inside a link: unwrap */
		return true;
	}
	if ((strcmp(oname, "header") == 0 || strcmp(oname, "footer") == 0) && c->hf_depth > 0)
		oname = "div";
	if (strcmp(oname, "dfn") == 0 && c->dfn_depth > 0)
		oname = "span";
	if (strcmp(oname, "time") == 0) {
		dt = attr_get(in, "datetime");
		if (dt == NULL || !is_datetime(dt))
			oname = "span"; /* <time> without a machine date must hold one */
		free(dt);
	}
	e = new_elem(c, oname);
	copy_attrs(c, in, e, oname, true);
	xmlAddChild(*out, e);
	c->depth++;
	if (strcmp(oname, "a") == 0)
		c->a_depth++;
	else if (strcmp(oname, "header") == 0 || strcmp(oname, "footer") == 0)
		c->hf_depth++;
	else if (strcmp(oname, "dfn") == 0)
		c->dfn_depth++;
	in->_private = *out;
	*out = e;
	return true;
}

static void
build_leave(struct ctx *c, xmlNodePtr in, xmlNodePtr *out)
{
	xmlNodePtr prev = in->_private;

	if (*out != prev) {
		c->depth--;
		if (is_name(*out, "a"))
			c->a_depth--;
		else if (is_name(*out, "header") || is_name(*out, "footer"))
			c->hf_depth--;
		else if (is_name(*out, "dfn"))
			c->dfn_depth--;
	}
	*out = prev;
	in->_private = NULL;
}

static void
build(struct ctx *c, htmlDocPtr hdoc)
{
	xmlNodePtr n = hdoc->children, out = c->root;

	while (n != NULL) {
		bool down = false;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
			add_text(c, out, n->content);
		else if (n->type == XML_ELEMENT_NODE)
			down = build_enter(c, n, &out);
		if (down && n->children != NULL) {
			n = n->children;
			continue;
		}
		if (down)
			build_leave(c, n, &out);
		while (n->next == NULL) {
			n = n->parent;
			if (n == NULL || n->type != XML_ELEMENT_NODE)
				return;
			build_leave(c, n, &out);
		}
		n = n->next;
	}
}

/* ---------------------------------------------------------------------
 * Pass 3: repair content models
 * ------------------------------------------------------------------- */

static bool
is_global_attr(xmlAttrPtr a)
{
	if (a->ns != NULL)
		return xmlStrEqual(a->name, BC "lang"); /* xml:lang */
	return xmlStrEqual(a->name, BC "id") || xmlStrEqual(a->name, BC "class") ||
	       xmlStrEqual(a->name, BC "title") || xmlStrEqual(a->name, BC "lang") ||
	       is_data_name(a->name);
}

/* Renames n, dropping the attributes only its old name allowed. */
static void
rename_elem(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a = n->properties, next;

	xmlNodeSetName(n, BC name);
	for (; a != NULL; a = next) {
		next = a->next;
		if (!is_global_attr(a))
			xmlRemoveProp(a);
	}
}

/* Moves n out of its paragraph-like parent x: x keeps what came before,
 * n follows x, and a copy of x (without id) takes what came after. */
static void
split_around(struct ctx *c, xmlNodePtr x, xmlNodePtr n)
{
	xmlNodePtr rest = n->next, k, next;
	bool blank_rest = true;

	for (k = rest; k != NULL; k = k->next)
		if (!is_ws_text(k))
			blank_rest = false;
	xmlUnlinkNode(n);
	xmlAddNextSibling(x, n);
	if (!blank_rest) {
		xmlNodePtr copy = lx(xmlNewDocNode(c->doc, x->ns, x->name, NULL));
		for (xmlAttrPtr a = x->properties; a != NULL; a = a->next) {
			xmlChar *v;
			if (a->ns == NULL && xmlStrEqual(a->name, BC "id"))
				continue;
			v = xmlNodeGetContent((xmlNodePtr)a);
			lx(xmlSetNsProp(copy, a->ns, a->name, v));
			xmlFree(v);
		}
		xmlAddNextSibling(n, copy);
		for (k = rest; k != NULL; k = next) {
			next = k->next;
			xmlUnlinkNode(k);
			xmlAddChild(copy, k);
		}
	}
	if (is_blank(x) && xmlHasProp(x, BC "id") == NULL) {
		xmlUnlinkNode(x);
		xmlFreeNode(x);
	}
}

/* n is a block whose parent accepts phrasing only: climb until a parent
 * takes flow content, splitting paragraph-like ancestors and turning
 * inline ones into <div>. Each inline ancestor is converted at most once,
 * so the total work stays linear in the common cases. */
static void
hoist(struct ctx *c, xmlNodePtr n)
{
	xmlNodePtr cur = n;

	while (cur->parent != NULL && cur->parent != c->root) {
		xmlNodePtr x = cur->parent;
		unsigned f = cm_flags(x);
		if (f & CM_TRANSP)
			cur = x;
		else if (!(f & CM_PONLY))
			break;
		else if (f & CM_SPLIT)
			split_around(c, x, cur);
		else {
			rename_elem(x, "div");
			cur = x;
		}
	}
}

/* ul/ol: only li children; the rest goes into the previous (or a new) li. */
static void
fix_list(struct ctx *c, xmlNodePtr l)
{
	xmlNodePtr k, next, li = NULL;

	for (k = l->children; k != NULL; k = next) {
		next = k->next;
		if (is_name(k, "li")) {
			li = k;
			continue;
		}
		if (is_ws_text(k) && (li == NULL || next == NULL || is_name(next, "li"))) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
			continue;
		}
		if (li == NULL) {
			li = new_elem(c, "li");
			xmlAddPrevSibling(k, li);
		}
		xmlUnlinkNode(k);
		xmlAddChild(li, k);
	}
}

/* dl: (dt+, dd+)*; other content goes into a dd. */
static void
fix_dl(struct ctx *c, xmlNodePtr l)
{
	xmlNodePtr k, next, last = NULL, first = NULL;

	for (k = l->children; k != NULL; k = next) {
		next = k->next;
		if (is_name(k, "dt") || is_name(k, "dd")) {
			last = k;
			continue;
		}
		if (is_ws_text(k)) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
			continue;
		}
		if (!is_name(last, "dd")) {
			last = new_elem(c, "dd");
			xmlAddPrevSibling(k, last);
		}
		xmlUnlinkNode(k);
		xmlAddChild(last, k);
	}
	first = l->children;
	if (first != NULL && !is_name(first, "dt"))
		xmlAddPrevSibling(first, new_elem(c, "dt"));
	if (l->last != NULL && !is_name(l->last, "dd"))
		xmlAddChild(l, new_elem(c, "dd"));
}

/* tr: only td/th; the rest goes into the previous (or a new) cell. */
static void
fix_row(struct ctx *c, xmlNodePtr tr)
{
	xmlNodePtr k, next, cell = NULL;

	for (k = tr->children; k != NULL; k = next) {
		next = k->next;
		if (is_name(k, "td") || is_name(k, "th")) {
			cell = k;
			continue;
		}
		if (is_ws_text(k)) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
			continue;
		}
		if (cell == NULL) {
			cell = new_elem(c, "td");
			xmlAddPrevSibling(k, cell);
		}
		xmlUnlinkNode(k);
		xmlAddChild(cell, k);
	}
}

/* Moves k before the table t ("foster parenting"); remembers the first. */
static void
foster(xmlNodePtr t, xmlNodePtr k, xmlNodePtr *first)
{
	xmlUnlinkNode(k);
	xmlAddPrevSibling(t, k);
	if (*first == NULL)
		*first = k;
}

/* Groups of a table section: rows; loose cells wrapped in rows; anything
 * else fostered before the table. */
static void
fix_section(struct ctx *c, xmlNodePtr t, xmlNodePtr sec, xmlNodePtr *first)
{
	xmlNodePtr k, next, row = NULL;

	for (k = sec->children; k != NULL; k = next) {
		next = k->next;
		if (is_name(k, "tr")) {
			row = NULL;
			fix_row(c, k);
		} else if (is_name(k, "td") || is_name(k, "th")) {
			if (row == NULL) {
				row = new_elem(c, "tr");
				xmlAddPrevSibling(k, row);
			}
			xmlUnlinkNode(k);
			xmlAddChild(row, k);
		} else if (is_ws_text(k)) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
		} else {
			foster(t, k, first);
		}
	}
}

/* The whole table at once: caption?, colgroup*, thead?, tbody*, tfoot?
 * with rows in sections and cells in rows. Returns the first node moved
 * before the table (not yet visited by the repair walk), or t. */
static xmlNodePtr
fix_table(struct ctx *c, xmlNodePtr t)
{
	static const char *const order[] = {"caption", "colgroup", "thead", "tbody", "tfoot"};
	xmlNodePtr k, next, first = NULL, body = NULL, cg = NULL, tmp;
	bool caption = false, thead = false, tfoot = false;

	for (k = t->children; k != NULL; k = next) {
		next = k->next;
		if (is_ws_text(k)) {
			xmlUnlinkNode(k);
			xmlFreeNode(k);
			continue;
		}
		if (is_name(k, "tr") || is_name(k, "td") || is_name(k, "th")) {
			if (body == NULL) {
				body = new_elem(c, "tbody");
				xmlAddPrevSibling(k, body);
			}
			xmlUnlinkNode(k);
			xmlAddChild(body, k);
			continue;
		}
		body = NULL;
		if (is_name(k, "col")) {
			if (cg == NULL) {
				cg = new_elem(c, "colgroup");
				xmlAddPrevSibling(k, cg);
			}
			xmlUnlinkNode(k);
			xmlAddChild(cg, k);
			continue;
		}
		cg = NULL;
		if (is_name(k, "caption")) {
			if (caption) {
				rename_elem(k, "div");
				foster(t, k, &first);
			}
			caption = true;
		} else if (is_name(k, "thead") || is_name(k, "tfoot")) {
			bool *seen = k->name[1] == 'h' ? &thead : &tfoot;
			if (*seen)
				xmlNodeSetName(k, BC "tbody");
			*seen = true;
		} else if (!is_name(k, "tbody") && !is_name(k, "colgroup")) {
			foster(t, k, &first);
		}
	}
	/* Sections' content, colgroups' content. */
	for (k = t->children; k != NULL; k = k->next) {
		if (is_name(k, "colgroup")) {
			xmlNodePtr j, jn;
			for (j = k->children; j != NULL; j = jn) {
				jn = j->next;
				if (is_name(j, "col"))
					continue;
				if (is_ws_text(j)) {
					xmlUnlinkNode(j);
					xmlFreeNode(j);
				} else {
					foster(t, j, &first);
				}
			}
		} else if (!is_name(k, "caption")) {
			fix_section(c, t, k, &first);
		}
	}
	/* Put the groups in schema order (stable within a group). */
	tmp = new_elem(c, "tmp");
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		for (k = t->children; k != NULL; k = next) {
			next = k->next;
			if (is_name(k, order[i])) {
				xmlUnlinkNode(k);
				xmlAddChild(tmp, k);
			}
		}
	}
	while ((k = tmp->children) != NULL) {
		xmlUnlinkNode(k);
		xmlAddChild(t, k);
	}
	xmlFreeNode(tmp);
	return first != NULL ? first : t;
}

/* figure: one figcaption, first or last; other figcaptions become divs. */
static void
fix_figure(xmlNodePtr f)
{
	bool kept = false;

	for (xmlNodePtr k = f->children; k != NULL; k = k->next) {
		if (!is_name(k, "figcaption"))
			continue;
		if (!kept && (elem_sibling(k, false) == NULL || elem_sibling(k, true) == NULL)) {
			bool alone_before = true, alone_after = true;
			for (xmlNodePtr j = k->prev; j != NULL; j = j->prev)
				if (!is_ws_text(j) && j->type != XML_COMMENT_NODE)
					alone_before = false;
			for (xmlNodePtr j = k->next; j != NULL; j = j->next)
				if (!is_ws_text(j) && j->type != XML_COMMENT_NODE)
					alone_after = false;
			if (alone_before || alone_after) {
				kept = true;
				continue;
			}
		}
		rename_elem(k, "div");
	}
}

static bool
parent_is(xmlNodePtr n, const char *a, const char *b, const char *c2, const char *d)
{
	xmlNodePtr p = n->parent;

	return is_name(p, a) || (b && is_name(p, b)) || (c2 && is_name(p, c2)) ||
	       (d && is_name(p, d));
}

/* One element on the repair walk. Returns the node to visit next: n itself
 * (then its children follow), or another node not yet visited. */
static xmlNodePtr
fix_elem(struct ctx *c, xmlNodePtr n)
{
	const xmlChar *nm = n->name;
	xmlNodePtr next;

	/* Elements that only make sense in one parent. */
	if (xmlStrEqual(nm, BC "li")) {
		if (!parent_is(n, "ul", "ol", NULL, NULL))
			rename_elem(n, "div");
		else if (!is_name(n->parent, "ol"))
			xmlUnsetProp(n, BC "value");
	} else if (xmlStrEqual(nm, BC "dt") || xmlStrEqual(nm, BC "dd")) {
		if (!parent_is(n, "dl", NULL, NULL, NULL))
			rename_elem(n, "div");
	} else if (xmlStrEqual(nm, BC "tr")) {
		if (!parent_is(n, "tbody", "thead", "tfoot", "table"))
			rename_elem(n, "div");
	} else if (xmlStrEqual(nm, BC "td") || xmlStrEqual(nm, BC "th")) {
		if (!parent_is(n, "tr", NULL, NULL, NULL))
			rename_elem(n, "div");
	} else if (xmlStrEqual(nm, BC "thead") || xmlStrEqual(nm, BC "tbody") ||
		   xmlStrEqual(nm, BC "tfoot") || xmlStrEqual(nm, BC "caption") ||
		   xmlStrEqual(nm, BC "colgroup")) {
		if (!parent_is(n, "table", NULL, NULL, NULL))
			rename_elem(n, "div");
	} else if (xmlStrEqual(nm, BC "col")) {
		if (!parent_is(n, "colgroup", NULL, NULL, NULL)) {
			next = next_skip(n, c->root);
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			return next;
		}
	} else if (xmlStrEqual(nm, BC "figcaption")) {
		if (!parent_is(n, "figure", NULL, NULL, NULL))
			rename_elem(n, "div");
	} else if (xmlStrEqual(nm, BC "p") || (nm[0] == 'h' && nm[1] >= '1' && nm[1] <= '6' &&
						    nm[2] == '\0')) {
		/* Empty paragraphs and headings (Zhihu ends answers with <p></p>). */
		if (is_blank(n) && xmlHasProp(n, BC "id") == NULL) {
			next = next_skip(n, c->root);
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			return next;
		}
	}

	if (!(cm_flags(n) & CM_PHRASING) && (cm_flags(n->parent) & (CM_PONLY | CM_TRANSP)))
		hoist(c, n);

	nm = n->name;
	if (xmlStrEqual(nm, BC "ul") || xmlStrEqual(nm, BC "ol"))
		fix_list(c, n);
	else if (xmlStrEqual(nm, BC "dl"))
		fix_dl(c, n);
	else if (xmlStrEqual(nm, BC "table"))
		return fix_table(c, n);
	else if (xmlStrEqual(nm, BC "figure"))
		fix_figure(n);
	return n;
}

static void
repair(struct ctx *c)
{
	xmlNodePtr n = c->root->children;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			xmlNodePtr r = fix_elem(c, n);
			if (r != n) {
				n = r;
				continue;
			}
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		n = next_skip(n, c->root);
	}
}

/* ruby: (phrasing+, (rt+ | rp, (rt, rp)+))+ — else it becomes a span. */
static bool
ruby_valid(xmlNodePtr r)
{
	int st = 0;

	for (xmlNodePtr k = r->children; k != NULL; k = k->next) {
		int tok; /* 0 phrasing, 1 rt, 2 rp */
		if (is_ws_text(k) || (k->type != XML_ELEMENT_NODE && k->type != XML_TEXT_NODE))
			continue;
		tok = is_name(k, "rt") ? 1 : is_name(k, "rp") ? 2 : 0;
		switch (st) {
		case 0:
			st = tok == 0 ? 1 : -1;
			break;
		case 1:
			st = tok == 0 ? 1 : tok == 1 ? 2 : 3;
			break;
		case 2:
			st = tok == 0 ? 1 : tok == 1 ? 2 : -1;
			break;
		case 3:
			st = tok == 1 ? 4 : -1;
			break;
		case 4:
			st = tok == 2 ? 5 : -1;
			break;
		case 5:
			st = tok == 0 ? 1 : tok == 1 ? 4 : -1;
			break;
		default:
			break;
		}
		if (st < 0)
			return false;
	}
	return st == 2 || st == 5;
}

/* Last walk: ruby shapes, stray rt/rp, and fragment links resolved
 * against the ids (renamed ones followed; unknown ones dropped, since
 * epubcheck rejects a fragment that names no element). */
static void
finish(struct ctx *c)
{
	xmlNodePtr n = c->root->children;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			if (is_name(n, "ruby") && !ruby_valid(n))
				rename_elem(n, "span");
			else if ((is_name(n, "rt") || is_name(n, "rp")) && !is_name(n->parent, "ruby"))
				rename_elem(n, "span");
			else if (is_name(n, "a")) {
				xmlChar *h = xmlGetProp(n, BC "href");
				if (h != NULL && h[0] == '#') {
					const char *to = xmlHashLookup(c->idmap, h + 1);
					if (to != NULL) {
						char *v = xasprintf("#%s", to);
						set_attr(n, "href", v);
						free(v);
					} else if (xmlHashLookup(c->ids, h + 1) == NULL) {
						xmlUnsetProp(n, BC "href");
					}
				}
				xmlFree(h);
			}
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		n = next_skip(n, c->root);
	}
}

/* ---------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------- */

/* A body that is a whole HTML document may start with a DOCTYPE, and one
 * with an internal subset ("<!DOCTYPE html [<!ENTITY x SYSTEM ...>]>") ends,
 * for libxml2's HTML parser, at its first '>': the rest of the subset would
 * show as text. Blanks the whole declaration (spaces keep the line
 * numbers; newlines stay). Entities are never expanded either way. */
static void
blank_doctype(char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (n - i < 9 || ascii_ncasecmp(s + i, "<!DOCTYPE", 9) != 0)
		return;
	size_t j = i + 9;
	while (j < n && s[j] != '>' && s[j] != '[')
		j++;
	if (j < n && s[j] == '[') {
		while (j < n && s[j] != ']')
			j++;
		while (j < n && s[j] != '>')
			j++;
	}
	if (j >= n)
		return; /* unterminated: left to the parser */
	for (size_t k = i; k <= j; k++)
		if (s[k] != '\n')
			s[k] = ' ';
}

/* The whole path, or (scan) only as far as the images are met: the build
 * pass asks about every image; the repairs after it ask about none. */
static int
render(const char *html, size_t len, const struct xhtml_opts *o, xmlNodePtr dest, bool scan)
{
	struct ctx c = {0};
	htmlParserCtxtPtr pctx = NULL;
	htmlDocPtr hdoc = NULL;
	char *clean = NULL;
	size_t clen = 0;
	xmlNodePtr k;
	int rc = -1;

	if (dest == NULL || dest->doc == NULL)
		goto out; /* a caller's bug, not the post's */
	if (len > (size_t)INT32_MAX) {
		if (o->lg != NULL)
			log_warn(o->lg, o->file, o->line, "the HTML body is too large");
		goto out;
	}
	c.o = o;
	c.doc = dest->doc;
	c.ns = xmlSearchNsByHref(dest->doc, dest, BC XHTML_NS);
	if (c.ns == NULL)
		c.ns = dest->ns;
	c.ids = lx(xmlHashCreate(0));
	c.idnext = lx(xmlHashCreate(0));
	c.idmap = lx(xmlHashCreate(0));

	/* Invalid UTF-8 would make the HTML parser switch to Latin-1 for the
	 * rest of the input; characters XML forbids could not be saved. */
	if (o->clean_utf8) {
		clean = xstrndup(html, len);
		clen = len;
	} else {
		clean = utf8_sanitize(html, len, &clen, NULL, NULL);
	}
	blank_doctype(clean, clen);
	if (is_ws(BC clean)) {
		rc = 0;
		goto out;
	}
	/* No HTML_PARSE_HUGE: libxml2 then stops at 256 levels of nesting
	 * (and halts, dropping the rest), which we detect and report. */
	pctx = lx(htmlNewParserCtxt());
	pctx->linenumbers = 1;
	hdoc = htmlCtxtReadMemory(pctx, clean, (int)clen, NULL, "UTF-8",
				  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
					  HTML_PARSE_NONET | HTML_PARSE_NODEFDTD |
					  HTML_PARSE_IGNORE_ENC);
	if (hdoc == NULL) {
		if (o->lg != NULL)
			log_warn(o->lg, o->file, o->line, "could not parse the HTML body");
		goto out;
	}
	if (pctx->disableSAX && o->lg != NULL)
		log_warn(o->lg, o->file, o->line,
			 "HTML nested too deeply; the rest of the body was dropped");
	ids_collect(&c);
	c.root = new_elem(&c, "div");
	build(&c, hdoc);
	if (scan || (o->give_up != NULL && *o->give_up)) {
		rc = scan ? 0 : 1;
		goto out;
	}
	repair(&c);
	finish(&c);
	while ((k = c.root->children) != NULL) {
		xmlUnlinkNode(k);
		xmlAddChild(dest, k);
	}
	rc = 0;
out:
	if (c.root != NULL)
		xmlFreeNode(c.root);
	xmlFreeDoc(hdoc);
	if (pctx != NULL)
		htmlFreeParserCtxt(pctx);
	xmlHashFree(c.ids, NULL);
	xmlHashFree(c.idnext, NULL);
	xmlHashFree(c.idmap, free_payload);
	free(clean);
	return rc;
}

int
xhtml_render(const char *html, size_t len, const struct xhtml_opts *o, xmlNodePtr dest)
{
	return render(html, len, o, dest, false);
}

/* xhtml_images: a render into a scratch document whose image callback only
 * reports. Sharing the whole path with xhtml_render keeps the two in step
 * (which images count, which source is chosen, noscript twins). */
struct scan {
	xhtml_found_fn found;
	void *ctx;
};

static char *
scan_image(void *ctx, const char *src, unsigned long line)
{
	struct scan *s = ctx;
	s->found(s->ctx, src, line);
	return NULL;
}

int
xhtml_images(const char *html, size_t len, const struct xhtml_opts *o, xhtml_found_fn found,
	     void *ctx)
{
	struct scan s = {found, ctx};
	struct xhtml_opts so = *o;
	xmlDocPtr doc = lx(xmlNewDoc(BC "1.0"));
	xmlNodePtr root = lx(xmlNewDocNode(doc, NULL, BC "div", NULL));
	int rc;

	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, lx(xmlNewNs(root, BC XHTML_NS, NULL)));
	so.lg = NULL;
	so.image = scan_image;
	so.image_ctx = &s;
	so.link = NULL;
	rc = render(html, len, &so, root, true);
	xmlFreeDoc(doc);
	return rc;
}

/* verify.c — see verify.h.
 *
 * The archive is opened read-only with libzip's consistency check; XML
 * entries are read into bounded buffers and parsed with libxml2 (no network,
 * no DTD, no entity substitution), then queried with XPath. Every check
 * reports each violation it finds and goes on, so one run shows them all;
 * only a missing container or package document stops the rest, since every
 * later check is about the package. Nothing here outlives verify_book().
 */
#include "verify.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "epubzip.h"
#include "post.h"
#include "util.h"

#define XML_MAX ((zip_uint64_t)64 << 20) /* largest XML entry we parse */
#define MIMETYPE "application/epub+zip"
#define NCX_TYPE "application/x-dtbncx+xml"
#define OPF_TYPE "application/oebps-package+xml"
#define CONTAINER "META-INF/container.xml"

#define X(s) ((const xmlChar *)(s))

/* A manifest item. Every string is malloc'd (copied out of libxml2), but
 * media_type and properties may be shared (common_strings). */
struct vitem {
	char *id;
	char *href;       /* as written */
	char *path;       /* resolved: the archive entry it names */
	char *media_type; /* "" when absent */
	char *properties; /* "" when absent */
	long spine;       /* position of its first itemref, -1 when none */
};

struct verify {
	const char *path; /* the book, for messages */
	struct log *lg;
	zip_t *za;
	zip_int64_t nentries;
	bool *listed;     /* per entry: named by a manifest item */
	int bad;          /* violations reported */

	char *opf;        /* the package document's entry name */
	char *identifier; /* dc:identifier text, NULL when not found */
	struct vitem *items;
	size_t nitems;
	struct vitem **by_id, **by_path; /* items sorted */
};

static void fail(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports one violation. */
static void
fail(struct verify *v, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	log_error(v->lg, v->path, 0, "self-check: %s", text);
	free(text);
	v->bad++;
}

/* ------------------------------------------------------------------ */
/* Strings and paths                                                    */

static bool
blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* A copy of s with bytes outside printable ASCII written as \xNN, safe
 * to print in a message. Caller frees. */
static char *
shown(const char *s)
{
	struct buf b = {0};

	buf_puts(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			buf_printf(&b, "\\x%02X", *p);
		else
			buf_putc(&b, (char)*p);
	}
	return buf_detach(&b, NULL);
}

/* The folder part of an entry name, with its trailing slash ("" at the
 * top). Caller frees. */
static char *
dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	return xstrndup(name, slash != NULL ? (size_t)(slash - name) + 1 : 0);
}

/* The archive entry a relative URL in a document inside folder base
 * names: fragment and query dropped, %XX decoded, "." and ".." segments
 * folded. A ".." above the top stays, so the result names no entry.
 * Caller frees. */
static char *
resolve(const char *base, const char *href)
{
	struct buf joined = {0}, out = {0};
	size_t n = strcspn(href, "#?"), nseg = 0, cap = 0;
	char **seg = NULL, *save = NULL;

	if (href[0] != '/')
		buf_puts(&joined, base);
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (href[i] == '%' && i + 2 < n && (hi = hex_value(href[i + 1])) >= 0 &&
		    (lo = hex_value(href[i + 2])) >= 0) {
			buf_putc(&joined, (char)(hi << 4 | lo));
			i += 2;
		} else {
			buf_putc(&joined, href[i]);
		}
	}
	buf_puts(&joined, "");
	for (char *s = strtok_r(joined.data, "/", &save); s != NULL;
	     s = strtok_r(NULL, "/", &save)) {
		if (strcmp(s, ".") == 0)
			continue;
		if (strcmp(s, "..") == 0 && nseg > 0 && strcmp(seg[nseg - 1], "..") != 0) {
			nseg--;
			continue;
		}
		seg = xgrow(seg, &cap, nseg + 1, sizeof *seg);
		seg[nseg++] = s;
	}
	buf_puts(&out, "");
	for (size_t i = 0; i < nseg; i++) {
		if (i > 0)
			buf_putc(&out, '/');
		buf_puts(&out, seg[i]);
	}
	free(seg);
	buf_free(&joined);
	return buf_detach(&out, NULL);
}

/* Whether the space-separated list props holds word. */
static bool
has_token(const char *props, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = props; *p != '\0';) {
		size_t len;
		p += strspn(p, " \t\n\r");
		len = strcspn(p, " \t\n\r");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* YYYY-MM-DDThh:mm:ssZ */
static bool
is_utc_stamp(const char *s)
{
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof form - 1)
		return false;
	for (size_t i = 0; form[i] != '\0'; i++)
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Reading entries                                                      */

/* Reads entry idx whole into a malloc'd, NUL-terminated buffer, refusing
 * more than max bytes. Reports and returns -1 on failure. */
static int
read_entry(struct verify *v, zip_uint64_t idx, zip_uint64_t max, char **out, size_t *len)
{
	int rc = -1;
	zip_stat_t st;
	zip_file_t *zf = NULL;
	char *data = NULL, extra;
	zip_uint64_t got = 0;
	const char *name = zip_get_name(v->za, idx, 0);

	if (zip_stat_index(v->za, idx, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) {
		fail(v, "cannot stat %s: %s", name ? name : "?", zip_strerror(v->za));
		goto out;
	}
	if (st.size > max) {
		fail(v, "%s is %llu bytes, more than the %llu allowed", name,
		     (unsigned long long)st.size, (unsigned long long)max);
		goto out;
	}
	if ((zf = zip_fopen_index(v->za, idx, 0)) == NULL) {
		fail(v, "cannot open %s: %s", name, zip_strerror(v->za));
		goto out;
	}
	data = xmalloc((size_t)st.size + 1);
	while (got < st.size) {
		zip_int64_t n = zip_fread(zf, data + got, st.size - got);
		if (n <= 0)
			break;
		got += (zip_uint64_t)n;
	}
	/* one more read reaches the end, where libzip checks the CRC */
	if (got != st.size || zip_fread(zf, &extra, 1) != 0) {
		fail(v, "cannot read %s: %s", name,
		     got != st.size ? zip_file_strerror(zf) : "size or CRC mismatch");
		goto out;
	}
	data[got] = '\0';
	*out = data;
	*len = (size_t)got;
	data = NULL;
	rc = 0;
out:
	if (zf != NULL)
		zip_fclose(zf);
	free(data);
	return rc;
}

/* Parses the XML entry name (which exists) into *doc. Reports and
 * returns -1 on failure. */
static int
load_xml(struct verify *v, const char *name, xmlDocPtr *doc)
{
	char *data = NULL;
	size_t len = 0;
	zip_int64_t idx = zip_name_locate(v->za, name, 0);
	int rc = -1;

	*doc = NULL;
	if (idx < 0) {
		fail(v, "%s is missing", name);
		goto out;
	}
	if (read_entry(v, (zip_uint64_t)idx, XML_MAX, &data, &len) != 0)
		goto out;
	/* NOBLANKS and COMPACT: a 20,000-chapter NCX is a big tree; the
	 * checks need neither indentation nor separately allocated text. */
	*doc = xmlReadMemory(data, (int)len, name, NULL,
	                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                         XML_PARSE_NOBLANKS | XML_PARSE_COMPACT);
	if (*doc == NULL) {
		fail(v, "%s is not well-formed XML", name);
		goto out;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

static xmlXPathContextPtr
xpath_new(xmlDocPtr doc)
{
	static const char *const ns[][2] = {
	    {"opf", "http://www.idpf.org/2007/opf"},
	    {"dc", "http://purl.org/dc/elements/1.1/"},
	    {"ncx", "http://www.daisy.org/z3986/2005/ncx/"},
	    {"xhtml", "http://www.w3.org/1999/xhtml"},
	    {"epub", "http://www.idpf.org/2007/ops"},
	    {"c", "urn:oasis:names:tc:opendocument:xmlns:container"},
	};
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);

	if (ctx == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
		if (xmlXPathRegisterNs(ctx, X(ns[i][0]), X(ns[i][1])) != 0) {
			xmlXPathFreeContext(ctx);
			return NULL;
		}
	return ctx;
}

/* The nodes expr selects, in document order, as an object the caller
 * frees with xmlXPathFreeObject; NULL when libxml2 fails. */
static xmlXPathObjectPtr
nodes(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(X(expr), ctx);
	if (o != NULL && o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

static int
count(const xmlXPathObject *o)
{
	return o != NULL && o->nodesetval != NULL ? o->nodesetval->nodeNr : 0;
}

/* The text of a node (element content or attribute value), malloc'd. */
static char *
text_of(xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = xstrdup(c != NULL ? (const char *)c : "");
	xmlFree(c);
	return s;
}

/* ------------------------------------------------------------------ */
/* 1, 2: the zip container and entry names                              */

static void
check_mimetype(struct verify *v)
{
	const char *name;
	zip_stat_t st;
	char *data = NULL;
	size_t len = 0;

	if (v->nentries == 0) {
		fail(v, "the archive is empty");
		goto out;
	}
	name = zip_get_name(v->za, 0, ZIP_FL_ENC_RAW);
	if (name == NULL || strcmp(name, "mimetype") != 0) {
		char *s = shown(name != NULL ? name : "");
		fail(v, "the first entry is \"%s\", not mimetype", s);
		free(s);
		goto out;
	}
	if (zip_stat_index(v->za, 0, 0, &st) == 0 && (st.valid & ZIP_STAT_COMP_METHOD) != 0 &&
	    st.comp_method != ZIP_CM_STORE)
		fail(v, "mimetype is compressed (method %u), not stored", (unsigned)st.comp_method);
	if (zip_file_extra_fields_count(v->za, 0, ZIP_FL_LOCAL) != 0)
		fail(v, "mimetype has an extra field in its local header");
	if (read_entry(v, 0, 64, &data, &len) == 0 &&
	    (len != sizeof MIMETYPE - 1 || memcmp(data, MIMETYPE, len) != 0))
		fail(v, "mimetype does not hold exactly \"" MIMETYPE "\"");
out:
	free(data);
}

/* The first reason name is not portable (EPUB-NOTES.md: PKG-009..012,
 * Kindle and Kobo), or NULL. */
static const char *
name_problem(const char *name, char *c)
{
	if (*name == '\0')
		return "is empty";
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == ' ')
			return "contains a space";
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return "is not printable ASCII";
	}
	for (const char *p = name; *p != '\0'; p++)
		if (strchr("\"*:<>?\\|", *p) != NULL) {
			*c = *p;
			return "contains";
		}
	if (strstr(name, "..") != NULL)
		return "contains \"..\"";
	if (name[0] == '/')
		return "starts with '/'";
	return NULL;
}

static void
check_names(struct verify *v)
{
	for (zip_int64_t i = 0; i < v->nentries; i++) {
		const char *name = zip_get_name(v->za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		const char *why;
		char c = 0, *s;

		if (name == NULL) {
			fail(v, "entry %lld has no readable name", (long long)i);
			continue;
		}
		if ((why = name_problem(name, &c)) == NULL)
			continue;
		s = shown(name);
		if (c != 0)
			fail(v, "entry name \"%s\" %s '%c'", s, why, c);
		else
			fail(v, "entry name \"%s\" %s", s, why);
		free(s);
	}
}

/* ------------------------------------------------------------------ */
/* 3: container.xml                                                     */

/* Sets v->opf. Returns -1 when there is no package document to check. */
static int
check_container(struct verify *v)
{
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr o = NULL;
	int rc = -1, n;

	if (load_xml(v, CONTAINER, &doc) != 0)
		goto out;
	if ((ctx = xpath_new(doc)) == NULL ||
	    (o = nodes(ctx, "/c:container/c:rootfiles/c:rootfile[@media-type='" OPF_TYPE
	                    "']/@full-path")) == NULL) {
		fail(v, "cannot query " CONTAINER);
		goto out;
	}
	if ((n = count(o)) != 1) {
		fail(v, CONTAINER " names %d package documents, not one", n);
		goto out;
	}
	v->opf = text_of(o->nodesetval->nodeTab[0]);
	if (zip_name_locate(v->za, v->opf, 0) < 0) {
		char *s = shown(v->opf);
		fail(v, "the package document \"%s\" named in " CONTAINER " is missing", s);
		free(s);
		goto out;
	}
	rc = 0;
out:
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Streaming the big documents                                          */

/* The package document, the nav and the NCX of a 20,000-post book are
 * megabytes of XML: they are read as a stream (xmlTextReader, straight
 * from the archive through zip_fread) keeping only what the checks need,
 * never as a tree. */

#define NS_OPF "http://www.idpf.org/2007/opf"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_NCX "http://www.daisy.org/z3986/2005/ncx/"
#define NS_XHTML "http://www.w3.org/1999/xhtml"
#define NS_OPS "http://www.idpf.org/2007/ops"
#define MAX_DEPTH 64

struct stream {
	struct verify *v;
	const char *name;
	zip_file_t *zf;
	bool read_failed;
	xmlTextReaderPtr r;
	/* the open elements: namespace and local name (libxml2's strings,
	 * valid while the reader lives: it interns names) */
	const char *ns[MAX_DEPTH], *local[MAX_DEPTH];
	int depth;
};

static int
stream_read(void *ctx, char *buf, int len)
{
	struct stream *st = ctx;
	zip_int64_t n = zip_fread(st->zf, buf, (zip_uint64_t)len);
	if (n < 0) { /* a read error, or a CRC mismatch at the end */
		st->read_failed = true;
		return -1;
	}
	return (int)n;
}

static int
stream_io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Opens entry name (which exists) for streaming. Reports and returns -1. */
static int
stream_open(struct verify *v, const char *name, struct stream *st)
{
	zip_int64_t idx = zip_name_locate(v->za, name, 0);
	zip_stat_t zs;

	memset(st, 0, sizeof *st);
	st->v = v;
	st->name = name;
	st->depth = -1;
	if (idx < 0) {
		fail(v, "%s is missing", name);
		return -1;
	}
	if (zip_stat_index(v->za, (zip_uint64_t)idx, 0, &zs) != 0 || (zs.valid & ZIP_STAT_SIZE) == 0) {
		fail(v, "cannot stat %s: %s", name, zip_strerror(v->za));
		return -1;
	}
	if (zs.size > XML_MAX) {
		fail(v, "%s is %llu bytes, more than the %llu allowed", name,
		     (unsigned long long)zs.size, (unsigned long long)XML_MAX);
		return -1;
	}
	if ((st->zf = zip_fopen_index(v->za, (zip_uint64_t)idx, 0)) == NULL) {
		fail(v, "cannot open %s: %s", name, zip_strerror(v->za));
		return -1;
	}
	/* No network, no DTD, no entity substitution (the defaults, and NONET). */
	st->r = xmlReaderForIO(stream_read, stream_io_close, st, name, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				       XML_PARSE_NOBLANKS | XML_PARSE_COMPACT);
	if (st->r == NULL) {
		fail(v, "cannot read %s", name);
		zip_fclose(st->zf);
		st->zf = NULL;
		return -1;
	}
	return 0;
}

/* The next element start (true), keeping the stack of open elements; false
 * at the end. Reports a document that is not well-formed. */
static bool
stream_next(struct stream *st)
{
	int rc;
	while ((rc = xmlTextReaderRead(st->r)) == 1) {
		if (xmlTextReaderNodeType(st->r) != XML_READER_TYPE_ELEMENT)
			continue;
		int d = xmlTextReaderDepth(st->r);
		if (d < 0 || d >= MAX_DEPTH) {
			fail(st->v, "%s nests elements more than %d deep", st->name, MAX_DEPTH);
			return false;
		}
		const xmlChar *ns = xmlTextReaderConstNamespaceUri(st->r);
		st->ns[d] = ns != NULL ? (const char *)ns : "";
		st->local[d] = (const char *)xmlTextReaderConstLocalName(st->r);
		st->depth = d;
		return true;
	}
	if (rc < 0 || st->read_failed)
		fail(st->v, st->read_failed ? "cannot read %s: size or CRC mismatch"
					    : "%s is not well-formed XML",
		     st->name);
	return false;
}

static void
stream_close_all(struct stream *st)
{
	if (st->r != NULL)
		xmlFreeTextReader(st->r);
	if (st->zf != NULL)
		zip_fclose(st->zf);
	st->r = NULL;
	st->zf = NULL;
}

/* Whether the element at depth d is ns:local. */
static bool
is(const struct stream *st, int d, const char *ns, const char *local)
{
	return d >= 0 && d <= st->depth && strcmp(st->ns[d], ns) == 0 &&
	       strcmp(st->local[d], local) == 0;
}

/* The current element's attribute (no namespace), malloc'd; "" when absent. */
static char *
sattr(const struct stream *st, const char *name)
{
	xmlChar *c = xmlTextReaderGetAttribute(st->r, X(name));
	char *s = xstrdup(c != NULL ? (const char *)c : "");
	xmlFree(c);
	return s;
}

/* The current element's text, malloc'd. */
static char *
stext(const struct stream *st)
{
	xmlChar *c = xmlTextReaderReadString(st->r);
	char *s = xstrdup(c != NULL ? (const char *)c : "");
	xmlFree(c);
	return s;
}

/* ------------------------------------------------------------------ */
/* 4-6, 9: the package document                                         */

/* What the package document says, gathered in one pass. */
struct opf_facts {
	bool root_ok;          /* the root is opf:package */
	char *uid;             /* package@unique-identifier */
	char **identifiers;    /* dc:identifier: id, text, id, text… */
	size_t nidentifiers, capidentifiers;
	int nmodified;
	char *modified;        /* the first dcterms:modified */
	bool title, language;  /* a non-blank dc:title, dc:language */
	int ncovers;
	char *cover;           /* the first cover meta's content */
	bool have_spine;
	char *toc;             /* spine@toc */
	char **idrefs;         /* spine itemrefs, in order */
	size_t nidrefs, capidrefs;
	size_t capitems;
};

static void
opf_facts_free(struct opf_facts *f)
{
	free(f->uid);
	for (size_t i = 0; i < f->nidentifiers; i++)
		free(f->identifiers[i]);
	free(f->identifiers);
	free(f->modified);
	free(f->cover);
	free(f->toc);
	for (size_t i = 0; i < f->nidrefs; i++)
		free(f->idrefs[i]);
	free(f->idrefs);
}

/* The media types and properties of a big book are a handful of strings
 * repeated tens of thousands of times: those are shared (s is freed). */
static const char *const common_strings[] = {
	"", "application/xhtml+xml", "image/jpeg", "image/png", "image/gif", "image/svg+xml",
	"text/css", NCX_TYPE, "nav", "cover-image",
};

static char *
common(char *s)
{
	for (size_t i = 0; i < sizeof common_strings / sizeof *common_strings; i++)
		if (strcmp(s, common_strings[i]) == 0) {
			free(s);
			return (char *)common_strings[i];
		}
	return s;
}

static void
free_common(char *s)
{
	for (size_t i = 0; i < sizeof common_strings / sizeof *common_strings; i++)
		if (s == common_strings[i])
			return;
	free(s);
}

static void
read_opf(struct verify *v, struct stream *st, struct opf_facts *f)
{
	char *base = dir_of(v->opf);
	while (stream_next(st)) {
		int d = st->depth;
		if (d == 0) {
			f->root_ok = is(st, 0, NS_OPF, "package");
			if (f->root_ok)
				f->uid = sattr(st, "unique-identifier");
			continue;
		}
		if (!f->root_ok)
			continue;
		if (d == 2 && is(st, 1, NS_OPF, "metadata")) {
			if (is(st, 2, NS_DC, "identifier")) {
				f->identifiers = xgrow(f->identifiers, &f->capidentifiers,
						       f->nidentifiers + 2, sizeof *f->identifiers);
				f->identifiers[f->nidentifiers++] = sattr(st, "id");
				f->identifiers[f->nidentifiers++] = stext(st);
			} else if (is(st, 2, NS_DC, "title") || is(st, 2, NS_DC, "language")) {
				char *t = stext(st);
				if (!blank(t))
					*(is(st, 2, NS_DC, "title") ? &f->title : &f->language) = true;
				free(t);
			} else if (is(st, 2, NS_OPF, "meta")) {
				char *prop = sattr(st, "property"), *name = sattr(st, "name");
				if (strcmp(prop, "dcterms:modified") == 0 && f->nmodified++ == 0)
					f->modified = stext(st);
				if (strcmp(name, "cover") == 0 && f->ncovers++ == 0)
					f->cover = sattr(st, "content");
				free(prop);
				free(name);
			}
		} else if (d == 2 && is(st, 1, NS_OPF, "manifest") && is(st, 2, NS_OPF, "item")) {
			v->items = xgrow(v->items, &f->capitems, v->nitems + 1, sizeof *v->items);
			struct vitem *it = &v->items[v->nitems++];
			it->id = sattr(st, "id");
			it->href = sattr(st, "href");
			it->media_type = common(sattr(st, "media-type"));
			it->properties = common(sattr(st, "properties"));
			it->path = resolve(base, it->href);
			it->spine = -1;
		} else if (d == 1 && is(st, 1, NS_OPF, "spine")) {
			f->have_spine = true;
			free(f->toc);
			f->toc = sattr(st, "toc");
		} else if (d == 2 && is(st, 1, NS_OPF, "spine") && is(st, 2, NS_OPF, "itemref")) {
			f->idrefs = xgrow(f->idrefs, &f->capidrefs, f->nidrefs + 1, sizeof *f->idrefs);
			f->idrefs[f->nidrefs++] = sattr(st, "idref");
		}
	}
	free(base);
}

static void
check_metadata(struct verify *v, const struct opf_facts *f)
{
	if (blank(f->uid)) {
		fail(v, "the package has no unique-identifier");
	} else {
		for (size_t i = 0; i + 1 < f->nidentifiers && v->identifier == NULL; i += 2)
			if (strcmp(f->identifiers[i], f->uid) == 0)
				v->identifier = xstrdup(f->identifiers[i + 1]);
		if (v->identifier == NULL)
			fail(v, "unique-identifier \"%s\" names no dc:identifier", f->uid);
		else if (blank(v->identifier))
			fail(v, "the dc:identifier \"%s\" is empty", f->uid);
	}
	if (f->nmodified != 1) {
		fail(v, "%d dcterms:modified metas, expected exactly one", f->nmodified);
	} else if (!is_utc_stamp(f->modified)) {
		char *t = shown(f->modified);
		fail(v, "dcterms:modified \"%s\" is not YYYY-MM-DDThh:mm:ssZ", t);
		free(t);
	}
	if (!f->title)
		fail(v, "dc:title is missing or empty");
	if (!f->language)
		fail(v, "dc:language is missing or empty");
}

/* 5: manifest against archive */

static int
cmp_id(const void *a, const void *b)
{
	return strcmp((*(struct vitem *const *)a)->id, (*(struct vitem *const *)b)->id);
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp((*(struct vitem *const *)a)->path, (*(struct vitem *const *)b)->path);
}

static struct vitem *
item_by_id(const struct verify *v, const char *id)
{
	struct vitem key = {.id = (char *)id}, *k = &key;
	struct vitem **hit = bsearch(&k, v->by_id, v->nitems, sizeof *v->by_id, cmp_id);
	return hit != NULL ? *hit : NULL;
}

static struct vitem *
item_by_path(const struct verify *v, const char *path)
{
	struct vitem key = {.path = (char *)path}, *k = &key;
	struct vitem **hit = bsearch(&k, v->by_path, v->nitems, sizeof *v->by_path, cmp_path);
	return hit != NULL ? *hit : NULL;
}

static void
check_manifest(struct verify *v)
{
	size_t nav = 0;

	v->by_id = xcalloc(v->nitems + 1, sizeof *v->by_id);
	v->by_path = xcalloc(v->nitems + 1, sizeof *v->by_path);
	for (size_t i = 0; i < v->nitems; i++) {
		struct vitem *it = &v->items[i];
		zip_int64_t idx;

		v->by_id[i] = v->by_path[i] = it;
		if (has_token(it->properties, "nav"))
			nav++;
		if (*it->id == '\0')
			fail(v, "manifest item \"%s\" has no id", it->href);
		if (*it->href == '\0') {
			fail(v, "manifest item \"%s\" has no href", it->id);
			continue;
		}
		if ((idx = zip_name_locate(v->za, it->path, 0)) < 0) {
			char *s = shown(it->path);
			fail(v, "manifest item \"%s\" (%s) is missing from the archive", it->id, s);
			free(s);
		} else {
			v->listed[idx] = true;
		}
	}
	qsort(v->by_id, v->nitems, sizeof *v->by_id, cmp_id);
	qsort(v->by_path, v->nitems, sizeof *v->by_path, cmp_path);
	for (size_t i = 1; i < v->nitems; i++)
		if (*v->by_id[i]->id != '\0' && strcmp(v->by_id[i - 1]->id, v->by_id[i]->id) == 0 &&
		    (i + 1 == v->nitems || strcmp(v->by_id[i]->id, v->by_id[i + 1]->id) != 0))
			fail(v, "manifest id \"%s\" is used more than once", v->by_id[i]->id);
	if (nav != 1)
		fail(v, "%zu manifest items have the nav property, expected exactly one", nav);

	for (zip_int64_t i = 0; i < v->nentries; i++) {
		const char *name = zip_get_name(v->za, (zip_uint64_t)i, 0);
		size_t len = name != NULL ? strlen(name) : 0;
		char *s;
		if (name == NULL || v->listed[i] || strcmp(name, "mimetype") == 0 ||
		    strncmp(name, "META-INF/", 9) == 0 || strcmp(name, v->opf) == 0 ||
		    (len > 0 && name[len - 1] == '/')) /* a folder */
			continue;
		s = shown(name);
		fail(v, "entry \"%s\" is not in the manifest", s);
		free(s);
	}
}

/* 6: spine */

static void
check_spine(struct verify *v, const struct opf_facts *f)
{
	const struct vitem *ncx = NULL, *named;

	if (f->nidrefs == 0)
		fail(v, "the spine is empty");
	for (size_t i = 0; i < f->nidrefs; i++) {
		struct vitem *it = item_by_id(v, f->idrefs[i]);
		if (it == NULL)
			fail(v, "spine itemref \"%s\" names no manifest item", f->idrefs[i]);
		else if (it->spine < 0)
			it->spine = (long)i;
	}
	for (size_t i = 0; i < v->nitems && ncx == NULL; i++)
		if (strcmp(v->items[i].media_type, NCX_TYPE) == 0)
			ncx = &v->items[i];
	if (f->toc == NULL || *f->toc == '\0') {
		if (ncx != NULL)
			fail(v, "the spine has no toc attribute for the NCX item \"%s\"", ncx->id);
	} else if ((named = item_by_id(v, f->toc)) == NULL ||
	           strcmp(named->media_type, NCX_TYPE) != 0) {
		fail(v, "spine toc=\"%s\" does not name an NCX item", f->toc);
	}
}

/* 9: cover */

static void
check_cover(struct verify *v, const struct opf_facts *f)
{
	const struct vitem *it;

	if (f->ncovers > 1)
		fail(v, "%d cover metas, expected at most one", f->ncovers);
	if (f->ncovers > 0) {
		const char *id = f->cover;
		if ((it = item_by_id(v, id)) == NULL)
			fail(v, "the cover meta names \"%s\", which is no manifest item", id);
		else if (strncmp(it->media_type, "image/", 6) != 0)
			fail(v, "the cover meta names \"%s\" of type %s, not an image", id,
			     it->media_type);
		else if (!has_token(it->properties, "cover-image"))
			fail(v, "the cover meta names \"%s\", which lacks the cover-image property",
			     id);
	}
	for (size_t i = 0; i < v->nitems; i++)
		if (has_token(v->items[i].properties, "cover-image") && f->ncovers == 0)
			fail(v, "item \"%s\" has the cover-image property but no cover meta names it",
			     v->items[i].id);
}

/* ------------------------------------------------------------------ */
/* 7, 8: navigation documents                                           */

/* hrefs (in document order, relative to docname's folder) must name spine
 * items in spine order. what names the TOC in messages. */
static void
check_toc_order(struct verify *v, const char *what, const char *docname,
                const struct strlist *hrefs)
{
	char *base = dir_of(docname), *prev = NULL;
	const struct vitem *last = NULL;

	if (hrefs->n == 0)
		fail(v, "the %s TOC links to nothing", what);
	for (size_t i = 0; i < hrefs->n; i++) {
		char *path = resolve(base, hrefs->v[i]);
		const struct vitem *it;

		if (prev != NULL && strcmp(prev, path) == 0) {
			free(path);
			continue;
		}
		free(prev);
		prev = path;
		it = item_by_path(v, path);
		if (it == NULL || it->spine < 0) {
			char *s = shown(path);
			fail(v, "the %s TOC links to \"%s\", which is not in the spine", what, s);
			free(s);
			continue;
		}
		if (last != NULL && it->spine < last->spine)
			fail(v, "the %s TOC lists \"%s\" after \"%s\", against the spine order", what, it->path,
			     last->path);
		last = it;
	}
	free(prev);
	free(base);
}

static void
check_nav(struct verify *v)
{
	const struct vitem *nav = NULL;
	struct stream st;
	struct strlist hrefs = {0};
	int ntoc = 0, in_toc = -1; /* depth of the toc nav we are in, or -1 */

	for (size_t i = 0; i < v->nitems && nav == NULL; i++)
		if (has_token(v->items[i].properties, "nav"))
			nav = &v->items[i];
	/* no nav item, or a missing file: reported by check_manifest */
	if (nav == NULL || zip_name_locate(v->za, nav->path, 0) < 0 ||
	    stream_open(v, nav->path, &st) != 0)
		return;
	int before = v->bad;
	while (stream_next(&st)) {
		int d = st.depth;
		if (in_toc >= 0 && d <= in_toc)
			in_toc = -1; /* past its end */
		if (is(&st, d, NS_XHTML, "nav")) {
			xmlChar *type = xmlTextReaderGetAttributeNs(st.r, X("type"), X(NS_OPS));
			if (type != NULL && has_token((const char *)type, "toc") && ntoc++ == 0)
				in_toc = d;
			xmlFree(type);
		} else if (in_toc >= 0 && is(&st, d, NS_XHTML, "a")) {
			xmlChar *href = xmlTextReaderGetAttribute(st.r, X("href"));
			if (href != NULL)
				strlist_add(&hrefs, (const char *)href);
			xmlFree(href);
		}
	}
	if (v->bad == before) { /* a document that could not be read says so already */
		if (ntoc != 1)
			fail(v, "%s has %d toc navs, expected one", nav->path, ntoc);
		else
			check_toc_order(v, "nav", nav->path, &hrefs);
	}
	stream_close_all(&st);
	strlist_free(&hrefs);
}

static void
check_ncx(struct verify *v)
{
	const struct vitem *ncx = NULL;
	struct stream st;
	struct strlist srcs = {0};
	char *uid = NULL;

	for (size_t i = 0; i < v->nitems && ncx == NULL; i++)
		if (strcmp(v->items[i].media_type, NCX_TYPE) == 0)
			ncx = &v->items[i];
	if (ncx == NULL || zip_name_locate(v->za, ncx->path, 0) < 0 ||
	    stream_open(v, ncx->path, &st) != 0)
		return;
	int before = v->bad;
	while (stream_next(&st)) {
		int d = st.depth;
		if (!is(&st, 0, NS_NCX, "ncx"))
			continue;
		if (d == 2 && is(&st, 1, NS_NCX, "head") && is(&st, 2, NS_NCX, "meta")) {
			char *name = sattr(&st, "name");
			if (uid == NULL && strcmp(name, "dtb:uid") == 0)
				uid = sattr(&st, "content");
			free(name);
		} else if (d >= 3 && is(&st, 1, NS_NCX, "navMap") && is(&st, d, NS_NCX, "content") &&
			   is(&st, d - 1, NS_NCX, "navPoint")) {
			xmlChar *src = xmlTextReaderGetAttribute(st.r, X("src"));
			if (src != NULL)
				strlist_add(&srcs, (const char *)src);
			xmlFree(src);
		}
	}
	if (v->bad == before) { /* a document that could not be read says so already */
		check_toc_order(v, "NCX", ncx->path, &srcs);
		if (uid == NULL)
			fail(v, "%s has no dtb:uid", ncx->path);
		else if (v->identifier != NULL && strcmp(uid, v->identifier) != 0)
			fail(v, "the NCX dtb:uid \"%s\" differs from the identifier \"%s\"", uid,
			     v->identifier);
	}
	free(uid);
	stream_close_all(&st);
	strlist_free(&srcs);
}

/* ------------------------------------------------------------------ */
/* Driver                                                               */

/* Checks 4 to 9, on the package document v->opf. */
static void
check_package(struct verify *v)
{
	struct stream st;
	struct opf_facts f = {0};

	if (stream_open(v, v->opf, &st) != 0)
		return;
	int before = v->bad;
	read_opf(v, &st, &f);
	stream_close_all(&st);
	if (v->bad == before) {
		if (!f.root_ok) {
			fail(v, "cannot query %s", v->opf);
		} else {
			check_metadata(v, &f);
			check_manifest(v);
			check_spine(v, &f);
			check_cover(v, &f);
			check_nav(v);
			check_ncx(v);
		}
	}
	opf_facts_free(&f);
}

int
verify_book(const char *path, struct log *lg)
{
	struct verify v = {.path = path, .lg = lg};
	zip_error_t ze;

	zip_error_init(&ze);
	v.za = epubzip_open_read(path, ZIP_CHECKCONS, &ze);
	if (v.za == NULL)
		fail(&v, "cannot open the archive: %s", zip_error_strerror(&ze));
	zip_error_fini(&ze);
	if (v.za == NULL)
		goto out;
	if ((v.nentries = zip_get_num_entries(v.za, 0)) < 0)
		v.nentries = 0;
	v.listed = xcalloc((size_t)v.nentries + 1, sizeof *v.listed);

	check_mimetype(&v);
	check_names(&v);
	if (check_container(&v) == 0)
		check_package(&v);
out:
	for (size_t i = 0; i < v.nitems; i++) {
		free(v.items[i].id);
		free(v.items[i].href);
		free(v.items[i].path);
		free_common(v.items[i].media_type);
		free_common(v.items[i].properties);
	}
	free(v.items);
	free(v.by_id);
	free(v.by_path);
	free(v.identifier);
	free(v.opf);
	free(v.listed);
	if (v.za != NULL)
		zip_discard(v.za);
	return v.bad == 0 ? 0 : -1;
}

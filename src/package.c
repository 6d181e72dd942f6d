/* package.c — see package.h.
 *
 * Every document is written with libxml2's xmlTextWriter into an xmlBuffer:
 * the writer escapes text and attribute values, so nothing is pasted into
 * markup. Prefixed names (dc:title, epub:type, xml:lang) and namespace
 * declarations are written as plain names and attributes: the writer's NS
 * functions would re-declare a namespace on every element that uses it.
 */
#include "package.h"

#include <libxml/hash.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "util.h"

#define OPF_NS "http://www.idpf.org/2007/opf"
#define DC_NS "http://purl.org/dc/elements/1.1/"
#define NCX_NS "http://www.daisy.org/z3986/2005/ncx/"
#define OPS_NS "http://www.idpf.org/2007/ops"
#define CONTAINER_NS "urn:oasis:names:tc:opendocument:xmlns:container"

/* Every xmlTextWriter call returns a negative number on failure. */
#define W(call)                                                                                    \
	do {                                                                                       \
		if ((call) < 0)                                                                    \
			goto out;                                                                  \
	} while (0)

#define X(s) ((const xmlChar *)(s))

/* ------------------------------------------------------------------ */
/* Writer set-up and hand-over                                          */

struct doc {
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
};

/* A writer into memory with two-space indentation, after the XML
 * declaration. */
static int
doc_open(struct doc *d)
{
	d->w = NULL;
	if ((d->buf = xmlBufferCreate()) == NULL)
		return -1;
	if ((d->w = xmlNewTextWriterMemory(d->buf, 0)) == NULL ||
	    xmlTextWriterSetIndent(d->w, 1) < 0 ||
	    xmlTextWriterSetIndentString(d->w, X("  ")) < 0 ||
	    xmlTextWriterStartDocument(d->w, "1.0", "UTF-8", NULL) < 0)
		return -1;
	return 0;
}

/* Closes what is still open, flushes, and hands the bytes over in a
 * malloc'd buffer (the xmlBuffer is allocated by libxml2's allocator, which
 * the caller must not have to know about). Always releases d. */
static int
doc_close(struct doc *d, bool ok, char **out, size_t *len)
{
	int rc = -1;

	if (ok && d->w != NULL && xmlTextWriterEndDocument(d->w) >= 0) {
		/* xmlFreeTextWriter flushes the rest into buf */
		xmlFreeTextWriter(d->w);
		d->w = NULL;
		*len = (size_t)xmlBufferLength(d->buf);
		*out = xmalloc(*len + 1);
		memcpy(*out, xmlBufferContent(d->buf), *len);
		(*out)[*len] = '\0';
		rc = 0;
	}
	if (d->w != NULL)
		xmlFreeTextWriter(d->w);
	if (d->buf != NULL)
		xmlBufferFree(d->buf);
	return rc;
}

static bool
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* ------------------------------------------------------------------ */
/* Table of contents: checks shared by the nav and the NCX              */

/* The levels form a tree (first entry at 0, never more than one level
 * deeper than the entry before), every entry has a title, and every group
 * heading (href NULL) has children. */
static bool
toc_valid(const struct pkg_toc_entry *toc, size_t n)
{
	if (n == 0 || toc[0].level != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		int next = i + 1 < n ? toc[i + 1].level : 0;
		if (!nonempty(toc[i].title) || toc[i].level < 0 || next > toc[i].level + 1)
			return false;
		if (toc[i].href == NULL && next <= toc[i].level)
			return false;
		if (toc[i].href != NULL && *toc[i].href == '\0')
			return false;
	}
	return true;
}

/* The href an NCX navPoint of entry i points to: its own, or for a group
 * heading that of its first descendant that has one (NCX needs a content
 * element on every navPoint). NULL when no descendant has one. */
static const char *
toc_target(const struct pkg_toc_entry *toc, size_t n, size_t i)
{
	for (size_t j = i; j < n && (j == i || toc[j].level > toc[i].level); j++)
		if (toc[j].href != NULL)
			return toc[j].href;
	return NULL;
}

static int
toc_depth(const struct pkg_toc_entry *toc, size_t n)
{
	int max = 0;
	for (size_t i = 0; i < n; i++)
		if (toc[i].level > max)
			max = toc[i].level;
	return max + 1;
}

/* ------------------------------------------------------------------ */
/* container.xml                                                        */

int
pkg_write_container(char **out, size_t *len)
{
	struct doc d;
	bool ok = false;

	W(doc_open(&d));
	W(xmlTextWriterStartElement(d.w, X("container")));
	W(xmlTextWriterWriteAttribute(d.w, X("version"), X("1.0")));
	W(xmlTextWriterWriteAttribute(d.w, X("xmlns"), X(CONTAINER_NS)));
	W(xmlTextWriterStartElement(d.w, X("rootfiles")));
	W(xmlTextWriterStartElement(d.w, X("rootfile")));
	W(xmlTextWriterWriteAttribute(d.w, X("full-path"), X("EPUB/package.opf")));
	W(xmlTextWriterWriteAttribute(d.w, X("media-type"), X("application/oebps-package+xml")));
	ok = true;
out:
	return doc_close(&d, ok, out, len);
}

/* ------------------------------------------------------------------ */
/* package.opf                                                          */

/* Whether the items, the cover and the identifier make a package epubcheck
 * can accept: at least one spine item, "ncx" free for the NCX item, the
 * cover_id naming an item. */
static bool
opf_valid(const struct pkg_info *info)
{
	bool spine = false, cover = info->cover_id == NULL;

	if (!nonempty(info->identifier) || !nonempty(info->title) || !nonempty(info->language))
		return false;
	for (size_t i = 0; i < info->nitems; i++) {
		const struct pkg_item *it = &info->items[i];
		if (!nonempty(it->id) || !nonempty(it->href) || !nonempty(it->media_type) ||
		    strcmp(it->id, "ncx") == 0)
			return false;
		spine |= it->spine;
		if (info->cover_id != NULL && strcmp(it->id, info->cover_id) == 0)
			cover = true;
	}
	return spine && cover;
}

static int
write_dc(xmlTextWriterPtr w, const char *name, const char *text)
{
	if (!nonempty(text))
		return 0;
	return xmlTextWriterWriteElement(w, X(name), X(text));
}

int
pkg_write_opf(const struct pkg_info *info, char **out, size_t *len)
{
	struct doc d = {NULL, NULL};
	bool ok = false;
	char modified[80];
	struct tm tm;
	time_t t = (time_t)info->modified;

	if (!opf_valid(info) || (int64_t)t != info->modified || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year < 0 || tm.tm_year > 9999 - 1900)
		goto out;
	snprintf(modified, sizeof modified, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);

	W(doc_open(&d));
	W(xmlTextWriterStartElement(d.w, X("package")));
	W(xmlTextWriterWriteAttribute(d.w, X("xmlns"), X(OPF_NS)));
	W(xmlTextWriterWriteAttribute(d.w, X("version"), X("3.0")));
	W(xmlTextWriterWriteAttribute(d.w, X("unique-identifier"), X("uid")));
	W(xmlTextWriterWriteAttribute(d.w, X("xml:lang"), X(info->language)));

	W(xmlTextWriterStartElement(d.w, X("metadata")));
	W(xmlTextWriterWriteAttribute(d.w, X("xmlns:dc"), X(DC_NS)));
	W(xmlTextWriterStartElement(d.w, X("dc:identifier")));
	W(xmlTextWriterWriteAttribute(d.w, X("id"), X("uid")));
	W(xmlTextWriterWriteString(d.w, X(info->identifier)));
	W(xmlTextWriterEndElement(d.w));
	W(write_dc(d.w, "dc:title", info->title));
	W(write_dc(d.w, "dc:language", info->language));
	W(write_dc(d.w, "dc:creator", info->creator));
	W(write_dc(d.w, "dc:date", info->date));
	W(write_dc(d.w, "dc:description", info->description));
	W(write_dc(d.w, "dc:publisher", info->publisher));
	W(write_dc(d.w, "dc:source", info->source));
	for (size_t i = 0; i < info->nsubjects; i++)
		W(write_dc(d.w, "dc:subject", info->subjects[i]));
	W(xmlTextWriterStartElement(d.w, X("meta")));
	W(xmlTextWriterWriteAttribute(d.w, X("property"), X("dcterms:modified")));
	W(xmlTextWriterWriteString(d.w, X(modified)));
	W(xmlTextWriterEndElement(d.w));
	if (nonempty(info->collection) && info->collection_pos > 0) {
		/* EPUB 3 collection: the volumes of one archive, in order. */
		char pos[24];
		snprintf(pos, sizeof pos, "%u", info->collection_pos);
		W(xmlTextWriterStartElement(d.w, X("meta")));
		W(xmlTextWriterWriteAttribute(d.w, X("property"), X("belongs-to-collection")));
		W(xmlTextWriterWriteAttribute(d.w, X("id"), X("collection")));
		W(xmlTextWriterWriteString(d.w, X(info->collection)));
		W(xmlTextWriterEndElement(d.w));
		W(xmlTextWriterStartElement(d.w, X("meta")));
		W(xmlTextWriterWriteAttribute(d.w, X("refines"), X("#collection")));
		W(xmlTextWriterWriteAttribute(d.w, X("property"), X("collection-type")));
		W(xmlTextWriterWriteString(d.w, X("series")));
		W(xmlTextWriterEndElement(d.w));
		W(xmlTextWriterStartElement(d.w, X("meta")));
		W(xmlTextWriterWriteAttribute(d.w, X("refines"), X("#collection")));
		W(xmlTextWriterWriteAttribute(d.w, X("property"), X("group-position")));
		W(xmlTextWriterWriteString(d.w, X(pos)));
		W(xmlTextWriterEndElement(d.w));
	}
	if (info->cover_id != NULL) {
		/* EPUB 2 style, read by Kindle, Kobo and Apple Books */
		W(xmlTextWriterStartElement(d.w, X("meta")));
		W(xmlTextWriterWriteAttribute(d.w, X("name"), X("cover")));
		W(xmlTextWriterWriteAttribute(d.w, X("content"), X(info->cover_id)));
		W(xmlTextWriterEndElement(d.w));
	}
	W(xmlTextWriterEndElement(d.w)); /* metadata */

	W(xmlTextWriterStartElement(d.w, X("manifest")));
	for (size_t i = 0; i < info->nitems; i++) {
		const struct pkg_item *it = &info->items[i];
		W(xmlTextWriterStartElement(d.w, X("item")));
		W(xmlTextWriterWriteAttribute(d.w, X("id"), X(it->id)));
		W(xmlTextWriterWriteAttribute(d.w, X("href"), X(it->href)));
		W(xmlTextWriterWriteAttribute(d.w, X("media-type"), X(it->media_type)));
		if (nonempty(it->properties))
			W(xmlTextWriterWriteAttribute(d.w, X("properties"), X(it->properties)));
		W(xmlTextWriterEndElement(d.w));
	}
	W(xmlTextWriterStartElement(d.w, X("item")));
	W(xmlTextWriterWriteAttribute(d.w, X("id"), X("ncx")));
	W(xmlTextWriterWriteAttribute(d.w, X("href"), X("toc.ncx")));
	W(xmlTextWriterWriteAttribute(d.w, X("media-type"), X("application/x-dtbncx+xml")));
	W(xmlTextWriterEndElement(d.w));
	W(xmlTextWriterEndElement(d.w)); /* manifest */

	W(xmlTextWriterStartElement(d.w, X("spine")));
	W(xmlTextWriterWriteAttribute(d.w, X("toc"), X("ncx")));
	for (size_t i = 0; i < info->nitems; i++) {
		const struct pkg_item *it = &info->items[i];
		if (!it->spine)
			continue;
		W(xmlTextWriterStartElement(d.w, X("itemref")));
		W(xmlTextWriterWriteAttribute(d.w, X("idref"), X(it->id)));
		if (it->nonlinear)
			W(xmlTextWriterWriteAttribute(d.w, X("linear"), X("no")));
		W(xmlTextWriterEndElement(d.w));
	}
	ok = true;
out:
	if (d.buf == NULL) /* refused before doc_open */
		return -1;
	return doc_close(&d, ok, out, len);
}

/* ------------------------------------------------------------------ */
/* toc.ncx                                                              */

static int
write_ncx_text(xmlTextWriterPtr w, const char *element, const char *text)
{
	int rc = -1;
	W(xmlTextWriterStartElement(w, X(element)));
	W(xmlTextWriterWriteElement(w, X("text"), X(text)));
	W(xmlTextWriterEndElement(w));
	rc = 0;
out:
	return rc;
}

static int
write_ncx_meta(xmlTextWriterPtr w, const char *name, const char *content)
{
	int rc = -1;
	W(xmlTextWriterStartElement(w, X("meta")));
	W(xmlTextWriterWriteAttribute(w, X("name"), X(name)));
	W(xmlTextWriterWriteAttribute(w, X("content"), X(content)));
	W(xmlTextWriterEndElement(w));
	rc = 0;
out:
	return rc;
}

/* playOrder of each entry. epubcheck's NCX schematron wants navPoints with
 * the same content src to share one playOrder, different srcs to have
 * different ones, and no gaps: so a number is given to each new target in
 * document order, and a repeated target (a group heading and its first
 * child, a post listed twice) takes the number it already has. */
static int *
ncx_play_orders(const struct pkg_toc_entry *toc, size_t n)
{
	int *order = xcalloc(n ? n : 1, sizeof *order);
	/* target → its number (a hash: a book has tens of thousands of them) */
	xmlHashTablePtr seen = xmlHashCreate((int)(n < 1024 ? 64 : n / 4));
	int next = 1;

	if (seen == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *src = toc_target(toc, n, i);
		void *had = src != NULL ? xmlHashLookup(seen, X(src)) : NULL;
		if (had != NULL) {
			order[i] = (int)(intptr_t)had;
			continue;
		}
		order[i] = next++;
		if (src != NULL)
			xmlHashAddEntry(seen, X(src), (void *)(intptr_t)order[i]);
	}
	xmlHashFree(seen, NULL);
	return order;
}

int
pkg_write_ncx(const struct pkg_info *info, char **out, size_t *len)
{
	struct doc d = {NULL, NULL};
	bool ok = false;
	int *order = NULL;
	char num[32];
	size_t i;

	if (!nonempty(info->identifier) || !nonempty(info->title) ||
	    !toc_valid(info->toc, info->ntoc))
		goto out;
	order = ncx_play_orders(info->toc, info->ntoc);

	W(doc_open(&d));
	W(xmlTextWriterStartElement(d.w, X("ncx")));
	W(xmlTextWriterWriteAttribute(d.w, X("xmlns"), X(NCX_NS)));
	W(xmlTextWriterWriteAttribute(d.w, X("version"), X("2005-1")));
	if (nonempty(info->language))
		W(xmlTextWriterWriteAttribute(d.w, X("xml:lang"), X(info->language)));
	W(xmlTextWriterStartElement(d.w, X("head")));
	W(write_ncx_meta(d.w, "dtb:uid", info->identifier));
	snprintf(num, sizeof num, "%d", toc_depth(info->toc, info->ntoc));
	W(write_ncx_meta(d.w, "dtb:depth", num));
	W(write_ncx_meta(d.w, "dtb:totalPageCount", "0"));
	W(write_ncx_meta(d.w, "dtb:maxPageNumber", "0"));
	W(xmlTextWriterEndElement(d.w)); /* head */
	W(write_ncx_text(d.w, "docTitle", info->title));
	if (nonempty(info->creator))
		W(write_ncx_text(d.w, "docAuthor", info->creator));

	W(xmlTextWriterStartElement(d.w, X("navMap")));
	for (i = 0; i < info->ntoc; i++) {
		const struct pkg_toc_entry *e = &info->toc[i];
		int next = i + 1 < info->ntoc ? info->toc[i + 1].level : 0;

		W(xmlTextWriterStartElement(d.w, X("navPoint")));
		snprintf(num, sizeof num, "navPoint-%zu", i + 1);
		W(xmlTextWriterWriteAttribute(d.w, X("id"), X(num)));
		snprintf(num, sizeof num, "%d", order[i]);
		W(xmlTextWriterWriteAttribute(d.w, X("playOrder"), X(num)));
		W(write_ncx_text(d.w, "navLabel", e->title));
		W(xmlTextWriterStartElement(d.w, X("content")));
		W(xmlTextWriterWriteAttribute(d.w, X("src"),
		                              X(toc_target(info->toc, info->ntoc, i))));
		W(xmlTextWriterEndElement(d.w));
		/* children follow inside this navPoint; else close it and
		 * the ancestors the next entry climbs out of */
		if (next <= e->level)
			for (int l = e->level; l >= next; l--)
				W(xmlTextWriterEndElement(d.w));
	}
	ok = true;
out:
	free(order);
	if (d.buf == NULL)
		return -1;
	return doc_close(&d, ok, out, len);
}

/* ------------------------------------------------------------------ */
/* nav.xhtml                                                            */

/* <a href="HREF">TEXT</a>, with epub:type when type is not NULL. */
static int
write_link(xmlTextWriterPtr w, const char *href, const char *text, const char *type)
{
	int rc = -1;
	W(xmlTextWriterStartElement(w, X("a")));
	if (type != NULL)
		W(xmlTextWriterWriteAttribute(w, X("epub:type"), X(type)));
	W(xmlTextWriterWriteAttribute(w, X("href"), X(href)));
	W(xmlTextWriterWriteString(w, X(text)));
	W(xmlTextWriterFullEndElement(w));
	rc = 0;
out:
	return rc;
}

/* The toc nav: one ol; li > a for an entry, li > span + ol for a group
 * heading, li > a + ol for an entry with children. Non-void elements are
 * closed with FullEndElement (never <ol/>). */
static int
write_toc_nav(xmlTextWriterPtr w, const struct pkg_info *info, const char *heading)
{
	int rc = -1;

	W(xmlTextWriterStartElement(w, X("nav")));
	W(xmlTextWriterWriteAttribute(w, X("epub:type"), X("toc")));
	W(xmlTextWriterWriteAttribute(w, X("id"), X("toc")));
	W(xmlTextWriterWriteElement(w, X("h1"), X(heading)));
	W(xmlTextWriterStartElement(w, X("ol")));
	for (size_t i = 0; i < info->ntoc; i++) {
		const struct pkg_toc_entry *e = &info->toc[i];
		int next = i + 1 < info->ntoc ? info->toc[i + 1].level : 0;

		W(xmlTextWriterStartElement(w, X("li")));
		if (e->href != NULL) {
			W(write_link(w, e->href, e->title, NULL));
		} else {
			W(xmlTextWriterStartElement(w, X("span")));
			W(xmlTextWriterWriteString(w, X(e->title)));
			W(xmlTextWriterFullEndElement(w));
		}
		if (next > e->level) {
			W(xmlTextWriterStartElement(w, X("ol")));
			continue;
		}
		W(xmlTextWriterFullEndElement(w)); /* li */
		for (int l = e->level; l > next; l--) {
			W(xmlTextWriterFullEndElement(w)); /* ol */
			W(xmlTextWriterFullEndElement(w)); /* li */
		}
	}
	W(xmlTextWriterFullEndElement(w)); /* ol */
	W(xmlTextWriterFullEndElement(w)); /* nav */
	rc = 0;
out:
	return rc;
}

static int
write_landmarks_nav(xmlTextWriterPtr w, const struct pkg_info *info)
{
	int rc = -1;

	W(xmlTextWriterStartElement(w, X("nav")));
	W(xmlTextWriterWriteAttribute(w, X("epub:type"), X("landmarks")));
	W(xmlTextWriterWriteAttribute(w, X("hidden"), X("")));
	W(xmlTextWriterStartElement(w, X("ol")));
	for (size_t i = 0; i < info->nlandmarks; i++) {
		const struct pkg_landmark *m = &info->landmarks[i];
		W(xmlTextWriterStartElement(w, X("li")));
		W(write_link(w, m->href, m->title, m->type));
		W(xmlTextWriterFullEndElement(w));
	}
	W(xmlTextWriterFullEndElement(w)); /* ol */
	W(xmlTextWriterFullEndElement(w)); /* nav */
	rc = 0;
out:
	return rc;
}

int
pkg_write_nav(const struct pkg_info *info, char **out, size_t *len)
{
	struct doc d = {NULL, NULL};
	bool ok = false;
	const char *heading = nonempty(info->toc_title) ? info->toc_title : "Contents";

	if (!nonempty(info->language) || !toc_valid(info->toc, info->ntoc))
		goto out;
	for (size_t i = 0; i < info->nlandmarks; i++)
		if (!nonempty(info->landmarks[i].type) || !nonempty(info->landmarks[i].title) ||
		    !nonempty(info->landmarks[i].href))
			goto out;

	W(doc_open(&d));
	W(xmlTextWriterWriteDTD(d.w, X("html"), NULL, NULL, NULL));
	W(xmlTextWriterStartElement(d.w, X("html")));
	W(xmlTextWriterWriteAttribute(d.w, X("xmlns"), X(XHTML_NS)));
	W(xmlTextWriterWriteAttribute(d.w, X("xmlns:epub"), X(OPS_NS)));
	W(xmlTextWriterWriteAttribute(d.w, X("lang"), X(info->language)));
	W(xmlTextWriterWriteAttribute(d.w, X("xml:lang"), X(info->language)));
	W(xmlTextWriterStartElement(d.w, X("head")));
	W(xmlTextWriterWriteElement(d.w, X("title"), X(heading)));
	W(xmlTextWriterStartElement(d.w, X("link")));
	W(xmlTextWriterWriteAttribute(d.w, X("rel"), X("stylesheet")));
	W(xmlTextWriterWriteAttribute(d.w, X("href"), X("style.css")));
	W(xmlTextWriterWriteAttribute(d.w, X("type"), X("text/css")));
	W(xmlTextWriterEndElement(d.w));     /* link: void, <link/> */
	W(xmlTextWriterFullEndElement(d.w)); /* head */
	W(xmlTextWriterStartElement(d.w, X("body")));
	W(write_toc_nav(d.w, info, heading));
	if (info->nlandmarks > 0)
		W(write_landmarks_nav(d.w, info));
	W(xmlTextWriterFullEndElement(d.w)); /* body */
	W(xmlTextWriterFullEndElement(d.w)); /* html */
	ok = true;
out:
	if (d.buf == NULL)
		return -1;
	return doc_close(&d, ok, out, len);
}

/* ------------------------------------------------------------------ */
/* Identifier                                                           */

void
pkg_uuid5(const void *name, size_t len, char out[46])
{
	/* 6ba7b811-9dad-11d1-80b4-00c04fd430c8, RFC 4122 appendix C */
	static const unsigned char ns_url[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
	                                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	unsigned char *data = xmalloc(sizeof ns_url + len), h[20];
	char hex[33];

	memcpy(data, ns_url, sizeof ns_url);
	if (len > 0)
		memcpy(data + sizeof ns_url, name, len);
	sha1_bytes(data, sizeof ns_url + len, h);
	free(data);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* version 5 */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	hex_encode(h, 16, hex);
	snprintf(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	         hex + 20);
}

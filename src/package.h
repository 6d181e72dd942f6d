/* package.h — the EPUB package files: package.opf, nav.xhtml, toc.ncx,
 * container.xml, all built with libxml2 (no string pasting). */
#ifndef POST2EPUB_PACKAGE_H
#define POST2EPUB_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pkg_item {
	const char *id;         /* an XML name: "p00001" */
	const char *href;       /* relative to EPUB/: "text/p00001.xhtml" */
	const char *media_type; /* "application/xhtml+xml" */
	const char *properties; /* "nav", "cover-image" or NULL */
	bool spine;             /* listed in the spine, in item order */
	bool nonlinear;         /* spine itemref linear="no" */
};

struct pkg_toc_entry {
	const char *title; /* non-empty text */
	const char *href;  /* relative to EPUB/; NULL for a heading of a group */
	int level;         /* 0 = top; an entry may go at most one level deeper
			      than the one before it */
};

struct pkg_landmark {
	const char *type;  /* epub:type: "cover", "titlepage", "toc", "bodymatter" */
	const char *title;
	const char *href;
};

struct pkg_info {
	const char *identifier; /* "urn:uuid:…" */
	const char *title;
	const char *language;   /* BCP 47 */
	const char *creator;    /* may be NULL */
	const char *date;       /* dc:date "YYYY-MM-DD", may be NULL */
	const char *description; /* may be NULL */
	const char *publisher;  /* may be NULL */
	const char *source;     /* dc:source, e.g. the blog's URL; may be NULL */
	const char *collection; /* belongs-to-collection (a series), or NULL */
	unsigned collection_pos; /* this book's place in it, from 1 */
	const char *const *subjects; size_t nsubjects;
	int64_t modified;       /* dcterms:modified, UTC seconds */
	const char *cover_id;   /* id of the cover image item, or NULL */
	const struct pkg_item *items; size_t nitems;
	const struct pkg_toc_entry *toc; size_t ntoc;
	const struct pkg_landmark *landmarks; size_t nlandmarks;
	const char *toc_title;  /* heading of the nav toc, e.g. "Contents" */
};

/* Each writes a complete UTF-8 document into a malloc'd buffer the caller
 * frees. Return 0, or -1 on a libxml2 failure or when info describes no
 * valid document (these are bugs of the caller, so nothing is logged):
 * empty identifier/title/language, no spine item, an item with id "ncx",
 * a cover_id naming no item, or a toc that is empty, breaks the level rule,
 * has an empty title or a group heading (href NULL) without children. */
int pkg_write_container(char **out, size_t *len);
/* package.opf: adds the NCX item (id "ncx", toc.ncx) itself; the caller's
 * items include the nav item (properties "nav"). */
int pkg_write_opf(const struct pkg_info *info, char **out, size_t *len);
/* toc.ncx: a group heading points at the href of its first descendant
 * entry. playOrder counts targets in document order: navPoints with the same
 * content src share a number (epubcheck's NCX rules), ids are navPoint-N. */
int pkg_write_ncx(const struct pkg_info *info, char **out, size_t *len);
/* nav.xhtml: the toc nav (nested ol following the levels) and, when
 * nlandmarks > 0, a hidden landmarks nav. A landmark pointing into
 * nav.xhtml itself needs the nav item in the spine (epubcheck RSC-011). */
int pkg_write_nav(const struct pkg_info *info, char **out, size_t *len);

/* A UUID version 5 (RFC 4122 §4.3, SHA-1) of name in the URL namespace, as
 * "urn:uuid:xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" into out (46 bytes). */
void pkg_uuid5(const void *name, size_t len, char out[46]);

#endif

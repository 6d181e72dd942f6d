/* xhtml.h — untrusted HTML body → clean XHTML nodes inside a chapter tree.
 *
 * libxml2's HTML parser (no network, no entity loading, RECOVER), then a
 * cleaning walk that is iterative (no recursion on input depth):
 *  - only an allow-list of elements and attributes survives (data-* kept);
 *    script, style, iframe, object, embed, form and friends are removed
 *    with their content; unknown elements are unwrapped (content kept);
 *  - on* and style attributes are dropped; href keeps only http(s),
 *    mailto, //host (made https:) and #fragment; relative links are
 *    dropped (they would name files missing from the book), fragments that
 *    name no id in the document lose their href, javascript: links warn;
 *  - <noscript> is unwrapped, keeping one image where a lazy twin exists;
 *  - content models epubcheck checks are repaired: a block inside <p>,
 *    <h1>-<h6> or <pre> splits it, an inline element holding a block becomes
 *    a <div>, lists/tables/dl/figure/ruby get valid children, no link in a
 *    link; empty <p> and headings are dropped;
 *  - every img has alt; ids are made NCNames ("7" -> "id-7", else dropped)
 *    and unique within dest's document (-2, -3 ...), with fragment links
 *    following the renames; <a name> becomes an id;
 *  - output nesting is capped at 100 levels (deeper elements unwrapped);
 *    libxml2 itself stops at 256 levels and the rest is dropped, with a
 *    warning.
 * Warnings (once per kind and post): removed script, iframe, object, embed,
 * form, applet; a removed javascript: link; input nested too deeply.
 */
#ifndef POST2EPUB_XHTML_H
#define POST2EPUB_XHTML_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* Asked once per image in the body with the chosen source: data-actualsrc,
 * data-original, data-src, the best candidate of data-srcset or srcset (the
 * largest w, else the largest x, else the first), then src; placeholders
 * (data:image/svg+xml, data:image/gif) in the lazy attributes are skipped.
 * The source is untrusted and may be relative or a data: URI. Returns a
 * malloc'd href to put in the chapter (the cleaner frees it), or NULL to drop
 * the image: the cleaner then keeps its alt text, or a link "[image]" to src
 * when src is http(s) and there is no alt text (nothing inside a link).
 * line is the line of the <img> in the post's file (see exact_lines). */
typedef char *(*xhtml_image_fn)(void *ctx, const char *src, unsigned long line);

struct xhtml_opts {
	const char *file;    /* for messages (the post's relative path) */
	unsigned long line;  /* the body's first line in that file */
	bool exact_lines;    /* the HTML is the file's own text (not rendered from
				Markdown): messages give the line of the element,
				else the body's first line */
	bool clean_utf8;     /* the text is known to be valid UTF-8 without
				characters XML forbids (collect_read's output):
				the check is skipped */
	struct log *lg;
	xhtml_image_fn image; /* NULL: every image dropped */
	void *image_ctx;
	/* Asked about each link (a@href that is not a #fragment); returns a
	 * malloc'd href to use instead (another chapter of the book), or NULL
	 * for the usual treatment (http(s) and mailto kept, others dropped).
	 * May be NULL. */
	char *(*link)(void *ctx, const char *href);
	void *link_ctx;
	/* When *give_up is true once every image was asked about (the caller
	 * will render the body again later), the rest is skipped: dest is left
	 * unchanged and xhtml_render returns 1. May be NULL. */
	const bool *give_up;
};

/* Parses len bytes of HTML (UTF-8), cleans them and appends the resulting
 * nodes as children of dest, an element of an XHTML document (namespace
 * http://www.w3.org/1999/xhtml). Returns 0, 1 (see give_up), or -1 after
 * logging when the body cannot be parsed at all (dest is then left
 * unchanged). */
int xhtml_render(const char *html, size_t len, const struct xhtml_opts *o, xmlNodePtr dest);

/* Calls found(ctx, src, line) for every image xhtml_render() would ask
 * o->image about, in the same order, with the same chosen sources (o->image
 * is not called; nothing is logged). Lets a caller download the images
 * before rendering. Returns 0, or -1 when the body cannot be parsed. */
typedef void (*xhtml_found_fn)(void *ctx, const char *src, unsigned long line);
int xhtml_images(const char *html, size_t len, const struct xhtml_opts *o, xhtml_found_fn found,
		 void *ctx);

#endif

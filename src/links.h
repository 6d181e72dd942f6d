/* links.h — links from one post to another of the same archive.
 *
 * A post is known by its URL (front matter url/permalink/link, absolute or
 * a site path) and by its file name (with or without a Jekyll date). A link
 * in a body that names a post of the book is pointed at that chapter.
 */
#ifndef POST2EPUB_LINKS_H
#define POST2EPUB_LINKS_H

#include "post.h"

struct links;

/* site_url: the site's address (Hexo/Jekyll url), or NULL; links to that
 * host are matched by path too. */
struct links *links_new(const char *site_url);
void links_free(struct links *l);

/* Registers post p as chapter href ("p00012.xhtml"). The first post to
 * claim a name keeps it. */
void links_add(struct links *l, const struct post *p, const char *href);

/* The chapter href that link points to, or NULL when it names no post of
 * the book. Caller frees. Read-only: safe from several threads. */
char *links_resolve(const struct links *l, const char *link);

#endif

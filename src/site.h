/* site.h — Hexo and Jekyll site roots.
 *
 * Pointed at a site root (a folder with _config.yml and source/_posts for
 * Hexo, or _posts for Jekyll), post2epub reads the posts folder and takes
 * the book's defaults from the configuration.
 */
#ifndef POST2EPUB_SITE_H
#define POST2EPUB_SITE_H

#include "log.h"

struct site {
	char *posts;  /* the folder of posts to read (NULL: dir itself) */
	char *kind;   /* "Hexo" or "Jekyll" (NULL when dir is no site root) */
	char *title;  /* from _config.yml, or NULL */
	char *author;
	char *lang;   /* as written; the caller cleans it */
	char *url;    /* the site's address */
};

/* Looks at dir. Not a site root: 0 with every field NULL. A site root:
 * 0 with posts and kind set, and what _config.yml gives (a configuration
 * that cannot be parsed is warned about and ignored). */
int site_detect(const char *dir, struct site *out, struct log *lg);
void site_free(struct site *s);

#endif

/* images.h — the pictures of the book: image references of posts (local
 * paths, data: URIs, downloaded URLs) resolved to images named by their
 * content, each stored once.
 *
 * An image's bytes stay in a file (the post's own file, the download cache)
 * and are read again only when the book is zipped; only data: URIs are held
 * in memory.
 */
#ifndef POST2EPUB_IMAGES_H
#define POST2EPUB_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "log.h"
#include "media.h"

struct image {
	char name[40]; /* "images/<hash>.<ext>", relative to EPUB/ */
	char id[32];   /* manifest id: "img-<hash>" */
	enum media_type type;
	char *path;    /* the bytes are in this file, or */
	char *data;    /* in memory (data: URIs, small pictures), for as long
			  as the registry lives */
	size_t len;
};

enum image_ref {
	REF_NONE,   /* empty */
	REF_LOCAL,  /* a path */
	REF_REMOTE, /* http(s), or protocol-relative (taken as https) */
	REF_DATA,   /* a data: URI */
	REF_OTHER,  /* any other scheme: refused */
};

/* What kind of reference ref is. For REF_REMOTE, *url (when url is not NULL)
 * receives the absolute URL to download (caller frees). */
enum image_ref images_ref_kind(const char *ref, char **url);

struct images;

/* root: the folder local references must resolve inside (realpath: the
 * input folder, or a site's root); web_root: where references starting with
 * "/" start from (the input folder, or the folder a site publishes).
 * max_size bounds every image. */
struct images *images_new(const char *root, const char *web_root, size_t max_size,
			  struct log *lg);
void images_free(struct images *s);

/* Pictures are made fit for e-readers with o (convert.c): WebP and AVIF
 * converted, large ones scaled down, rotated upright; conversions are kept
 * in cache_dir/converted when cache_dir is given. o NULL: kept as they are
 * (then WebP and AVIF are left out). o is borrowed. */
struct convert_opts;
void images_set_convert(struct images *s, const struct convert_opts *o, const char *cache_dir);

/* Downloaded URLs are looked up in f (borrowed; may be NULL). Not while
 * images_resolve() runs on another thread. */
void images_set_fetcher(struct images *s, const struct fetcher *f);

/* URLs the fetcher has not settled are looked up in the download cache
 * described by o (borrowed; fetch_cached_body()), so that a warm cache
 * needs no fetcher at all. */
void images_set_cache(struct images *s, const struct fetch_opts *o);

/* How many URLs the download cache answered that way. */
size_t images_cache_hits(struct images *s);

/* Safe to call from several threads at once; warnings go to lg.
 *
 * Resolves ref, written in the post at post_path (relative references start
 * from its folder; "/x" from the input folder) and reported as who:line.
 * Returns the image, or NULL after a warning (or quietly for a download that
 * failed: fetch.c warned). EPUB 3.2 core types only (JPEG, PNG, GIF, SVG).
 *
 * A URL that is neither settled by the fetcher nor in the download cache:
 * with deferred (not NULL), *deferred is set to true and NULL returned,
 * quietly: the caller downloads it and asks again. Without, NULL quietly. */
const struct image *images_resolve(struct images *s, const char *ref, const char *post_path,
				   const char *who, unsigned long line, struct log *lg,
				   bool *deferred);

/* Adds the file at path (given by the user: not restricted to the input
 * folder). NULL after a warning naming what. */
const struct image *images_add_file(struct images *s, const char *path, const char *what);


#endif

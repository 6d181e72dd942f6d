/* convert.h — images made fit for e-readers: every picture in a type readers
 * show (JPEG, PNG, GIF, clean SVG), no larger than the screen, upright.
 *
 * Images that already are all that pass through untouched, so a book of
 * small JPEGs loses nothing to re-encoding. The work is done by libvips
 * (decoding JPEG, PNG, GIF, WebP, AVIF through libheif, SVG through
 * librsvg); no libvips type is seen outside convert.c.
 */
#ifndef POST2EPUB_CONVERT_H
#define POST2EPUB_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "media.h"

struct convert_opts {
	int max_dim;         /* longest side in pixels; 0 keeps the size (1600) */
	int jpeg_quality;    /* 1..100 (80) */
	bool grayscale;      /* e-ink: greyscale output (off) */
	bool keep_animation; /* animated GIFs kept animated (off: first frame) */
	size_t max_pixels;   /* images of more pixels are refused; 0: no limit
	                        (100 megapixels) */
};

/* Fills o with the defaults above. */
void convert_opts_init(struct convert_opts *o);

/* Prepares libvips (started on the first convert_image(), so that runs
 * that convert nothing do not pay for it): call once per process, from the
 * main thread, before any convert_image(); argv0 is the program's name. Limits libvips to one
 * thread per call (we run several calls at once), turns its operation cache
 * off, allows only the loaders of the types above (no ImageMagick, no
 * PDF…), and silences libvips's own messages on stderr. 0 ok, -1 when
 * libvips cannot start. */
int convert_init(const char *argv0);
/* Stops libvips; no convert_image() after it. */
void convert_shutdown(void);

/* True when this libvips can decode AVIF (libheif with an AV1 decoder). */
bool convert_can_avif(void);

enum convert_result {
	CONVERT_KEEP, /* use the original bytes as they are */
	CONVERT_DONE, /* use *out instead */
	CONVERT_FAIL, /* leave the image out; *why says why */
};

/* Decides what the image of len bytes at data, of type (media_sniff's),
 * becomes under o. Safe to call from several threads at once.
 *
 * KEEP: a JPEG, PNG or GIF no larger than max_dim, upright (no EXIF
 * rotation), not CMYK, not a progressive JPEG (some readers show those
 * badly), grayscale not asked, not an animated GIF to flatten; or an SVG
 * without script, event handlers, external references (href/src other than
 * "#…" or a data: PNG/JPEG/GIF, url() other than "#…", @import,
 * xml-stylesheet, entities) and without a DOCTYPE; an unsafe SVG is
 * rasterised by librsvg instead (it runs no script, loads nothing).
 *
 * DONE: *out receives malloc'd bytes (caller frees) of *outlen bytes and
 * *out_type is MEDIA_SVG for a clean SVG written again without its DOCTYPE
 * (which epubcheck refuses); MEDIA_PNG when the result has transparency,
 * or comes from a lossless source (PNG, GIF, lossless WebP, SVG) and has
 * at most 256 colours (line art); MEDIA_GIF for an animated GIF kept animated but
 * resized or made grey; MEDIA_JPEG otherwise. EXIF orientation is applied,
 * colours end up in sRGB (CMYK too), metadata is stripped, nothing is ever
 * made larger, and the same input and options give the same bytes.
 * WebP and AVIF are always converted (or fail).
 *
 * FAIL: *why receives a static text ("cannot be decoded", "larger than the
 * pixel limit"…). *out is NULL unless DONE. */
enum convert_result convert_image(const void *data, size_t len, enum media_type type,
                                  const struct convert_opts *o, void **out, size_t *outlen,
                                  enum media_type *out_type, const char **why);

/* A short stable text of the options that change convert_image's output,
 * for cache keys: "1600q80g0a0" (max_dim, quality, grayscale, animation).
 * n of 16 bytes is always enough. */
void convert_opts_key(const struct convert_opts *o, char *buf, size_t n);

#endif

/* media.h — what an image is, decided from its bytes alone. */
#ifndef POST2EPUB_MEDIA_H
#define POST2EPUB_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

enum media_type {
	MEDIA_UNKNOWN = 0,
	MEDIA_JPEG,
	MEDIA_PNG,
	MEDIA_GIF,
	MEDIA_SVG,
	MEDIA_WEBP,
	MEDIA_AVIF,
};

/* JPEG FF D8 FF; PNG signature; GIF87a/89a; WebP RIFF....WEBP; AVIF ftyp
 * avif/avis; SVG: optional BOM, white space, XML declaration, comments and
 * doctype, then an <svg element. Anything else (an HTML error page) is
 * MEDIA_UNKNOWN. */
enum media_type media_sniff(const void *data, size_t len);
const char *media_mime(enum media_type t); /* "image/jpeg"; NULL for unknown */
const char *media_ext(enum media_type t);  /* "jpg"; NULL for unknown */
/* A core media type of EPUB 3.2 (JPEG, PNG, GIF, SVG). */
bool media_is_core(enum media_type t);
/* The name inside the book: "images/" + first 20 hex digits of the SHA-256 of
 * the bytes + "." + ext, into out (at least 40 bytes). MEDIA_UNKNOWN gets
 * the extension "bin" (callers should not put such bytes in a book). */
void media_name(const void *data, size_t len, enum media_type t, char out[40]);
/* The same from the SHA-256 of the bytes, when the caller has it. */
void media_name_digest(const unsigned char digest[32], enum media_type t, char out[40]);

#endif

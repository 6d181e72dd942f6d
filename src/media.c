/* media.c — see media.h. */
#include "media.h"

#include <string.h>

#include "util.h"

/* How far into the bytes the SVG sniffer looks for the <svg element. */
#define SVG_SCAN_MAX 4096

static bool
has_prefix(const unsigned char *p, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(p, magic, n) == 0;
}

static bool
is_xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Position just past the first occurrence of end in p[i..n), or n when it
 * does not occur (the markup is cut off by the scan bound: no match). */
static size_t
skip_past(const unsigned char *p, size_t i, size_t n, const char *end)
{
	size_t m = strlen(end);
	for (; i + m <= n; i++)
		if (memcmp(p + i, end, m) == 0)
			return i + m;
	return n;
}

/* Skips a doctype declaration starting at p[i] ("<!DOCTYPE"), including an
 * internal subset in brackets, whose declarations contain '>'. Quoted
 * literals may contain brackets and '>' too. */
static size_t
skip_doctype(const unsigned char *p, size_t i, size_t n)
{
	int depth = 0;
	unsigned char quote = 0;
	for (i += 9; i < n; i++) {
		unsigned char c = p[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '[') {
			depth++;
		} else if (c == ']') {
			if (depth > 0)
				depth--;
		} else if (c == '>' && depth == 0) {
			return i + 1;
		}
	}
	return n;
}

/* SVG: text whose first element is <svg, possibly after a BOM, white space,
 * an XML declaration, comments, processing instructions and a doctype. An
 * HTML page (<!DOCTYPE html><html>…) fails at the first element. */
static bool
sniff_svg(const unsigned char *p, size_t len)
{
	size_t n = len < SVG_SCAN_MAX ? len : SVG_SCAN_MAX;
	size_t i = 0;

	if (has_prefix(p, n, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < n) {
		if (is_xml_space(p[i])) {
			i++;
		} else if (has_prefix(p + i, n - i, "<?", 2)) {
			i = skip_past(p, i + 2, n, "?>");
		} else if (has_prefix(p + i, n - i, "<!--", 4)) {
			i = skip_past(p, i + 4, n, "-->");
		} else if (n - i >= 9 && ascii_ncasecmp((const char *)p + i, "<!DOCTYPE", 9) == 0) {
			i = skip_doctype(p, i, n);
		} else {
			break;
		}
	}
	if (n - i < 5 || memcmp(p + i, "<svg", 4) != 0)
		return false;
	return is_xml_space(p[i + 4]) || p[i + 4] == '>' || p[i + 4] == '/';
}

/* ISO BMFF: a first box "ftyp" whose major or a compatible brand is avif
 * (still image) or avis (sequence). The box size bounds the brand list. */
static bool
sniff_avif(const unsigned char *p, size_t len)
{
	size_t box, end;

	if (len < 12 || memcmp(p + 4, "ftyp", 4) != 0)
		return false;
	box = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3];
	end = box < len ? box : len;
	if (box < 16)
		end = 12; /* too small for a brand list: the major brand only */
	/* major brand at 8, minor version at 12, compatible brands from 16 */
	for (size_t i = 8; i + 4 <= end && i < 256; i += 4) {
		if (i == 12)
			continue;
		if (memcmp(p + i, "avif", 4) == 0 || memcmp(p + i, "avis", 4) == 0)
			return true;
	}
	return false;
}

enum media_type
media_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (p == NULL || len == 0)
		return MEDIA_UNKNOWN;
	if (has_prefix(p, len, "\xFF\xD8\xFF", 3))
		return MEDIA_JPEG;
	if (has_prefix(p, len, "\x89PNG\r\n\x1A\n", 8))
		return MEDIA_PNG;
	if (has_prefix(p, len, "GIF87a", 6) || has_prefix(p, len, "GIF89a", 6))
		return MEDIA_GIF;
	if (len >= 14 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBPVP", 6) == 0)
		return MEDIA_WEBP;
	if (sniff_avif(p, len))
		return MEDIA_AVIF;
	if (sniff_svg(p, len))
		return MEDIA_SVG;
	return MEDIA_UNKNOWN;
}

const char *
media_mime(enum media_type t)
{
	switch (t) {
	case MEDIA_JPEG:
		return "image/jpeg";
	case MEDIA_PNG:
		return "image/png";
	case MEDIA_GIF:
		return "image/gif";
	case MEDIA_SVG:
		return "image/svg+xml";
	case MEDIA_WEBP:
		return "image/webp";
	case MEDIA_AVIF:
		return "image/avif";
	case MEDIA_UNKNOWN:
		break;
	}
	return NULL;
}

const char *
media_ext(enum media_type t)
{
	switch (t) {
	case MEDIA_JPEG:
		return "jpg";
	case MEDIA_PNG:
		return "png";
	case MEDIA_GIF:
		return "gif";
	case MEDIA_SVG:
		return "svg";
	case MEDIA_WEBP:
		return "webp";
	case MEDIA_AVIF:
		return "avif";
	case MEDIA_UNKNOWN:
		break;
	}
	return NULL;
}

bool
media_is_core(enum media_type t)
{
	return t == MEDIA_JPEG || t == MEDIA_PNG || t == MEDIA_GIF || t == MEDIA_SVG;
}

void
media_name(const void *data, size_t len, enum media_type t, char out[40])
{
	unsigned char digest[32];
	sha256_bytes(data, len, digest);
	media_name_digest(digest, t, out);
}

void
media_name_digest(const unsigned char digest[32], enum media_type t, char out[40])
{
	char hex[65];
	const char *ext = media_ext(t);

	hex_encode(digest, 10, hex); /* 10 bytes = the first 20 hex digits */
	/* "images/" 7 + 20 + "." + at most 4 + NUL = 33 bytes */
	memcpy(out, "images/", 7);
	memcpy(out + 7, hex, 20);
	out[27] = '.';
	strcpy(out + 28, ext ? ext : "bin");
}

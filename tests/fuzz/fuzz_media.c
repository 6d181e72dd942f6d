/* fuzz_media.c — image sniffing and naming on arbitrary bytes. */
#include <string.h>

#include "common.h"
#include "media.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum media_type t = media_sniff(data, size);
	const char *mime = media_mime(t), *ext = media_ext(t);
	char name[40];

	if ((t == MEDIA_UNKNOWN) != (mime == NULL) || (t == MEDIA_UNKNOWN) != (ext == NULL))
		fz_fail("media_mime/media_ext", "NULL exactly for MEDIA_UNKNOWN");
	if (media_is_core(t) && t != MEDIA_JPEG && t != MEDIA_PNG && t != MEDIA_GIF &&
	    t != MEDIA_SVG)
		fz_fail("media_is_core", "not a core type");
	memset(name, 'Z', sizeof name);
	media_name(data, size, t, name);
	if (memchr(name, '\0', sizeof name) == NULL)
		fz_fail("media_name", "not NUL-terminated within 40 bytes");
	if (strncmp(name, "images/", 7) != 0 || name[27] != '.' ||
	    strspn(name + 7, "0123456789abcdef") != 20 ||
	    strcmp(name + 28, ext ? ext : "bin") != 0)
		fz_fail("media_name", name);
	/* The name depends on the bytes only: the same bytes, the same name. */
	char again[40];
	media_name(data, size, t, again);
	if (strcmp(name, again) != 0)
		fz_fail("media_name", "not deterministic");
	return 0;
}

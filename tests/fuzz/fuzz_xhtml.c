/* fuzz_xhtml.c — the HTML cleaner on untrusted bodies.
 *
 * Byte 0 picks the options: bits 0-1 the image callback (common.h FZ_IMG_*),
 * bit 2 exact_lines. The rest is the HTML, not NUL-terminated. The chapter
 * it lands in must re-parse as XML and carry nothing that runs.
 */
#include "common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct fz_page pg = {
		.file = "post.html",
		.line = 3,
		.exact_lines = (data[0] & 4) != 0,
		.img_mode = data[0] & 3,
	};
	fz_render_chapter((const char *)data + 1, size - 1, &pg);
	return 0;
}

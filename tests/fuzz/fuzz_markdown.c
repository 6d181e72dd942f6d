/* fuzz_markdown.c — the Markdown path: md_render, then the HTML cleaner on
 * its output, into a chapter that must re-parse and carry nothing that runs.
 *
 * Byte 0 picks the image callback (bits 0-1, common.h FZ_IMG_*); the rest is
 * the Markdown, not NUL-terminated.
 */
#include <stdlib.h>

#include "common.h"
#include "markdown.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = NULL;
	size_t hlen = 0;

	if (size < 1)
		return 0;
	if (md_render((const char *)data + 1, size - 1, &html, &hlen) != 0)
		return 0;
	/* Raw HTML passes through verbatim, NUL bytes included (the real
	 * caller sanitises the file first; fuzz_chapter covers that path):
	 * only the terminating NUL is promised. */
	if (html != NULL && html[hlen] != '\0')
		fz_fail("md_render", "output not NUL-terminated");
	struct fz_page pg = {
		.file = "post.md",
		.line = 5,
		.exact_lines = false,
		.img_mode = data[0] & 3,
	};
	fz_render_chapter(html ? html : "", hlen, &pg);
	free(html);
	return 0;
}

/* fuzz_frontmatter.c — fm_parse on arbitrary text, sanitised first as
 * collect_read() does.
 *
 * Byte 0 picks the file name's extension (bits 0-1: .md, .html, .txt,
 * .markdown), which decides Markdown or HTML for a body that starts with
 * markup. The rest is the file.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "frontmatter.h"
#include "log.h"
#include "post.h"
#include "util.h"

static void
check_str(const char *s, const char *what)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		fz_fail("front matter field is not valid UTF-8", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ext[4] = {"md", "html", "txt", "markdown"};
	struct log *lg = log_new(NULL, LOG_QUIET);
	struct post *p = xcalloc(1, sizeof *p);
	size_t len = 0;
	char *text;

	if (size < 1)
		goto out;
	p->relpath = xasprintf("2022/post.%s", ext[data[0] & 3]);
	p->path = xasprintf("/nonexistent/%s", p->relpath);
	text = utf8_sanitize((const char *)data + 1, size - 1, &len, NULL, NULL);
	if (fm_parse(text, len, p, lg) == 0) {
		if (p->body == NULL || strlen(p->body) != p->body_len)
			fz_fail("fm_parse", "body length does not match the text");
		if (p->body_len > len || p->body_line < 1)
			fz_fail("fm_parse", "body outside the text");
		check_str(p->title, "title");
		check_str(p->author, "author");
		check_str(p->lang, "lang");
		check_str(p->date_raw, "date");
		check_str(p->updated_raw, "updated");
		check_str(p->url, "url");
		check_str(p->cover, "cover");
		for (size_t i = 0; i < p->categories.n; i++)
			check_str(p->categories.v[i], "categories");
		for (size_t i = 0; i < p->tags.n; i++)
			check_str(p->tags.v[i], "tags");
	} else if (p->title || p->author || p->lang || p->date_raw || p->updated_raw ||
		   p->thumbnail || p->headimg || p->cover || p->url || p->body ||
		   p->categories.n || p->tags.n) {
		fz_fail("fm_parse failed but changed the post", NULL);
	}
	free(text);
out:
	post_free(p);
	log_free(lg);
	return 0;
}

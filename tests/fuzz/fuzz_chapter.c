/* fuzz_chapter.c — the whole post-to-chapter path of book.c: utf8_sanitize
 * (as collect_read), fm_parse, md_render for Markdown, then the HTML cleaner
 * into the chapter template with the title, author, date and terms filled
 * in, tpl_finish, tpl_save and the re-parse checks of common.c.
 *
 * Byte 0: bits 0-1 the extension (.md, .html, .txt, .markdown), bits 2-3
 * the image callback (common.h FZ_IMG_*), bits 4-7 the default zone. The
 * rest is the file.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "datetime.h"
#include "frontmatter.h"
#include "log.h"
#include "markdown.h"
#include "post.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ext[4] = {"md", "html", "txt", "markdown"};
	struct log *lg = log_new(NULL, LOG_QUIET);
	struct post *p = xcalloc(1, sizeof *p);
	char *text = NULL, *html = NULL;
	size_t len = 0, hlen = 0;
	char date[11] = "1970-01-01";

	if (size < 1)
		goto out;
	p->relpath = xasprintf("posts/p.%s", ext[data[0] & 3]);
	p->path = xasprintf("/nonexistent/%s", p->relpath);
	text = utf8_sanitize((const char *)data + 1, size - 1, &len, NULL, NULL);
	if (fm_parse(text, len, p, lg) != 0)
		goto out;

	int64_t t;
	int off;
	if (p->date_raw != NULL && dt_parse(p->date_raw, ((data[0] >> 4) - 8) * 60, &t, &off) == 0)
		dt_format_date(t, off, date);

	const char *body = p->body;
	size_t blen = p->body_len;
	if (p->format == POST_MARKDOWN) {
		if (md_render(p->body, p->body_len, &html, &hlen) != 0)
			goto out;
		body = html ? html : "";
		blen = hlen;
	}
	struct fz_page pg = {
		.title = p->title,
		.author = p->author,
		.date = date,
		.terms = p->categories.n > 0 ? p->categories.v[0]
					     : p->tags.n > 0 ? p->tags.v[0] : NULL,
		.file = p->relpath,
		.line = p->body_line,
		.exact_lines = p->format == POST_HTML,
		.img_mode = (data[0] >> 2) & 3,
	};
	fz_render_chapter(body, blen, &pg);
out:
	free(html);
	free(text);
	post_free(p);
	log_free(lg);
	return 0;
}

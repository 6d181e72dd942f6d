/* markdown.c — see markdown.h.
 *
 * md4c-html does the work. Parser flags: the GitHub dialect (tables,
 * strikethrough, permissive autolinks, task lists), raw HTML kept: the
 * cleaner in xhtml.c sanitises everything afterwards, so nothing here needs
 * to be safe, only well-formed enough for libxml2's HTML parser.
 *
 * Renderer flags: MD_HTML_FLAG_XHTML (void elements written as <br />) and
 * MD_HTML_FLAG_SKIP_UTF8_BOM. Entities in Markdown text are translated to
 * characters by md4c (MD_HTML_FLAG_VERBATIM_ENTITIES is NOT set); entities
 * inside raw HTML pass through verbatim and are resolved by the HTML parser.
 */
#include "markdown.h"

#include <md4c-html.h>
#include <limits.h>

#include "util.h"

static void
md_out(const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	buf_add(userdata, text, size);
}

int
md_render(const char *text, size_t len, char **out, size_t *outlen)
{
	struct buf b = {0};
	int rc = -1;

	*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (len > (size_t)UINT_MAX)
		goto out;
	if (md_html(text, (MD_SIZE)len, md_out, &b, MD_DIALECT_GITHUB,
		    MD_HTML_FLAG_XHTML | MD_HTML_FLAG_SKIP_UTF8_BOM) != 0)
		goto out;
	*out = buf_detach(&b, outlen);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* frontmatter.h — split a post into YAML front matter and body; YAML → post.
 *
 * Uses libyaml's event API; aliases are refused, nesting depth and scalar
 * sizes are bounded.
 */
#ifndef POST2EPUB_FRONTMATTER_H
#define POST2EPUB_FRONTMATTER_H

#include <stddef.h>

#include "log.h"
#include "post.h"

/* Parses text (len bytes of UTF-8, a BOM allowed, CRLF or LF) as an optional
 * front matter block — leading blank lines, then a line "---", YAML, a line
 * "---" or "..." — followed by the body. Fills p's metadata fields, p->body,
 * p->body_len, p->body_line and p->format (HTML when the body starts with
 * markup and the file is not Markdown by extension, Markdown otherwise).
 * Text without front matter is all body.
 *
 * Returns 0, or -1 after a warning through lg naming p->relpath and the line
 * (the post should then be skipped; p is then left as it was). Recoverable
 * oddities (an unknown type for a known key, a block that is not a mapping)
 * are warned about and the field (or block) ignored. docs/frontmatter.txt
 * has the details, by example. */
int fm_parse(const char *text, size_t len, struct post *p, struct log *lg);

/* Parses len bytes of bare YAML (a configuration file such as Hexo's or
 * Jekyll's _config.yml, no --- lines) into p's metadata fields, with the
 * same keys, bounds and messages as front matter; lines are the file's.
 * p->body is left alone. Returns 0, or -1 after a warning. */
int fm_parse_yaml(const char *text, size_t len, struct post *p, struct log *lg);

#endif

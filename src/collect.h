/* collect.h — find the post files under a folder and read them safely. */
#ifndef POST2EPUB_COLLECT_H
#define POST2EPUB_COLLECT_H

#include <stddef.h>

#include "log.h"
#include "post.h"

/* An owned array of posts. */
struct post_list {
	struct post **v;
	size_t n;
	size_t cap;
};

void post_list_add(struct post_list *l, struct post *p);
/* Frees every post and the array. */
void post_list_free(struct post_list *l);

/* Walks dir (iteratively; a folder's files in byte order of their names, then
 * its sub-folders likewise, so the result never depends on the file system)
 * and appends one post per file ending in .md, .markdown, .txt, .html
 * or .htm (any case), with path, relpath and mtime set. Hidden files and
 * folders (name starting with '.') are skipped, and so are folders starting
 * with '_' other than _posts and _drafts (Jekyll/Hexo site folders such as
 * _site, _layouts). Symbolic links are followed only when they resolve
 * inside dir; a folder is never entered twice (no loops). An unreadable
 * entry is warned about and skipped. Returns 0, or -1 after an error when
 * dir itself cannot be read. */
int collect_dir(const char *dir, struct log *lg, struct post_list *out);

/* Reads p's file, at most max bytes (larger: warning, -1). Returns UTF-8 text
 * (malloc'd, NUL-terminated; caller frees): a UTF-8 BOM is dropped, UTF-16
 * with a BOM is converted, text that is not UTF-8 but decodes cleanly as
 * GB18030 is converted (warning), and any remaining invalid byte or NUL is
 * replaced with U+FFFD (warning). Returns -1 after a warning naming the file
 * when it cannot be read or is empty-looking binary. */
int collect_read(const struct post *p, size_t max, struct log *lg, char **text, size_t *len);

#endif

/* markdown.h — Markdown bodies to HTML, through md4c (GitHub dialect:
 * tables, strikethrough, autolinks, task lists; raw HTML kept for the
 * cleaner in xhtml.c to sanitise). */
#ifndef POST2EPUB_MARKDOWN_H
#define POST2EPUB_MARKDOWN_H

#include <stddef.h>

/* Renders len bytes of Markdown as an HTML fragment. Returns 0 and a
 * malloc'd NUL-terminated string in *out (caller frees), or -1. */
int md_render(const char *text, size_t len, char **out, size_t *outlen);

#endif
